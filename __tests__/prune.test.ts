// prune deletes only what it can prove is stale: run() in-process against the emulator, with a GitHub
// API stub on loopback that lists this repository's open pull requests and branches (paginated as
// GitHub does), answers an error, or never answers.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { createServer, type IncomingHttpHeaders, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { shown, useEmulator, writes } from './helpers/e2e.ts';
import { emulatorContext } from './helpers/operations.ts';
import { closedPort } from './helpers/ports.ts';
import { settings } from './helpers/settings.ts';
import { Agent } from 'undici';
import { gitHubApi } from '../src/github/api.ts';
import { readGitHubContext } from '../src/github/context.ts';
import { runPrune } from '../src/operations/prune.ts';

const t = useEmulator();
const DAY = 86_400_000;
const ago = (days: number) => new Date(Date.now() - days * DAY).toISOString();
const OLD = ago(30);

interface Stub {
  pulls: number[];
  branches: string[];
  /** Answered instead of the listing, for the first `times` requests (Infinity: always). */
  failure?: { status: number | 'silent'; times: number; path?: string };
  /** Answers every request instead, when set (a hostile or broken GitHub). */
  answer?: (url: URL, response: ServerResponse) => void;
  seen: string[];
  /** The headers of each request seen. */
  headers: IncomingHttpHeaders[];
}
let github: Server;
let stub: Stub;
let repository = 'octo-org/preview-app';

/** GitHub's list endpoints: `per_page` items a page, a Link header to the next one. */
function listing(url: URL, items: unknown[]): { body: unknown[]; link?: string } {
  const perPage = Number(url.searchParams.get('per_page') ?? 30);
  const page = Number(url.searchParams.get('page') ?? 1);
  const body = items.slice((page - 1) * perPage, page * perPage);
  if (page * perPage >= items.length) return { body };
  const next = new URL(url);
  next.searchParams.set('page', String(page + 1));
  return { body, link: `<${next.href}>; rel="next"` };
}

beforeEach(async () => {
  repository = 'octo-org/preview-app';
  stub = { pulls: [], branches: ['main'], seen: [], headers: [] };
  github = createServer((request, response) => {
    const url = new URL(request.url ?? '/', `http://${request.headers.host}`);
    stub.seen.push(`${url.pathname}${url.search}`);
    stub.headers.push(request.headers);
    if (stub.answer) return stub.answer(url, response);
    if (stub.failure && stub.failure.times > 0 && url.pathname.endsWith(stub.failure.path ?? '')) {
      stub.failure.times--;
      if (stub.failure.status === 'silent') return; // never answers
      response.writeHead(stub.failure.status, { 'content-type': 'application/json' });
      return void response.end(JSON.stringify({ message: 'Resource not accessible by integration' }));
    }
    const items =
      url.pathname === `/repos/${repository}/pulls` && url.searchParams.get('state') === 'open'
        ? stub.pulls.map((number) => ({ number }))
        : url.pathname === `/repos/${repository}/branches`
          ? stub.branches.map((name) => ({ name, protected: false }))
          : undefined;
    if (!items) return void response.writeHead(404).end(JSON.stringify({ message: 'Not Found' }));
    const { body, link } = listing(url, items);
    response.writeHead(200, { 'content-type': 'application/json', ...(link ? { link } : {}) });
    response.end(JSON.stringify(body));
  });
  await new Promise<void>((resolve) => github.listen(0, '127.0.0.1', resolve));
});
afterEach(async () => {
  github.closeAllConnections();
  await new Promise<void>((resolve) => github.close(() => resolve()));
});

/** An answer of `status` with `body` as it is. */
const json =
  (body: string, status = 200, headers: Record<string, string> = {}) =>
  (_: URL, response: ServerResponse) =>
    void response.writeHead(status, { 'content-type': 'application/json', ...headers }).end(body);

const apiUrl = () => `http://127.0.0.1:${(github.address() as AddressInfo).port}`;

/** A nightly run: a schedule event whose payload names the default branch. */
function schedule(extra: Record<string, string> = {}): Record<string, string> {
  const file = join(mkdtempSync(join(tmpdir(), 'event-')), 'event.json');
  const [owner, name] = repository.split('/');
  writeFileSync(
    file,
    JSON.stringify({
      schedule: '17 3 * * *',
      repository: { id: 1, name, full_name: repository, default_branch: 'main', owner: { login: owner } },
    }),
  );
  return {
    GITHUB_EVENT_NAME: 'schedule',
    GITHUB_EVENT_PATH: file,
    GITHUB_REF: 'refs/heads/main',
    GITHUB_REPOSITORY: repository,
    GITHUB_API_URL: apiUrl(),
    ...extra,
  };
}

const notices = (stdout: string) => stdout.split('\n').filter((line) => line.startsWith('::notice'));
const prune = (inputs: Record<string, string>, env: Record<string, string> = {}) =>
  t.run({ operation: 'prune', 'older-than': '7d', 'github-token': 'ghs_test', ...inputs }, schedule(env));
const left = () =>
  t.emulator
    .widgets()
    .map((w) => w.name)
    .filter((name) => !name.startsWith('site-'))
    .sort();
/** Other sites of the account: at the widget limit, Cloudflare's refusal counts only with 20 or more widgets. */
const fillers = (count: number) => Array.from({ length: count }, (_, i) => ({ name: `site-${i}`, created_on: OLD }));

