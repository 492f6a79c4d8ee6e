import { ActionError } from '../log/runner.ts';
import type { ApiMessage } from './schemas.ts';

/** Cloudflare's plan limits, for hints and the widget-limit evidence only: Cloudflare enforces them. */
export const FREE_PLAN = { widgetsPerAccount: 20, hostnamesPerWidget: 10 } as const;
const ENTERPRISE_HOSTNAMES_PER_WIDGET = 200;

/** What a hint may use besides the status and documented codes: a custom api-url, and facts about
 *  the refused request where Cloudflare documents no code (too many hostnames, a second rotation). */
export interface HintContext {
  customApiUrl?: string;
  hostnamesSent?: number;
  /** The refused request rotated a secret; with how long ago the widget last changed, when known. */
  rotation?: { changedMsAgo: number | undefined };
}

const TWO_HOURS_MS = 2 * 60 * 60 * 1000;

/** What a create carries (its fields, in everyday words): a refusal naming one is about the request. */
const REQUEST_WORDS =
  /(?<![a-z])(?:domains?|hostnames?|hosts?|names?|modes?|regions?|clearance|bot[\s_-]?fight|ephemeral|off[\s_-]?label)(?![a-z])/i;

interface Failure {
  operation: string;
  status: number | undefined;
  detail: string;
  errors?: ApiMessage[];
  retries?: string;
  hints?: HintContext;
}

/** A request that Cloudflare answered with an error, or that never got a usable answer. */
export class CloudflareApiError extends ActionError {
  readonly status: number | undefined;
  readonly operation: string;
  /** Cloudflare's errors as it sent them (`[code] message; …`), or what went wrong without them. */
  readonly answer: string;
  readonly failure: Failure;
  /** What the user most likely has to change (hintFor), when anything is known. */
  readonly hint: string | undefined;

  /** `detail` when Cloudflare sent no `errors[]`; `retries`: how long the client kept trying. */
  constructor(failure: Failure) {
    const errors = failure.errors ?? [];
    const listed = errors
      .map((error) => `${error.code == null ? '' : `[${error.code}] `}${error.message ?? 'no message'}`)
      .join('; ');
    const answer = listed || failure.detail;
    const hint = hintFor(failure.status, errors, failure.hints ?? {});
    super(
      'Cloudflare API error',
      `Cloudflare API ${failure.operation} failed${failure.status ? ` (HTTP ${failure.status})` : ''}: ${answer}` +
        `${failure.retries ? ` (${failure.retries})` : ''}.${hint ? ` Hint: ${hint}` : ''}`,
    );
    this.name = 'CloudflareApiError';
    this.failure = failure;
    this.hint = hint;
    this.operation = failure.operation;
    this.status = failure.status;
    this.answer = answer;
  }

  /**
   * A failed write that may nevertheless have taken effect: no answer, an unreadable answer, a 408
   * or a 5xx. Cloudflare refused every other status (a 429 before acting, a 4xx after validating).
   */
  get mayHaveActed(): boolean {
    const { status } = this;
    return status === undefined || status < 400 || status === 408 || status >= 500;
  }

  /**
   * Whether a refused create may be the account's widget limit, judged from the answer alone.
   * Cloudflare documents the limit (20 on the Free plan) but not its answer, so wording proves
   * nothing; what counts: a 4xx that is not a rate limit, no code documented for another cause, and
   * a text that names nothing the request carried (a hostname limit may say "limit" too).
   */
  get mayBeWidgetLimit(): boolean {
    const { status, failure } = this;
    if (status === undefined || status < 400 || status >= 500 || status === 429) return false;
    const errors = failure.errors ?? [];
    if (errors.some(({ code }) => code != null && DOCUMENTED_CODES.has(code))) return false;
    return !REQUEST_WORDS.test(errors.map((error) => error.message ?? '').join(' '));
  }

