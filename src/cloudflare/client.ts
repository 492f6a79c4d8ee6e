import type { z } from 'zod';
import { systemClock, type Clock } from '../http/clock.ts';
import { CloudflareApiError, type HintContext } from './errors.ts';
import { readCapped, type Dispatcher } from '../http/pool.ts';
import { MAX_PER_PAGE, RATE_LIMIT, READ_LIMITS, type ReadLimits } from './limits.ts';
import { RateLimiter } from './rate-limit.ts';
import { isRetryableStatus, parseRetryAfter, retryDelay, RETRY_TIMING, type RetryPolicy } from '../http/retry.ts';
import {
  envelopeSchema,
  rotateSecretBodySchema,
  widgetConfigSchema,
  widgetSchema,
  widgetSummarySchema,
  type ApiMessage,
  type RotateSecretBody,
  type Widget,
  type WidgetConfig,
  type WidgetSummary,
} from './schemas.ts';

/** Cloudflare's API base URL (action.yml `api-url`). */
export const CLOUDFLARE_API_URL = 'https://api.cloudflare.com/client/v4';

/** The credentials the client sends: an API token, or a legacy global key with its e-mail. */
export type ApiAuth = { kind: 'token'; token: string } | { kind: 'key'; email: string; key: string };

/** Where the client reports progress (the action's logger; tests pass a recorder). */
export interface ApiLogger {
  debug(message: string): void;
  info(message: string): void;
}

export interface ClientOptions {
  apiUrl: string;
  accountId: string;
  auth: ApiAuth;
  logger: ApiLogger;
  /** The run's connection pool (see createDispatcher). */
  dispatcher: Dispatcher;
  /** Per attempt, from sending the request to the end of the response body. */
  requestTimeoutMs: number;
  /** Retries after the first attempt (the `max-retries` input). */
  maxRetries: number;
  /** Backoff timing; RETRY_TIMING unless a test or benchmark says otherwise. */
  retry?: Partial<Omit<RetryPolicy, 'maxRetries'>>;
  clock?: Clock;
  random?: () => number;
  rateLimit?: { limit: number; windowMs: number };
  /** What the client reads at most; READ_LIMITS unless a test says otherwise. */
  readLimits?: Partial<ReadLimits>;
  /** Called with every widget secret a response carries, before the caller sees it (to mask it). */
  onSecret?: (secret: string) => void;
  /** What the error hints may point at (a non-default api-url). */
  hints?: HintContext;
}

/** An HTTP answer, not yet read. */
interface Answer {
  status: number;
  headers: Dispatcher.ResponseData['headers'];
  body: Buffer;
}

/** A usable answer: its checked result, and the envelope (for result_info). */
interface Success<T> {
  result: T;
  envelope: z.output<typeof envelopeSchema>;
  /** The answer's size, for the listing's bound. */
  bytes: number;
}

/** Why an attempt did not produce a result. */
interface Failure {
  status: number | undefined;
  /** What went wrong, when Cloudflare's `errors[]` does not say it. */
  detail: string;
  errors?: ApiMessage[];
  retryAfterMs?: number;
  /** Worth another attempt (429, 408, 5xx, no answer). */
  retryable: boolean;
}

/**
 * A failed write that may nevertheless have taken effect: no answer, an unreadable answer, a 408
 * or a 5xx. Cloudflare refused every other status (a 429 before acting, a 4xx after validating).
 */
