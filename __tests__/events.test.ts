// The default widget name, event by event, through run() in-process against the emulator: a name
// only where the event names one preview, else a refusal before any request (never the default
// branch's widget, which a push to that branch ensures and which may be production's).
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { useEmulator } from './helpers/e2e.ts';
import { defaultWidgetName, readGitHubContext } from '../src/github/context.ts';

const t = useEmulator();
const DOMAINS = { domains: 'pr.example.com' };
const REPOSITORY = { id: 101, full_name: 'octo-org/preview-app', default_branch: 'main' };
const OURS = { id: 101, url: 'https://api.github.com/repos/octo-org/preview-app', name: 'preview-app' };
const THEIRS = { id: 202, url: 'https://api.github.com/repos/someone/preview-app', name: 'preview-app' };

function event(name: string, payload: unknown, ref = 'refs/heads/main'): Record<string, string> {
  const file = join(mkdtempSync(join(tmpdir(), 'event-')), 'event.json');
  writeFileSync(file, typeof payload === 'string' ? payload : JSON.stringify(payload));
  return { GITHUB_EVENT_NAME: name, GITHUB_EVENT_PATH: file, GITHUB_REF: ref, GITHUB_REF_NAME: ref.split('/').pop()! };
}

const pullRequest = (number: number, base = OURS) => ({ number, base: { ref: 'main', sha: 'a', repo: base } });
const workflowRun = (...pulls: ReturnType<typeof pullRequest>[]) =>
  event('workflow_run', { workflow_run: { head_branch: 'feature', pull_requests: pulls }, repository: REPOSITORY });

const errorLines = (stdout: string) => stdout.split('\n').filter((line) => line.startsWith('::error'));

