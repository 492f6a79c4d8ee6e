import type { z } from 'zod';
import { systemClock, type Clock } from '../clock.ts';
import { MAX_PER_PAGE, RATE_LIMIT, RETRY_TIMING } from '../constants.ts';
import type { Logger } from '../log.ts';
import type { Auth } from '../settings.ts';
import { CloudflareApiError, type HintContext } from './errors.ts';
import type { Dispatcher } from './http.ts';
import { RateLimiter } from './rate-limit.ts';
import { isRetryableStatus, parseRetryAfter, retryDelay, type RetryPolicy } from './retry.ts';
import {
  envelopeSchema,
  widgetSchema,
  widgetSummarySchema,
  type ApiMessage,
  type RotateSecretBody,
  type Widget,
  type WidgetConfig,
  type WidgetSummary,
} from './schemas.ts';

export interface ClientOptions {
  apiUrl: string;
  accountId: string;
  auth: Auth;
  logger: Logger;
  /** The run's connection pool (see createDispatcher); tests pass an undici MockAgent. */
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
  /** Called with every widget secret a response carries, before the caller sees it (to mask it). */
  onSecret?: (secret: string) => void;
  /** What the error hints may point at (a non-default api-url). */
  hints?: HintContext;
}

/**
 * How to find out what a lost attempt of a non-idempotent request did: returns the result it
 * produced, or undefined when it produced nothing (then, and only then, the request is sent again).
 */
export type Recovery<T> = () => Promise<T | undefined>;

// Requests that are not safe to repeat: each must come with a Recovery (checked in request()).
const NON_IDEMPOTENT = new Set<Dispatcher.HttpMethod>(['POST']);

export interface RequestOptions<T> {
  query?: Record<string, string | number | undefined>;
  body?: unknown;
  schema: z.ZodType<T>;
  recover?: Recovery<T>;
}

export interface ListPage {
  widgets: WidgetSummary[];
  perPage: number;
  totalCount: number | undefined;
}

export interface ListQuery {
  page?: number;
  perPage?: number;
  filter?: string;
  order?: 'id' | 'sitekey' | 'name' | 'created_on' | 'modified_on';
  direction?: 'asc' | 'desc';
}