/** The widgets of octo-org/preview-app and its neighbours, all old unless said otherwise. */
function seedAccount() {
  t.emulator.seed([
    { name: 'preview-app-pr-1', created_on: OLD }, // pull request closed
    { name: 'preview-app-pr-2', created_on: OLD }, // pull request open
    { name: 'preview-app-pr-3', created_on: ago(1) }, // closed, but new
    { name: 'preview-app-main', created_on: OLD }, // the default branch's: production
    { name: 'preview-app-feature/live', created_on: OLD }, // its branch exists
    { name: 'preview-app-feature/gone', created_on: OLD }, // its branch was deleted
    { name: 'preview-app-api-pr-5', created_on: OLD }, // another repository's (preview-app-api) preview
    { name: 'preview-app-undated', created_on: 'last Tuesday' },
    { name: 'other-app-pr-1', created_on: OLD }, // not under the prefix
  ]);
  stub.pulls = [2];
  stub.branches = ['main', 'feature/live'];
}

describe('prune asks GitHub before deleting', () => {
  it('deletes closed pull requests and gone branches; keeps open, new, production, undated and others', async () => {
    seedAccount();
    const run = await prune({ 'name-prefix': 'preview-app-' });
    expect(run.code, run.stdout).toBe(0);
    expect(notices(run.stdout)).toEqual([]);
    expect(left()).toEqual([
      'other-app-pr-1',
      'preview-app-api-pr-5',
      'preview-app-feature/live',
      'preview-app-main',
      'preview-app-pr-2',
      'preview-app-pr-3',
      'preview-app-undated',
    ]);
    expect(JSON.parse(run.outputs.deleted!)).toHaveLength(2);
    // The job summary says why each was kept (quotes aside: the summary escapes them).
    for (const [name, reason] of [
      ['preview-app-pr-2', /pull request #2 is still open/],
      ['preview-app-feature/live', /branch .{1,6}feature\/live.{1,6} still exists/],
      ['preview-app-main', /the widget of the default branch .{1,6}main/],
      ['preview-app-api-pr-5', /named like another repository.{1,6}s pull-request preview/],
      ['preview-app-undated', /its created_on .{1,6}last Tuesday.{1,6} cannot be read/],
    ] as const) {
      expect(run.summary).toMatch(new RegExp(`${name} \\([^)]*\\): ${reason.source}`));
    }
    expect(run.stdout).toMatch(
      /::warning title=Unreadable creation date::Kept 1 widget\(s\) whose created_on cannot be read, whatever older-than says: "preview-app-undated" \(/,
    );
    expect(stub.seen).toEqual([
      '/repos/octo-org/preview-app/pulls?state=open&per_page=100',
      '/repos/octo-org/preview-app/branches?per_page=100',
    ]);
  });

  it('with the recommended prefix <repo>-pr- it asks only about pull requests', async () => {
    seedAccount();
    const run = await prune({ 'name-prefix': 'preview-app-pr-' });
    expect(run.code, run.stdout).toBe(0);
    expect(left()).not.toContain('preview-app-pr-1');
    expect(left()).toHaveLength(8);
    expect(stub.seen).toEqual(['/repos/octo-org/preview-app/pulls?state=open&per_page=100']);
  });

  it("asks GitHub's REST API as it documents: its media type, a user agent, the API version, the token", async () => {
    seedAccount();
    const run = await prune({ 'name-prefix': 'preview-app-' });
    expect(run.code, run.stdout).toBe(0);
    expect(stub.headers).toHaveLength(2);
    for (const headers of stub.headers) {
      expect(headers).toMatchObject({
        accept: 'application/vnd.github+json',
        authorization: 'token ghs_test',
        'user-agent': 'turnstile-widget-action',
        'x-github-api-version': '2022-11-28',
      });
    }
  });

  it.each(['/', '//'])('a GITHUB_API_URL ending in %j asks the same paths', async (slashes) => {
    seedAccount();
    const run = await prune({ 'name-prefix': 'preview-app-' }, { GITHUB_API_URL: `${apiUrl()}${slashes}` });
    expect(run.code, run.stdout).toBe(0);
    expect(left()).not.toContain('preview-app-pr-1');
    expect(stub.seen).toEqual([
      '/repos/octo-org/preview-app/pulls?state=open&per_page=100',
      '/repos/octo-org/preview-app/branches?per_page=100',
    ]);
  });

  it.each(['', 'octo-org'])(
    'GITHUB_REPOSITORY %j names no repository to ask about: age decides, with the notice',
    async (repositoryVariable) => {
      t.emulator.seed([{ name: 'tmp-pr-1', created_on: OLD }]);
      const run = await t.run(
        { operation: 'prune', 'name-prefix': 'tmp-pr-', 'older-than': '7d', 'github-token': 'ghs_test' },
        { GITHUB_REPOSITORY: repositoryVariable, GITHUB_API_URL: apiUrl() },
      );
      expect(run.code, run.stdout).toBe(0);
      expect(stub.seen).toEqual([]);
      expect(notices(run.stdout)).toEqual([
        '::notice::No repository to ask GitHub about: age alone decided for 1 preview widget(s) older than older-than; GitHub was not asked whether their pull requests are open or their branches exist.',
      ]);
      expect(t.emulator.widgets()).toEqual([]);
    },
  );

  it('names only like a pull request preview: <repo>-pr-5-old is a branch preview, <repo>-api-pr-55 another repository’s', async () => {
    t.emulator.seed([
      { name: 'preview-app-pr-5-old', created_on: OLD }, // the branch pr-5-old, deleted
      { name: 'preview-app-api-pr-55', created_on: OLD }, // preview-app-api's pull request 55
    ]);
    const run = await prune({ 'name-prefix': 'preview-app-' });
    expect(run.code, run.stdout).toBe(0);
    expect(left()).toEqual(['preview-app-api-pr-55']);
  });

  it('a repository name with dots is matched as it is: me.github.io-pr-3 of a closed pull request is deleted', async () => {
    repository = 'octo/me.github.io';
    t.emulator.seed([
      { name: 'me.github.io-pr-3', created_on: OLD },
      { name: 'me.github.io-pr-4', created_on: OLD },
    ]);
    stub.pulls = [4];
    const run = await prune({ 'name-prefix': 'me.github.io-pr-' });
    expect(run.code, run.stdout).toBe(0);
    expect(left()).toEqual(['me.github.io-pr-4']);
  });

  it("without a known default branch (a dispatch whose payload names no repository), no widget is taken for the default branch's", async () => {
    const file = join(mkdtempSync(join(tmpdir(), 'event-')), 'event.json');
    writeFileSync(file, JSON.stringify({ inputs: {} }));
    t.emulator.seed([
      { name: 'preview-app-feature', created_on: OLD }, // the branch the run was dispatched on
      { name: 'preview-app-undefined', created_on: OLD }, // no branch "undefined"
    ]);
    stub.branches = ['main', 'feature'];
    const run = await prune(
      { 'name-prefix': 'preview-app-' },
      { GITHUB_EVENT_NAME: 'workflow_dispatch', GITHUB_EVENT_PATH: file, GITHUB_REF: 'refs/heads/feature' },
    );
    expect(run.code, run.stdout).toBe(0);
    expect(left()).toEqual(['preview-app-feature']);
    expect(run.summary).toMatch(/preview-app-feature \([^)]*\): branch .{1,6}feature.{1,6} still exists/);
  });

  it('reads every page of branches', async () => {
    stub.branches = ['main', ...Array.from({ length: 250 }, (_, i) => `topic-${i}`)];
    t.emulator.seed([
      { name: 'preview-app-topic-249', created_on: OLD },
      { name: 'preview-app-topic-250', created_on: OLD },
    ]);
    const run = await prune({ 'name-prefix': 'preview-app-' });
    expect(run.code, run.stdout).toBe(0);
    expect(left()).toEqual(['preview-app-topic-249']);
    expect(stub.seen).toHaveLength(3);
  });

  it("under a broad prefix, another repository's previews are kept, this one's are checked", async () => {
    repository = 'octo-org/acme-web';
    t.emulator.seed([
      { name: 'acme-api-pr-5', created_on: OLD }, // acme-api's pull request 5: not ours to check
      { name: 'acme-web-pr-5', created_on: OLD }, // ours, closed
      { name: 'acme-web-pr-6', created_on: OLD }, // ours, open
      { name: 'acme-7', created_on: OLD }, // name-prefix + <N>: ours, closed
      { name: 'acme-8', created_on: OLD }, // ours, open
      { name: 'acme-legacy', created_on: OLD }, // no preview's name: age alone
    ]);
    stub.pulls = [6, 8];
    const run = await prune({ 'name-prefix': 'acme-' });
    expect(run.code, run.stdout).toBe(0);
    expect(left()).toEqual(['acme-8', 'acme-api-pr-5', 'acme-web-pr-6']);
  });

  it('without github-token: age alone, but production and other repositories’ previews are kept', async () => {
    seedAccount();
    const run = await prune({ 'name-prefix': 'preview-app-', 'github-token': '' });
    expect(run.code, run.stdout).toBe(0);
    expect(left()).toEqual([
      'other-app-pr-1',
      'preview-app-api-pr-5',
      'preview-app-main',
      'preview-app-pr-3',
      'preview-app-undated',
    ]);
    expect(stub.seen).toEqual([]);
    expect(notices(run.stdout)).toEqual([
      '::notice::No github-token: age alone decided for 4 preview widget(s) older than older-than; GitHub was not asked whether their pull requests are open or their branches exist.',
    ]);
  });

  it("a schedule whose payload lacks the repository still keeps the default branch's widget (GITHUB_REF)", async () => {
    seedAccount();
    const file = join(mkdtempSync(join(tmpdir(), 'event-')), 'event.json');
    writeFileSync(file, JSON.stringify({ schedule: '17 3 * * *' }));
    const run = await prune({ 'name-prefix': 'preview-app-', 'github-token': '' }, { GITHUB_EVENT_PATH: file });
    expect(run.code, run.stdout).toBe(0);
    expect(left()).toContain('preview-app-main');
    expect(left()).not.toContain('preview-app-feature/live');
  });

  it('when GitHub refuses: keeps every preview that might be live, with one warning', async () => {
    seedAccount();
    stub.failure = { status: 403, times: Infinity };
    const run = await prune({ 'name-prefix': 'preview-app-' });
    expect(run.code, run.stdout).toBe(0);
    expect(left()).toHaveLength(9);
    const warnings = run.stdout.split('\n').filter((line) => line.startsWith('::warning title=GitHub API error'));
    // One warning: after the first failure GitHub is not asked again.
    expect(warnings).toEqual([
      expect.stringMatching(
        /listing the open pull requests of octo-org\/preview-app failed \(HTTP 403\).*contents: read.*Keeping 4 widget\(s\) of this repository's pull requests or branches/,
      ),
    ]);
    expect(stub.seen).toHaveLength(1);
  });

  it('when only the branches cannot be listed: pull requests are still checked, branch widgets kept', async () => {
    seedAccount();
    stub.failure = { status: 403, times: Infinity, path: '/branches' };
    const run = await prune({ 'name-prefix': 'preview-app-' });
    expect(run.code, run.stdout).toBe(0);
    expect(left()).not.toContain('preview-app-pr-1');
    expect(left()).toEqual(expect.arrayContaining(['preview-app-feature/gone', 'preview-app-feature/live']));
    expect(run.stdout.split('\n').filter((line) => line.startsWith('::warning title=GitHub API error'))).toEqual([
      expect.stringMatching(/listing the branches of octo-org\/preview-app failed \(HTTP 403\).*Keeping 2 widget\(s\)/),
    ]);
  });

  it('GitHub API refusing during prune: a warning naming pull-requests: read; no …-pr-<N> widget deleted', async () => {
    stub.failure = { status: 403, times: Infinity };
    const seeded = t.emulator.seed([
      { name: 'app-pr-1', created_on: OLD },
      { name: 'app-pr-2', created_on: OLD },
      { name: 'app-pr-legacy', created_on: OLD },
      { name: 'other-app-pr-3', created_on: OLD },
    ]);
    const run = await t.run(
      { operation: 'prune', 'name-prefix': 'app-pr-', 'github-token': 'ghs_fakeGitHubToken0123456789' },
      { GITHUB_API_URL: apiUrl() },
    );
    expect(run.code, run.stdout).toBe(0);
    expect(stub.seen.length).toBeGreaterThan(0);
    const warnings = run.stdout.split('\n').filter((line) => line.startsWith('::warning title=GitHub API error::'));
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatch(/HTTP 403.*Resource not accessible by integration.*pull-requests: read/);
    expect(
      t.emulator
        .widgets()
        .map((w) => w.name)
        .sort(),
    ).toEqual(['app-pr-1', 'app-pr-2', 'other-app-pr-3']);
    const legacy = seeded.find((w) => w.name === 'app-pr-legacy')!;
    expect(JSON.parse(run.outputs.deleted!)).toEqual([legacy.sitekey]);
    expect(writes(t.emulator)).toEqual([
      `DELETE /accounts/${t.emulator.accountId}/challenges/widgets/${legacy.sitekey}`,
    ]);
    expect(run.stdout.split('\n').filter((line) => line.startsWith('::error'))).toEqual([]);
  });
});

describe('the GitHub API honours request-timeout and max-retries', () => {
  it('a silent GitHub API: max-retries + 1 attempts of request-timeout each, then the fail-safe path', async () => {
    seedAccount();
    stub.failure = { status: 'silent', times: Infinity };
    const run = await prune({ 'name-prefix': 'preview-app-pr-', 'request-timeout': '5', 'max-retries': '2' });
    expect(run.code, run.stdout).toBe(0);
    expect(stub.seen).toHaveLength(3);
    // The backoff of both APIs: exponential with equal jitter (random() is 0.5 here), each retry a log line.
    expect(run.clock.slept).toEqual([375, 750]);
    expect(run.stdout).toMatch(
      /^GET \/repos\/octo-org\/preview-app\/pulls: no response within 5 s; retrying in 0\.4 s \(retry 1 of 2\)\.$/m,
    );
    const warnings = run.stdout.split('\n').filter((line) => line.startsWith('::warning'));
    expect(warnings).toEqual([
      expect.stringMatching(
        /GitHub API: listing the open pull requests of octo-org\/preview-app failed: no response within 5 s \(gave up after 3 attempts in [\d.]+ s\)\. Hint: no answer from the GitHub API/,
      ),
    ]);
    expect(left()).toContain('preview-app-pr-1');
  });

  it('a silent GitHub API ends a create at the widget limit with one clear error', async () => {
    t.emulator.setWidgetLimit(20);
    t.emulator.seed([{ name: 'preview-app-pr-1', created_on: OLD }, ...fillers(19)]);
    stub.failure = { status: 'silent', times: Infinity };
    const run = await t.run(
      { domains: 'pr-42.example.com', 'github-token': 'ghs_test', 'request-timeout': '5', 'max-retries': '1' },
      { GITHUB_API_URL: apiUrl() },
    );
    expect(run.code).toBe(1);
    expect(stub.seen).toHaveLength(2);
    expect(run.stdout.split('\n').filter((line) => line.startsWith('::error'))).toEqual([
      expect.stringMatching(
        // The widget limit leads; the silent GitHub API is the detail of why nothing was recycled.
        /^::error title=Widget limit reached::The account is at its Turnstile widget limit.*GitHub API: listing the open pull requests of octo-org\/preview-app failed: no response within 5 s \(gave up after 2 attempts in [\d.]+ s\)/,
      ),
    ]);
    expect(left()).toEqual(['preview-app-pr-1']);
  });

  it('a refused connection is tried again too, then named in the warning', async () => {
    seedAccount();
    const port = await closedPort();
    const run = await prune(
      { 'name-prefix': 'preview-app-pr-', 'max-retries': '1' },
      { GITHUB_API_URL: `http://127.0.0.1:${port}` },
    );
    expect(run.code, run.stdout).toBe(0);
    expect(run.clock.slept).toEqual([375]);
    expect(run.stdout).toMatch(
      /::warning title=GitHub API error::.*failed: network error ECONNREFUSED: connect ECONNREFUSED 127\.0\.0\.1:\d+ \(gave up after 2 attempts in [\d.]+ s\)\. Hint: no answer from the GitHub API/,
    );
    expect(left()).toContain('preview-app-pr-1');
  });

  it('a 5xx answer is tried again, and the next answer is used', async () => {
    seedAccount();
    stub.failure = { status: 502, times: 1 };
    const run = await prune({ 'name-prefix': 'preview-app-pr-' });
    expect(run.code, run.stdout).toBe(0);
    expect(stub.seen).toHaveLength(2);
    expect(run.stdout).not.toMatch(/::warning/);
    expect(left()).not.toContain('preview-app-pr-1');
    expect(left()).toContain('preview-app-pr-2');
  });

  it('a 429 is tried again once its Retry-After has passed, as for Cloudflare', async () => {
    seedAccount();
    stub.answer = (url, response) => {
      stub.answer = undefined;
      json('{"message":"You have exceeded a secondary rate limit."}', 429, { 'retry-after': '3' })(url, response);
    };
    const run = await prune({ 'name-prefix': 'preview-app-pr-' });
    expect(run.code, run.stdout).toBe(0);
    expect(run.clock.slept).toEqual([3000]);
    expect(stub.seen).toHaveLength(2);
    expect(run.stdout).not.toMatch(/::warning/);
    expect(left()).not.toContain('preview-app-pr-1');
    expect(left()).toContain('preview-app-pr-2');
  });

  it('after max-retries 5xx answers, the status and a hint, and nothing deleted', async () => {
    seedAccount();
    stub.failure = { status: 503, times: Infinity };
    const run = await prune({ 'name-prefix': 'preview-app-pr-', 'max-retries': '0' });
    expect(run.code, run.stdout).toBe(0);
    expect(stub.seen).toHaveLength(1);
    expect(run.stdout).toMatch(
      /failed \(HTTP 503\): Resource not accessible by integration \(gave up after 1 attempt in [\d.]+ s\)\. Hint: GitHub had a server-side problem/,
    );
    expect(left()).toContain('preview-app-pr-1');
  });
});

describe('the preview-name pattern is anchored', () => {
  // Repository `app`: `preview-app-pr-3` ends like `app-pr-3` but is preview-app's widget.
  beforeEach(() => {
    repository = 'octo-org/app';
  });

  it("prune keeps another repository's preview-app-pr-N", async () => {
    t.emulator.seed([
      { name: 'preview-app-pr-3', created_on: OLD },
      { name: 'preview-7', created_on: OLD },
    ]);
    const run = await prune({ 'name-prefix': 'preview-' });
    expect(run.code, run.stdout).toBe(0);
    expect(left()).toEqual(['preview-app-pr-3']);
  });

  it("recycling at the widget limit never deletes another repository's preview-app-pr-N", async () => {
    t.emulator.setWidgetLimit(20);
    t.emulator.seed([
      { name: 'preview-app-pr-3', created_on: OLD },
      { name: 'app-pr-4', created_on: OLD },
      ...fillers(18),
    ]);
    // A pull request of octo-org/app: its widget is app-pr-42, at a limit of 20 widgets.
    const run = await t.run(
      { domains: 'pr-42.example.com', 'github-token': 'ghs_test' },
      { GITHUB_REPOSITORY: repository, GITHUB_API_URL: apiUrl() },
    );
    expect(run.code, run.stdout).toBe(0);
    expect(left()).toEqual(['app-pr-42', 'preview-app-pr-3']);
  });

  it('recycling at the widget limit judges only names under name-prefix: app-pr-7 is not x-<N>', async () => {
    t.emulator.setWidgetLimit(20);
    t.emulator.seed([
      { name: 'app-pr-7', created_on: OLD }, // octo-org/app's pull request 7, closed, outside the prefix
      { name: 'x-8', created_on: OLD }, // closed, under the prefix
      ...fillers(18),
    ]);
    const run = await t.run(
      { domains: 'pr-42.example.com', 'name-prefix': 'x-', 'github-token': 'ghs_test' },
      { GITHUB_REPOSITORY: repository, GITHUB_API_URL: apiUrl() },
    );
    expect(run.code, run.stdout).toBe(0);
    expect(left()).toEqual(['app-pr-42', 'app-pr-7']);
  });
});

describe("GitHub's answers are checked before prune or recycling acts on them", () => {
  // octo-org/shop: shop-pr-42's pull request is open, shop-pr-7's closed; both 30 days old.
  beforeEach(() => {
    repository = 'octo-org/shop';
    t.emulator.seed([
      { name: 'shop-pr-42', created_on: OLD },
      { name: 'shop-pr-7', created_on: OLD },
    ]);
  });
  const prunePreviews = () => prune({ 'name-prefix': 'shop-pr-' });

  /** Another origin: what reaches it, and with which authorization. */
  let elsewhere: { url: string; seen: { path: string; authorization?: string }[] };
  beforeEach(async () => {
    const seen: { path: string; authorization?: string }[] = [];
    const server = createServer((request, response) => {
      seen.push({ path: request.url ?? '', authorization: request.headers.authorization });
      response.writeHead(200, { 'content-type': 'application/json' }).end('[]');
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    elsewhere = { url: `http://localhost:${(server.address() as AddressInfo).port}`, seen };
    return () => new Promise<void>((resolve) => server.close(() => resolve()));
  });

  /** prune kept both previews, with the one GitHub warning naming `why`. */
  function expectKeptBoth(run: Awaited<ReturnType<typeof prune>>, why: RegExp) {
    expect(run.code, run.stdout).toBe(0);
    expect(left()).toEqual(['shop-pr-42', 'shop-pr-7']);
    expect(run.stdout).toMatch(/Pruned 0 of 2 widget\(s\) named "shop-pr-\*"/);
    const warnings = run.stdout.split('\n').filter((line) => line.startsWith('::warning'));
    expect(warnings).toEqual([
      expect.stringMatching(
        new RegExp(
          `^::warning title=GitHub API error::GitHub API: listing the open pull requests of octo-org/shop failed.*${why.source}.*Keeping 2 widget\\(s\\) of this repository's pull requests or branches`,
        ),
      ),
    ]);
  }
  it.each([
    ['an empty body', '', /\(HTTP 200\): the answer is not JSON \(0 bytes\)/],
    [
      'an object',
      '{"message":"API rate limit exceeded for installation ID 1."}',
      /\(HTTP 200\): the answer is not a listing \(Invalid input: expected array, received object\)\. Hint: the answer is not what GitHub's API sends: check GITHUB_API_URL \(GitHub Enterprise Server\) and any proxy on the way\./,
    ],
    [
      'a number as a string',
      '[{"number":"42"}]',
      /is not a listing \(Invalid input: expected number, received string at 0\.number\)/,
    ],
    [
      'a number that is no pull request’s',
      '[{"number":42},{"number":-7}]',
      /is not a listing \(Too small: .* at 1\.number\)/,
    ],
  ])('HTTP 200 with %s: GitHub could not be asked, nothing deleted', async (_, body, why) => {
    stub.answer = json(body);
    expectKeptBoth(await prunePreviews(), why);
  });

  it('a redirect to another origin is not followed: nothing deleted, the token sent nowhere else', async () => {
    stub.answer = json('', 302, { location: `${elsewhere.url}/repos/octo-org/shop/pulls` });
    const run = await prunePreviews();
    expectKeptBoth(
      run,
      /\(HTTP 302\): a redirect leads to http:\/\/localhost:\d+, not to GITHUB_API_URL's origin http:\/\/127\.0\.0\.1:\d+/,
    );
    expect(elsewhere.seen).toEqual([]);
  });

  it.each([301, 300])('a redirect (HTTP %i) on the same origin is followed (a renamed repository)', async (status) => {
    stub.answer = (url, response) =>
      url.pathname === '/repositories/1/pulls'
        ? json('[{"number":42}]')(url, response)
        : json('', status, { location: `/repositories/1/pulls${url.search}` })(url, response);
    const run = await prunePreviews();
    expect(run.code, run.stdout).toBe(0);
    expect(left()).toEqual(['shop-pr-42']);
    expect(stub.seen).toEqual([
      '/repos/octo-org/shop/pulls?state=open&per_page=100',
      '/repositories/1/pulls?state=open&per_page=100',
    ]);
  });

  it('a redirect without a Location header: nothing deleted, with the warning', async () => {
    stub.answer = json('', 302);
    expectKeptBoth(
      await prunePreviews(),
      /\(HTTP 302\): a redirect without a Location header\. Hint: the answer is not what GitHub's API sends/,
    );
  });

  it('Link rel="next" without a space after the semicolon is followed to the next page', async () => {
    stub.answer = (url, response) =>
      url.searchParams.get('page') === '2'
        ? json('[{"number":42}]')(url, response)
        : json('[{"number":1}]', 200, { link: `<${url.origin}${url.pathname}?page=2>;rel="next"` })(url, response);
    const run = await prunePreviews();
    expect(run.code, run.stdout).toBe(0);
    expect(left()).toEqual(['shop-pr-42']);
    expect(stub.seen).toEqual([
      '/repos/octo-org/shop/pulls?state=open&per_page=100',
      '/repos/octo-org/shop/pulls?page=2',
    ]);
  });

  const LONG = 'x'.repeat(600);
  it.each([
    ['an empty object', 403, '{}', /\(HTTP 403\): an error without a message\. Hint: the token cannot read/],
    ['an empty message', 403, '{"message":""}', /\(HTTP 403\): an error without a message\. Hint/],
    ['a message that is no text', 403, '{"message":42}', /\(HTTP 403\): an error without a message\. Hint/],
    [
      'a message of 600 characters',
      403,
      JSON.stringify({ message: LONG }),
      new RegExp(`\\(HTTP 403\\): ${LONG.slice(0, 500)}\\. Hint`),
    ],
    [
      'an HTML page from a proxy',
      502,
      '<html><body>502 Bad Gateway</body></html>',
      /\(HTTP 502\): an error without a message \(gave up after 5 attempts in [\d.]+ s\)\. Hint: GitHub had a server-side problem/,
    ],
    [
      "GitHub's 404",
      404,
      '{"message":"Not Found"}',
      /\(HTTP 404\): Not Found\. Hint: .*`permissions: pull-requests: read` and `contents: read`/,
    ],
    [
      'a 500',
      500,
      '{"message":"Server Error"}',
      /\(HTTP 500\): Server Error \(gave up after 5 attempts in [\d.]+ s\)\. Hint: GitHub had a server-side problem/,
    ],
    [
      'a 400',
      400,
      '{"message":"Bad"}',
      /\(HTTP 400\): Bad\. Hint: check `github-token` and the job's `permissions:`\./,
    ],
  ])('an error answer with %s: GitHub could not be asked, its message and a hint', async (_, status, body, why) => {
    stub.answer = json(body, status);
    expectKeptBoth(await prunePreviews(), why);
  });

  it('Link rel="next" to another origin is not followed: nothing deleted, the token sent nowhere else', async () => {
    stub.answer = json('[{"number":42}]', 200, {
      link: `<${elsewhere.url}/repos/octo-org/shop/pulls?page=2>; rel="next"`,
    });
    const run = await prunePreviews();
    expectKeptBoth(run, /the next page leads to http:\/\/localhost:\d+, not to GITHUB_API_URL's origin/);
    expect(elsewhere.seen).toEqual([]);
  });

  it('a listing of more than 100 pages: the repository is kept whole, with the warning', async () => {
    // 150 pages, each naming the open pull request 42 again: every preview but 42's would look closed.
    stub.answer = (url, response) => {
      const page = Number(url.searchParams.get('page') ?? 1);
      const next = new URL(url);
      next.searchParams.set('page', String(page + 1));
      json('[{"number":42}]', 200, page < 150 ? { link: `<${next.href}>; rel="next"` } : {})(url, response);
    };
    const run = await prunePreviews();
    expectKeptBoth(
      run,
      /the listing goes on beyond 100 pages \(10,000 items\), the most the action reads in one listing\. Hint: a repository with that many is not judged/,
    );
    expect(stub.seen).toHaveLength(100);
  });

  it('an answer larger than 10 MiB: refused at the limit, the rest unread, nothing deleted', async () => {
    let sent = 0;
    stub.answer = (_, response) => {
      response.writeHead(200, { 'content-type': 'application/json' });
      sent += Buffer.byteLength('[{"number":42}]');
      response.write('[{"number":42}]');
      // Then JSON whitespace, 64 MiB of it: a valid listing of one open pull request once read whole.
      const chunk = Buffer.alloc(1024 * 1024, 0x20);
      const write = () => {
        while (!response.destroyed && sent < 64 * 1024 * 1024) {
          sent += chunk.length;
          if (!response.write(chunk)) return void response.once('drain', write);
        }
        if (!response.destroyed) response.end();
      };
      response.on('close', () => response.destroy());
      write();
    };
    const run = await prunePreviews();
    expectKeptBoth(run, /\(HTTP 200\): the answer is larger than 10 MiB, the most the action reads from one/);
    expect(sent).toBeLessThan(24 * 1024 * 1024);
  });

  it('the GitHub part of a run has one deadline, request-timeout × (max-retries + 1), backoffs included', async () => {
    // Fast answers, each a 503: 8 attempts would fit max-retries 7, but their backoffs pass the 32 s deadline.
    stub.answer = json('{"message":"Unavailable"}', 503);
    const run = await prune({ 'name-prefix': 'shop-pr-', 'request-timeout': '4', 'max-retries': '7' });
    expectKeptBoth(
      run,
      /: its answers took longer than 32 s, the time a run gives the GitHub API \(request-timeout × \(max-retries \+ 1\)\)\. Hint: no answer from the GitHub API/,
    );
    // 22.9 s of backoff; the next one (11.3 s) would end past the deadline.
    expect(run.clock.slept, run.stdout).toEqual([375, 750, 1500, 3000, 6000, 11_250]);
    expect(stub.seen).toHaveLength(7);
  });
});

describe('the deadline of the GitHub part of a run', () => {
  it('ends a listing whose pages keep coming, mid-request, at request-timeout × (max-retries + 1)', async () => {
    // Pages that each answer in time; the deadline's signal is fired when page 3 is asked for (and never answered).
    const deadline = new AbortController();
    const asked: number[] = [];
    stub.answer = (url, response) => {
      const page = Number(url.searchParams.get('page') ?? 1);
      if (page === 3) return deadline.abort(new DOMException('deadline', 'TimeoutError'));
      const next = new URL(url);
      next.searchParams.set('page', String(page + 1));
      json('[{"number":1}]', 200, { link: `<${next.href}>; rel="next"` })(url, response);
    };
    const dispatcher = new Agent();
    const clock = {
      now: () => 0,
      sleep: async () => {},
      timeout: (ms: number) => (asked.push(ms), ms === 150_000 ? deadline.signal : new AbortController().signal),
    };
    const api = gitHubApi({
      token: 'ghs_test',
      github: readGitHubContext({ GITHUB_REPOSITORY: repository, GITHUB_API_URL: apiUrl() }),
      dispatcher,
      requestTimeoutMs: 30_000,
      maxRetries: 4,
      clock,
      logger: { debug: () => undefined, info: () => undefined },
    })!;
    await expect(api.openPullRequests()).rejects.toThrow(
      /failed: its answers took longer than 150 s, the time a run gives the GitHub API/,
    );
    expect(stub.seen).toHaveLength(3);
    // One deadline for the run; one timeout per request.
    expect(asked).toEqual([150_000, 30_000, 30_000, 30_000]);
    // Asked again in the same run (branches after pull requests): the deadline has passed, no request.
    await expect(api.branches()).rejects.toThrow(/took longer than 150 s/);
    expect(stub.seen).toHaveLength(3);
    await dispatcher.close();
  });
});

const A = '0x4AAAAAAAaaaaaaaaaaaaaa';
const B = '0x4AAAAAAAbbbbbbbbbbbbbb';

describe('what prune tells the user', () => {
  it('a widget deleted by someone else meanwhile is not reported as pruned by this run', async () => {
    t.emulator.seed([
      { name: 'tmp-1', domains: ['a.example.com'], sitekey: A, created_on: OLD },
      { name: 'tmp-2', domains: ['a.example.com'], sitekey: B, created_on: OLD },
    ]);
    t.emulator.injectFault({ kind: 'status', status: 404, method: 'DELETE', path: new RegExp(B) });
    const run = await t.run({ operation: 'prune', 'name-prefix': 'tmp-', 'older-than': '1d', 'github-token': '' });
    expect(run.code).toBe(0);
    expect(shown(run.stdout)).toContain(`Pruned 1 of 2 widget(s) named "tmp-*": "tmp-1" (${A}); kept 0.`);
    expect(run.outputs.deleted).toBe(JSON.stringify([A]));
    expect(run.summary).toContain('<tr><td>Result</td><td>pruned</td></tr>');
  });

  it('a deleted widget whose sitekey is no sitekey (a line break, a command) is left out of the deleted output', async () => {
    t.emulator.seed([
      { name: 'tmp-1', domains: ['a.example.com'], sitekey: A, created_on: OLD },
      { name: 'tmp-2', domains: ['a.example.com'], sitekey: '0x4BBB\r::error::x', created_on: OLD },
    ]);
    const run = await t.run({ operation: 'prune', 'name-prefix': 'tmp-', 'older-than': '1d', 'github-token': '' });
    expect(run.code, run.stdout).toBe(0);
    expect(t.emulator.widgets()).toEqual([]);
    expect(run.outputs.deleted).toBe(JSON.stringify([A]));
  });

  it('with nothing old enough, says so and deletes nothing', async () => {
    t.emulator.seed([{ name: 'tmp-1', domains: ['a.example.com'], sitekey: A }]);
    const run = await t.run({ operation: 'prune', 'name-prefix': 'tmp-', 'older-than': '1d', 'github-token': '' });
    expect(run.code).toBe(0);
    expect(shown(run.stdout)).toContain('Pruned 0 of 1 widget(s) named "tmp-*"; kept 1.');
    expect(run.summary).toContain('<tr><td>Result</td><td>nothing to prune</td></tr>');
    expect(t.emulator.widgets()).toHaveLength(1);
  });

  it('names every widget whose creation date cannot be read, and keeps them', async () => {
    t.emulator.seed([
      { name: 'tmp-1', domains: ['a.example.com'], sitekey: A, created_on: 'yesterday' },
      { name: 'tmp-2', domains: ['a.example.com'], sitekey: B, created_on: '' },
    ]);
    const run = await t.run({ operation: 'prune', 'name-prefix': 'tmp-', 'older-than': '1d', 'github-token': '' });
    expect(run.code).toBe(0);
    expect(shown(run.stdout)).toContain(
      `::warning title=Unreadable creation date::Kept 2 widget(s) whose created_on cannot be read, whatever older-than says: "tmp-1" (${A}), "tmp-2" (${B}).`,
    );
    expect(t.emulator.widgets()).toHaveLength(2);
  });

  it.each([
    ['pull requests', { openPullRequests: async () => new Set([9]) }],
    ['branches', { branches: async () => new Set(['main']) }],
  ])('only GitHub asked about %s: the notice counts the previews age alone decided', async (_asked, lists) => {
    t.emulator.seed([
      { name: 'app-pr-1', sitekey: A, created_on: OLD },
      { name: 'app-feature', sitekey: B, created_on: OLD },
    ]);
    const { context, logger } = emulatorContext(t.emulator, lists);
    await runPrune(settings({ operation: 'prune', namePrefix: 'app-', dryRun: true }), context);
    expect(logger.lines.filter((line) => line.level === 'notice')).toEqual([
      {
        level: 'notice',
        message: `No github-token: age alone decided for 1 preview widget(s) older than older-than; GitHub was not asked whether their pull requests are open or their branches exist.`,
      },
    ]);
  });

  it('the prune log names the widgets it deleted, by name and sitekey', async () => {
    const seeded = t.emulator.seed([
      { name: 'app-pr-1', created_on: OLD },
      { name: 'app-pr-2', created_on: OLD },
    ]);
    const dry = await t.run({ operation: 'prune', 'name-prefix': 'app-pr-', 'dry-run': 'true' });
    const run = await t.run({ operation: 'prune', 'name-prefix': 'app-pr-' });
    expect(dry.stdout).toMatch(/^Dry run: would delete 2 of 2 widget\(s\) named "app-pr-\*": .*; keeping 0\.$/m);
    const line = run.stdout.split('\n').find((text) => text.startsWith('Pruned 2 of 2 widget(s) named "app-pr-*": '));
    for (const widget of seeded) {
      expect(line).toContain(`"${widget.name}" (${widget.sitekey})`);
      expect(dry.stdout).toContain(`"${widget.name}" (${widget.sitekey})`);
    }
  });
});