describe('the default name', () => {
  const derived: [string, Record<string, string>, string][] = [
    ['pull_request', {}, 'preview-app-pr-42'],
    [
      'pull_request_target',
      event(
        'pull_request_target',
        { number: 7, pull_request: { number: 7 }, repository: REPOSITORY },
        'refs/heads/main',
      ),
      'preview-app-pr-7',
    ],
    [
      'issue_comment on a pull request',
      event('issue_comment', {
        issue: { number: 9, pull_request: { url: 'https://api.github.com/repos/octo-org/preview-app/pulls/9' } },
        comment: { body: '/deploy' },
        repository: REPOSITORY,
      }),
      'preview-app-pr-9',
    ],
    ['workflow_run with one pull request of this repository', workflowRun(pullRequest(5)), 'preview-app-pr-5'],
    [
      'workflow_run with one of this repository and one of another',
      workflowRun(pullRequest(5), pullRequest(6, THEIRS)),
      'preview-app-pr-5',
    ],
    [
      'workflow_run matched by the API URL when the payload has no repository id',
      event('workflow_run', { workflow_run: { pull_requests: [pullRequest(8, { ...OURS, id: undefined! })] } }),
      'preview-app-pr-8',
    ],
    [
      'push of a branch',
      event('push', { ref: 'refs/heads/feature/login', repository: REPOSITORY }, 'refs/heads/feature/login'),
      'preview-app-feature/login',
    ],
  ];
  it.each(derived)('%s: %s', async (_, env, name) => {
    const run = await t.run(DOMAINS, env);
    expect(run.code, run.stdout).toBe(0);
    expect(run.outputs.name).toBe(name);
    expect(t.emulator.widgets().map((w) => w.name)).toEqual([name]);
  });

  const refused: [string, Record<string, string>, RegExp][] = [
    [
      'push of a tag',
      event('push', { ref: 'refs/tags/v1.2.0', repository: REPOSITORY }, 'refs/tags/v1.2.0'),
      /on this push event: it pushed a tag, not a branch/,
    ],
    ['schedule', event('schedule', { schedule: '0 3 * * *', repository: REPOSITORY }), /on this schedule event/],
    [
      'workflow_dispatch',
      event('workflow_dispatch', { inputs: {}, ref: 'refs/heads/main', repository: REPOSITORY }),
      /on this workflow_dispatch event: it names no pull request and no branch/,
    ],
    [
      'issue_comment on an issue',
      event('issue_comment', { issue: { number: 3 }, repository: REPOSITORY }),
      /the comment is on an issue, not on a pull request/,
    ],
    [
      'workflow_run of a pull request from a fork (GitHub lists none)',
      workflowRun(),
      /on this workflow_run event: it lists no pull request of this repository/,
    ],
    [
      'workflow_run listing only another repository’s pull request',
      workflowRun(pullRequest(6, THEIRS)),
      /it lists no pull request of this repository/,
    ],
    [
      'workflow_run listing two pull requests',
      workflowRun(pullRequest(5), pullRequest(6)),
      /it lists 2 pull requests of this repository/,
    ],
    [
      'a payload that is not what GitHub sends',
      event('pull_request', { number: '42', pull_request: { number: '42' } }),
      /its event payload has an unexpected number: /,
    ],
    [
      'an unreadable payload',
      event('pull_request', '{not json'),
      /its event payload \(GITHUB_EVENT_PATH\) cannot be read/,
    ],
  ];
  it.each(refused)('%s: refused before any request, saying what to set', async (_, env, why) => {
    for (const operation of ['ensure', 'create', 'get', 'delete', 'rotate-secret']) {
      const run = await t.run({ ...DOMAINS, operation }, env);
      expect(run.code, operation).toBe(1);
      const errors = errorLines(run.stdout);
      expect(errors, operation).toHaveLength(1);
      expect(errors[0]).toMatch(/^::error title=Invalid input%3A name::Input "name" is required /);
      expect(errors[0]).toMatch(why);
      expect(errors[0]).toContain("the ref's name would be the default branch's widget");
      expect(errors[0]).toContain(operation === 'create' ? 'Set `name` to' : 'Set `name` (or `sitekey`) to');
    }
    expect(t.emulator.requests).toHaveLength(0);
    expect(t.emulator.connections).toBe(0);
  });

  it('on those events, a given name or sitekey is used as it is', async () => {
    const schedule = event('schedule', { schedule: '0 3 * * *', repository: REPOSITORY });
    const made = await t.run({ ...DOMAINS, name: 'preview-app-pr-5' }, schedule);
    expect(made.code, made.stdout).toBe(0);
    expect(made.outputs.name).toBe('preview-app-pr-5');
    const deleted = await t.run({ operation: 'delete', sitekey: made.outputs.sitekey! }, schedule);
    expect(deleted.code, deleted.stdout).toBe(0);
    expect(t.emulator.widgets()).toEqual([]);
  });

  it("never the default branch's widget: a schedule leaves <repo>-main alone", async () => {
    const push = event('push', { ref: 'refs/heads/main', repository: REPOSITORY });
    const production = await t.run(DOMAINS, push);
    expect(production.outputs.name).toBe('preview-app-main');
    t.emulator.resetRecords();
    for (const operation of ['ensure', 'delete']) {
      const run = await t.run(
        { domains: 'pr-5.example.com', operation },
        event('schedule', { repository: REPOSITORY }),
      );
      expect(run.code).toBe(1);
    }
    expect(t.emulator.requests).toHaveLength(0);
    expect(t.emulator.widgets().map((w) => [w.name, w.domains])).toEqual([['preview-app-main', ['pr.example.com']]]);
  });
});

