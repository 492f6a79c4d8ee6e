// The emulator's state: the widgets of one account, with the rules Cloudflare applies to them.
import { randomBytes } from 'node:crypto';
import { isIP } from 'node:net';

export const MODES = ['non-interactive', 'invisible', 'managed'];
export const CLEARANCE_LEVELS = ['no_clearance', 'jschallenge', 'managed', 'interactive'];
export const REGIONS = ['world', 'china'];

export interface WidgetRecord {
  sitekey: string;
  secret: string;
  name: string;
  domains: string[];
  mode: string;
  created_on: string;
  modified_on: string;
  region: string;
  bot_fight_mode: boolean;
  offlabel: boolean;
  clearance_level: string;
  ephemeral_id: boolean;
  /** Still accepted for two hours after a rotation without invalidate_immediately (never returned). */
  previous_secret?: { value: string; expires_on: string };
}

/** A request the API refuses, with the HTTP status and Cloudflare error code to answer with. */
export class ApiFailure extends Error {
  readonly status: number;
  readonly code: number;
  constructor(status: number, code: number, message: string) {
    super(message);
    this.status = status;
    this.code = code;
  }
}

export const CODES = {
  missingAuth: 9106,
  authentication: 10000,
  unauthorizedAccount: 9109,
  badRoute: 7003,
  noRoute: 7000,
  invalidJson: 10001,
  invalidField: 10002,
  notFound: 10404,
  widgetLimit: 10040,
  badQuery: 10003,
} as const;

const BASE62 = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';
function random62(length: number): string {
  const bytes = randomBytes(length);
  return Array.from(bytes, (byte) => BASE62[byte % 62]).join('');
}

const LABEL = /^(?!-)[a-z0-9-]{1,63}(?<!-)$/;
function validHost(host: string): boolean {
  if (isIP(host)) return true;
  return host.length <= 253 && host.split('.').every((label) => LABEL.test(label));
}

/** Cloudflare's timestamps have microseconds: 2014-01-01T05:20:00.123123Z. */
export function timestamp(ms: number, micro = 0): string {
  return new Date(ms)
    .toISOString()
    .replace(/\.(\d{3})Z$/, (_, millis: string) => `.${millis}${String(micro).padStart(3, '0')}Z`);
}

/** What Cloudflare sets when a create (or a replacing PUT) leaves an optional field out. */
const DEFAULTS = {
  region: 'world',
  bot_fight_mode: false,
  offlabel: false,
  clearance_level: 'no_clearance',
  ephemeral_id: false,
};

export class WidgetStore {
  private readonly widgets = new Map<string, WidgetRecord>();
  private lastCreated = 0;
  widgetLimit: number;

  constructor(widgetLimit: number) {
    this.widgetLimit = widgetLimit;
  }

  all(): WidgetRecord[] {
    return [...this.widgets.values()];
  }

  get(sitekey: string): WidgetRecord {
    const widget = this.widgets.get(sitekey);
    if (!widget) throw new ApiFailure(404, CODES.notFound, 'Not Found: widget does not exist');
    return widget;
  }

  /** created_on strictly increases, so "the oldest widget" is always well defined. */
  private nextCreatedOn(): string {
    const now = Date.now() * 1000;
    this.lastCreated = Math.max(now, this.lastCreated + 1);
    return timestamp(Math.floor(this.lastCreated / 1000), this.lastCreated % 1000);
  }

  create(body: unknown): WidgetRecord {
    const config = validateConfig(body);
    if (this.widgets.size >= this.widgetLimit) {
      throw new ApiFailure(
        400,
        CODES.widgetLimit,
        `Maximum number of widgets per account reached (limit: ${this.widgetLimit})`,
      );
    }
    const widget = this.newWidget(this.nextCreatedOn(), config);
    this.widgets.set(widget.sitekey, widget);
    return widget;
  }

  /** PUT replaces the configuration: omitted optional fields go back to their defaults. */
  update(sitekey: string, body: unknown): WidgetRecord {
    const widget = this.get(sitekey);
    const config = validateConfig(body);
    if (config.region !== undefined && config.region !== widget.region) {
      throw new ApiFailure(
        400,
        CODES.invalidField,
        `region cannot be changed after creation (widget is in "${widget.region}")`,
      );
    }
    Object.assign(widget, {
      ...DEFAULTS,
      ...config,
      region: widget.region,
      modified_on: timestamp(Date.now()),
    });
    return widget;
  }

