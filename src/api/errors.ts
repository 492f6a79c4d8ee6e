import { FREE_PLAN } from '../defaults.ts';
import { escapeUntrusted, quoteUntrusted } from '../log.ts';
import type { ApiMessage } from './schemas.ts';

/** What a hint may point at besides the codes: the api-url, when it is not Cloudflare's. */
export interface HintContext {
  customApiUrl?: string;
}

/** A request that Cloudflare answered with an error, or that never got a usable answer. */
export class CloudflareApiError extends Error {
  readonly status: number | undefined;
  readonly codes: number[];
  readonly operation: string;
  /** Cloudflare's error texts, for callers that recognise an answer (the widget limit). */
  readonly apiMessages: string[];

  /**
   * `detail` describes the failure when Cloudflare sent no `errors[]`; `retries` says how long the
   * client kept trying, when it did.
   */
  constructor(failure: {
    operation: string;
    status: number | undefined;
    detail: string;
    errors?: ApiMessage[];
    retries?: string;
    hints?: HintContext;
  }) {
    const errors = failure.errors ?? [];
    const listed = errors
      .map(
        (error) => `${error.code == null ? '' : `[${error.code}] `}${escapeUntrusted(error.message ?? 'no message')}`,
      )
      .join('; ');
    const hint = hintFor(failure.status, errors, failure.hints ?? {});
    super(
      `Cloudflare API ${failure.operation} failed${failure.status ? ` (HTTP ${failure.status})` : ''}: ${listed || escapeUntrusted(failure.detail)}` +
        `${failure.retries ? ` (${failure.retries})` : ''}.${hint ? ` Hint: ${hint}` : ''}`,
    );
    this.name = 'CloudflareApiError';
    this.operation = failure.operation;
    this.status = failure.status;
    this.codes = errors.flatMap((error) => (error.code == null ? [] : [error.code]));
    this.apiMessages = errors.flatMap((error) => (error.message == null ? [] : [error.message]));
  }

  /** Cloudflare refused a create because the account holds as many widgets as its plan allows. */
  get isWidgetLimit(): boolean {
    return this.status !== 429 && isWidgetLimitText(this.apiMessages.join(' '));
  }
}

function isWidgetLimitText(text: string): boolean {
  return /\blimit\b|maximum number|quota/i.test(text);
}

/** What the user most likely has to change, judged from Cloudflare's codes and the status. */
export function hintFor(status: number | undefined, errors: ApiMessage[], context: HintContext): string | undefined {
  const codes = new Set(errors.map((error) => error.code));
  const text = errors.map((error) => error.message ?? '').join(' ');
  if (isWidgetLimitText(text) && status !== 429) {
    return `the account has reached its Turnstile widget limit (${FREE_PLAN.widgetsPerAccount} on the Free plan). Delete widgets that are no longer used, e.g. with \`operation: prune\` and a \`name-prefix\`, or \`operation: delete\` when a pull request closes.`;
  }
  if (status === 429) {
    return "Cloudflare's API rate limit (1200 requests per 5 minutes per user) was hit and retries ran out: wait a few minutes, or run fewer Cloudflare jobs in parallel.";
  }
  if (status !== undefined && status >= 500) {
    return 'Cloudflare had a server-side problem and retries ran out; re-run the job, and check https://www.cloudflarestatus.com if it persists.';
  }
  if (codes.has(10000) || codes.has(9106) || codes.has(9103) || codes.has(6003) || status === 401) {
    return 'authentication failed: check that `api-token` holds a valid, unexpired Cloudflare API token (or that `api-email` and `api-key` match for legacy authentication).';
  }
  if (codes.has(7003) || codes.has(7000)) {
    // "No route": with a custom api-url, the URL is the likelier culprit than the account id.
    if (context.customApiUrl) {
      return `check \`api-url\` (${quoteUntrusted(context.customApiUrl)}): it must be the API's base URL, ending in /client/v4 (e.g. https://api.cloudflare.com/client/v4); the action adds /accounts/<account-id>/challenges/widgets itself. Then check \`account-id\`.`;
    }
    return 'check `account-id`: it must be the 32-character id of the account that owns the widgets (dashboard URL or account overview page).';
  }
  if (codes.has(9109) || status === 403) {
    return 'the credentials cannot manage Turnstile widgets of this account: give the token the "Account > Turnstile > Edit" (Turnstile Sites Write) permission for this account, and check that `account-id` is that account.';
  }
  if (status === 404) {
    return 'no widget with that sitekey exists in this account: check the `sitekey` input and `account-id`.';
  }
  if (status === undefined) {
    return "no answer from the API: check `api-url`, the runner's network and, behind a proxy, HTTPS_PROXY and NO_PROXY; then re-run the job.";
  }
  return undefined;
}
