// The body rules of create and update (turnstile_name, turnstile_widget_mode, turnstile_domains, ...)
// plus the ones Cloudflare enforces beyond the schema: at least one hostname (none only on an
// account with "any hostname"), at most the plan's number, no wildcards, no paths.
import { isIP } from 'node:net';
import { ApiFailure, CODES, MESSAGES } from './errors.ts';

export const MODES = ['non-interactive', 'invisible', 'managed'];
export const CLEARANCE_LEVELS = ['no_clearance', 'jschallenge', 'managed', 'interactive'];
export const REGIONS = ['world', 'china'];
/**
 * Hostnames per widget on the Free plan (developers.cloudflare.com/turnstile/concepts/hostname-management,
 * 10 since cloudflare-docs PR #27976; Enterprise allows up to 200). Beyond it the emulator answers with
 * Cloudflare's text (quoted in cloudflare-docs issue #27889); the HTTP status (400) and the code
 * (CODES.invalidField) are the emulator's own: Cloudflare documents neither.
 */
export const DEFAULT_HOSTNAME_LIMIT = 10;

/** The account's plan, as far as the body rules depend on it. */
export interface HostnameRules {
  /** Most hostnames a widget may have. */
  hostnameLimit: number;
  /** Enterprise "any hostname": a widget may have no hostname at all. */
  anyHostname: boolean;
}

/** What a create or update body sets; optional fields are undefined when the body leaves them out. */
export interface WidgetConfig {
  name: string;
  domains: string[];
  mode: string;
  region?: string;
  bot_fight_mode?: boolean;
  offlabel?: boolean;
  clearance_level?: string;
  ephemeral_id?: boolean;
}

const FIELDS = new Set([
  'name',
  'domains',
  'mode',
  'region',
  'bot_fight_mode',
  'offlabel',
  'clearance_level',
  'ephemeral_id',
]);

/**
 * Fields the API returns but sets itself (readOnly in the 2026 spec: deployed_via and
 * last_modified_via are "server-derived; not client-settable"). A body that echoes a widget back
 * carries them; like Cloudflare, the emulator accepts such a body and ignores these fields.
 */
export const READ_ONLY_FIELDS = new Set([
  'sitekey',
  'secret',
  'created_on',
  'modified_on',
  'deployed_via',
  'last_modified_via',
]);

export function invalidField(field: string, problem: string): ApiFailure {
  return new ApiFailure(400, CODES.invalidField, `invalid value for field ${field}: ${problem}`);
}

const LABEL = /^(?!-)[a-z0-9-]{1,63}(?<!-)$/;
function validHost(host: string): boolean {
  if (isIP(host)) return true;
  return host.length <= 253 && host.split('.').every((label) => LABEL.test(label));
}

/** Lower-cased, de-duplicated and sorted, as Cloudflare stores and returns them. */
export function normaliseDomains(domains: readonly string[]): string[] {
  return [...new Set(domains.map((domain) => domain.trim().toLowerCase()))].sort();
}

function objectBody(body: unknown): Record<string, unknown> {
  if (typeof body !== 'object' || body === null || Array.isArray(body))
    throw new ApiFailure(400, CODES.invalidJson, `${MESSAGES.invalidJson}: the request body must be a JSON object`);
  return body as Record<string, unknown>;
}

/**
 * `current` is the widget a PUT replaces: its own mode, clearance level and region are accepted back
 * even when they are not in the lists above (a newer API's values, as seeded), as Cloudflare accepts
 * what it returned.
 */
export function validateConfig(
  body: unknown,
  rules: HostnameRules,
  current?: Pick<WidgetConfig, 'mode' | 'clearance_level' | 'region'>,
): WidgetConfig {
  const input = objectBody(body);
  const known = (field: 'mode' | 'clearance_level' | 'region', values: string[], value: unknown) =>
    typeof value === 'string' && (values.includes(value) || value === current?.[field]);
  // Stricter than Cloudflare (which ignores them): a misspelt field is a bug in the caller. The
  // read-only fields of a widget are not misspelt: they are ignored, never taken over.
  for (const key of Object.keys(input))
    if (!FIELDS.has(key) && !READ_ONLY_FIELDS.has(key)) throw invalidField(key, 'unknown field');
  const { name, domains, mode } = input;
  if (typeof name !== 'string' || name.length < 1 || name.length > 254)
    throw invalidField('name', 'a string of 1 to 254 characters is required');
  if (typeof mode !== 'string' || !known('mode', MODES, mode))
    throw invalidField('mode', `one of ${MODES.join(', ')} is required`);
  if (!Array.isArray(domains) || domains.some((domain) => typeof domain !== 'string'))
    throw invalidField('domains', 'an array of hostnames is required');
  const normalised = normaliseDomains(domains as string[]);
  // Not in either spec (turnstile_domains has no minItems), but Cloudflare's hostname management
  // docs: "Each widget requires at least one hostname" (only Enterprise "any hostname" goes without).
  if (normalised.length === 0 && !rules.anyHostname) throw invalidField('domains', 'at least one hostname is required');
  if (normalised.length > rules.hostnameLimit)
    throw new ApiFailure(
      400,
      CODES.invalidField,
      `invalid value for \`domains\`, too many values (max: ${rules.hostnameLimit})`,
    );
  for (const host of normalised) {
    if (host.includes('*'))
      throw invalidField('domains', `"${host}": wildcards are not allowed; a hostname covers its subdomains`);
    if (!validHost(host)) throw invalidField('domains', `"${host}" is not a valid hostname or IP address`);
  }
  const config: WidgetConfig = { name, domains: normalised, mode };
  for (const flag of ['bot_fight_mode', 'offlabel', 'ephemeral_id'] as const) {
    const value = input[flag];
    if (value === undefined) continue;
    if (typeof value !== 'boolean') throw invalidField(flag, 'expected boolean');
    config[flag] = value;
  }
  const { clearance_level: clearance, region } = input;
  if (clearance !== undefined) {
    if (typeof clearance !== 'string' || !known('clearance_level', CLEARANCE_LEVELS, clearance))
      throw invalidField('clearance_level', `one of ${CLEARANCE_LEVELS.join(', ')}`);
    config.clearance_level = clearance;
  }
  if (region !== undefined) {
    if (typeof region !== 'string' || !known('region', REGIONS, region))
      throw invalidField('region', `one of ${REGIONS.join(', ')}`);
    config.region = region;
  }
  return config;
}

/** The rotate_secret body: `{invalidate_immediately?: boolean}` (no body counts as `{}`). */
export function validateRotate(body: unknown): boolean {
  if (body === undefined) return false;
  const input = objectBody(body);
  for (const key of Object.keys(input)) if (key !== 'invalidate_immediately') throw invalidField(key, 'unknown field');
  const value = input.invalidate_immediately ?? false;
  if (typeof value !== 'boolean') throw invalidField('invalidate_immediately', 'expected boolean');
  return value;
}
