import { refusedWith } from '../cloudflare/errors.ts';
import type { Widget, WidgetSummary } from '../cloudflare/schemas.ts';
import { InputError, type NewWidget, type SettingsOf, type WidgetChange } from '../inputs/settings.ts';
import { createNew } from './create.ts';
import { deleteAll } from './delete.ts';
import { resultOf, type OperationResult, type OperationContext, type Run } from './context.ts';
import { differences, findByName, oldestNamed, widgetConfig } from './widgets.ts';

/**
 * operation: ensure — idempotent: find the widget by exact name (or sitekey), create it when
 * missing, update it in place when it differs, and otherwise change nothing.
 */
export const runEnsure: Run<'ensure'> = async (settings, context) => {
  if (!byName(settings)) {
    // GET returns the secret too, so an unchanged widget needs no second read.
    const widget = await context.client.get(settings.target.sitekey);
    return bringUpToDate(settings, context, widget, widget);
  }
  const existing = await oldestNamed(context, settings.target.name);
  return existing ? bringUpToDate(settings, context, existing) : createMissing(settings, context);
};

/** No widget has the name: create it, or say what a dry run would. */
function createMissing(settings: EnsureByName, context: OperationContext): Promise<OperationResult> {
  const desired: NewWidget = { ...settings.fields, name: settings.target.name };
  // Another run may have created the name at the same moment: its widget is the one to bring up to date.
  const settle = async (fresh: Widget) => {
    const winner = await converge(context, fresh);
    return winner.sitekey === fresh.sitekey ? undefined : bringUpToDate(settings, context, winner);
  };
  return createNew(settings, context, desired, `no widget is named "${desired.name}"; would create it`, settle);
}

/**
 * Compares the widget with the inputs and updates it in place (one full PUT) when they differ.
 * `withSecret` is the same widget when a response already carried its secret (the list does not).
 */
async function bringUpToDate(
  settings: SettingsOf<'ensure'>,
  { client, logger }: OperationContext,
  target: WidgetSummary,
  withSecret?: Widget,
): Promise<OperationResult> {
  const current = async (): Promise<Widget> => withSecret ?? client.get(target.sitekey);
  // By sitekey without `name`, the widget keeps its own name.
  const desired: WidgetChange = { ...settings.fields, name: settings.name ?? target.name };
  if (desired.region !== undefined && target.region != null && target.region !== desired.region) {
    throw new InputError(
      'region',
      `is "${desired.region}", but widget ${target.sitekey} was created in region "${target.region}", and Cloudflare cannot change a widget's region after creation. Delete the widget (operation: delete) to recreate it, or use another name.`,
    );
  }
  const changes = differences(target, desired);
  if (changes.length === 0) {
    const widget = await current();
    logger.info(`Widget "${widget.name}" (${widget.sitekey}) is up to date.`);
    return resultOf(settings, 'unchanged', { widget });
  }
  if (settings.dryRun) {
    const widget = await current();
    logger.info(`Dry run: would update widget "${widget.name}" (${widget.sitekey}): ${changes.join('; ')}.`);
    return resultOf(settings, 'would update', { widget, planned: desired, changes });
  }
  if (target.last_modified_via === 'dashboard') {
    logger.notice(
      `Widget "${target.name}" (${target.sitekey}) was last changed in the Cloudflare dashboard; this run overwrites that change (${changes.join('; ')}). Change the workflow's inputs instead to keep it.`,
      'Manual change overwritten',
    );
  }
  const replacement = widgetConfig(desired, target);
  const widget = await client
    .update(target.sitekey, replacement)
    .catch(refusedWith({ hostnamesSent: replacement.domains.length }));
  logger.info(`Updated widget "${widget.name}" (${widget.sitekey}): ${changes.join('; ')}.`);
  return resultOf(settings, 'updated', { widget, changes });
}

/** ensure by name may create the widget (its settings then carry hostnames); by sitekey it never does. */
type EnsureByName = Extract<SettingsOf<'ensure'>, { target: { name: string } }>;
const byName = (settings: SettingsOf<'ensure'>): settings is EnsureByName => 'name' in settings.target;

/**
 * Parallel runs (two pushes, a matrix) may each create the name at once. After creating, every run
 * re-lists the name and settles on the oldest widget; a run whose own widget lost deletes it.
 */
async function converge({ client, logger }: OperationContext, fresh: Widget): Promise<WidgetSummary> {
  const matches = await findByName(client, fresh.name);
  const winner = matches[0];
  if (!winner || winner.sitekey === fresh.sitekey || !matches.some((w) => w.sitekey === fresh.sitekey)) return fresh;
  logger.warning(
    `Another run created widget "${fresh.name}" at the same time (${winner.sitekey}); using it and deleting the duplicate this run created (${fresh.sitekey}).`,
    'Concurrent create',
  );
  await deleteAll(client, [fresh]); // a retried DELETE whose first answer was lost finds it gone
  return winner;
}
