import type { z } from 'zod';
import { systemClock, type Clock } from '../http/clock.ts';
import type { Dispatcher } from 'undici';
import { backoff, sendWithRetries, type Connection } from '../http/retry.ts';
import { CloudflareApiError } from './errors.ts';
import {
  envelopeSchema,
  widgetConfigSchema,
  widgetSchema,
  widgetSummarySchema,
  type ApiMessage,
  type Widget,
  type WidgetConfig,
  type WidgetSummary,
} from './schemas.ts';

export const CLOUDFLARE_API_URL = 'https://api.cloudflare.com/client/v4';

/** The credentials the client sends: an API token, or a legacy global key with its e-mail. */
export type Auth = { kind: 'token'; token: string } | { kind: 'key'; email: string; key: string };

/** The list endpoint's largest page: one request covers most accounts. */
const MAX_PER_PAGE = 1000;

/** Cloudflare's global rate limit (developers.cloudflare.com/fundamentals/api/reference/limits/). */
const RATE_LIMIT = { limit: 1200, windowMs: 300_000 };

/** The most read of one answer and of one listing: a hostile or broken API must not exhaust the runner. */
const READ_LIMITS = { responseBytes: 50 * 1024 * 1024, listedWidgets: 100_000, listingBytes: 100 * 1024 * 1024 };

interface ClientOptions extends Connection {
  apiUrl: string;
  accountId: string;
  auth: Auth;
  /** Bounds other than the defaults, for tests and the benchmark. */
  rateLimit?: { limit: number; windowMs: number };
  readLimits?: Partial<typeof READ_LIMITS>;
  /** Called with every widget secret a response carries, before the caller sees it (to mask it). */
  onSecret?: (secret: string) => void;
}

/**
 * Cloudflare's Turnstile widgets API (https://developers.cloudflare.com/api/resources/turnstile/).
 * Validates every envelope, retries what is safe to retry, never repeats a write that is not
 * idempotent (see recoverWrite), and never logs bodies or credentials.
 */
export class TurnstileClient {
  /** Requests sent so far, retries included (reported in debug output and by the benchmark). */
  requestCount = 0;
  private readonly base: string;
  private readonly headers: Record<string, string>;
  private readonly options: ClientOptions;
  private readonly clock: Clock;
  private readonly limits: typeof READ_LIMITS;
  private readonly retrying: Parameters<typeof sendWithRetries>[0];
  /** When this run's requests in the current rate-limit window were sent. */
  private readonly sent: number[] = [];

  constructor(options: ClientOptions) {
    this.options = options;
    this.clock = options.clock ?? systemClock;
    this.limits = { ...READ_LIMITS, ...options.readLimits };
    const maxBytes = this.limits.responseBytes;
    this.retrying = { ...options, clock: this.clock, maxBytes, beforeAttempt: () => this.pace() };
    this.base = `${options.apiUrl}/accounts/${options.accountId}/challenges/widgets`;
    this.headers = {
      accept: 'application/json',
      'user-agent': 'turnstile-widget-action',
      ...(options.auth.kind === 'token'
        ? { authorization: `Bearer ${options.auth.token}` }
        : { 'x-auth-email': options.auth.email, 'x-auth-key': options.auth.key }),
    };
  }

  /** Every widget whose name or sitekey matches `filter` (Cloudflare: case-insensitive substring, `name:` or `sitekey:`). */
  async listAll(filter?: string): Promise<WidgetSummary[]> {
    const widgets: WidgetSummary[] = [];
    let bytes = 0;
    for (let page = 1; ; page++) {
      const query = { page: String(page), per_page: String(MAX_PER_PAGE), ...(filter ? { filter } : {}) };
      const { result, envelope, fail, ...answer } = await this.request('GET', '', widgetSummarySchema.array(), query);
      widgets.push(...result);
      bytes += answer.bytes;
      // result_info may be missing, or count the unfiltered list: a short page is the reliable end.
      const total = envelope.result_info?.total_count;
      if (result.length < MAX_PER_PAGE || (total != null && page * MAX_PER_PAGE >= total)) return widgets;
      const { listedWidgets, listingBytes } = this.limits;
      const beyond =
        widgets.length >= listedWidgets
          ? `${listedWidgets.toLocaleString('en-US')} widgets`
          : bytes >= listingBytes && `${listingBytes / 1024 / 1024} MiB of answers`;
      if (beyond)
        fail(
          `the listing goes on beyond ${beyond} (${page} pages), the most the action reads in one listing; no real account comes near`,
        );
    }
  }

  async get(sitekey: string): Promise<Widget> {
    return (await this.request('GET', at(sitekey), widgetSchema)).result;
  }

  /** POST a new widget, once (a 429 aside): a failure that may hide a new widget is the caller's to recover (see recoverWrite). */
  async create(config: WidgetConfig): Promise<Widget> {
    return (await this.request('POST', '', widgetSchema, {}, widgetConfigSchema.parse(config))).result;
  }

