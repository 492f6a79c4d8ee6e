// The action's constants, each defined once: API limits, timings, and what a new widget gets.
// Inputs that the user can set take their defaults from action.yml (see inputs.ts, checked equal
// to action.yml by a test).

/** Cloudflare's API base URL (action.yml `api-url`). */
export const CLOUDFLARE_API_URL = 'https://api.cloudflare.com/client/v4';

/** What a new widget gets for a setting the inputs leave unset (action.yml describes it). An
 *  existing widget keeps its value instead, so these are not action.yml defaults. */
export const WIDGET_DEFAULTS = { mode: 'managed' } as const;

/** Cloudflare's global API rate limit: 1200 requests per 5 minutes per user
 *  (https://developers.cloudflare.com/fundamentals/api/reference/limits/). */
export const RATE_LIMIT = { limit: 1200, windowMs: 300_000 } as const;

/** Deletes in flight at once during prune: fast for hundreds of widgets, far below burst limits. */
export const PRUNE_CONCURRENCY = 10;

/** Idle keep-alive sockets are closed after this long (the run ends long before). */
export const KEEP_ALIVE_MS = 10_000;

/** Backoff between retries: first wait, cap, cap on a server's Retry-After, and the whole budget. */
export const RETRY_TIMING = {
  baseDelayMs: 500,
  maxDelayMs: 15_000,
  maxRetryAfterMs: 60_000,
  maxElapsedMs: 180_000,
} as const;

/** The list endpoint's largest page: one request covers most accounts. */
export const MAX_PER_PAGE = 1000;

/** Cloudflare's documented plan limits, for hints and the widget-limit evidence only: Cloudflare
 *  enforces them, the action never refuses a count itself (developers.cloudflare.com/turnstile/
 *  concepts/hostname-management and the plans page). */
export const FREE_PLAN = { widgetsPerAccount: 20, hostnamesPerWidget: 15 } as const;
export const ENTERPRISE_PLAN = { hostnamesPerWidget: 200 } as const;

/** A runner's clock and a create's server timestamps may disagree by this much. */
export const CLOCK_SKEW_MS = 120_000;
