import { readFileSync } from 'node:fs';
import { z } from 'zod';

// The runner describes the run in GITHUB_* variables and the event payload file
// (https://docs.github.com/actions/reference/variables-reference), read directly and checked.

const PULL_REQUEST_EVENTS = new Set(['pull_request', 'pull_request_target']);
const MAX_NAME_LENGTH = 254;

// The event payload is untrusted input like any other: only the fields the action reads are
// described, each optional, and anything else in the payload is ignored.
const repo = z.object({ id: z.number().optional(), full_name: z.string().optional() });
// GitHub lists a workflow run's pull requests with a short repository object: id, url and name.
const runPullRequest = z.object({
  number: z.number(),
  base: z.object({ repo: z.object({ id: z.number().optional(), url: z.string().optional() }) }),
});
const payloadSchema = z.object({
  number: z.number().optional(),
  pull_request: z
    .object({
      number: z.number().optional(),
      head: z.object({ repo: repo.extend({ fork: z.boolean().optional() }).nullish() }).optional(),
      base: z.object({ repo: repo.optional() }).optional(),
    })
    .optional(),
  issue: z.object({ number: z.number(), pull_request: z.object({}).nullish() }).optional(),
  workflow_run: z.object({ pull_requests: z.array(runPullRequest).optional() }).optional(),
  repository: repo.extend({ default_branch: z.string().optional() }).optional(),
});
type Payload = z.output<typeof payloadSchema>;

/** What the event is about, when it names one preview: a pull request or a branch of this repository. */
type EventSubject = { pullRequest: number } | { branch: string } | { none: string };

export type GitHubContext = ReturnType<typeof readGitHubContext>;

export function readGitHubContext(env: NodeJS.ProcessEnv) {
  const eventName = env.GITHUB_EVENT_NAME ?? '';
  const repository = env.GITHUB_REPOSITORY || undefined;
  const read = readPayload(env.GITHUB_EVENT_PATH);
  const payload = 'payload' in read ? read.payload : {};
  const head = payload.pull_request?.head?.repo;
  return {
    /** `owner/repo`, undefined outside GitHub Actions. */
    repository,
    eventName,
    /** The preview the event names, or why it names none (see defaultWidgetName). */
    subject: 'problem' in read ? { none: read.problem } : subjectOf(eventName, payload, env),
    /** A pull request whose head lives in a fork: GitHub passes no secrets to its workflows. */
    fromFork:
      head != null &&
      (head.fork === true ||
        (head.full_name !== undefined && head.full_name !== payload.pull_request?.base?.repo?.full_name)),
    // A schedule runs on the default branch; older runners sent its payload without `repository`.
    defaultBranch:
      payload.repository?.default_branch || (eventName === 'schedule' ? branchOf(env.GITHUB_REF) : undefined),
    apiUrl: env.GITHUB_API_URL || 'https://api.github.com',
  };
}

const branchOf = (ref = '') => (ref.startsWith('refs/heads/') ? ref.slice('refs/heads/'.length) : undefined);

function readPayload(path: string | undefined): { payload: Payload } | { problem: string } {
  if (!path) return { payload: {} };
  let json: unknown;
  try {
    json = JSON.parse(readFileSync(path, 'utf8'));
  } catch (error) {
    return { problem: `its event payload (GITHUB_EVENT_PATH) cannot be read: ${(error as Error).message}` };
  }
  const parsed = payloadSchema.safeParse(json);
  if (parsed.success) return { payload: parsed.data };
  const issue = parsed.error.issues[0]!;
  return { problem: `its event payload has an unexpected ${issue.path.join('.') || 'shape'}: ${issue.message}` };
}

/**
 * The preview an event names without doubt. Any other event would derive the default branch's name,
 * which is the widget a push to that branch ensures (often production's).
 */
