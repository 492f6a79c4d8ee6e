// The emulator's state: the widgets of one account, with the rules Cloudflare applies to them.
import { randomBytes } from 'node:crypto';
import { ApiFailure, CODES, MESSAGES } from './errors.ts';
import {
  DEFAULT_HOSTNAME_LIMIT,
  invalidField,
  normaliseDomains,
  validateConfig,
  validateRotate,
  type HostnameRules,
} from './validate.ts';

/** Where a widget was created or last changed (turnstile_deployed_via, turnstile_last_modified_via). */
export const ORIGINS = ['wrangler', 'dashboard', 'spin', 'api', 'unknown'] as const;
export type Origin = (typeof ORIGINS)[number];

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
  /** Read-only; set at creation and never changed. Absent on widgets older than the field. */
  deployed_via?: Origin;
  /** Read-only; the origin of the latest create, update, delete or rotation. Absent like deployed_via. */
  last_modified_via?: Origin;
  /** Still valid for two hours after a rotation without invalidate_immediately (never returned). */
  previous_secret?: { value: string; expires_on: string };
}

/** What Cloudflare sets when a create (or a replacing PUT) leaves an optional field out. */
const DEFAULTS = {
  region: 'world',
  bot_fight_mode: false,
  offlabel: false,
  clearance_level: 'no_clearance',
  ephemeral_id: false,
};

const GRACE_PERIOD_MS = 2 * 60 * 60 * 1000;
const KEY_PREFIX = '0x4AAAAAAA';
/** Random characters after the prefix: sitekeys are 24 characters (at most 32 in the spec), secrets 35. */
const SITEKEY_CHARS = 14;
const SECRET_CHARS = 25;

/** Real keys use the URL-safe base64 alphabet, `-` and `_` included (e.g. 0x4AAAAAACV0UOMmCeG_g2Jr). */
function randomKeyChars(length: number): string {
  return randomBytes(length).toString('base64url').slice(0, length);
}

/** Cloudflare's timestamps have microseconds: 2014-01-01T05:20:00.123123Z. */
export function timestamp(micros: bigint): string {
  const extra = String(micros % 1000n).padStart(3, '0');
  return new Date(Number(micros / 1000n)).toISOString().replace(/Z$/, `${extra}Z`);
}

/** Microseconds since the epoch of an ISO 8601 time, undefined when it does not parse (bigint:
 *  a number loses the last microsecond past the year 2255). */
export function micros(iso: string): bigint | undefined {
  const ms = Date.parse(iso);
  if (Number.isNaN(ms)) return undefined;
  const fraction = /\.\d{3}(\d{1,3})/.exec(iso)?.[1] ?? '';
  return BigInt(ms) * 1000n + BigInt(fraction.padEnd(3, '0'));
}

export class WidgetStore {
  private readonly widgets = new Map<string, WidgetRecord>();
  /** Every key ever issued, so a sitekey or secret is never handed out twice. */
  private readonly issued = new Set<string>();
  private lastTick = 0n;
  widgetLimit: number;
  readonly rules: HostnameRules;

  constructor(widgetLimit: number, rules: Partial<HostnameRules> = {}) {
    this.widgetLimit = widgetLimit;
    this.rules = { hostnameLimit: DEFAULT_HOSTNAME_LIMIT, anyHostname: false, ...rules };
  }

  /** Insertion order, which is the order of the (hidden) numeric widget id. */
  all(): WidgetRecord[] {
    return [...this.widgets.values()];
  }

  get(sitekey: string): WidgetRecord {
    const widget = this.widgets.get(sitekey);
    if (!widget) throw new ApiFailure(404, CODES.notFound, MESSAGES.notFound);
    return widget;
  }

  create(body: unknown): WidgetRecord {
    const config = validateConfig(body, this.rules);
    if (this.widgets.size >= this.widgetLimit) {
      throw new ApiFailure(
        400,
        CODES.widgetLimit,
        `Maximum number of widgets per account reached (limit: ${this.widgetLimit})`,
      );
    }
    const now = this.tick();
    const widget: WidgetRecord = {
      sitekey: this.newKey(SITEKEY_CHARS),
      secret: this.newKey(SECRET_CHARS),
      created_on: now,
      modified_on: now,
      ...DEFAULTS,
      ...config,
      deployed_via: 'api',
      last_modified_via: 'api',
    };
    this.widgets.set(widget.sitekey, widget);
    return widget;
  }

