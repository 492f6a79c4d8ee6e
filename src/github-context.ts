import { readFileSync } from 'node:fs';

// The runner describes the run in GITHUB_* variables and the event payload file
// (https://docs.github.com/actions/reference/variables-reference). They are read directly: loading
// @actions/github's context would compile Octokit on the common path (see BENCHMARKS.md).

const PULL_REQUEST_EVENTS = new Set(['pull_request', 'pull_request_target']);
const MAX_NAME_LENGTH = 254;

interface PullRequestPayload {
  number?: unknown;
  pull_request?: {
    number?: unknown;
    head?: { repo?: { fork?: boolean; full_name?: string } | null };
    base?: { repo?: { full_name?: string } };
  };
}

export interface GitHubContext {
  /** `owner/repo`, undefined outside GitHub Actions. */
  repository: string | undefined;
  eventName: string;
  refName: string;
  /** The pull request number on pull_request events. */
  pullRequest: number | undefined;
  /** A pull request whose head lives in a fork: GitHub passes no secrets to its workflows. */
  fromFork: boolean;
  apiUrl: string;
}

export function readGitHubContext(env: NodeJS.ProcessEnv): GitHubContext {
  const eventName = env.GITHUB_EVENT_NAME ?? '';
  const payload = PULL_REQUEST_EVENTS.has(eventName) ? readPayload(env.GITHUB_EVENT_PATH) : {};
  const number = payload.pull_request?.number ?? payload.number;
  const head = payload.pull_request?.head?.repo;
  return {
    repository: env.GITHUB_REPOSITORY || undefined,
    eventName,
    refName: env.GITHUB_REF_NAME || (env.GITHUB_REF ?? '').replace(/^refs\/(heads|tags)\//, ''),
    pullRequest: typeof number === 'number' ? number : undefined,
    fromFork:
      head !== undefined &&
      head !== null &&
      (head.fork === true ||
        (head.full_name !== undefined && head.full_name !== payload.pull_request?.base?.repo?.full_name)),
    apiUrl: env.GITHUB_API_URL || 'https://api.github.com',
  };
}

function readPayload(path: string | undefined): PullRequestPayload {
  if (!path) return {};
  try {
    return JSON.parse(readFileSync(path, 'utf8')) as PullRequestPayload;
  } catch {
    return {};
  }
}

/** The repository's name without its owner. */
export function repositoryName(context: GitHubContext): string | undefined {
  return context.repository?.split('/')[1];
}

/**
 * The default widget name: `<repo>-pr-<number>` on pull request events, else `<repo>-<ref_name>`.
 * Returns why there is none when it cannot be derived.
 */
export function defaultWidgetName(context: GitHubContext): { name: string } | { missing: string } {
  const repo = repositoryName(context);
  if (!repo) {
    return {
      missing: 'outside GitHub Actions (GITHUB_REPOSITORY is not set, so no default name can be derived)',
    };
  }
  if (PULL_REQUEST_EVENTS.has(context.eventName) && context.pullRequest !== undefined) {
    return { name: previewName(repo, context.pullRequest) };
  }
  if (!context.refName) return { missing: 'here: no pull request number or ref name is available to derive one' };
  return { name: `${repo}-${context.refName}`.slice(0, MAX_NAME_LENGTH) };
}

/** The name a pull request's preview widget gets by default. */
export function previewName(repo: string, pullRequest: number): string {
  return `${repo}-pr-${pullRequest}`.slice(0, MAX_NAME_LENGTH);
}
