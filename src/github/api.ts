import type { getOctokit as GetOctokit } from '@actions/github';
import { fetch, Response } from 'undici';
import type { Dispatcher } from '../http/pool.ts';
import type { Clock } from '../http/clock.ts';
import { RETRY_TIMING } from '../http/retry.ts';
import { escapeUntrusted } from '../log/logger.ts';
import type { GitHubContext } from './context.ts';

/** The open pull request numbers of this repository (GitHub's API). */
export type ListOpenPullRequests = () => Promise<Set<number>>;
/** The branch names of this repository (GitHub's API). */
export type ListBranches = () => Promise<Set<string>>;

/** GitHub's API refused or could not be reached; the message says what to change. */
export class GitHubApiError extends Error {
  constructor(what: string, cause: unknown) {
    // Octokit reports an unreachable host as status 500 without a response: no status, then.
    const status = (cause as { response?: { status?: unknown } }).response?.status;
    const detail = cause instanceof Error ? cause.message : String(cause);
    super(
      `GitHub API: ${what} failed${typeof status === 'number' ? ` (HTTP ${status})` : ''}: ${escapeUntrusted(detail)}. Hint: ${hint(status, detail)}`,
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
  if (/no answer within|ENOTFOUND|ECONNREFUSED|ECONNRESET|ETIMEDOUT|fetch failed/i.test(detail)) {
    return "no answer from the GitHub API: check the runner's network and, behind a proxy, HTTPS_PROXY and NO_PROXY (GITHUB_API_URL for GitHub Enterprise Server).";
  }
  return "check `github-token` and the job's `permissions:`.";
}

/** What prune and recycling ask GitHub about this repository. */
export interface GitHubApi {
  openPullRequests: ListOpenPullRequests;
  branches: ListBranches;
}

export interface GitHubApiOptions {
  token: string;
  github: GitHubContext;
  /** The run's connection pool, so a proxy applies to GitHub as to Cloudflare. */
  dispatcher: Dispatcher;
  /** The run's `request-timeout` and `max-retries`, as for Cloudflare. */
  requestTimeoutMs: number;
  maxRetries: number;
  clock: Clock;
}

/**
 * This repository's open pull requests and branches, with Octokit (@actions/github, loaded only when
 * needed). Undefined outside GitHub Actions (no repository to ask about).
 */
export function gitHubApi(options: GitHubApiOptions): GitHubApi | undefined {
  const [owner, repo] = (options.github.repository ?? '').split('/');
  if (!owner || !repo) return undefined;
  let client: Promise<ReturnType<typeof GetOctokit>> | undefined;
  const octokit = () =>
    (client ??= import('@actions/github').then(({ getOctokit }) =>
      getOctokit(options.token, { baseUrl: options.github.apiUrl, request: { fetch: patientFetch(options) } }),
    ));
  const asking = async <T>(what: string, ask: () => Promise<T>): Promise<T> => {
    try {
      return await ask();
    } catch (error) {
      throw new GitHubApiError(`${what} of ${owner}/${repo}`, error);
    }
  };
  return {
    openPullRequests: () =>
      asking('listing the open pull requests', async () => {
        const api = await octokit();
        const pulls = await api.paginate(api.rest.pulls.list, { owner, repo, state: 'open', per_page: 100 });
        return new Set(pulls.map((pull) => pull.number));
      }),
    branches: () =>
      asking('listing the branches', async () => {
        const api = await octokit();
        const branches = await api.paginate(api.rest.repos.listBranches, { owner, repo, per_page: 100 });
        return new Set(branches.map((branch) => branch.name));
      }),
  };
}

/**
 * Octokit's fetch: each attempt, body included, bounded by request-timeout; a 5xx answer or a
 * network failure (timeout included) is tried again up to max-retries times, after a backoff. The
 * GitHub calls only read, so repeating them is safe.
 */
function patientFetch({ dispatcher, requestTimeoutMs, maxRetries, clock }: GitHubApiOptions) {
  return async (url: string, init: RequestInit): Promise<Response> => {
    for (let attempt = 1; ; attempt++) {
      const last = attempt > maxRetries;
      try {
        const signal = clock.timeout(requestTimeoutMs);
        const response = await fetch(url, { ...(init as object), dispatcher, signal });
        const body = await response.arrayBuffer();
        if (response.status < 500 || last) {
          const { status, statusText, headers } = response;
          return new Response(status === 204 || status === 304 ? null : body, { status, statusText, headers });
        }
      } catch (error) {
        if (last) throw new Error(unreachable(error, attempt, requestTimeoutMs), { cause: error });
      }
      await clock.sleep(Math.min(RETRY_TIMING.maxDelayMs, RETRY_TIMING.baseDelayMs * 2 ** (attempt - 1)));
    }
  };
}

function unreachable(error: unknown, attempts: number, requestTimeoutMs: number): string {
  const timedOut = error instanceof Error && (error.name === 'TimeoutError' || error.name === 'AbortError');
  const cause = error instanceof Error && error.cause instanceof Error ? error.cause.message : String(error);
  const what = timedOut ? `no answer within ${requestTimeoutMs / 1000} s (request-timeout)` : cause;
  return `${what}, ${attempts} attempt${attempts === 1 ? '' : 's'} (max-retries ${attempts - 1})`;
}
