import { refusedWith } from '../cloudflare/errors.ts';
import type { Widget } from '../cloudflare/schemas.ts';
import type { NewWidget, Operation } from '../inputs/settings.ts';
import { resultOf, type OperationResult, type OperationContext, type Run } from './context.ts';
import { createRecyclingAtLimit, plannedRecycling } from './recycle.ts';
import { findByName, widgetConfig } from './widgets.ts';

/** A runner's clock and a create's server timestamps may disagree by this much. */
const CLOCK_SKEW_MS = 120_000;

/**
 * POST a new widget. A create is not idempotent: when an attempt may have created the widget anyway
 * (lost or unreadable response, 5xx), look for it before trying again and adopt it. When the name
 * was free (ensure found none), any widget of that name is this run's; else one created since the
 * attempt began, give or take clock skew.
 */
async function createWidget(
  { client, logger, clock }: OperationContext,
  desired: NewWidget,
  nameWasFree: boolean,
): Promise<Widget> {
  const started = clock.now();
  const config = widgetConfig(desired);
  const created = client.recoverWrite(
    () => client.create(config),
    async () => {
      const matches = await findByName(client, desired.name);
      const made = matches.find((w) => nameWasFree || Date.parse(w.created_on) >= started - CLOCK_SKEW_MS);
      if (!made) return undefined;
      logger.info(
        `The create request's response was lost, but widget "${desired.name}" exists (${made.sitekey}); using it instead of creating a duplicate.`,
      );
      return client.get(made.sitekey);
    },
  );
  return created.catch(refusedWith({ hostnamesSent: config.domains.length }));
}

/** operation: create — always a new widget, even when others share its name. */
export const runCreate: Run<'create'> = (settings, context) =>
  createNew(settings, context, { ...settings.fields, name: settings.name }, `would create widget "${settings.name}"`);

/**
 * Creates `desired`, recycling closed previews at the widget limit, or says what a dry run would
 * (`plan`, and the widgets it would recycle). ensure, which found the name free, passes `settle`:
 * it may settle on a widget a concurrent run created instead.
 */
export async function createNew(
  settings: { operation: Operation; dryRun: boolean; namePrefix: string | undefined },
  context: OperationContext,
  desired: NewWidget,
  plan: string,
  settle?: (fresh: Widget) => Promise<OperationResult | undefined>,
): Promise<OperationResult> {
  if (settings.dryRun) {
    context.logger.info(`Dry run: ${plan} for ${desired.domains.join(', ')}.`);
    // Only widgets it would recycle at the limit make a `deleted` output and summary row.
    const recycling = await plannedRecycling(context, settings.namePrefix);
    return resultOf(settings, 'would create', {
      planned: desired,
      ...(recycling.length ? { deleted: recycling } : {}),
    });
  }
  const { created: widget, recycled } = await createRecyclingAtLimit(context, settings.namePrefix, () =>
    createWidget(context, desired, settle !== undefined),
  );
  const settled = await settle?.(widget);
  if (settled) return settled;
  context.logger.info(`Created widget "${widget.name}" (${widget.sitekey}).`);
  return resultOf(settings, 'created', { widget, ...(recycled.length ? { deleted: recycled } : {}) });
}
