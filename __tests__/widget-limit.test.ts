// At the account's widget limit, a create recycles the widgets of this repository's closed pull
// requests, and never one of an open pull request or of another name. Deleting needs proof that the
// refusal is the limit: a 4xx other than 429, at least 20 widgets listed after it (the Free plan's
// limit), and a text that names nothing the request carried.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { shown, useEmulator } from './helpers/e2e.ts';

const t = useEmulator();
const OLD = '2026-01-01T00:00:00.000000Z';

/** A GitHub API on loopback: the open pull requests of octo-org/preview-app, or an error. */
let github: Server;
/** `body` as JSON, or `raw` as it is. */
let answer: { status: number; body?: unknown; raw?: string; headers?: Record<string, string> };
let githubEnv: Record<string, string>;
/** The paths GitHub was asked for. */
let githubRequests: string[];
beforeEach(async () => {
  answer = { status: 200, body: [{ number: 2 }, { number: 42 }] };
  githubRequests = [];
  github = createServer((request, response) => {
    githubRequests.push(request.url ?? '');
    // Another origin (localhost, not 127.0.0.1) where a redirect may lead: it lists no open pull request.
    if (request.headers.host?.startsWith('localhost:')) return void response.writeHead(200).end('[]');
    const listing = request.url?.startsWith('/repos/octo-org/preview-app/pulls?');
    response
      .writeHead(listing ? answer.status : 404, { 'content-type': 'application/json', ...answer.headers })
      .end(listing ? (answer.raw ?? JSON.stringify(answer.body)) : '{"message":"Not Found"}');
  });
  await new Promise<void>((resolve) => github.listen(0, '127.0.0.1', resolve));
  githubEnv = { GITHUB_API_URL: `http://127.0.0.1:${(github.address() as AddressInfo).port}` };
});
afterEach(() => new Promise<void>((resolve) => github.close(() => resolve())));

/** Widgets that no pattern of this repository matches, to bring the account to `total`. */
const fillers = (count: number) => Array.from({ length: count }, (_, i) => ({ name: `site-${i}`, created_on: OLD }));

/** An account at the Free plan's 20: previews of pull requests 1 (closed), 2 (open), 3 (closed), and 17 others. */
function fillAccount() {
  return t.emulator.seed([
    { name: 'preview-app-pr-3', created_on: '2026-02-01T00:00:00.000000Z' },
    { name: 'preview-app-pr-1', created_on: OLD },
    { name: 'preview-app-pr-2', created_on: OLD },
    { name: 'production', created_on: OLD },
    { name: 'other-app-pr-1', created_on: OLD },
    ...fillers(15),
  ]);
}

/** The names in the account, the fillers left out. */
const names = () =>
  t.emulator
    .widgets()
    .map((w) => w.name)
    .filter((name) => !name.startsWith('site-'))
    .sort();

const deletes = () => t.emulator.requests.filter((r) => r.method === 'DELETE');
const errorLines = (stdout: string) => stdout.split('\n').filter((line) => line.startsWith('::error'));

/** Cloudflare refusing the next create with `status` and one error. */
function refuseCreate(status: number, code: number, message: string) {
  t.emulator.injectFault({
    kind: 'status',
    status,
    method: 'POST',
    times: 10,
    body: { success: false, errors: [{ code, message }], messages: [], result: null },
  });
}