  /** PUT replaces the whole configuration: `config` must carry every field to keep. */
  async update(sitekey: string, config: WidgetConfig): Promise<Widget> {
    return (await this.request('PUT', at(sitekey), widgetSchema, {}, widgetConfigSchema.parse(config))).result;
  }

  async delete(sitekey: string): Promise<WidgetSummary> {
    return (await this.request('DELETE', at(sitekey), widgetSummarySchema)).result;
  }

  /** POST rotate_secret, once, like create. */
  async rotateSecret(sitekey: string, invalidateImmediately: boolean): Promise<Widget> {
    const body = { invalidate_immediately: invalidateImmediately };
    return (await this.request('POST', `${at(sitekey)}/rotate_secret`, widgetSchema, {}, body)).result;
  }

  /**
   * A write that is not idempotent (create, rotate_secret), never repeated blindly: after a failure
   * that may have taken effect (mayHaveActed), wait, then adopt what `find` finds; only when it
   * finds nothing is the write sent again, at most max-retries times.
   */
  async recoverWrite<T>(send: () => Promise<T>, find: () => Promise<T | undefined>): Promise<T> {
    const { maxRetries, logger, random, retry: timing } = this.options;
    for (let retry = 1; ; retry++) {
      let failure: CloudflareApiError;
      try {
        return await send();
      } catch (error) {
        if (!(error instanceof CloudflareApiError) || !error.mayHaveActed) throw error;
        failure = error;
      }
      const delay = backoff(retry, timing, random);
      logger.info(
        `${failure.operation}: no usable answer; checking in ${(delay / 1000).toFixed(1)} s whether it took effect.`,
      );
      await this.clock.sleep(delay);
      const found = await find();
      if (found !== undefined) return found;
      if (retry > maxRetries) throw failure;
      logger.info(`It did not take effect; sending it again (retry ${retry} of ${maxRetries}).`);
    }
  }

  /**
   * One API call with its retries (sendWithRetries): its checked result (the secret reported first),
   * envelope, size and `fail` (to refuse it later), or a CloudflareApiError saying why it is unusable.
   */
  private async request<T>(
    method: Dispatcher.HttpMethod,
    path: string,
    schema: z.ZodType<T>,
    query: Record<string, string> = {},
    body?: object,
  ) {
    const url = new URL(this.base + path);
    for (const [key, value] of Object.entries(query)) url.searchParams.set(key, value);
    const headers = body ? { ...this.headers, 'content-type': 'application/json' } : this.headers;
    const request = { method, url, headers, body: body && JSON.stringify(body) };
    const { reply, gaveUp } = await sendWithRetries(this.retrying, request);
    const { status } = reply;
    const fail = (detail: string, errors?: ApiMessage[], retries = gaveUp): never => {
      // The hints may point at a non-default api-url.
      const hints = { customApiUrl: this.options.apiUrl === CLOUDFLARE_API_URL ? undefined : this.options.apiUrl };
      throw new CloudflareApiError({ operation: `${method} ${url.pathname}`, status, detail, errors, retries, hints });
    };
    if (status === undefined) return fail(reply.detail);
    if (reply.body === undefined) {
      const limit = `${this.limits.responseBytes / 1024 / 1024} MB`;
      return fail(`the response is larger than ${limit}, the most the action reads from one response`);
    }
    if (reply.json === undefined) {
      const type = String(reply.headers['content-type'] ?? 'no content type');
      return fail(`the response body is not JSON (${type}, ${reply.body.length} bytes)`);
    }
    const envelope = envelopeSchema.safeParse(reply.json);
    if (!envelope.success) return fail('the response is not a Cloudflare API envelope (success, errors, messages)');
    if (!envelope.data.success || status >= 400) return fail('the API reported an error', envelope.data.errors);
    const result = schema.safeParse(envelope.data.result);
    if (!result.success) {
      const issues = result.error.issues.slice(0, 3).map((i) => `result.${i.path.join('.')}: ${i.message}`);
      return fail(`unexpected response shape (${issues.join('; ')})`);
    }
    const secret = (result.data as { secret?: unknown }).secret;
    if (typeof secret === 'string') this.options.onSecret?.(secret);
    return { result: result.data, envelope: envelope.data, bytes: reply.body.length, fail };
  }

  /** A sliding window over this run's requests, inside Cloudflare's rate limit (a prune of 2000 widgets
   *  would spend its retries on 429s); a 429 caused elsewhere is the retries' to handle. */
  private async pace(): Promise<void> {
    const { limit, windowMs } = this.options.rateLimit ?? RATE_LIMIT;
    for (;;) {
      const now = this.clock.now();
      while (this.sent.length > 0 && this.sent[0]! <= now - windowMs) this.sent.shift();
      if (this.sent.length < limit) {
        this.sent.push(now);
        this.requestCount++;
        return;
      }
      const wait = this.sent[0]! + windowMs - now;
      this.options.logger.info(
        `Pausing ${Math.ceil(wait / 1000)} s to stay within Cloudflare's API rate limit (${limit} requests per ${windowMs / 60_000} minutes).`,
      );
      await this.clock.sleep(wait);
    }
  }
}

const at = (sitekey: string) => `/${encodeURIComponent(sitekey)}`;
