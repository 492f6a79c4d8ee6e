import { InputError } from './errors.ts';

// @actions/github pulls in Octokit and a second undici (~1.5 MiB of source). ncc puts it in its own
// chunk beside dist/index.js, so V8 compiles and runs it only when an operation needs the GitHub
// context: compiling the bundle is most of the action's start-up (measured by `npm run bench`).
const loadGitHub = () => import('@actions/github');

const PULL_REQUEST_EVENTS = new Set(['pull_request', 'pull_request_target']);
const MAX_NAME_LENGTH = 254;

/** `<repo>-pr-<number>` on pull request events, else `<repo>-<ref_name>`. */
export async function deriveWidgetName(): Promise<string> {
  if (!process.env.GITHUB_REPOSITORY) {
    throw new InputError(
      'name',
      'is required outside GitHub Actions (GITHUB_REPOSITORY is not set, so no default name can be derived).',
    );
  }
  const { context } = await loadGitHub();
  const repo = context.repo.repo;
  const number: unknown = context.payload.pull_request?.number ?? context.payload.number;
  if (PULL_REQUEST_EVENTS.has(context.eventName) && typeof number === 'number') {
    return `${repo}-pr-${number}`.slice(0, MAX_NAME_LENGTH);
  }
  const refName = process.env.GITHUB_REF_NAME || context.ref.replace(/^refs\/(heads|tags)\//, '');
  if (!refName)
    throw new InputError('name', 'is required: no pull request number or ref name is available to derive one.');
  return `${repo}-${refName}`.slice(0, MAX_NAME_LENGTH);
}

/** True when this run comes from a pull request whose head lives in a fork (no secrets there). */
export async function isForkPullRequest(): Promise<boolean> {
  if (!process.env.GITHUB_EVENT_PATH || !PULL_REQUEST_EVENTS.has(process.env.GITHUB_EVENT_NAME ?? '')) return false;
  const { context } = await loadGitHub();
  const pullRequest = context.payload.pull_request as
    { head?: { repo?: { fork?: boolean; full_name?: string } }; base?: { repo?: { full_name?: string } } } | undefined;
  const head = pullRequest?.head?.repo;
  if (!head) return false;
  return head.fork === true || (head.full_name !== undefined && head.full_name !== pullRequest?.base?.repo?.full_name);
}

/** Numbers of the open pull requests of this repository (prune keeps their widgets). */
export async function openPullRequestNumbers(githubToken: string): Promise<Set<number>> {
  const { context, getOctokit } = await loadGitHub();
  const octokit = getOctokit(githubToken);
  const pulls = await octokit.paginate(octokit.rest.pulls.list, { ...context.repo, state: 'open', per_page: 100 });
  return new Set(pulls.map((pull) => pull.number));
}