describe('a create at the widget limit', () => {
  it('ensure deletes only the widgets of closed pull requests, oldest first, then creates', async () => {
    fillAccount();
    const run = await t.run({ domains: 'pr-42.example.com', 'github-token': 'ghs_test' }, githubEnv);
    expect(run.code, run.stdout).toBe(0);
    expect(run.outputs.created).toBe('true');
    expect(names()).toEqual(['other-app-pr-1', 'preview-app-pr-2', 'preview-app-pr-42', 'production']);
    expect(deletes()).toHaveLength(2);
    expect(JSON.parse(run.outputs.deleted!)).toHaveLength(2);
    expect(run.stdout).toMatch(
      /::warning title=Widget limit%3A recycled closed previews::The account is at its widget limit \(20 widgets\); deleted 2 widget\(s\) of closed pull requests to make room: "preview-app-pr-1" \(.*\), "preview-app-pr-3"/,
    );
    expect(run.summary).toMatch(/Deleted<\/td><td>preview-app-pr-1 \(.*\), preview-app-pr-3 \(/);
    // The create was refused once and sent once more.
    expect(t.emulator.requests.filter((r) => r.method === 'POST').map((r) => r.status)).toEqual([400, 200]);
  });

  it.each(['ensure', 'create'])('operation %s recycles under name-prefix too', async (operation) => {
    t.emulator.seed([{ name: 'web-7', created_on: OLD }, { name: 'web-8-extra', created_on: OLD }, ...fillers(18)]);
    const run = await t.run(
      {
        operation,
        name: 'web-42',
        domains: 'a.example.com',
        'name-prefix': 'web-',
        'github-token': 'ghs_test',
      },
      githubEnv,
    );
    expect(run.code, run.stdout).toBe(0);
    expect(names()).toEqual(['web-42', 'web-8-extra']);
  });

  it('judges names as prune does: <repo>-pr-<N> under name-prefix goes too, the default branch widget never', async () => {
    // Under name-prefix preview-app-: pull requests 1 and 3 are closed; preview-app-5 is the widget of
    // the default branch, named "5".
    t.emulator.seed([
      { name: 'preview-app-1', created_on: OLD },
      { name: 'preview-app-pr-3', created_on: OLD },
      { name: 'preview-app-5', created_on: OLD },
      ...fillers(17),
    ]);
    const event = join(mkdtempSync(join(tmpdir(), 'event-')), 'event.json');
    writeFileSync(
      event,
      JSON.stringify({ number: 42, pull_request: { number: 42 }, repository: { default_branch: '5' } }),
    );
    const inputs = {
      operation: 'create',
      name: 'preview-app-42',
      domains: 'a.example.com',
      'name-prefix': 'preview-app-',
    };
    const run = await t.run({ ...inputs, 'github-token': 'ghs_test' }, { ...githubEnv, GITHUB_EVENT_PATH: event });
    expect(run.code, run.stdout).toBe(0);
    expect(names()).toEqual(['preview-app-42', 'preview-app-5']);
  });

  it('without github-token: the limit and the prune step first, the stale-looking widgets after; nothing deleted', async () => {
    fillAccount();
    const run = await t.run({ domains: 'pr-42.example.com' }, githubEnv);
    expect(run.code).toBe(1);
    const errors = errorLines(run.stdout);
    expect(errors).toEqual([
      expect.stringMatching(
        /^::error title=Widget limit reached::The account is at its Turnstile widget limit: it holds 20 widgets \(20 on the Free plan\) and Cloudflare refused the create \(HTTP 400: \[10040\] Maximum number of widgets per account reached \(limit: 20\)\)\. Delete unused widgets, or add a nightly cleanup: a step of this action with `operation: prune`, `name-prefix: preview-app-pr-`.*pull-requests: read.*None could be recycled now: `github-token` is empty.*Widgets that look like previews: .*"preview-app-pr-3" \(\d+ days old\)\./,
      ),
    ]);
    for (const name of ['preview-app-pr-1', 'preview-app-pr-2', 'other-app-pr-1']) {
      expect(errors[0]).toMatch(new RegExp(`"${name}" \\(\\d+ days old\\)`));
    }
    expect(errors[0]).not.toMatch(/"production"|"site-/);
    expect(errors[0]).not.toMatch(/<[a-z-]+>/); // no placeholder such as <owner> or <repo>
    expect(deletes()).toHaveLength(0);
    expect(t.emulator.widgets()).toHaveLength(20);
  });

  it('names the action as the runner does (GITHUB_ACTION_REPOSITORY and GITHUB_ACTION_REF) in the prune step', async () => {
    fillAccount();
    const run = await t.run(
      { domains: 'pr-42.example.com' },
      { ...githubEnv, GITHUB_ACTION_REPOSITORY: 'octo-org/turnstile-widget-action', GITHUB_ACTION_REF: 'v1' },
    );
    expect(errorLines(run.stdout)).toEqual([
      expect.stringMatching(
        /add a nightly cleanup: `- uses: octo-org\/turnstile-widget-action@v1` with `operation: prune`/,
      ),
    ]);
  });

  it('when the pull requests cannot be listed: the widget limit leads, the GitHub failure is a detail; nothing deleted', async () => {
    fillAccount();
    answer = { status: 403, body: { message: 'Resource not accessible by integration' } };
    const run = await t.run({ domains: 'pr-42.example.com', 'github-token': 'ghs_test' }, githubEnv);
    expect(run.code).toBe(1);
    expect(errorLines(run.stdout)).toEqual([
      expect.stringMatching(
        /^::error title=Widget limit reached::The account is at its Turnstile widget limit: .*operation: prune.*None could be recycled now: the open pull requests could not be listed \(GitHub API: listing the open pull requests of octo-org\/preview-app failed \(HTTP 403\).*pull-requests: read/,
      ),
    ]);
    expect(deletes()).toHaveLength(0);
  });

  it.each([
    ['an empty body', { status: 200, raw: '' }, /the answer is not JSON/],
    ['an object', { status: 200, body: { message: 'API rate limit exceeded' } }, /expected array, received object/],
    ['numbers as strings', { status: 200, body: [{ number: '2' }, { number: '42' }] }, /at 0\.number/],
    [
      'a redirect to another origin',
      { status: 302, raw: '', headers: { location: 'http://localhost:PORT/repos/octo-org/preview-app/pulls' } },
      /a redirect leads to http:\/\/localhost:\d+, not to GITHUB_API_URL's origin/,
    ],
  ] as [string, typeof answer, RegExp][])(
    'GitHub answering %s: the pull requests could not be listed; nothing deleted',
    async (_, given, why) => {
      fillAccount();
      const port = String((github.address() as AddressInfo).port);
      answer = { ...given, headers: given.headers && { location: given.headers.location!.replace('PORT', port) } };
      const run = await t.run({ domains: 'pr-42.example.com', 'github-token': 'ghs_test' }, githubEnv);
      expect(run.code).toBe(1);
      expect(errorLines(run.stdout)).toEqual([
        expect.stringMatching(
          new RegExp(
            `^::error title=Widget limit reached::.*None could be recycled now: the open pull requests could not be listed \\(GitHub API: listing the open pull requests of octo-org/preview-app failed \\(HTTP \\d+\\): .*${why.source}`,
          ),
        ),
      ]);
      expect(deletes()).toHaveLength(0);
      expect(t.emulator.widgets()).toHaveLength(20);
    },
  );

  it('when every preview belongs to an open pull request: nothing deleted, a clear error', async () => {
    fillAccount();
    answer = { status: 200, body: [1, 2, 3, 42].map((number) => ({ number })) };
    const run = await t.run({ domains: 'pr-42.example.com', 'github-token': 'ghs_test' }, githubEnv);
    expect(run.code).toBe(1);
    expect(run.stdout).toMatch(/None could be recycled now: no widget named .* belongs to a closed pull request/);
    expect(t.emulator.widgets()).toHaveLength(20);
  });

  it('dry run: says what a create at the limit would recycle, oldest first, deletes nothing', async () => {
    const day = (i: number) => `2026-01-${String(i + 1).padStart(2, '0')}T00:00:00.000000Z`;
    t.emulator.seed(Array.from({ length: 20 }, (_, i) => ({ name: `preview-app-pr-${i + 100}`, created_on: day(i) })));
    const run = await t.run({ domains: 'pr-42.example.com', 'github-token': 'ghs_test', 'dry-run': 'true' }, githubEnv);
    expect(run.code, run.stdout).toBe(0);
    expect(JSON.parse(run.outputs.deleted!)).toHaveLength(20);
    const stale = Array.from({ length: 20 }, (_, i) => `"preview-app-pr-${i + 100}"`).join(', ');
    expect(shown(run.stdout)).toContain(
      `Dry run: the account holds 20 widgets; if Cloudflare refuses the create at its widget limit, 20 widget(s) of closed pull requests would be deleted first: ${stale}.`,
    );
    expect(t.emulator.requests.filter((r) => r.method !== 'GET')).toHaveLength(0);
  });

  const dryRunCreate = () =>
    t.run(
      {
        operation: 'create',
        domains: 'pr-42.example.com',
        'dry-run': 'true',
        'github-token': 'ghs_fakeGitHubToken0123456789',
      },
      githubEnv,
    );

  it('a dry-run create at the widget limit whose open pull requests GitHub refuses: "GitHub API error"', async () => {
    answer = { status: 403, body: { message: 'Resource not accessible by integration' } };
    t.emulator.seed(Array.from({ length: 20 }, (_, i) => ({ name: `preview-app-pr-${i + 1}`, created_on: OLD })));
    const run = await dryRunCreate();
    expect(run.code).toBe(1);
    expect(errorLines(run.stdout)).toEqual([
      expect.stringMatching(/^::error title=GitHub API error::GitHub API: .*HTTP 403.*pull-requests: read/),
    ]);
    expect(t.emulator.widgets()).toHaveLength(20);
  });

  it('a dry-run create at the widget limit with nothing stale plans no recycling', async () => {
    t.emulator.seed([{ name: 'preview-app-pr-2', created_on: OLD }, ...fillers(19)]);
    const run = await dryRunCreate();
    expect(run.code, run.stdout).toBe(0);
    expect(shown(run.stdout)).toEqual([`Dry run: would create widget "preview-app-pr-42" for pr-42.example.com.`]);
    expect(run.outputs.deleted).toBeUndefined();
  });

  it('a dry-run create below the widget limit does not ask GitHub about pull requests', async () => {
    answer = { status: 403, body: { message: 'Resource not accessible by integration' } };
    t.emulator.seed([{ name: 'preview-app-pr-1', created_on: OLD }]);
    const run = await dryRunCreate();
    expect(run.code, run.stdout).toBe(0);
    expect(run.outputs.deleted).toBeUndefined();
    expect(githubRequests).toEqual([]);
  });
});

describe('a refusal that is not proven to be the widget limit: reported as it is, nothing deleted', () => {
  it('a refusal that mentions a limit, on an account with fewer than 20 widgets', async () => {
    t.emulator.setWidgetLimit(5);
    t.emulator.seed([
      { name: 'preview-app-pr-1', created_on: OLD },
      { name: 'preview-app-pr-3', created_on: OLD },
      ...fillers(3),
    ]);
    const run = await t.run({ domains: 'pr-42.example.com', 'github-token': 'ghs_test' }, githubEnv);
    expect(run.code).toBe(1);
    expect(errorLines(run.stdout)).toEqual([
      expect.stringMatching(
        /^::error title=Cloudflare API error::Cloudflare API POST \S+ failed \(HTTP 400\): \[10040\] Maximum number of widgets per account reached \(limit: 5\)\./,
      ),
    ]);
    expect(deletes()).toHaveLength(0);
    expect(t.emulator.widgets()).toHaveLength(5);
  });

  it.each([
    ['a 429 whose text mentions "limit"', 429, 10013, 'Rate limit exceeded: request limit reached'],
    ['a text naming the hostnames', 400, 10002, 'Too many hostnames: limit reached'],
    ['a text naming the domains field', 400, 10002, 'invalid value for field domains: exceeds the limit'],
    ['a text naming the mode', 400, 10002, 'mode not allowed on this plan (limit)'],
    ['a text naming the name', 400, 10002, 'Widget name limit: 254 characters'],
    ['a text naming the region', 400, 10002, 'Region china is over its quota'],
    ['a text naming clearance', 400, 10002, 'clearance level not available: plan limit'],
    ['a text naming bot fight mode', 400, 10002, 'Bot Fight mode needs a higher plan limit'],
    ['a text naming bot fight, two words', 400, 10002, 'bot fight protection needs a higher plan'],
    ['a text naming botfight, one word', 400, 10002, 'Botfight: not on this plan'],
    ['a text naming ephemeral id', 400, 10002, 'ephemeral_id is limited to Enterprise'],
    ['a text naming offlabel', 400, 10002, 'Off-label widgets: limit reached'],
    ['a text naming off label, two words', 400, 10002, 'off label widgets: limit reached'],
    ['the code for an invalid token or one without Turnstile permission', 403, 10000, 'Authentication error'],
    ['the code for a method not allowed', 405, 10405, 'Method not allowed'],
    ['a server error that mentions a limit', 503, 10000, 'Maximum number of widgets reached'],
  ])('%s, on an account with 20 widgets', async (_, status, code, message) => {
    fillAccount();
    refuseCreate(status, code, message);
    const run = await t.run(
      { domains: 'pr-42.example.com', 'github-token': 'ghs_test', 'max-retries': '0' },
      githubEnv,
    );
    expect(run.code).toBe(1);
    const errors = errorLines(run.stdout);
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatch(/^::error title=Cloudflare API error::/);
    expect(errors[0]).toContain(`[${code}] ${message}`);
    expect(deletes()).toHaveLength(0);
    expect(t.emulator.widgets()).toHaveLength(20);
  });

  it('a refusal whose account listing then fails: the refusal, nothing deleted', async () => {
    fillAccount();
    refuseCreate(400, 1001, 'Quota exceeded');
    // operation create sends no GET before the create: the first GET is the listing after the refusal.
    t.emulator.injectFault({ kind: 'status', status: 403, method: 'GET', times: 10 });
    const run = await t.run(
      { domains: 'pr-42.example.com', 'github-token': 'ghs_test', name: 'x', operation: 'create' },
      githubEnv,
    );
    expect(run.code).toBe(1);
    expect(errorLines(run.stdout)).toEqual([
      expect.stringMatching(/^::error title=Cloudflare API error::.*\(HTTP 400\): \[1001\] Quota exceeded\./),
    ]);
    expect(deletes()).toHaveLength(0);
  });

  it('the same answer on an account with 20 widgets is the limit', async () => {
    fillAccount();
    refuseCreate(400, 1001, 'Quota exceeded');
    const run = await t.run({ domains: 'pr-42.example.com', name: 'x', operation: 'create' }, githubEnv);
    expect(run.code).toBe(1);
    expect(errorLines(run.stdout)).toEqual([
      expect.stringMatching(/^::error title=Widget limit reached::.*\(HTTP 400: \[1001\] Quota exceeded\)/),
    ]);
  });
});

const DAY_MS = 24 * 60 * 60 * 1000;

/** The account full (20 widgets, the emulator's limit), each `name(i)` created i days ago. */
function fillAccountWith(name: (i: number) => string) {
  const now = Date.now();
  t.emulator.seed(
    Array.from({ length: 20 }, (_, i) => ({
      name: name(i + 1),
      domains: ['a.example.com'],
      created_on: new Date(now - (i + 1) * DAY_MS - 60_000).toISOString(),
    })),
  );
}

const firstErrorLine = (stdout: string) => stdout.split('\n').find((line) => line.startsWith('::error'));

describe('the widget-limit error, when nothing can be recycled', () => {
  it('lists the ten oldest preview-like widgets with their age, and how many more', async () => {
    fillAccountWith((i) => `other-pr-${i + 10}`);
    const run = await t.run({ name: 'new', domains: 'a.example.com', 'github-token': '' });
    expect(run.code).toBe(1);
    const oldest = Array.from({ length: 10 }, (_, i) => `"other-pr-${30 - i}" (${20 - i} days old)`);
    expect(firstErrorLine(run.stdout)).toContain(
      `None could be recycled now: \`github-token\` is empty, so the open pull requests cannot be listed. Widgets that look like previews: ${oldest.join(', ')}, and 10 more.`,
    );
  });

  it('lists exactly ten preview-like widgets without "more"', async () => {
    fillAccountWith((i) => (i <= 10 ? `other-pr-${i}` : `site-${i}`));
    const run = await t.run({ name: 'new', domains: 'a.example.com', 'github-token': '' });
    const oldest = Array.from({ length: 10 }, (_, i) => `"other-pr-${10 - i}" (${10 - i} days old)`);
    const line = firstErrorLine(run.stdout)!;
    expect(line.slice(line.indexOf('Widgets that look like previews:'))).toBe(
      `Widgets that look like previews: ${oldest.join(', ')}.`,
    );
  });

  it('says when no widget looks like a preview (-pr- and a number end the name)', async () => {
    fillAccountWith((i) => (i === 1 ? 'site-pr-1-copy' : `site-${i}`));
    const run = await t.run({ name: 'new', domains: 'a.example.com', 'github-token': '' });
    expect(run.code).toBe(1);
    expect(firstErrorLine(run.stdout)).toMatch(
      / Cloudflare refused the create \(HTTP 400: .+\)\. .*No widget looks like a preview \(a name that ends in -pr- and a number\)\.$/,
    );
  });

  it('without a repository or name-prefix: asks for a name-prefix, and says there is nothing to name previews after', async () => {
    fillAccountWith((i) => `other-pr-${i}`);
    const run = await t.run(
      { name: 'new', domains: 'a.example.com', 'github-token': 'ghs_test' },
      { ...githubEnv, GITHUB_REPOSITORY: '' },
    );
    expect(run.code).toBe(1);
    expect(firstErrorLine(run.stdout)).toContain(
      'with `operation: prune`, a `name-prefix` that your preview widgets share, `older-than: 7d`',
    );
    expect(firstErrorLine(run.stdout)).toContain(
      'None could be recycled now: no repository is known to name its previews after. Widgets that look like previews: "other-pr-20"',
    );
    expect(githubRequests).toEqual([]);
    expect(deletes()).toHaveLength(0);
  });
});

describe('a refused create that cannot be the widget limit', () => {
  it('is reported as it is, without listing the account', async () => {
    t.emulator.injectFault({
      kind: 'status',
      status: 403,
      method: 'POST',
      body: { success: false, errors: [{ code: 10000, message: 'Authentication error' }], messages: [] },
    });
    const run = await t.run({ name: 'new', domains: 'a.example.com' });
    expect(run.code).toBe(1);
    const requests = t.emulator.requests.map((r) => `${r.method} ${r.query.filter ?? ''}`);
    expect(requests).toEqual(['GET name:new', 'POST ']);
  });
});