describe('what names a pull request', () => {
  // JSON numbers that are no pull request's: each would make a name (preview-app-pr--5, -pr-1e+21).
  const notPullRequests: [string, Record<string, string>][] = [
    ...[-5, 1.5, 1e21, 0].map((number): [string, Record<string, string>] => [
      `pull_request number ${number}`,
      event('pull_request', { number, pull_request: { number }, repository: REPOSITORY }, 'refs/pull/1/merge'),
    ]),
    [
      'issue_comment on pull request -1',
      event('issue_comment', { issue: { number: -1, pull_request: {} }, repository: REPOSITORY }),
    ],
    ['workflow_run of pull request 0', workflowRun(pullRequest(0))],
  ];
  it.each(notPullRequests)('%s: this event names no preview, refused before any request', async (_, env) => {
    const run = await t.run(DOMAINS, env);
    expect(run.code).toBe(1);
    expect(errorLines(run.stdout)).toEqual([
      expect.stringMatching(
        /^::error title=Invalid input%3A name::Input "name" is required on this \w+ event: its pull request number \S+ is not a positive whole number, so there is no default name.*Set `name`/,
      ),
    ]);
    expect(t.emulator.requests).toHaveLength(0);
  });

  it.each(['pr-5', 'pr-05'])(
    'a push of the branch %s has no default name: it would be a pull request preview’s',
    async (branch) => {
      const push = event('push', { ref: `refs/heads/${branch}`, repository: REPOSITORY }, `refs/heads/${branch}`);
      const run = await t.run(DOMAINS, push);
      expect(run.code).toBe(1);
      expect(errorLines(run.stdout)).toEqual([
        expect.stringMatching(
          new RegExp(
            `^::error title=Invalid input%3A name::Input "name" is required on this push of the branch "${branch}": its default name "preview-app-${branch}" is the default name of pull request #${branch.slice(3)}'s preview, so a branch named \`pr-<number>\` has no default name\\. Set \`name\``,
          ),
        ),
      ]);
      expect(t.emulator.requests).toHaveLength(0);
      // With a name it runs.
      const named = await t.run({ ...DOMAINS, name: `preview-app-branch-${branch}` }, push);
      expect(named.code, named.stdout).toBe(0);
    },
  );

  it.each(['pr-5x', 'fix/pr-5', 'pr-'])('a push of the branch %s keeps its default name', async (branch) => {
    const run = await t.run(
      DOMAINS,
      event('push', { ref: `refs/heads/${branch}`, repository: REPOSITORY }, `refs/heads/${branch}`),
    );
    expect(run.code, run.stdout).toBe(0);
    expect(run.outputs.name).toBe(`preview-app-${branch}`);
  });
});

