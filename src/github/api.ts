import { z } from 'zod';
import { systemClock } from '../http/clock.ts';
import { sendWithRetries, type Connection } from '../http/retry.ts';
import { ActionError } from '../log/runner.ts';
import type { GitHubContext } from './context.ts';

/** GitHub's API refused or could not be reached; the message says what to change. */
export class GitHubApiError extends ActionError {
  constructor(what: string, cause: unknown) {
    // The status of an answer the action could not use; none when GitHub could not be reached.
    const { status } = cause as { status?: unknown };
    const detail = cause instanceof Error ? cause.message : String(cause);
    super(
      'GitHub API error',
      `GitHub API: ${what} failed${typeof status === 'number' ? ` (HTTP ${status})` : ''}: ${detail}. Hint: ${hint(status, detail)}`,
      { cause },
    );
    this.name = 'GitHubApiError';
  }
}

function hint(status: unknown, detail: string): string {
  if (status === 401)
    return "`github-token` is not a valid token: leave it unset (the job's GITHUB_TOKEN is used) or pass a valid one.";
  if (status === 403 || status === 404)
    return "the token cannot read this repository's pull requests or branches: give the job `permissions: pull-requests: read` and `contents: read`, or pass a `github-token` that can.";
  if (typeof status === 'number' && status >= 500) return 'GitHub had a server-side problem; re-run the job.';
  if (typeof status === 'number' && status < 400)
    return "the answer is not what GitHub's API sends: check GITHUB_API_URL (GitHub Enterprise Server) and any proxy on the way.";
  if (/goes on beyond \d+ pages/.test(detail))
    return 'a repository with that many is not judged: with more than that many branches, a `name-prefix` ending in `-pr-` asks about pull requests only.';
  if (status === undefined)
    return "no answer from the GitHub API: check the runner's network and, behind a proxy, HTTPS_PROXY and NO_PROXY (GITHUB_API_URL for GitHub Enterprise Server).";
  return "check `github-token` and the job's `permissions:`.";
}

/** What the action reads from GitHub at most: pages of one listing (100 items each), bytes of one answer. */
const READ_LIMITS = { pages: 100, answerBytes: 10 * 1024 * 1024 } as const;

// GitHub's answers are untrusted like Cloudflare's: a listing is used only when every page has the
// shape the action reads. An empty body or an object (an error in a 200) is no empty listing.
const pullRequestsSchema = z.array(z.object({ number: z.int().positive() }));
const branchesSchema = z.array(z.object({ name: z.string() }));

/** An answer the action cannot use, with its status for the hint. */
const unusable = (message: string, status?: number) => Object.assign(new Error(message), { status });

/**
 * This repository's open pull requests and branches, paged through `Link: rel="next"` (and
 * redirects) on the origin of GITHUB_API_URL only: the token goes nowhere else. Each GET follows
 * the retry policy of both APIs (sendWithRetries) through the run's pool (and proxy), and every GET
 * of the run shares one deadline, request-timeout × (max-retries + 1), so slow pages cannot add up.
 * Past a bound, or on an answer of another shape, GitHub "could not be asked" (prune and recycling
 * keep what it would have judged). Undefined outside GitHub Actions (no repository to ask about).
 */
export function gitHubApi(options: Connection & { token: string; github: GitHubContext }) {
  const { token, github, requestTimeoutMs, maxRetries, clock = systemClock } = options;
  const [owner, repo] = (github.repository ?? '').split('/');
  if (!owner || !repo) return undefined;
  const budgetMs = requestTimeoutMs * (maxRetries + 1);
  const retrying = { ...options, clock, maxBytes: READ_LIMITS.answerBytes };
  let deadline: { signal: AbortSignal; endsAt: number } | undefined;
  const headers = {
    accept: 'application/vnd.github+json',
    authorization: `token ${token}`,
    'user-agent': 'turnstile-widget-action',
    'x-github-api-version': '2022-11-28',
  };
  /** One GET, its body read as JSON (undefined when it is not); no answer or an error answer is thrown. */
  const get = async (url: URL) => {
    deadline ??= { signal: clock.timeout(budgetMs), endsAt: clock.now() + budgetMs };
    const { reply, gaveUp, outOfTime } = await sendWithRetries(
      { ...retrying, deadline },
      { method: 'GET', url, headers },
    );
    if (outOfTime) {
      throw unusable(
        `its answers took longer than ${budgetMs / 1000} s, the time a run gives the GitHub API (request-timeout × (max-retries + 1))`,
      );
    }
    if (reply.status === undefined) throw unusable(`${reply.detail} (${gaveUp})`);
    const { status, body, json } = reply;
    if (body === undefined) {
      const limit = `${READ_LIMITS.answerBytes / 1024 / 1024} MiB`;
      throw unusable(`the answer is larger than ${limit}, the most the action reads from one`, status);
    }
    if (status >= 400) {
      // GitHub's own message, shortened.
      const message = (json as { message?: unknown } | undefined)?.message;
      const said = typeof message === 'string' && message ? message.slice(0, 500) : 'an error without a message';
      throw unusable(gaveUp ? `${said} (${gaveUp})` : said, status);
    }
    return { status, headers: reply.headers, bytes: body.length, json };
  };
  const list = async <T>(what: string, path: string, schema: z.ZodType<T[]>): Promise<T[]> => {
    try {
      let url = new URL(`${github.apiUrl.replace(/\/+$/, '')}/repos/${owner}/${repo}/${path}`);
      const origin = url.origin;
      const items: T[] = [];
      // Each request counts, a redirect's too: a listing never ends otherwise.
      for (let page = 1; page <= READ_LIMITS.pages; page++) {
        const { status, headers: answered, bytes, json } = await get(url);
        const redirect = status >= 300 && status < 400;
        if (!redirect) {
          const parsed = schema.safeParse(json);
          if (!parsed.success) {
            const issue = parsed.error.issues[0]!;
            const where = issue.path.length ? ` at ${issue.path.join('.')}` : '';
            const shape = json === undefined ? `not JSON (${bytes} bytes)` : `not a listing (${issue.message}${where})`;
            throw unusable(`the answer is ${shape}`, status);
          }
          items.push(...parsed.data);
        }
        const next = redirect
          ? header(answered.location)
          : /<([^<>]+)>;\s*rel="next"/.exec(header(answered.link) ?? '')?.[1];
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
  const pulls = () => list('listing the open pull requests', 'pulls?state=open&per_page=100', pullRequestsSchema);
  const branches = () => list('listing the branches', 'branches?per_page=100', branchesSchema);
  // What prune and recycling ask GitHub about this repository: open pull request numbers, branch names.
  return {
    openPullRequests: async (): Promise<Set<number>> => new Set((await pulls()).map((p) => p.number)),
    branches: async (): Promise<Set<string>> => new Set((await branches()).map((b) => b.name)),
  };
}

const header = (value: string | string[] | undefined) => (Array.isArray(value) ? value.join(', ') : value);
