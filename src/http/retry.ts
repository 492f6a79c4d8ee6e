/** Backoff between retries: first wait, cap, cap on a server's Retry-After, and the whole budget. */
export const RETRY_TIMING = {
  baseDelayMs: 500,
  maxDelayMs: 15_000,
  maxRetryAfterMs: 60_000,
  maxElapsedMs: 180_000,
} as const;

/** How the client retries 429, 5xx and network failures. */
export interface RetryPolicy {
  /** Retries after the first attempt. */
  maxRetries: number;
  /** First backoff; doubled each retry (with jitter), capped at maxDelayMs. */
  baseDelayMs: number;
  maxDelayMs: number;
  /** Upper bound for a server-requested Retry-After wait. */
  maxRetryAfterMs: number;
  /** No retry starts once this much time has passed since the request's first attempt. */
  maxElapsedMs: number;
}

/** Statuses worth retrying: rate limiting and the server-side errors Cloudflare's edge produces. */
export function isRetryableStatus(status: number): boolean {
  return status === 429 || status === 408 || (status >= 500 && status <= 599);
}

/**
 * `Retry-After` is either delay-seconds or an HTTP-date (RFC 9110 §10.2.3).
 * Returns milliseconds, or undefined when the header is absent or unreadable.
 */
export function parseRetryAfter(header: string | undefined, now: number): number | undefined {
  if (!header) return undefined;
  const value = header.trim();
  if (/^\d+(\.\d+)?$/.test(value)) return Math.round(Number(value) * 1000);
  const date = Date.parse(value);
  if (Number.isNaN(date)) return undefined;
  return Math.max(0, date - now);
}

/** Exponential backoff with "equal jitter": half fixed, half random, so parallel runs spread out. */
export function backoffDelay(retry: number, policy: RetryPolicy, random: () => number): number {
  const exponential = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** (retry - 1));
  return Math.round(exponential / 2 + (random() * exponential) / 2);
}

/** The wait before retry number `retry` (1-based): the server's Retry-After when given, capped. */
export function retryDelay(
  retry: number,
  retryAfterMs: number | undefined,
  policy: RetryPolicy,
  random: () => number,
): number {
  if (retryAfterMs !== undefined) return Math.min(retryAfterMs, policy.maxRetryAfterMs);
  return backoffDelay(retry, policy, random);
}