/**
 * Cloudflare's Turnstile widgets API (https://developers.cloudflare.com/api/resources/turnstile/).
 * Validates every envelope, retries what is safe to retry, recovers what is not, and never logs
 * bodies or credentials.
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

  constructor(options: ClientOptions) {
    this.options = options;
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
        options.logger.notice(
          `Pausing ${Math.ceil(ms / 1000)} s to stay within Cloudflare's API rate limit (${rateLimit.limit} requests per ${rateLimit.windowMs / 60_000} minutes).`,
          'Rate limit',
        ),
    });
  }

  async listPage(query: ListQuery = {}): Promise<ListPage> {
    const perPage = query.perPage ?? MAX_PER_PAGE;
    const { result, envelope } = await this.request('GET', '', {
      query: {
        page: query.page ?? 1,
        per_page: perPage,
        filter: query.filter,
        order: query.order,
        direction: query.direction,
      },
      schema: widgetSummarySchema.array(),
    });
    return { widgets: result, perPage, totalCount: envelope?.result_info?.total_count ?? undefined };
  }

  /** Every widget matching `filter` (Cloudflare: case-insensitive substring, `name:` or `sitekey:`). */
  async listAll(query: Omit<ListQuery, 'page'> = {}): Promise<WidgetSummary[]> {
    const widgets: WidgetSummary[] = [];
    for (let page = 1; ; page++) {
      const current = await this.listPage({ ...query, page });
      widgets.push(...current.widgets);
      // result_info may be missing, or count the unfiltered list: a short page is the reliable end.
      const short = current.widgets.length < current.perPage;
      const beyondTotal = current.totalCount !== undefined && page * current.perPage >= current.totalCount;
      if (short || beyondTotal) return widgets;
    }
  }

  async get(sitekey: string): Promise<Widget> {
    return (await this.request('GET', this.widgetPath(sitekey), { schema: widgetSchema })).result;
  }

  /** POST a new widget; `recover` finds the widget a lost attempt created, if it did. */
  async create(config: WidgetConfig, recover: Recovery<Widget>): Promise<Widget> {
    return (await this.request('POST', '', { body: config, schema: widgetSchema, recover })).result;
  }

  /** PUT replaces the whole configuration: `config` must carry every field to keep. */
  async update(sitekey: string, config: WidgetConfig): Promise<Widget> {
    return (await this.request('PUT', this.widgetPath(sitekey), { body: config, schema: widgetSchema })).result;
  }

  async delete(sitekey: string): Promise<WidgetSummary> {
    return (await this.request('DELETE', this.widgetPath(sitekey), { schema: widgetSummarySchema })).result;
  }

  /** POST rotate_secret; `recover` tells whether a lost attempt rotated the secret already. */
  async rotateSecret(sitekey: string, body: RotateSecretBody, recover: Recovery<Widget>): Promise<Widget> {
    const path = `${this.widgetPath(sitekey)}/rotate_secret`;
    return (await this.request('POST', path, { body, schema: widgetSchema, recover })).result;
  }

  /**
   * One API call with its retries. A request that is not idempotent is never repeated blindly:
   * after an attempt that may have reached the server (a lost or unreadable response, a 5xx), its
   * recovery finds out what the server did, and the request is sent again only if it did nothing.
   */
  async request<T>(method: Dispatcher.HttpMethod, path: string, options: RequestOptions<T>) {
    const { recover } = options;
    if (NON_IDEMPOTENT.has(method) && !recover) {
      throw new Error(`${method} ${path || '/'} is not idempotent and was sent without a recovery.`);
    }
    const url = new URL(this.base + path);
    for (const [key, value] of Object.entries(options.query ?? {})) {
      if (value !== undefined && value !== '') url.searchParams.set(key, String(value));
    }
    const label = `${method} ${url.pathname}`;
    const started = this.clock.now();
    for (let retry = 0; ; retry++) {
      const attempt = await this.attempt(method, url, options.body);
      let unreadable: string | undefined;
      if (attempt.kind === 'answer') {
        const envelope = envelopeSchema.safeParse(attempt.json);
        if (envelope.success && envelope.data.success && attempt.status < 400) {
          const result = options.schema.safeParse(envelope.data.result);
          if (result.success) {
            const secret = (result.data as { secret?: unknown }).secret;
            if (typeof secret === 'string') this.options.onSecret?.(secret);
            return { result: result.data, envelope: envelope.data };
          }
          unreadable = `unexpected response shape (${result.error.issues
            .slice(0, 3)
            .map((issue) => `result.${issue.path.join('.')}: ${issue.message}`)
            .join('; ')})`;
        } else if (attempt.status < 300) {
          unreadable = attempt.detail ?? 'the response is not a Cloudflare API envelope (success, errors, messages)';
        }
        if (unreadable !== undefined) {
          // The server acted but its answer cannot be read: for a write that is not idempotent,
          // find out what it did (recover below); anything else fails now.
          if (!recover) throw this.error(label, attempt.status, unreadable);
        } else if (!isRetryableStatus(attempt.status)) {
          if (!envelope.success) {
            const detail =
              attempt.detail ?? 'the response is not a Cloudflare API envelope (success, errors, messages)';
            throw this.error(label, attempt.status, detail);
          }
          throw this.error(label, attempt.status, 'the API reported an error', envelope.data.errors);
        } else if (envelope.success) attempt.errors = envelope.data.errors;
      }
      // Only a 429 certainly did nothing: Cloudflare refused it before acting.
      const mayHaveActed = unreadable !== undefined || attempt.status !== 429;
      const reason = unreadable ?? (attempt.kind === 'error' ? attempt.reason : `HTTP ${attempt.status}`);
      const delay = retryDelay(retry + 1, attempt.retryAfterMs, this.policy, this.options.random ?? Math.random);
      const elapsed = this.clock.now() - started;
      const exhausted = retry >= this.policy.maxRetries || elapsed + delay > this.policy.maxElapsedMs;
      if (recover && mayHaveActed) {
        // Let the server settle, then ask it what the attempt did, even when no retry is left.
        this.options.logger.warning(
          `${label}: ${reason}; checking in ${(delay / 1000).toFixed(1)} s whether it took effect${exhausted ? '' : ` before retrying (retry ${retry + 1} of ${this.policy.maxRetries})`}.`,
          'Cloudflare API retry',
        );
        await this.clock.sleep(delay);
        const recovered = await recover();
        if (recovered !== undefined) return { result: recovered, envelope: undefined };
      }
      if (exhausted) {
        const detail =
          unreadable ?? (attempt.kind === 'error' ? attempt.reason : (attempt.detail ?? 'the API reported an error'));
        const tries = `gave up after ${retry + 1} attempt${retry === 0 ? '' : 's'} in ${Math.round(elapsed / 100) / 10} s`;
        throw this.error(label, attempt.status, detail, attempt.errors, tries);
      }
      if (!(recover && mayHaveActed)) {
        this.options.logger.warning(
          `${label}: ${reason}; retrying in ${(delay / 1000).toFixed(1)} s (retry ${retry + 1} of ${this.policy.maxRetries}).`,
          'Cloudflare API retry',
        );
        await this.clock.sleep(delay);
      }
    }
  }

  private error(label: string, status: number | undefined, detail: string, errors?: ApiMessage[], retries?: string) {
    return new CloudflareApiError({ operation: label, status, detail, errors, retries, hints: this.options.hints });
  }

  private widgetPath(sitekey: string): string {
    return `/${encodeURIComponent(sitekey)}`;
  }

  /** One HTTP exchange: either a parsed answer or a transport-level failure. Never throws. */
  private async attempt(method: Dispatcher.HttpMethod, url: URL, body: unknown): Promise<Attempt> {
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
      const text = await response.body.text();
      const retryAfterMs = parseRetryAfter(headerValue(response.headers['retry-after']), this.clock.now());
      this.options.logger.debug(`${where} -> ${response.statusCode} (${this.clock.now() - sent} ms)`);
      try {
        return { kind: 'answer', status: response.statusCode, json: JSON.parse(text) as unknown, retryAfterMs };
      } catch {
        const type = headerValue(response.headers['content-type']) ?? 'no content type';
        const detail = `the response body is not JSON (${type}, ${text.length} bytes)`;
        return { kind: 'answer', status: response.statusCode, json: undefined, retryAfterMs, detail };
      }
    } catch (error) {
      const reason = signal.aborted
        ? `no response within ${this.options.requestTimeoutMs / 1000} s`
        : describeNetworkError(error);
      this.options.logger.debug(`${where} -> ${reason} (${this.clock.now() - sent} ms)`);
      return { kind: 'error', status: undefined, reason, retryAfterMs: undefined };
    }
  }
}

type Attempt =
  | {
      kind: 'answer';
      status: number;
      json: unknown;
      retryAfterMs: number | undefined;
      detail?: string;
      errors?: ApiMessage[];
    }
  | { kind: 'error'; status: undefined; reason: string; retryAfterMs: undefined; errors?: ApiMessage[] };

function headerValue(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}

function describeNetworkError(error: unknown): string {
  const code = (error as { code?: unknown }).code;
  const message = error instanceof Error ? error.message : String(error);
  return `network error${typeof code === 'string' ? ` ${code}` : ''}: ${message}`;
}
