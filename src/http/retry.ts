import type { Dispatcher } from 'undici';
import type { Logger } from '../log/logger.ts';
import { systemClock, type Clock } from './clock.ts';

/** Backoff: first wait, its cap, the cap on a server's Retry-After, and one request's whole budget. */
const TIMING = { baseDelayMs: 500, maxDelayMs: 15_000, maxRetryAfterMs: 60_000, maxElapsedMs: 180_000 };

/** What both API clients take from the run: the pool, clock and logger, and the inputs that bound a request. */
export interface Connection {
  dispatcher: Dispatcher;
  clock?: Clock;
  logger: Pick<Logger, 'debug' | 'info'>;
  random?: () => number;
  /** `request-timeout`: each attempt, from sending to the end of the body. */
  requestTimeoutMs: number;
  maxRetries: number;
  /** Timing other than the defaults, for tests and the benchmark. */
  retry?: Partial<typeof TIMING>;
}

interface Retrying extends Connection {
  /** The most read of one answer: past it, `body` is undefined and the rest unread. */
  maxBytes: number;
  beforeAttempt?: () => Promise<void>;
  /** A deadline over many requests: it ends the attempt in flight; no retry starts past `endsAt`. */
  deadline?: { signal: AbortSignal; endsAt: number };
}

type Request = { method: Dispatcher.HttpMethod; url: URL; headers: Record<string, string>; body?: string };

/** An answer (its body parsed as JSON, undefined when it is none), or why there is none. */
type Reply =
  | { status: number; headers: Dispatcher.ResponseData['headers']; body: Buffer | undefined; json: unknown }
  | { status: undefined; detail: string };

/**
 * One request with the retry policy of both APIs: 429, 408, 5xx and no answer are tried again after
 * a backoff (or Retry-After), at most maxRetries times and within the time budget; a POST only after
 * a 429, which proves the server did nothing. The last reply; `gaveUp` when retries ran out, and
 * `outOfTime` when the time budget or deadline ended them.
 */
export async function sendWithRetries(
  options: Retrying,
  request: Request,
): Promise<{ reply: Reply; gaveUp?: string; outOfTime?: boolean }> {
  const { clock = systemClock, maxRetries, deadline, random } = options;
  const timing = { ...TIMING, ...options.retry };
  const started = clock.now();
  const endsAt = deadline?.endsAt ?? started + timing.maxElapsedMs;
  for (let attempt = 1; ; attempt++) {
    if (deadline?.signal.aborted) return { reply: { status: undefined, detail: 'out of time' }, outOfTime: true };
    const reply = await send(options, request);
    const { status } = reply;
    const retryable =
      status === undefined ||
      (reply.body !== undefined && (status === 429 || status === 408 || (status >= 500 && status < 600)));
    if (!retryable || (request.method === 'POST' && status !== 429)) return { reply };
    const retryAfterMs = status === undefined ? undefined : parseRetryAfter(reply.headers['retry-after'], clock.now());
    const delay =
      retryAfterMs === undefined ? backoff(attempt, timing, random) : Math.min(retryAfterMs, timing.maxRetryAfterMs);
    const elapsed = clock.now() - started;
    const gaveUp = `gave up after ${attempt} attempt${attempt === 1 ? '' : 's'} in ${Math.round(elapsed / 100) / 10} s`;
    if (attempt > maxRetries) return { reply, gaveUp };
    if (deadline?.signal.aborted || clock.now() + delay > endsAt) return { reply, gaveUp, outOfTime: true };
    const reason = status === undefined ? reply.detail : `HTTP ${status}`;
    options.logger.info(
      `${request.method} ${request.url.pathname}: ${reason}; retrying in ${(delay / 1000).toFixed(1)} s (retry ${attempt} of ${maxRetries}).`,
    );
    await clock.sleep(delay);
  }
}

/** The wait before retry number `retry`: exponential, capped, with "equal jitter" (half fixed, half random) so parallel runs spread out. */
export function backoff(retry: number, timing: Connection['retry'] = {}, random = Math.random): number {
  const { baseDelayMs, maxDelayMs } = { ...TIMING, ...timing };
  const exponential = Math.min(maxDelayMs, baseDelayMs * 2 ** (retry - 1));
  return Math.round(exponential / 2 + (random() * exponential) / 2);
}

/** `Retry-After` in milliseconds: delay-seconds or an HTTP-date (RFC 9110 §10.2.3); undefined when unreadable. */
function parseRetryAfter(header: string | string[] | undefined, now: number): number | undefined {
  const value = (Array.isArray(header) ? header[0] : header)?.trim();
  if (!value) return undefined;
  if (/^\d+(\.\d+)?$/.test(value)) return Math.round(Number(value) * 1000);
  const date = Date.parse(value);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}

/** One attempt, body included, bounded by the timeout (and the deadline). Never throws. */
async function send(
  { dispatcher, clock = systemClock, logger, requestTimeoutMs: timeoutMs, maxBytes, beforeAttempt, deadline }: Retrying,
  { method, url, headers, body }: Request,
): Promise<Reply> {
  await beforeAttempt?.();
  const sent = clock.now();
  const timeout = clock.timeout(timeoutMs);
  const signal = deadline ? AbortSignal.any([timeout, deadline.signal]) : timeout;
  let reply: Reply;
  try {
    const path = url.pathname + url.search;
    const response = await dispatcher.request({ origin: url.origin, path, method, headers, body, signal });
    const read = await readCapped(response.body, maxBytes);
    let json: unknown;
    try {
      json = read && JSON.parse(read.toString('utf8'));
    } catch {
      // Not JSON: json stays undefined.
    }
    reply = { status: response.statusCode, headers: response.headers, body: read, json };
  } catch (error) {
    const code = (error as { code?: unknown }).code;
    // undici's own timers too: the connect timeout, and a proxy that never answers CONNECT.
    const timedOut = signal.aborted || code === 'UND_ERR_CONNECT_TIMEOUT' || code === 'UND_ERR_HEADERS_TIMEOUT';
    const message = `network error${typeof code === 'string' ? ` ${code}` : ''}: ${error instanceof Error ? error.message : String(error)}`;
    reply = { status: undefined, detail: timedOut ? `no response within ${timeoutMs / 1000} s` : message };
  }
  logger.debug(`${method} ${url.pathname}${url.search} -> ${reply.status ?? reply.detail} (${clock.now() - sent} ms)`);
  return reply;
}

/** The body, or undefined (the rest left unread) once it exceeds `limit` bytes. */
async function readCapped(body: Dispatcher.ResponseData['body'], limit: number): Promise<Buffer | undefined> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of body as AsyncIterable<Buffer>) {
    if ((size += chunk.length) > limit) return void body.destroy();
    chunks.push(chunk);
  }
  return Buffer.concat(chunks);
}
