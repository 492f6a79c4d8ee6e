import { z } from 'zod';
import type { Clock } from '../http/clock.ts';
import { readCapped, type Dispatcher } from '../http/pool.ts';
import { RETRY_TIMING } from '../http/retry.ts';
import type { GitHubContext } from './context.ts';

/** The open pull request numbers of this repository (GitHub's API). */
export type ListOpenPullRequests = () => Promise<Set<number>>;
/** The branch names of this repository (GitHub's API). */
export type ListBranches = () => Promise<Set<string>>;

/** GitHub's API refused or could not be reached; the message says what to change. */
export class GitHubApiError extends Error {
  constructor(what: string, cause: unknown) {
    // The status of an answer the action could not use; none when GitHub could not be reached.
    const status = (cause as { response?: { status?: unknown } }).response?.status;
    const detail = cause instanceof Error ? cause.message : String(cause);
    super(
      `GitHub API: ${what} failed${typeof status === 'number' ? ` (HTTP ${status})` : ''}: ${detail}. Hint: ${hint(status, detail)}`,
      { cause },
    );
    this.name = 'GitHubApiError';
  }
}

function hint(status: unknown, detail: string): string {
  if (status === 401)
    return "`github-token` is not a valid token: leave it unset (the job's GITHUB_TOKEN is used) or pass a valid one.";
  if (status === 403 || status === 404) {
    return "the token cannot read this repository's pull requests or branches: give the job `permissions: pull-requests: read` and `contents: read`, or pass a `github-token` that can.";
  }
  if (typeof status === 'number' && status >= 500) return 'GitHub had a server-side problem; re-run the job.';
  if (typeof status === 'number' && status < 400) {
    return "the answer is not what GitHub's API sends: check GITHUB_API_URL (GitHub Enterprise Server) and any proxy on the way.";
  }
  if (/goes on beyond \d+ pages/.test(detail)) {
    return 'a repository with that many is not judged: with more than that many branches, a `name-prefix` ending in `-pr-` asks about pull requests only.';
  }
  if (/no answer within|took longer than|ENOTFOUND|ECONNREFUSED|ECONNRESET|ETIMEDOUT/i.test(detail)) {
    return "no answer from the GitHub API: check the runner's network and, behind a proxy, HTTPS_PROXY and NO_PROXY (GITHUB_API_URL for GitHub Enterprise Server).";
  }
  return "check `github-token` and the job's `permissions:`.";
}

/** What prune and recycling ask GitHub about this repository. */
export interface GitHubApi {
  openPullRequests: ListOpenPullRequests;
  branches: ListBranches;
}

/** What the action reads from GitHub at most: pages of one listing (100 items each), bytes of one answer. */
const READ_LIMITS = { pages: 100, answerBytes: 10 * 1024 * 1024 } as const;

export interface GitHubApiOptions {
  token: string;
  github: GitHubContext;
  /** The run's connection pool, so a proxy applies to GitHub as to Cloudflare. */
  dispatcher: Dispatcher;
  /** The run's `request-timeout` and `max-retries`, as for Cloudflare; together they bound the run's GitHub part. */
  requestTimeoutMs: number;
  maxRetries: number;
  clock: Clock;
}

// GitHub's answers are untrusted like Cloudflare's: a listing is used only when every page has the
// shape the action reads. An empty body or an object (an error in a 200) is no empty listing.
const pullRequestsSchema = z.array(z.object({ number: z.int().positive() }));
const branchesSchema = z.array(z.object({ name: z.string() }));

/** An answer the action cannot use, with its status for the hint. */
const unusable = (message: string, status?: number) =>
  Object.assign(new Error(message), status === undefined ? {} : { response: { status } });

/**
 * This repository's open pull requests and branches, paged through `Link: rel="next"` (and
 * redirects) on the origin of GITHUB_API_URL only: the token goes nowhere else. Past a bound, or on
 * an answer of another shape, GitHub "could not be asked" (prune and recycling keep what it would
 * have judged). Undefined outside GitHub Actions (no repository to ask about).
 */
