import { createDispatcher, send, type Dispatcher } from './http.ts';
import type { z } from 'zod';
import type { Logger } from '../log.ts';
import { CloudflareApiError } from './errors.ts';
import { RateLimiter } from './rate-limit.ts';
import { DEFAULT_RETRY_POLICY, isRetryableStatus, parseRetryAfter, retryDelay, type RetryPolicy } from './retry.ts';
import {
  envelopeSchema,
  widgetSchema,
  widgetSummarySchema,
  type Widget,
  type WidgetConfig,
  type WidgetSummary,
} from './schemas.ts';

export type Auth = { kind: 'token'; token: string } | { kind: 'key'; email: string; key: string };

export interface ClientOptions {
  apiUrl: string;
  accountId: string;
  auth: Auth;
  logger: Logger;
  /** Per attempt, from sending the request to the end of the response body. */
  requestTimeoutMs?: number;
  retry?: Partial<RetryPolicy>;
  /** Tests pass an undici MockAgent; by default one keep-alive Agent serves the whole run. */
  dispatcher?: Dispatcher;
  /**
   * Sockets the default Agent may open. One for sequential operations, so every request of the
   * run reuses the same keep-alive connection; prune raises it to its concurrency.
   */
  connections?: number;
  sleep?: (ms: number) => Promise<void>;
  random?: () => number;
  /** Cloudflare's global limit by default: 1200 requests per 5 minutes. */
  rateLimit?: { limit: number; windowMs: number };
  /** Called with every widget secret a response carries, before the caller sees it (to mask it). */
  onSecret?: (secret: string) => void;
}

/** Why an attempt failed, and whether the server may have acted on it anyway. */
export interface FailedAttempt {
  status: number | undefined;
  /** False only when the server certainly did nothing (a 429 rate-limit refusal). */
  mayHaveSucceeded: boolean;
}

interface CallOptions<T> {
  query?: Record<string, string | number | undefined>;
  body?: unknown;
  schema: z.ZodType<T>;
  /**
   * Called before re-sending a request that is not idempotent (create): returns what the lost
   * attempt produced, if it did produce something, so the caller adopts it instead of repeating it.
   */
  recover?: (failure: FailedAttempt) => Promise<T | undefined>;
}

export interface ListPage {
  widgets: WidgetSummary[];
  page: number;
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

// The list endpoint's maximum page size: one request covers most accounts.
export const MAX_PER_PAGE = 1000;

/**
 * Cloudflare's Turnstile widgets API (https://developers.cloudflare.com/api/resources/turnstile/).
 * Validates every envelope, retries what is safe to retry, and never logs bodies or credentials.
 */
export class TurnstileClient {
  /** Requests sent so far, retries included (reported in debug output and by the benchmark). */
  requestCount = 0;
  private readonly base: string;
  private readonly headers: Record<string, string>;
  private readonly dispatcher: Dispatcher;
  private readonly ownsDispatcher: boolean;
  private readonly timeoutMs: number;
  private readonly policy: RetryPolicy;
  private readonly logger: Logger;
  private readonly sleep: (ms: number) => Promise<void>;
  private readonly random: () => number;
  private readonly onSecret: (secret: string) => void;
  private readonly limiter: RateLimiter;

  constructor(options: ClientOptions) {
    this.base = `${options.apiUrl}/accounts/${options.accountId}/challenges/widgets`;
    this.headers = {
      accept: 'application/json',
      'user-agent': 'turnstile-widget-action',
      ...(options.auth.kind === 'token'
        ? { authorization: `Bearer ${options.auth.token}` }
        : { 'x-auth-email': options.auth.email, 'x-auth-key': options.auth.key }),
    };
    this.ownsDispatcher = options.dispatcher === undefined;
    this.dispatcher = options.dispatcher ?? createDispatcher(options.connections ?? 1);
    this.timeoutMs = options.requestTimeoutMs ?? 30_000;
    this.policy = { ...DEFAULT_RETRY_POLICY, ...options.retry };
    this.logger = options.logger;
    this.sleep = options.sleep ?? ((ms) => new Promise((resolve) => setTimeout(resolve, ms)));
    this.random = options.random ?? Math.random;
    this.onSecret = options.onSecret ?? (() => {});
    this.limiter = new RateLimiter({
      ...options.rateLimit,
      sleep: this.sleep,
      onWait: (ms) =>
        this.logger.notice(
          `Pausing ${Math.ceil(ms / 1000)} s to stay within Cloudflare's API rate limit (${options.rateLimit?.limit ?? 1200} requests per ${(options.rateLimit?.windowMs ?? 300_000) / 60_000} minutes).`,
          'Rate limit',
        ),
    });
  }

