import type { TurnstileClient } from '../cloudflare/client.ts';
import type { WidgetConfig, WidgetSummary } from '../cloudflare/schemas.ts';
import type { NewWidget, WidgetChange } from '../inputs/settings.ts';

/** What a new widget gets for a setting the inputs leave unset (action.yml describes it). An
 *  existing widget keeps its value instead, so these are not action.yml defaults. */
const WIDGET_DEFAULTS = { mode: 'managed' } as const;

/**
 * Widgets whose name equals `name` exactly, oldest first. The API's `filter=name:` is a
 * case-insensitive substring match, so the exact comparison happens here.
 */
export async function findByName(client: TurnstileClient, name: string): Promise<WidgetSummary[]> {
  const candidates = await client.listAll(`name:${name}`);
  return candidates.filter((widget) => widget.name === name).sort(oldestFirst);
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
 * The full PUT body. PUT replaces the widget, so every field is sent: the requested value where one
 * was given, else the widget's current value (hostnames too, even none: an "any hostname" widget
 * stays one), and a field whose current value is unknown (absent or null) is left out, not guessed.
 */
export function replacementConfig(existing: WidgetSummary, desired: WidgetChange): WidgetConfig {
  const config: WidgetConfig = {
    name: desired.name,
    domains: desired.domains ?? existing.domains,
    // Echoed as the API returned it, like the fields below, so a mode added later survives.
    mode: desired.mode ?? existing.mode,
  };
  for (const field of [...FLAGS, 'region'] as const) {
    const value = desired[field] ?? existing[field];
    if (value !== undefined && value !== null) Object.assign(config, { [field]: value });
  }
  return config;
}

/** The POST body: the documented default mode, plus only the optional fields that were asked for. */
export function creationConfig(desired: NewWidget): WidgetConfig {
  const config: WidgetConfig = {
    name: desired.name,
    domains: desired.domains,
    mode: desired.mode ?? WIDGET_DEFAULTS.mode,
  };
  for (const field of [...FLAGS, 'region'] as const) {
    if (desired[field] !== undefined) Object.assign(config, { [field]: desired[field] });
  }
  return config;
}