export function mayHaveActed(error: unknown): error is CloudflareApiError {
  if (!(error instanceof CloudflareApiError)) return false;
  const { status } = error;
  return status === undefined || status < 400 || status === 408 || status >= 500;
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
  private readonly policy: RetryPolicy;
  private readonly clock: Clock;
  private readonly limiter: RateLimiter;
  private readonly limits: ReadLimits;

  constructor(options: ClientOptions) {
    this.options = options;
    this.limits = { ...READ_LIMITS, ...options.readLimits };
    this.base = `${options.apiUrl}/accounts/${options.accountId}/challenges/widgets`;
    this.headers = {
      accept: 'application/json',
      'user-agent': 'turnstile-widget-action',
      ...(options.auth.kind === 'token'
        ? { authorization: `Bearer ${options.auth.token}` }
        : { 'x-auth-email': options.auth.email, 'x-auth-key': options.auth.key }),
    };
    this.policy = { ...RETRY_TIMING, ...options.retry, maxRetries: options.maxRetries };
    this.clock = options.clock ?? systemClock;
    const rateLimit = options.rateLimit ?? RATE_LIMIT;
    this.limiter = new RateLimiter({
      ...rateLimit,
      now: () => this.clock.now(),
      sleep: (ms) => this.clock.sleep(ms),
      onWait: (ms) =>
        options.logger.info(
          `Pausing ${Math.ceil(ms / 1000)} s to stay within Cloudflare's API rate limit (${rateLimit.limit} requests per ${rateLimit.windowMs / 60_000} minutes).`,
        ),
    });
  }

  /** Every widget whose name or sitekey matches `filter` (Cloudflare: case-insensitive substring, `name:` or `sitekey:`). */
  async listAll(filter?: string): Promise<WidgetSummary[]> {
    const widgets: WidgetSummary[] = [];
    let bytes = 0;
    for (let page = 1; ; page++) {
      const query = { page: String(page), per_page: String(MAX_PER_PAGE), ...(filter ? { filter } : {}) };
      const answer = await this.request('GET', '', widgetSummarySchema.array(), { query });
      const { result, envelope } = answer;
      widgets.push(...result);
      bytes += answer.bytes;
      // result_info may be missing, or count the unfiltered list: a short page is the reliable end.
      const total = envelope.result_info?.total_count;
      if (result.length < MAX_PER_PAGE || (total != null && page * MAX_PER_PAGE >= total)) return widgets;
      // Both bounds are far beyond any real account (100,000 widgets are about 40 MiB).
      const { listedWidgets, listingBytes } = this.limits;
      if (widgets.length >= listedWidgets || bytes >= listingBytes) {
        const beyond =
          widgets.length >= listedWidgets
            ? `${listedWidgets.toLocaleString('en-US')} widgets`
            : `${mebibytes(listingBytes)} of answers`;
        throw this.error(`GET ${new URL(this.base).pathname}`, {
          status: 200,
          detail: `the listing goes on beyond ${beyond} (${page} pages), the most the action reads in one listing; no real account comes near`,
          retryable: false,
        });
      }
    }
  }

  async get(sitekey: string): Promise<Widget> {
    return (await this.request('GET', this.widgetPath(sitekey), widgetSchema)).result;
  }

  /**
   * POST a new widget, once: only a 429 (refused before acting) is retried here. A failure that
   * may hide a new widget is the caller's to recover (see recoverWrite).
   */
  async create(config: WidgetConfig): Promise<Widget> {
    const body = widgetConfigSchema.parse(config);
    return (await this.request('POST', '', widgetSchema, { body })).result;
  }

  /** PUT replaces the whole configuration: `config` must carry every field to keep. */
  async update(sitekey: string, config: WidgetConfig): Promise<Widget> {
    const body = widgetConfigSchema.parse(config);
    return (await this.request('PUT', this.widgetPath(sitekey), widgetSchema, { body })).result;
  }

  async delete(sitekey: string): Promise<WidgetSummary> {
    return (await this.request('DELETE', this.widgetPath(sitekey), widgetSummarySchema)).result;
  }

  /** POST rotate_secret, once, like create. */
  async rotateSecret(sitekey: string, body: RotateSecretBody): Promise<Widget> {
    const path = `${this.widgetPath(sitekey)}/rotate_secret`;
    return (await this.request('POST', path, widgetSchema, { body: rotateSecretBodySchema.parse(body) })).result;
  }

  /**
   * A write that is not idempotent (create, rotate_secret), never repeated blindly: after a
   * failure that may have taken effect (see mayHaveActed), wait, then `find` what the server did;
   * its answer is adopted, and only when it finds nothing is the write sent again, at most
   * max-retries times.
   */
  async recoverWrite<T>(send: () => Promise<T>, find: () => Promise<T | undefined>): Promise<T> {
    for (let retry = 1; ; retry++) {
      let failure: CloudflareApiError;
      try {
        return await send();
      } catch (error) {
        if (!mayHaveActed(error)) throw error;
        failure = error;
      }
      const delay = retryDelay(retry, undefined, this.policy, this.options.random ?? Math.random);
      this.options.logger.info(
        `${failure.operation}: no usable answer; checking in ${seconds(delay)} s whether it took effect.`,
      );
      await this.clock.sleep(delay);
      const found = await find();
      if (found !== undefined) return found;
      if (retry > this.policy.maxRetries) throw failure;
      this.options.logger.info(
        `It did not take effect; sending it again (retry ${retry} of ${this.policy.maxRetries}).`,
      );
    }
  }

  /**
   * One API call with its retries: 429, 408, 5xx and no answer are retried with backoff (honouring
   * Retry-After), bounded in count and time. A POST is retried only after a 429, the one answer
   * that proves Cloudflare did nothing.
   */
  private async request<T>(
    method: Dispatcher.HttpMethod,
    path: string,
    schema: z.ZodType<T>,
    options: { query?: Record<string, string>; body?: unknown } = {},
  ) {
    const url = new URL(this.base + path);
    for (const [key, value] of Object.entries(options.query ?? {})) url.searchParams.set(key, value);
    const label = `${method} ${url.pathname}`;
    const started = this.clock.now();
    for (let retry = 1; ; retry++) {
      const answer = await this.exchange(method, url, options.body);
      const outcome = 'body' in answer ? this.read(answer, schema) : answer;
      if ('result' in outcome) return outcome;
      const delay = retryDelay(retry, outcome.retryAfterMs, this.policy, this.options.random ?? Math.random);
      const elapsed = this.clock.now() - started;
      const retryable = outcome.retryable && (method !== 'POST' || outcome.status === 429);
      if (!retryable) throw this.error(label, outcome);
      if (retry > this.policy.maxRetries || elapsed + delay > this.policy.maxElapsedMs) {
        const tries = `gave up after ${retry} attempt${retry === 1 ? '' : 's'} in ${Math.round(elapsed / 100) / 10} s`;
        throw this.error(label, outcome, tries);
      }
      const reason = outcome.status === undefined ? outcome.detail : `HTTP ${outcome.status}`;
      this.options.logger.info(
        `${label}: ${reason}; retrying in ${seconds(delay)} s (retry ${retry} of ${this.policy.maxRetries}).`,
      );
      await this.clock.sleep(delay);
    }
  }

  private error(label: string, failure: Failure, retries?: string) {
    const { status, detail, errors } = failure;
    return new CloudflareApiError({ operation: label, status, detail, errors, retries, hints: this.options.hints });
  }

  private widgetPath(sitekey: string): string {
    return `/${encodeURIComponent(sitekey)}`;
  }

  /** One HTTP exchange: the status, headers and body, or why there are none. Never throws. */
  private async exchange(method: Dispatcher.HttpMethod, url: URL, body: unknown): Promise<Answer | Failure> {
    await this.limiter.acquire();
    this.requestCount++;
    const sent = this.clock.now();
    const signal = this.clock.timeout(this.options.requestTimeoutMs);
    const where = `${method} ${url.pathname}${url.search}`;
    try {
      const response = await this.options.dispatcher.request({
        origin: url.origin,
        path: url.pathname + url.search,
        method,
        headers: body === undefined ? this.headers : { ...this.headers, 'content-type': 'application/json' },
        body: body === undefined ? undefined : JSON.stringify(body),
        signal,
      });
      const { statusCode: status, headers } = response;
      const raw = await readCapped(response.body, this.limits.responseBytes);
      this.options.logger.debug(`${where} -> ${status} (${this.clock.now() - sent} ms)`);
      if (raw === undefined) {
        const limit = `${this.limits.responseBytes / 1024 / 1024} MB`;
        return {
          status,
          detail: `the response is larger than ${limit}, the most the action reads from one response`,
          retryable: false,
        };
      }
      return { status, headers, body: raw };
    } catch (error) {
      const timedOut = signal.aborted || isTimeout(error);
      const detail = timedOut
        ? `no response within ${this.options.requestTimeoutMs / 1000} s`
        : describeNetworkError(error);
      this.options.logger.debug(`${where} -> ${detail} (${this.clock.now() - sent} ms)`);
      return { status: undefined, detail, retryable: true };
    }
  }

  /** What an answer holds: its checked result (the secret reported first), or why it is unusable. */
  private read<T>({ status, headers, body }: Answer, schema: z.ZodType<T>): Success<T> | Failure {
    const text = body.toString('utf8');
    const retryAfterMs = parseRetryAfter(headerValue(headers['retry-after']), this.clock.now());
    const failure = { status, retryAfterMs, retryable: isRetryableStatus(status) };
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch {
      const type = headerValue(headers['content-type']) ?? 'no content type';
      return { ...failure, detail: `the response body is not JSON (${type}, ${text.length} bytes)` };
    }
    const envelope = envelopeSchema.safeParse(json);
    if (!envelope.success) {
      return { ...failure, detail: 'the response is not a Cloudflare API envelope (success, errors, messages)' };
    }
    if (!envelope.data.success || status >= 400) {
      return { ...failure, detail: 'the API reported an error', errors: envelope.data.errors };
    }
    const result = schema.safeParse(envelope.data.result);
    if (!result.success) {
      const issues = result.error.issues.slice(0, 3).map((i) => `result.${i.path.join('.')}: ${i.message}`);
      return { ...failure, detail: `unexpected response shape (${issues.join('; ')})` };
    }
    const secret = (result.data as { secret?: unknown }).secret;
    if (typeof secret === 'string') this.options.onSecret?.(secret);
    return { result: result.data, envelope: envelope.data, bytes: body.length };
  }
}

const mebibytes = (bytes: number) => `${bytes / 1024 / 1024} MiB`;

const seconds = (ms: number) => (ms / 1000).toFixed(1);

function headerValue(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}

/** undici's own timers: the connect timeout, and a proxy that never answers CONNECT. */
function isTimeout(error: unknown): boolean {
  const code = (error as { code?: unknown }).code;
  return code === 'UND_ERR_CONNECT_TIMEOUT' || code === 'UND_ERR_HEADERS_TIMEOUT';
}

function describeNetworkError(error: unknown): string {
  const code = (error as { code?: unknown }).code;
  const message = error instanceof Error ? error.message : String(error);
  return `network error${typeof code === 'string' ? ` ${code}` : ''}: ${message}`;
}