export function gitHubApi(options: GitHubApiOptions): GitHubApi | undefined {
  const [owner, repo] = (options.github.repository ?? '').split('/');
  if (!owner || !repo) return undefined;
  const get = patientGet(options);
  const list = async <T>(what: string, path: string, schema: z.ZodType<T[]>): Promise<T[]> => {
    try {
      let url = new URL(`${options.github.apiUrl.replace(/\/+$/, '')}/repos/${owner}/${repo}/${path}`);
      const origin = url.origin;
      const items: T[] = [];
      // Each request counts, a redirect's too: a listing never ends otherwise.
      for (let page = 1; page <= READ_LIMITS.pages; page++) {
        const { status, headers, body } = await get(url);
        const redirect = status >= 300 && status < 400;
        if (body === undefined) {
          throw unusable(
            `the answer is larger than ${READ_LIMITS.answerBytes / 1024 / 1024} MiB, the most the action reads from one`,
            status,
          );
        }
        const json = parseJson(body);
        if (status >= 400) throw unusable(messageOf(json) ?? 'an error without a message', status);
        if (!redirect) {
          const parsed = schema.safeParse(json);
          if (!parsed.success) {
            const issue = parsed.error.issues[0]!;
            const where = issue.path.length ? ` at ${issue.path.join('.')}` : '';
            const shape =
              json === undefined ? `not JSON (${body.length} bytes)` : `not a listing (${issue.message}${where})`;
            throw unusable(`the answer is ${shape}`, status);
          }
          items.push(...parsed.data);
        }
        const next = redirect
          ? header(headers.location)
          : /<([^<>]+)>;\s*rel="next"/.exec(header(headers.link) ?? '')?.[1];
        if (next === undefined && redirect) throw unusable('a redirect without a Location header', status);
        if (next === undefined) return items;
        url = new URL(next, url);
        if (url.origin !== origin) {
          const which = redirect ? 'a redirect' : 'the next page';
          throw unusable(`${which} leads to ${url.origin}, not to GITHUB_API_URL's origin ${origin}`, status);
        }
      }
      const most = `${READ_LIMITS.pages} pages (${(READ_LIMITS.pages * 100).toLocaleString('en-US')} items)`;
      throw unusable(`the listing goes on beyond ${most}, the most the action reads in one listing`);
    } catch (error) {
      throw new GitHubApiError(`${what} of ${owner}/${repo}`, error);
    }
  };
  return {
    openPullRequests: async () =>
      new Set(
        (await list('listing the open pull requests', 'pulls?state=open&per_page=100', pullRequestsSchema)).map(
          (p) => p.number,
        ),
      ),
    branches: async () =>
      new Set((await list('listing the branches', 'branches?per_page=100', branchesSchema)).map((b) => b.name)),
  };
}

const header = (value: string | string[] | undefined) => (Array.isArray(value) ? value.join(', ') : value);

function parseJson(body: Buffer): unknown {
  try {
    return JSON.parse(body.toString('utf8'));
  } catch {
    return undefined;
  }
}

/** GitHub's own message in an error answer, shortened. */
function messageOf(json: unknown): string | undefined {
  const message = (json as { message?: unknown } | undefined)?.message;
  return typeof message === 'string' && message ? message.slice(0, 500) : undefined;
}

/**
 * One GET with its retries: each attempt, body included, bounded by request-timeout, the body by
 * READ_LIMITS (undefined past it); a 5xx answer or a network failure (timeout included) is tried
 * again up to max-retries times, after a backoff. Every GET of the run shares one deadline,
 * request-timeout × (max-retries + 1), so slow pages cannot add up. Redirects are not followed here.
 */
function patientGet({ token, dispatcher, requestTimeoutMs, maxRetries, clock }: GitHubApiOptions) {
  const budgetMs = requestTimeoutMs * (maxRetries + 1);
  let deadline: { signal: AbortSignal; endsAt: number } | undefined;
  const outOfTime = () =>
    new Error(
      `its answers took longer than ${budgetMs / 1000} s, the time a run gives the GitHub API (request-timeout × (max-retries + 1))`,
    );
  const headers = {
    accept: 'application/vnd.github+json',
    authorization: `token ${token}`,
    'user-agent': 'turnstile-widget-action',
    'x-github-api-version': '2022-11-28',
  };
  return async (url: URL) => {
    deadline ??= { signal: clock.timeout(budgetMs), endsAt: clock.now() + budgetMs };
    for (let attempt = 1; ; attempt++) {
      if (deadline.signal.aborted) throw outOfTime();
      const last = attempt > maxRetries;
      const timeout = clock.timeout(requestTimeoutMs);
      try {
        const signal = AbortSignal.any([timeout, deadline.signal]);
        const path = url.pathname + url.search;
        const response = await dispatcher.request({ origin: url.origin, path, method: 'GET', headers, signal });
        const body = await readCapped(response.body, READ_LIMITS.answerBytes);
        const status = response.statusCode;
        if (status < 500 || last || body === undefined) return { status, headers: response.headers, body };
      } catch (error) {
        // On the last attempt the deadline ends with the attempt's own timeout: either says it.
        const timedOut = timeout.aborted || deadline.signal.aborted;
        if (last) throw new Error(unreachable(error, timedOut, attempt, requestTimeoutMs), { cause: error });
        if (deadline.signal.aborted) throw outOfTime();
      }
      const delay = Math.min(RETRY_TIMING.maxDelayMs, RETRY_TIMING.baseDelayMs * 2 ** (attempt - 1));
      if (clock.now() + delay >= deadline.endsAt) throw outOfTime();
      await clock.sleep(delay);
    }
  };
}

function unreachable(error: unknown, timedOut: boolean, attempts: number, requestTimeoutMs: number): string {
  const cause = error instanceof Error ? error.message : String(error);
  const what = timedOut ? `no answer within ${requestTimeoutMs / 1000} s (request-timeout)` : cause;
  return `${what}, ${attempts} attempt${attempts === 1 ? '' : 's'} (max-retries ${attempts - 1})`;
}
