import type { TurnstileClient } from '../api/client.ts';
import type { Widget, WidgetSummary } from '../api/schemas.ts';
import type { DesiredWidget, Settings } from '../inputs.ts';
import type { Logger } from '../log.ts';
import { InputError } from '../errors.ts';
import { createWidget } from './create.ts';
import type { OperationResult } from './result.ts';
import { differences, findByName, replacementConfig } from './widgets.ts';

/**
 * operation: ensure — idempotent: find the widget by exact name (or sitekey), create it when
 * missing, update it in place when it differs, and otherwise change nothing.
 */
export async function runEnsure(client: TurnstileClient, settings: Settings, logger: Logger): Promise<OperationResult> {
  const desired = settings.desired as DesiredWidget;
  const base = { operation: 'ensure' as const, dryRun: settings.dryRun };
  let target: WidgetSummary | Widget | undefined;

  if (settings.sitekey) {
    target = await client.get(settings.sitekey);
  } else {
    const matches = await findByName(client, desired.name);
    target = matches[0];
    if (matches.length > 1) {
      const others = matches
        .slice(1)
        .map((widget) => widget.sitekey)
        .join(', ');
      logger.warning(
        `${matches.length} widgets are named "${desired.name}"; using the oldest (${target?.sitekey}). The others (${others}) are not used by this step: delete them with operation: delete and their sitekey.`,
        'Duplicate widget names',
      );
    }
    if (!target) {
      if (settings.dryRun) {
        logger.info(
          `Dry run: no widget is named "${desired.name}"; would create it for ${desired.domains.join(', ')}.`,
        );
        return { ...base, outcome: 'would create', widget: undefined, created: false, updated: false, changes: [] };
      }
      const fresh = await createWidget(client, desired, logger, new Set());
      target = await converge(client, fresh, logger);
      if (target.sitekey === fresh.sitekey) {
        logger.info(`Created widget "${fresh.name}" (${fresh.sitekey}).`);
        return { ...base, outcome: 'created', widget: fresh, created: true, updated: false, changes: [] };
      }
    }
  }

  if (desired.region !== undefined && target.region !== desired.region) {
    throw new InputError(
      'region',
      `is "${desired.region}", but widget ${target.sitekey} was created in region "${target.region}", and Cloudflare cannot change a widget's region after creation. Delete the widget (operation: delete) to recreate it, or use another name.`,
    );
  }
  const changes = differences(target, desired);
  if (changes.length === 0) {
    const widget = 'secret' in target ? (target as Widget) : await client.get(target.sitekey);
    logger.info(`Widget "${widget.name}" (${widget.sitekey}) is up to date.`);
    return { ...base, outcome: 'unchanged', widget, created: false, updated: false, changes };
  }
  if (settings.dryRun) {
    const widget = 'secret' in target ? (target as Widget) : await client.get(target.sitekey);
    logger.info(`Dry run: would update widget "${widget.name}" (${widget.sitekey}): ${changes.join('; ')}.`);
    return { ...base, outcome: 'would update', widget, created: false, updated: false, changes };
  }
  const widget = await client.update(target.sitekey, replacementConfig(target, desired));
  logger.info(`Updated widget "${widget.name}" (${widget.sitekey}): ${changes.join('; ')}.`);
  return { ...base, outcome: 'updated', widget, created: false, updated: true, changes };
}

/**
 * Parallel runs (two pushes, a matrix) may each create the name at once. After creating, every run
 * re-lists the name and settles on the oldest widget; a run whose own widget lost deletes it.
 */
async function converge(client: TurnstileClient, fresh: Widget, logger: Logger): Promise<Widget | WidgetSummary> {
  const matches = await findByName(client, fresh.name);
  const winner = matches[0];
  if (!winner || winner.sitekey === fresh.sitekey || !matches.some((w) => w.sitekey === fresh.sitekey)) return fresh;
  logger.warning(
    `Another run created widget "${fresh.name}" at the same time (${winner.sitekey}); using it and deleting the duplicate this run created (${fresh.sitekey}).`,
    'Concurrent create',
  );
  await client.delete(fresh.sitekey);
  return winner;
}
