import type { TurnstileClient } from '../api/client.ts';
import type { Widget } from '../api/schemas.ts';
import type { DesiredWidget, Settings } from '../inputs.ts';
import type { Logger } from '../log.ts';
import type { OperationResult } from './result.ts';
import { creationConfig, findByName } from './widgets.ts';

// Runner clocks and Cloudflare's may disagree; a widget created this long before our first
// attempt still counts as "ours" when a create's response was lost.
const CLOCK_SKEW_MS = 120_000;

/**
 * POST a new widget. A create is not idempotent: when an attempt fails in a way that may have
 * created the widget anyway (lost response, 5xx), look for it before trying again and adopt it.
 * `existing` lists the sitekeys known to predate this create (ensure knows them; create does not).
 */
export async function createWidget(
  client: TurnstileClient,
  desired: DesiredWidget,
  logger: Logger,
  existing?: Set<string>,
): Promise<Widget> {
  const started = Date.now();
  return client.create(creationConfig(desired), async () => {
    const matches = await findByName(client, desired.name);
    const lost = matches.find((widget) =>
      existing ? !existing.has(widget.sitekey) : Date.parse(widget.created_on) >= started - CLOCK_SKEW_MS,
    );
    if (!lost) return undefined;
    logger.warning(
      `The create request's response was lost, but widget "${desired.name}" exists (${lost.sitekey}); using it instead of creating a duplicate.`,
      'Recovered lost response',
    );
    return client.get(lost.sitekey);
  });
}

/** operation: create — always a new widget, even when others share its name. */
export async function runCreate(client: TurnstileClient, settings: Settings, logger: Logger): Promise<OperationResult> {
  const desired = settings.desired as DesiredWidget;
  const base = { operation: 'create' as const, updated: false, dryRun: settings.dryRun, changes: [] };
  if (settings.dryRun) {
    logger.info(`Dry run: would create widget "${desired.name}" for ${desired.domains.join(', ')}.`);
    return { ...base, outcome: 'would create', widget: undefined, created: false };
  }
  const widget = await createWidget(client, desired, logger);
  logger.info(`Created widget "${widget.name}" (${widget.sitekey}).`);
  return { ...base, outcome: 'created', widget, created: true };
}