  delete(sitekey: string): WidgetRecord {
    const widget = this.get(sitekey);
    this.widgets.delete(sitekey);
    return widget;
  }

  rotateSecret(sitekey: string, body: unknown): WidgetRecord {
    const widget = this.get(sitekey);
    const invalidate = (body as { invalidate_immediately?: unknown } | undefined)?.invalidate_immediately ?? false;
    if (typeof invalidate !== 'boolean')
      throw new ApiFailure(400, CODES.invalidField, 'invalid value for field invalidate_immediately: expected boolean');
    widget.previous_secret = invalidate
      ? undefined
      : { value: widget.secret, expires_on: timestamp(Date.now() + 7_200_000) };
    widget.secret = `0x4AAAAAAA${random62(24)}`;
    widget.modified_on = timestamp(Date.now());
    return widget;
  }

  /** A widget with fresh keys and Cloudflare's defaults for every field `fields` leaves out. */
  private newWidget(created: string, fields: Config & Partial<WidgetRecord>): WidgetRecord {
    return {
      sitekey: `0x4AAAAAAA${random62(14)}`,
      secret: `0x4AAAAAAA${random62(24)}`,
      created_on: created,
      modified_on: created,
      ...DEFAULTS,
      ...fields,
    };
  }

  /** Inserts widgets as they are (tests and benchmarks), bypassing the limit. */
  seed(partials: Partial<WidgetRecord>[]): WidgetRecord[] {
    return partials.map((partial) => {
      const widget = this.newWidget(partial.created_on ?? this.nextCreatedOn(), {
        name: 'seeded-widget',
        domains: ['example.com'],
        mode: 'managed',
        ...partial,
      });
      widget.domains = [...new Set(widget.domains.map((d) => d.toLowerCase()))].sort();
      this.widgets.set(widget.sitekey, widget);
      return widget;
    });
  }
}

type Config = Pick<WidgetRecord, 'name' | 'domains' | 'mode'> &
  Partial<Pick<WidgetRecord, 'region' | 'bot_fight_mode' | 'offlabel' | 'clearance_level' | 'ephemeral_id'>>;

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

function invalid(field: string, problem: string): ApiFailure {
  return new ApiFailure(400, CODES.invalidField, `invalid value for field ${field}: ${problem}`);
}

/** The body rules of create and update (turnstile_domains, turnstile_name, turnstile_mode, ...). */
function validateConfig(body: unknown): Config {
  if (typeof body !== 'object' || body === null || Array.isArray(body))
    throw new ApiFailure(400, CODES.invalidJson, 'request body must be a JSON object');
  const input = body as Record<string, unknown>;
  for (const key of Object.keys(input)) if (!FIELDS.has(key)) throw invalid(key, 'unknown field');
  const { name, domains, mode } = input;
  if (typeof name !== 'string' || name.length < 1 || name.length > 254)
    throw invalid('name', 'a string of 1 to 254 characters is required');
  if (typeof mode !== 'string' || !MODES.includes(mode))
    throw invalid('mode', `one of ${MODES.join(', ')} is required`);
  if (!Array.isArray(domains) || domains.some((d) => typeof d !== 'string'))
    throw invalid('domains', 'an array of hostnames is required');
  if (domains.length > 10) throw invalid('domains', 'at most 10 hostnames are allowed');
  const normalised = [...new Set((domains as string[]).map((d) => d.trim().toLowerCase()))].sort();
  for (const host of normalised) {
    if (host.includes('*'))
      throw invalid('domains', `"${host}": wildcards are not allowed; a hostname covers its subdomains`);
    if (!validHost(host)) throw invalid('domains', `"${host}" is not a valid hostname or IP address`);
  }
  const config: Config = { name, domains: normalised, mode };
  for (const flag of ['bot_fight_mode', 'offlabel', 'ephemeral_id'] as const) {
    if (input[flag] === undefined) continue;
    if (typeof input[flag] !== 'boolean') throw invalid(flag, 'expected boolean');
    config[flag] = input[flag];
  }
  if (input.clearance_level !== undefined) {
    if (typeof input.clearance_level !== 'string' || !CLEARANCE_LEVELS.includes(input.clearance_level))
      throw invalid('clearance_level', `one of ${CLEARANCE_LEVELS.join(', ')}`);
    config.clearance_level = input.clearance_level;
  }
  if (input.region !== undefined) {
    if (typeof input.region !== 'string' || !REGIONS.includes(input.region))
      throw invalid('region', `one of ${REGIONS.join(', ')}`);
    config.region = input.region;
  }
  return config;
}
