// The action's constants, each defined once: API limits, timings, and what a new widget gets.
// Inputs that the user can set take their defaults from action.yml (see inputs.ts, checked equal
// to action.yml by a test).

/** Cloudflare's API base URL (action.yml `api-url`). */
export const CLOUDFLARE_API_URL = 'https://api.cloudflare.com/client/v4';

/** What a new widget gets for a setting the inputs leave unset (action.yml describes it). An
 *  existing widget keeps its value instead, so these are not action.yml defaults. */
export const WIDGET_DEFAULTS = { mode: 'managed' } as const;

/** Deletes in flight at once during prune: fast for hundreds of widgets, far below burst limits. */
export const PRUNE_CONCURRENCY = 10;

/** The plans' limits live with the API's other limits (src/api/ is self-contained). */
export { ENTERPRISE_PLAN, FREE_PLAN } from './api/limits.ts';

/** A runner's clock and a create's server timestamps may disagree by this much. */
export const CLOCK_SKEW_MS = 120_000;