  /** The widget limit, proven: the answer may be it, and the account listed after it holds 20 or more. */
  isWidgetLimit(widgetsInAccount: number): boolean {
    return this.mayBeWidgetLimit && widgetsInAccount >= FREE_PLAN.widgetsPerAccount;
  }
}

/** For `.catch`: rethrows, a CloudflareApiError judged again with the caller's facts about the request. */
export function refusedWith(facts: HintContext): (error: unknown) => never {
  return (error) => {
    if (!(error instanceof CloudflareApiError)) throw error;
    throw new CloudflareApiError({ ...error.failure, hints: { ...error.failure.hints, ...facts } });
  };
}

/** Codes Cloudflare documents for Turnstile: 10000 a refused token (HTTP 403), 10405 a wrong method. */
const DOCUMENTED_CODES = new Set([10000, 10405]);

/**
 * What the user most likely has to change, judged from what Cloudflare documents (the HTTP status,
 * codes 10000, 10405 and 7003, the spec's own example) and from facts about the request where it
 * documents no code. Never from the wording of a message: that is shown verbatim, not parsed.
 */
function hintFor(status: number | undefined, errors: ApiMessage[], context: HintContext): string | undefined {
  const codes = new Set(errors.map((error) => error.code));
  if (status === 429)
    return "Cloudflare's API rate limit (1200 requests per 5 minutes per user) was hit and retries ran out: wait a few minutes, or run fewer Cloudflare jobs in parallel.";
  if (status !== undefined && status >= 500)
    return 'Cloudflare had a server-side problem and retries ran out; re-run the job, and check https://www.cloudflarestatus.com if it persists.';
  if (status === undefined)
    return "no answer from the API: check `api-url`, the runner's network and, behind a proxy, HTTPS_PROXY and NO_PROXY; then re-run the job.";
  if (codes.has(10405))
    return "the API does not allow this method on this path (a bug in the action, or an `api-url` that points at another service): check `api-url`, and report it if it is Cloudflare's.";
  if (codes.has(10000) || status === 401 || status === 403)
    return 'the credentials were refused for this account: check that `api-token` holds a valid, unexpired Cloudflare API token with the "Account > Turnstile > Edit" (Turnstile Sites Write) permission for this account, and that `account-id` is that account (or that `api-email` and `api-key` match for legacy authentication).';
  if (codes.has(7003)) {
    // "No route": with a custom api-url, the URL is the likelier culprit than the account id.
    if (context.customApiUrl)
      return `check \`api-url\` ("${context.customApiUrl}"): it must be the API's base URL, ending in /client/v4 (e.g. https://api.cloudflare.com/client/v4); the action adds the path /accounts/…/challenges/widgets itself. Then check \`account-id\`.`;
    return 'check `account-id`: it must be the 32-character id of the account that owns the widgets (dashboard URL or account overview page).';
  }
  if (status === 404)
    return 'no widget with that sitekey exists in this account: check the `sitekey` input and `account-id`.';
  const sent = context.hostnamesSent;
  if (sent !== undefined && sent > FREE_PLAN.hostnamesPerWidget)
    return `the request sent ${sent} hostnames, and Cloudflare allows ${FREE_PLAN.hostnamesPerWidget} per widget on the Free plan (up to ${ENTERPRISE_HOSTNAMES_PER_WIDGET} on Enterprise): list fewer (a hostname covers all its subdomains, so a parent domain may replace several), or use a plan that allows more.`;
  const changedMsAgo = context.rotation?.changedMsAgo;
  if (changedMsAgo !== undefined && changedMsAgo < TWO_HOURS_MS)
    return `Cloudflare may refuse a rotation while the previous one's old secret is still valid (two hours), and the widget last changed ${Math.max(1, Math.round(changedMsAgo / 60_000))} min ago. For a leaked secret: rotate with \`invalidate-immediately: true\`, and if Cloudflare refuses that too, delete the widget (\`operation: delete\`) and ensure a new one (a new sitekey and secret), then redeploy.`;
  return undefined;
}