function subjectOf(eventName: string, payload: Payload, env: NodeJS.ProcessEnv): EventSubject {
  if (PULL_REQUEST_EVENTS.has(eventName)) {
    const number = payload.pull_request?.number ?? payload.number;
    return number !== undefined ? pullRequest(number) : { none: 'its payload has no pull request number' };
  }
  if (eventName === 'issue_comment') {
    return payload.issue?.pull_request && payload.issue.number !== undefined
      ? pullRequest(payload.issue.number)
      : { none: 'the comment is on an issue, not on a pull request' };
  }
  if (eventName === 'workflow_run') {
    const ours = (payload.workflow_run?.pull_requests ?? []).filter((pull) =>
      isThisRepository(pull.base.repo, payload, env),
    );
    if (ours.length === 1) return pullRequest(ours[0]!.number);
    return {
      none:
        ours.length === 0
          ? 'it lists no pull request of this repository (GitHub lists none for a pull request from a fork, nor for a run on a branch without one)'
          : `it lists ${ours.length} pull requests of this repository, so which preview is meant is unclear`,
    };
  }
  if (eventName === 'push') {
    const branch = branchOf(env.GITHUB_REF);
    if (branch !== undefined) return { branch };
    return {
      none: env.GITHUB_REF?.startsWith('refs/tags/') ? 'it pushed a tag, not a branch' : 'its ref is not a branch',
    };
  }
  return { none: 'it names no pull request and no branch' };
}

/** Only a positive safe integer numbers a pull request: `-5`, `1.5`, `1e21` or `0` would make a name of it. */
function pullRequest(number: number): EventSubject {
  return Number.isSafeInteger(number) && number > 0
    ? { pullRequest: number }
    : { none: `its pull request number ${number} is not a positive whole number` };
}

/** A workflow_run's pull request targets this repository: same id, or the API URL of this repository. */
function isThisRepository(base: { id?: number; url?: string }, payload: Payload, env: NodeJS.ProcessEnv): boolean {
  const id = payload.repository?.id ?? (Number(env.GITHUB_REPOSITORY_ID) || undefined);
  if (base.id !== undefined && id !== undefined) return base.id === id;
  const repository = env.GITHUB_REPOSITORY?.toLowerCase();
  return Boolean(repository && base.url?.toLowerCase().endsWith(`/repos/${repository}`));
}

export function repositoryName(context: GitHubContext): string | undefined {
  return context.repository?.split('/')[1];
}

/**
 * The default widget name: `<repo>-pr-<number>` for an event about one pull request, `<repo>-<branch>`
 * for a push of a branch. Returns why there is none for any other event.
 */
export function defaultWidgetName(context: GitHubContext): { name: string } | { missing: string } {
  const repo = repositoryName(context);
  if (!repo) {
    return {
      missing: 'outside GitHub Actions (GITHUB_REPOSITORY is not set, so no default name can be derived)',
    };
  }
  const { subject } = context;
  // `<repo>-pr-<N>`: the name a branch `pr-<N>` would get, which is why that branch has none.
  if ('pullRequest' in subject) return { name: branchPreviewName(repo, `pr-${subject.pullRequest}`) };
  if ('branch' in subject) {
    // `pr-5` would be named `<repo>-pr-5`, pull request #5's preview: ensure would take it over.
    const number = /^pr-(\d+)$/.exec(subject.branch)?.[1];
    if (number === undefined) return { name: branchPreviewName(repo, subject.branch) };
    return {
      missing: `on this push of the branch "${subject.branch}": its default name "${branchPreviewName(repo, subject.branch)}" is the default name of pull request #${number}'s preview, so a branch named \`pr-<number>\` has no default name`,
    };
  }
  return {
    missing: `on this ${context.eventName || 'unnamed'} event: ${subject.none}, so there is no default name (the ref's name would be the default branch's widget, which may be production's)`,
  };
}

/** The name a branch's widget gets by default (a push of that branch). */
export function branchPreviewName(repo: string, branch: string): string {
  return `${repo}-${branch}`.slice(0, MAX_NAME_LENGTH);
}
