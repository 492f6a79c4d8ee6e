import { fetch } from 'undici';
import type { Dispatcher } from './api/http.ts';
import { escapeUntrusted } from './log.ts';
import type { GitHubContext } from './github-context.ts';
import type { ListOpenPullRequests } from './operations/context.ts';

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
    return "the token cannot read this repository's pull requests: give the job `permissions: pull-requests: read` (with `contents: read`), or pass a `github-token` that can.";
  }
  if (typeof status === 'number' && status >= 500) return 'GitHub had a server-side problem; re-run the job.';
  if (/ENOTFOUND|ECONNREFUSED|ECONNRESET|ETIMEDOUT|fetch failed/i.test(detail)) {
    return "no answer from the GitHub API: check the runner's network and, behind a proxy, HTTPS_PROXY and NO_PROXY (GITHUB_API_URL for GitHub Enterprise Server).";
  }
  return "check `github-token` and the job's `permissions:`.";
}

/**
 * Lists this repository's open pull requests with Octokit (@actions/github, loaded only when
 * needed), over the run's own connection pool, so a proxy applies to GitHub as to Cloudflare.
 */
export function openPullRequestLister(
  token: string,
  github: GitHubContext,
  dispatcher: Dispatcher,
): ListOpenPullRequests | undefined {
  const [owner, repo] = (github.repository ?? '').split('/');
  if (!owner || !repo) return undefined;
  return async () => {
    try {
      const { getOctokit } = await import('@actions/github');
      const octokit = getOctokit(token, {
        baseUrl: github.apiUrl,
        request: { fetch: (url: string, init: RequestInit) => fetch(url, { ...(init as object), dispatcher }) },
      });
      const pulls = await octokit.paginate(octokit.rest.pulls.list, { owner, repo, state: 'open', per_page: 100 });
      return new Set(pulls.map((pull) => pull.number));
    } catch (error) {
      throw new GitHubApiError(`listing the open pull requests of ${owner}/${repo}`, error);
    }
  };
}