  /** PUT replaces the configuration: omitted optional fields go back to their defaults. */
  update(sitekey: string, body: unknown): WidgetRecord {
    const widget = this.get(sitekey);
    const config = validateConfig(body, this.rules, widget);
    if (config.region !== undefined && config.region !== widget.region)
      throw invalidField('region', `cannot be changed after creation (the widget's region is "${widget.region}")`);
    Object.assign(widget, {
      ...DEFAULTS,
      ...config,
      region: widget.region,
      modified_on: this.tick(),
      last_modified_via: 'api',
    });
    return widget;
  }

  /** The answer is the widget as deleted: a delete is a mutation, so last_modified_via says api. */
  delete(sitekey: string): WidgetRecord {
    const widget = this.get(sitekey);
    this.widgets.delete(sitekey);
    widget.last_modified_via = 'api';
    return widget;
  }

  /**
   * A new secret. Without invalidate_immediately the old one stays valid for two hours, and the
   * spec says "secrets cannot be rotated again during the grace period": a second rotation is
   * refused until the old secret expires, even one asking for invalidate_immediately (the docs make
   * no exception for it; a leaked secret has to wait out its grace period or the widget be deleted).
   * After a rotation with invalidate_immediately there is no grace period, so none blocks the next.
   */
  rotateSecret(sitekey: string, body: unknown): WidgetRecord {
    const widget = this.get(sitekey);
    const invalidateImmediately = validateRotate(body);
    const now = Date.now();
    const pending = widget.previous_secret;
    if (pending && Date.parse(pending.expires_on) > now) {
      throw new ApiFailure(
        400,
        CODES.rotationInGracePeriod,
        `Secret cannot be rotated during the grace period of the previous rotation: the previous secret remains valid until ${pending.expires_on}`,
      );
    }
    if (invalidateImmediately) delete widget.previous_secret;
    else
      widget.previous_secret = { value: widget.secret, expires_on: timestamp(BigInt(now + GRACE_PERIOD_MS) * 1000n) };
    widget.secret = this.newKey(SECRET_CHARS);
    widget.modified_on = this.tick();
    widget.last_modified_via = 'api';
    return widget;
  }

  /** Inserts widgets as given (tests, benchmarks, local runs), bypassing validation and the limit. */
  seed(partials: Partial<WidgetRecord>[]): WidgetRecord[] {
    return partials.map((partial) => {
      // A seeded time later than the clock moves it on, so later creates are still the newest.
      for (const time of [partial.created_on, partial.modified_on]) {
        const at = time === undefined ? undefined : micros(time);
        if (at !== undefined && at > this.lastTick) this.lastTick = at;
      }
      const created = partial.created_on ?? this.tick();
      const widget: WidgetRecord = {
        sitekey: this.newKey(SITEKEY_CHARS),
        secret: this.newKey(SECRET_CHARS),
        name: 'seeded-widget',
        domains: ['example.com'],
        mode: 'managed',
        created_on: created,
        modified_on: created,
        ...DEFAULTS,
        // Seeded widgets stand for ones an earlier run made; pass `dashboard` etc. to say otherwise,
        // or undefined for a widget older than these fields.
        deployed_via: 'api',
        last_modified_via: 'api',
        ...structuredClone(partial),
      };
      widget.domains = normaliseDomains(widget.domains);
      this.issued.add(widget.sitekey).add(widget.secret);
      this.widgets.set(widget.sitekey, widget);
      return widget;
    });
  }

  /** The current time, strictly later than any time handed out before ("oldest" is well defined). */
  private tick(): string {
    const now = BigInt(Date.now()) * 1000n;
    this.lastTick = now > this.lastTick ? now : this.lastTick + 1n;
    return timestamp(this.lastTick);
  }

  private newKey(randomChars: number): string {
    let key: string;
    do key = `${KEY_PREFIX}${randomKeyChars(randomChars)}`;
    while (this.issued.has(key));
    this.issued.add(key);
    return key;
  }
}
