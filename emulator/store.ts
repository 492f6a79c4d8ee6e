// The emulator's state: the widgets of one account, with the rules Cloudflare applies to them.
import { randomBytes } from 'node:crypto';
import { ApiFailure, CODES, MESSAGES } from './errors.ts';
import { invalidField, normaliseDomains, validateConfig, validateRotate } from './validate.ts';

export { CODES } from './errors.ts';

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
const BASE62 = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';

function random62(length: number): string {
  return Array.from(randomBytes(length), (byte) => BASE62[byte % 62]).join('');
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

  constructor(widgetLimit: number) {
    this.widgetLimit = widgetLimit;
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
    const config = validateConfig(body);
    if (this.widgets.size >= this.widgetLimit) {
      throw new ApiFailure(
        400,
        CODES.widgetLimit,
        `Maximum number of widgets per account reached (limit: ${this.widgetLimit})`,
      );
    }
    const now = this.tick();
    const widget: WidgetRecord = {
      sitekey: this.newKey(14),
      secret: this.newKey(24),
      created_on: now,
      modified_on: now,
      ...DEFAULTS,
      ...config,
    };
    this.widgets.set(widget.sitekey, widget);
    return widget;
  }

  /** PUT replaces the configuration: omitted optional fields go back to their defaults. */
  update(sitekey: string, body: unknown): WidgetRecord {
    const widget = this.get(sitekey);
    const config = validateConfig(body);
    if (config.region !== undefined && config.region !== widget.region)
      throw invalidField('region', `cannot be changed after creation (the widget's region is "${widget.region}")`);
    Object.assign(widget, { ...DEFAULTS, ...config, region: widget.region, modified_on: this.tick() });
    return widget;
  }

  delete(sitekey: string): WidgetRecord {
    const widget = this.get(sitekey);
    this.widgets.delete(sitekey);
    return widget;
  }

  rotateSecret(sitekey: string, body: unknown): WidgetRecord {
    const widget = this.get(sitekey);
    const invalidateImmediately = validateRotate(body);
    const expires = timestamp(BigInt(Date.now() + GRACE_PERIOD_MS) * 1000n);
    if (invalidateImmediately) delete widget.previous_secret;
    else widget.previous_secret = { value: widget.secret, expires_on: expires };
    widget.secret = this.newKey(24);
    widget.modified_on = this.tick();
    return widget;
  }

  /** Inserts widgets as given (tests, benchmarks), bypassing validation and the limit. */
  seed(partials: Partial<WidgetRecord>[]): WidgetRecord[] {
    return partials.map((partial) => {
      // A seeded time later than the clock moves it on, so later creates are still the newest.
      for (const time of [partial.created_on, partial.modified_on]) {
        const at = time === undefined ? undefined : micros(time);
        if (at !== undefined && at > this.lastTick) this.lastTick = at;
      }
      const created = partial.created_on ?? this.tick();
      const widget: WidgetRecord = {
        sitekey: this.newKey(14),
        secret: this.newKey(24),
        name: 'seeded-widget',
        domains: ['example.com'],
        mode: 'managed',
        created_on: created,
        modified_on: created,
        ...DEFAULTS,
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
    do key = `${KEY_PREFIX}${random62(randomChars)}`;
    while (this.issued.has(key));
    this.issued.add(key);
    return key;
  }
}
