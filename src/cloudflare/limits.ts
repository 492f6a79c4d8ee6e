// What Cloudflare's API allows, and what the action accepts from it.

/** Cloudflare's global API rate limit: 1200 requests per 5 minutes per user
 *  (https://developers.cloudflare.com/fundamentals/api/reference/limits/). */
export const RATE_LIMIT = { limit: 1200, windowMs: 300_000 } as const;

/** The list endpoint's largest page: one request covers most accounts. */
export const MAX_PER_PAGE = 1000;

/** Cloudflare's documented plan limits, for hints and the widget-limit evidence only: Cloudflare
 *  enforces them, the action never refuses a count itself (developers.cloudflare.com/turnstile/
 *  concepts/hostname-management and the plans page). */
export const FREE_PLAN = { widgetsPerAccount: 20, hostnamesPerWidget: 10 } as const;
export const ENTERPRISE_PLAN = { hostnamesPerWidget: 200 } as const;

/**
 * A hostile or broken API must not exhaust the runner: the most the action reads from one
 * response, and the most widgets and bytes it reads in one listing (far beyond any real account).
 */
export const READ_LIMITS = {
  responseBytes: 50 * 1024 * 1024,
  listedWidgets: 100_000,
  listingBytes: 100 * 1024 * 1024,
} as const;
export type ReadLimits = Record<keyof typeof READ_LIMITS, number>;