describe('payloads without the fields the event usually has', () => {
  const required = (why: string) =>
    new RegExp(
      `^::error title=Invalid input%3A name::Input "name" is required on this ${why}(?: \\(.*\\))?, so there is no default name`,
    );
  const missing: [string, Record<string, string>, string][] = [
    [
      'pull_request without a number',
      event('pull_request', {}),
      'pull_request event: its payload has no pull request number',
    ],
    [
      'pull_request whose number is a string',
      event('pull_request', { pull_request: { number: '7' } }),
      'pull_request event: its event payload has an unexpected pull_request.number: Invalid input: expected number, received string',
    ],
    [
      'issue_comment without the issue',
      event('issue_comment', {}),
      'issue_comment event: the comment is on an issue, not on a pull request',
    ],
    [
      'workflow_run without the run',
      event('workflow_run', {}),
      'workflow_run event: it lists no pull request of this repository',
    ],
    [
      'workflow_run without its pull requests',
      event('workflow_run', { workflow_run: {} }),
      'workflow_run event: it lists no pull request of this repository',
    ],
    [
      'workflow_run whose pull request has an id but no URL, and no repository id to compare it with',
      event('workflow_run', { workflow_run: { pull_requests: [{ number: 5, base: { repo: { id: 5 } } }] } }),
      'workflow_run event: it lists no pull request of this repository',
    ],
    [
      'push of a ref that is neither a branch nor a tag',
      event('push', { ref: 'refs/pull/1/merge' }, 'refs/pull/1/merge'),
      'push event: its ref is not a branch',
    ],
    ['an empty GITHUB_EVENT_NAME', { GITHUB_EVENT_NAME: '' }, 'unnamed event: it names no pull request and no branch'],
  ];
  it.each(missing)('%s: no default name, saying why', async (_, env, why) => {
    const run = await t.run(DOMAINS, env);
    expect(run.code).toBe(1);
    expect(errorLines(run.stdout)).toEqual([expect.stringMatching(required(why.replace(/[.()]/g, '\\$&')))]);
    expect(t.emulator.requests).toHaveLength(0);
  });

  it('an issue_comment payload without the issue still runs with a given name', async () => {
    const run = await t.run({ ...DOMAINS, name: 'preview-app-pr-9' }, event('issue_comment', {}));
    expect(run.code, run.stdout).toBe(0);
    expect(run.outputs.name).toBe('preview-app-pr-9');
  });

  it('a push without an event payload file (GITHUB_EVENT_PATH empty) still names its branch', async () => {
    const run = await t.run(DOMAINS, {
      GITHUB_EVENT_NAME: 'push',
      GITHUB_EVENT_PATH: '',
      GITHUB_REF: 'refs/heads/feature',
    });
    expect(run.code, run.stdout).toBe(0);
    expect(run.outputs.name).toBe('preview-app-feature');
  });

  it('a branch of 300 characters: the default name is its first 254', async () => {
    const branch = `feature-${'x'.repeat(292)}`;
    const run = await t.run(DOMAINS, event('push', { ref: `refs/heads/${branch}` }, `refs/heads/${branch}`));
    expect(run.code, run.stdout).toBe(0);
    expect(run.outputs.name).toBe(`preview-app-${branch}`.slice(0, 254));
  });

  it('without GITHUB_EVENT_NAME, GITHUB_REF or GITHUB_API_URL: an unnamed event, a ref that is no branch, api.github.com', () => {
    const context = readGitHubContext({ GITHUB_REPOSITORY: 'octo-org/preview-app' });
    expect(defaultWidgetName(context)).toEqual({
      missing: expect.stringMatching(
        /^on this unnamed event: it names no pull request and no branch, so there is no default name/,
      ),
    });
    expect(readGitHubContext({ GITHUB_REPOSITORY: 'octo-org/preview-app', GITHUB_EVENT_NAME: 'push' }).subject).toEqual(
      {
        none: 'its ref is not a branch',
      },
    );
    expect(context.apiUrl).toBe('https://api.github.com');
  });

  it('a workflow_run outside GitHub Actions (no GITHUB_REPOSITORY) names no pull request of a payload without ids', () => {
    const file = join(mkdtempSync(join(tmpdir(), 'event-')), 'event.json');
    const base = { repo: { url: 'https://api.github.com/repos/octo-org/preview-app' } };
    writeFileSync(file, JSON.stringify({ workflow_run: { pull_requests: [{ number: 5, base }] } }));
    expect(readGitHubContext({ GITHUB_EVENT_NAME: 'workflow_run', GITHUB_EVENT_PATH: file }).subject).toEqual({
      none: expect.stringMatching(/lists no pull request of this repository/),
    });
  });
});

describe('a workflow_run payload without repository ids', () => {
  // Only the API URL tells the repositories apart: evil-octo-org/preview-app ends like octo-org/preview-app.
  const context = (url: string) => {
    const file = join(mkdtempSync(join(tmpdir(), 'event-')), 'event.json');
    writeFileSync(file, JSON.stringify({ workflow_run: { pull_requests: [{ number: 5, base: { repo: { url } } }] } }));
    return readGitHubContext({
      GITHUB_REPOSITORY: 'octo-org/preview-app',
      GITHUB_EVENT_NAME: 'workflow_run',
      GITHUB_EVENT_PATH: file,
    });
  };

  it('a pull request of …/repos/evil-octo-org/preview-app is not one of octo-org/preview-app', () => {
    for (const url of [
      'https://api.github.com/repos/evil-octo-org/preview-app',
      'https://api.github.com/repos/octo-org/preview-app-fork',
      'https://api.github.com/repos/octo-org/preview-app/../../repos/x/preview-app',
    ]) {
      expect(context(url).subject, url).toEqual({
        none: expect.stringMatching(/lists no pull request of this repository/),
      });
    }
  });

  it('the API URL of this repository is, in any case', () => {
    expect(context('https://api.github.com/repos/Octo-Org/Preview-App').subject).toEqual({ pullRequest: 5 });
  });
});