  async listPage(query: ListQuery = {}): Promise<ListPage> {
    const perPage = query.perPage ?? MAX_PER_PAGE;
    const page = query.page ?? 1;
    const { result, envelope } = await this.call('GET', '', {
      query: { page, per_page: perPage, filter: query.filter, order: query.order, direction: query.direction },
      schema: widgetSummarySchema.array(),
    });
    return { widgets: result, page, perPage, totalCount: envelope.result_info?.total_count };
  }

  /** Every widget matching `filter` (Cloudflare: case-insensitive substring, `name:` or `sitekey:`). */
  async listAll(query: Omit<ListQuery, 'page'> = {}): Promise<WidgetSummary[]> {
    const widgets: WidgetSummary[] = [];
    for (let page = 1; ; page++) {
      const current = await this.listPage({ ...query, page });
      widgets.push(...current.widgets);
      // total_count may count the unfiltered list, so a short page is the reliable end marker.
      const short = current.widgets.length < current.perPage;
      const beyondTotal = current.totalCount !== undefined && page * current.perPage >= current.totalCount;
      if (short || beyondTotal) return widgets;
    }
  }

  async get(sitekey: string): Promise<Widget> {
    return (await this.call('GET', `/${encodeURIComponent(sitekey)}`, { schema: widgetSchema })).result;
  }

  async create(config: WidgetConfig, recover?: CallOptions<Widget>['recover']): Promise<Widget> {
    return (await this.call('POST', '', { body: config, schema: widgetSchema, recover })).result;
  }

  /** PUT replaces the whole configuration: `config` must carry every field to keep. */
  async update(sitekey: string, config: WidgetConfig): Promise<Widget> {
    return (await this.call('PUT', `/${encodeURIComponent(sitekey)}`, { body: config, schema: widgetSchema })).result;
  }

  async delete(sitekey: string): Promise<WidgetSummary> {
    return (await this.call('DELETE', `/${encodeURIComponent(sitekey)}`, { schema: widgetSummarySchema })).result;
  }

  async rotateSecret(sitekey: string, invalidateImmediately: boolean): Promise<Widget> {
    const path = `/${encodeURIComponent(sitekey)}/rotate_secret`;
    return (
      await this.call('POST', path, { body: { invalidate_immediately: invalidateImmediately }, schema: widgetSchema })
    ).result;
  }

  async close(): Promise<void> {
    if (this.ownsDispatcher) await this.dispatcher.close();
  }

