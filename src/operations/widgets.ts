import type { TurnstileClient } from '../cloudflare/client.ts';
import type { WidgetConfig, WidgetSummary } from '../cloudflare/schemas.ts';
import type { Target, WidgetChange } from '../inputs/settings.ts';
import { ActionError } from '../log/runner.ts';
import type { OperationContext, WidgetRef } from './context.ts';

/** A new widget's settings where the inputs leave them unset (action.yml says so); an existing widget keeps its own. */
const NEW_WIDGET = { domains: [], mode: 'managed' };

/**
 * Widgets whose name equals `name` exactly, oldest first. The API's `filter=name:` is a
 * case-insensitive substring match, so the exact comparison happens here.
 */
export async function findByName(client: TurnstileClient, name: string): Promise<WidgetSummary[]> {
  const candidates = await client.listAll(`name:${name}`);
  return candidates.filter((widget) => widget.name === name).sort(oldestFirst);
}

/** The oldest widget named exactly `name` (the one every run agrees on), warning about the others. */
export async function oldestNamed(
  { client, logger }: Pick<OperationContext, 'client' | 'logger'>,
  name: string,
): Promise<WidgetSummary | undefined> {
  const [oldest, ...others] = await findByName(client, name);
  if (oldest && others.length > 0) {
    logger.warning(
      `${others.length + 1} widgets are named "${name}"; using the oldest (${oldest.sitekey}). The others (${others.map((w) => w.sitekey).join(', ')}) are not used by this step: delete them with operation: delete and their sitekey.`,
      'Duplicate widget names',
    );
  }
  return oldest;
}

/** The widget get and rotate-secret act on: by `sitekey` (no lookup needed), else the oldest named `name`. */
export async function resolveTarget(context: Pick<OperationContext, 'client' | 'logger'>, target: Target) {
  if ('sitekey' in target) return target.sitekey;
  const oldest = await oldestNamed(context, target.name);
  if (oldest) return oldest.sitekey;
  throw new ActionError(
    'Widget not found',
    `No Turnstile widget named "${target.name}" exists in this account. Check the name/sitekey and account-id, or create it with operation: ensure.`,
  );
}

/** The order every concurrent run agrees on: created_on, then sitekey. */
export function oldestFirst(a: WidgetSummary, b: WidgetSummary): number {
  const byTime = Date.parse(a.created_on) - Date.parse(b.created_on);
  if (byTime !== 0 && !Number.isNaN(byTime)) return byTime;
  return a.sitekey < b.sitekey ? -1 : a.sitekey > b.sitekey ? 1 : 0;
}

const FLAGS = ['clearance_level', 'bot_fight_mode', 'offlabel', 'ephemeral_id'] as const;

/**
 * Human-readable differences between the widget and what was asked; empty when it matches. A
 * field the inputs leave unset is no difference: the widget keeps its value.
 */
export function differences(existing: WidgetSummary, desired: WidgetChange): string[] {
  const changes: string[] = [];
  if (existing.name !== desired.name) changes.push(`name: ${existing.name} -> ${desired.name}`);
  if (desired.domains) {
    // The API returns domains sorted: compare them as sets.
    const have = new Set(existing.domains.map((domain) => domain.toLowerCase()));
    const want = new Set(desired.domains);
    const added = [...want].filter((domain) => !have.has(domain));
    const removed = [...have].filter((domain) => !want.has(domain));
    if (added.length > 0 || removed.length > 0) {
      changes.push(`domains: ${[...added.map((d) => `+${d}`), ...removed.map((d) => `-${d}`)].join(' ')}`);
    }
  }
  for (const field of ['mode', ...FLAGS] as const) {
    const wanted = desired[field];
    if (wanted !== undefined && existing[field] !== wanted) {
      changes.push(`${field}: ${String(existing[field] ?? 'unset')} -> ${String(wanted)}`);
    }
  }
  return changes;
}

/**
 * The body of a PUT (or, from a new widget's defaults, a POST). PUT replaces the widget, so every
 * field is sent: the requested value where one was given, else the widget's current value
 * (hostnames too, even none: an "any hostname" widget stays one; a mode added later survives), and
 * a field whose current value is unknown (absent or null) is left out, not guessed.
 */
export function widgetConfig(
  desired: WidgetChange,
  current: Partial<WidgetSummary> & Pick<WidgetSummary, 'domains' | 'mode'> = NEW_WIDGET,
): WidgetConfig {
  const config: WidgetConfig = {
    name: desired.name,
    domains: desired.domains ?? current.domains,
    mode: desired.mode ?? current.mode,
  };
  for (const field of [...FLAGS, 'region'] as const) {
    const value = desired[field] ?? current[field];
    if (value !== undefined && value !== null) Object.assign(config, { [field]: value });
  }
  return config;
}

/** The widgets by name and sitekey, after a colon; nothing when there are none. */
export const listed = (widgets: WidgetRef[]) =>
  widgets.length ? `: ${widgets.map((w) => `"${w.name}" (${w.sitekey})`).join(', ')}` : '';