describe('a workflow_run payload with repository ids', () => {
  // The ids decide when both sides carry one, whatever the URL says; the URL decides only without them.
  const context = (base: { id?: number; url?: string }, repositoryId?: number) => {
    const file = join(mkdtempSync(join(tmpdir(), 'event-')), 'event.json');
    const payload = { workflow_run: { pull_requests: [{ number: 5, base: { repo: base } }] } };
    writeFileSync(
      file,
      JSON.stringify(repositoryId === undefined ? payload : { ...payload, repository: { id: repositoryId } }),
    );
    return readGitHubContext({
      GITHUB_REPOSITORY: 'octo-org/preview-app',
      GITHUB_EVENT_NAME: 'workflow_run',
      GITHUB_EVENT_PATH: file,
    }).subject;
  };
  const ours = 'https://api.github.com/repos/octo-org/preview-app';
  const none = { none: expect.stringMatching(/lists no pull request of this repository/) };

  it('another id is another repository, even with this repository URL', () => {
    expect(context({ id: 2, url: ours }, 1)).toEqual(none);
  });

  it('the same id is this repository, even with another URL', () => {
    expect(context({ id: 1, url: 'https://api.github.com/repos/evil-octo-org/preview-app' }, 1)).toEqual({
      pullRequest: 5,
    });
  });

  it('an id on one side only leaves the URL to decide', () => {
    expect(context({ url: ours }, 1)).toEqual({ pullRequest: 5 });
    expect(context({ id: 2, url: ours })).toEqual({ pullRequest: 5 });
    expect(context({ id: 1, url: 'https://api.github.com/repos/evil-octo-org/preview-app' })).toEqual(none);
  });
});

describe('a fork pull request without secrets', () => {
  const FORK = /Input "api-token" is empty: this run was triggered by a pull request from a fork/;
  const REQUIRED = /Input "api-token" is required: pass a Cloudflare API token/;
  const ours = { full_name: 'octo-org/preview-app' };
  const cases: [string, unknown, RegExp][] = [
    ['head and base of this repository', { head: { repo: { fork: false, ...ours } }, base: { repo: ours } }, REQUIRED],
    [
      'a head of another repository, without `fork`',
      { head: { repo: { full_name: 'someone/preview-app' } }, base: { repo: ours } },
      FORK,
    ],
    ['a head with `fork: false` and no full name', { head: { repo: { fork: false } }, base: { repo: ours } }, REQUIRED],
    [
      'a head of another repository and a base without its repository',
      { head: { repo: { full_name: 'a/b' } }, base: {} },
      FORK,
    ],
    ['a head of another repository and no base', { head: { repo: { full_name: 'a/b' } } }, FORK],
  ];
  it.each(cases)('%s: the api-token error says whether the pull request is from a fork', async (_, pull, why) => {
    const run = await t.run(
      { ...DOMAINS, 'api-token': '' },
      event('pull_request', { number: 7, pull_request: { number: 7, ...(pull as object) } }),
    );
    expect(run.code).toBe(1);
    expect(errorLines(run.stdout)).toEqual([expect.stringMatching(why)]);
    expect(t.emulator.requests).toHaveLength(0);
  });

  it('explains how a workflow_run job gets the name', async () => {
    const fork = event('pull_request', {
      number: 7,
      pull_request: {
        number: 7,
        head: { repo: { fork: true, full_name: 'someone/preview-app' } },
        base: { repo: { full_name: 'octo-org/preview-app' } },
      },
    });
    const run = await t.run({ ...DOMAINS, 'api-token': '' }, fork);
    expect(run.code).toBe(1);
    expect(errorLines(run.stdout)).toEqual([
      expect.stringMatching(
        /Input "api-token" is empty: .*pull request from a fork.*`workflow_run`.*GitHub lists no pull request from a fork in its payload, so there pass the name/,
      ),
    ]);
    expect(t.emulator.requests).toHaveLength(0);
  });
});

describe('an event payload that is not an object', () => {
  it('names no pull request, saying the payload has an unexpected shape', () => {
    const file = join(mkdtempSync(join(tmpdir(), 'event-')), 'event.json');
    writeFileSync(file, '42');
    const context = readGitHubContext({
      GITHUB_REPOSITORY: 'octo-org/preview-app',
      GITHUB_EVENT_NAME: 'pull_request',
      GITHUB_EVENT_PATH: file,
    });
    expect(context.subject).toEqual({ none: expect.stringMatching(/^its event payload has an unexpected shape: /) });
    expect(context.fromFork).toBe(false);
  });
});