  private async call<T>(method: Dispatcher.HttpMethod, path: string, options: CallOptions<T>) {
    const url = new URL(this.base + path);
    for (const [key, value] of Object.entries(options.query ?? {})) {
      if (value !== undefined && value !== '') url.searchParams.set(key, String(value));
    }
    const label = `${method} ${url.pathname}`;
    const started = Date.now();
    for (let retry = 0; ; retry++) {
      const attempt = await this.attempt(method, url, options.body);
      if (attempt.kind === 'answer') {
        const envelope = envelopeSchema.safeParse(attempt.json);
        if (envelope.success && envelope.data.success && attempt.status < 400) {
          const result = options.schema.safeParse(envelope.data.result);
          if (!result.success) {
            const where = result.error.issues
              .slice(0, 3)
              .map((issue) => `result.${issue.path.join('.')}: ${issue.message}`)
              .join('; ');
            throw new CloudflareApiError(label, attempt.status, `unexpected response shape (${where})`);
          }
          const secret = (result.data as { secret?: unknown }).secret;
          if (typeof secret === 'string') this.onSecret(secret);
          return { result: result.data, envelope: envelope.data };
        }
        if (!isRetryableStatus(attempt.status)) {
          if (!envelope.success) {
            throw new CloudflareApiError(
              label,
              attempt.status,
              attempt.detail ?? 'the response is not a Cloudflare API envelope (success, errors, messages)',
            );
          }
          throw new CloudflareApiError(label, attempt.status, 'the API reported an error', envelope.data.errors);
        }
        if (envelope.success) attempt.errors = envelope.data.errors;
      }
      const failure = { status: attempt.status, mayHaveSucceeded: attempt.status !== 429 };
      const reason = attempt.kind === 'error' ? attempt.reason : `HTTP ${attempt.status}`;
      const delay = retryDelay(retry + 1, attempt.retryAfterMs, this.policy, this.random);
      const outOfTime = Date.now() - started + delay > this.policy.maxElapsedMs;
      if (retry >= this.policy.maxRetries || outOfTime) {
        const detail = attempt.kind === 'error' ? attempt.reason : (attempt.detail ?? 'the API reported an error');
        const tries = `gave up after ${retry + 1} attempt${retry === 0 ? '' : 's'} in ${Math.round((Date.now() - started) / 100) / 10} s`;
        throw new CloudflareApiError(label, attempt.status, detail, attempt.errors, tries);
      }
      this.logger.warning(
        `${label}: ${reason}; retrying in ${(delay / 1000).toFixed(1)} s (retry ${retry + 1} of ${this.policy.maxRetries}).`,
        'Cloudflare API retry',
      );
      await this.sleep(delay);
      if (options.recover && failure.mayHaveSucceeded) {
        const recovered = await options.recover(failure);
        if (recovered !== undefined)
          return { result: recovered, envelope: { success: true, errors: [], messages: [] } };
      }
    }
  }

  /** One HTTP exchange: either a parsed answer or a transport-level failure. Never throws. */
  private async attempt(method: Dispatcher.HttpMethod, url: URL, body: unknown): Promise<Attempt> {
    await this.limiter.acquire();
    this.requestCount++;
    const sent = Date.now();
    const signal = AbortSignal.timeout(this.timeoutMs);
    try {
      const response = await send(this.dispatcher, url, {
        method,
        headers: body === undefined ? this.headers : { ...this.headers, 'content-type': 'application/json' },
        body: body === undefined ? undefined : JSON.stringify(body),
        signal,
      });
      const text = await response.body.text();
      const retryAfterMs = parseRetryAfter(headerValue(response.headers['retry-after']), Date.now());
      this.logger.debug(`${method} ${url.pathname}${url.search} -> ${response.statusCode} (${Date.now() - sent} ms)`);
      try {
        return { kind: 'answer', status: response.statusCode, json: JSON.parse(text), retryAfterMs };
      } catch {
        const type = headerValue(response.headers['content-type']) ?? 'no content type';
        const detail = `the response body is not JSON (${type}, ${text.length} bytes)`;
        return { kind: 'answer', status: response.statusCode, json: undefined, retryAfterMs, detail };
      }
    } catch (error) {
      const reason = signal.aborted ? `no response within ${this.timeoutMs / 1000} s` : describeNetworkError(error);
      this.logger.debug(`${method} ${url.pathname}${url.search} -> ${reason} (${Date.now() - sent} ms)`);
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
      errors?: ApiMessageList;
    }
  | { kind: 'error'; status: undefined; reason: string; retryAfterMs: undefined; errors?: ApiMessageList };
type ApiMessageList = { code: number; message: string }[];

function headerValue(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}

function describeNetworkError(error: unknown): string {
  const code = (error as { code?: unknown }).code;
  const message = error instanceof Error ? error.message : String(error);
  return `network error${typeof code === 'string' ? ` ${code}` : ''}: ${message}`;
}
