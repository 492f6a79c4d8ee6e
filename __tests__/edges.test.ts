// Edge cases: non-idempotent writes and their recovery, tolerant reading of responses, messages and
// hints, the job summary, and workflow-command injection through names and error texts. The
// action runs in-process against the emulator (or operations are driven directly), on a virtual clock.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { CloudflareApiError, type HintContext } from '../src/cloudflare/errors.ts';
import type { ApiMessage } from '../src/cloudflare/schemas.ts';
import { runCreate } from '../src/operations/create.ts';
import { runEnsure } from '../src/operations/ensure.ts';
import { useEmulator, writes, type ActionRun } from './helpers/e2e.ts';
import { foreignCommands } from './helpers/runner-commands.ts';
import { calls, emulatorContext } from './helpers/operations.ts';
import { recordingRunner, runnerEnv, virtualClock } from './helpers/runner.ts';
import type { WidgetRecord } from '../emulator/server.ts';
import { inputVariables } from '../scripts/lib/action-inputs.ts';
import { run as runAction } from '../src/main.ts';
import { settings } from './helpers/settings.ts';

/** The hint a CloudflareApiError gives for this answer and these facts about the request. */
const hintFor = (status: number | undefined, errors: ApiMessage[], hints: HintContext) =>
  new CloudflareApiError({ operation: 'x', status, detail: '', errors, hints }).hint;

const t = useEmulator();
const DAY = 86_400_000;
const daysAgo = (days: number) => new Date(Date.now() - days * DAY).toISOString();
const lines = (run: ActionRun) => run.stdout.split('\n');
const errorLines = (run: ActionRun) => lines(run).filter((line) => line.startsWith('::error'));

/** A loopback HTTP server standing in for GitHub's API; every request gets `status` and `body`. */
async function fakeGitHub(status: number, body: unknown): Promise<{ server: Server; url: string; seen: string[] }> {
  const seen: string[] = [];
  const server = createServer((request, response) => {
    seen.push(request.url ?? '');
    response.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, seen };
}

describe('non-idempotent writes', () => {
  // invalidate-immediately false: a re-sent POST would also be refused (the grace period).
  it('rotate-secret whose response is lost after the rotation: adopts the new secret, rotates once', async () => {
    const [seeded] = t.emulator.seed([{ name: 'preview-app-pr-42', domains: ['pr-42.example.com'] }]);
    t.emulator.injectFault({ kind: 'lost-response', method: 'POST', path: /\/rotate_secret$/ });
    const run = await t.run({ operation: 'rotate-secret', 'invalidate-immediately': 'false' });
    expect(run.code, run.stdout).toBe(0);
    const [now] = t.emulator.widgets();
    expect(now!.secret).not.toBe(seeded!.secret);
    expect(run.outputs.secret).toBe(now!.secret);
    expect(run.outputs).toMatchObject({ sitekey: seeded!.sitekey, updated: 'true' });
    // One rotation: a re-sent POST would be recorded (and, in the grace period, refused with 400).
    expect(writes(t.emulator)).toEqual([
      `POST /accounts/${t.emulator.accountId}/challenges/widgets/${seeded!.sitekey}/rotate_secret`,
    ]);
    expect(t.emulator.requests.filter((r) => r.status >= 400)).toEqual([]);
    // A plain log line: nothing for the user to act on, so no annotation.
    expect(lines(run)).toContainEqual(expect.stringMatching(/^The rotate_secret response was lost.*has a new secret/));
    expect(lines(run).filter((line) => line.startsWith('::warning'))).toEqual([]);
    expect(errorLines(run)).toEqual([]);
  });

  it('rotate-secret refused on the network before it acted: the widget still has its secret, so it rotates again, once', async () => {
    const [seeded] = t.emulator.seed([{ name: 'preview-app-pr-42' }]);
    t.emulator.injectFault({ kind: 'reset', method: 'POST', path: /\/rotate_secret$/ });
    const run = await t.run({ operation: 'rotate-secret' });
    expect(run.code, run.stdout).toBe(0);
    const [now] = t.emulator.widgets();
    expect(now!.secret).not.toBe(seeded!.secret);
    expect(run.outputs.secret).toBe(now!.secret);
    const rotate = `POST /accounts/${t.emulator.accountId}/challenges/widgets/${seeded!.sitekey}/rotate_secret`;
    expect(writes(t.emulator)).toEqual([rotate, rotate]);
    expect(t.emulator.requests.filter((r) => r.method === 'POST').map((r) => r.status)).toEqual([0, 200]);
    expect(lines(run)).toContainEqual(expect.stringMatching(/rotate_secret: no usable answer; checking in \d+\.\d s/));
  });

  it('operation create: a POST lost on the network is recovered through the list, without a second POST', async () => {
    t.emulator.injectFault({ kind: 'lost-response', method: 'POST' });
    const { context, logger } = emulatorContext(t.emulator);
    const result = await runCreate(settings({ operation: 'create' }), context);
    const [made] = t.emulator.widgets();
    expect(result).toMatchObject({ outcome: 'created', created: true });
    expect(result.widget?.sitekey).toBe(made!.sitekey);
    expect(result.widget?.secret).toBe(made!.secret);
    expect(calls(t.emulator)).toEqual(['POST /', 'GET /', `GET /${made!.sitekey}`]);
    expect(t.emulator.widgets()).toHaveLength(1);
    expect(logger.lines).toContainEqual({
      level: 'info',
      message: expect.stringMatching(/response was lost, but widget "app-pr-1" exists/),
    });
  });

  const unreadable: [string, string | object][] = [
    ['a body that is not JSON', '<html>OK</html>'],
    ['JSON that is not an envelope', { created: true }],
    [
      'an envelope whose result has an unexpected shape',
      { success: true, errors: [], messages: [], result: { id: 7, label: 'app-pr-1' } },
    ],
    ['an envelope without a result', { success: true, errors: [], messages: [] }],
  ];
  /** The create happens; its 200 answer is unreadable. */
  const unreadableCreate = (body: string | object) =>
    t.emulator.injectFault({ kind: 'replaced-response', method: 'POST', status: 200, body });

  it.each(unreadable)('operation create: a 200 with %s is recovered through the list (one POST)', async (_, body) => {
    unreadableCreate(body);
    const result = await runCreate(settings({ operation: 'create' }), emulatorContext(t.emulator).context);
    const [made] = t.emulator.widgets();
    expect(result).toMatchObject({ outcome: 'created', created: true });
    expect(result.widget?.sitekey).toBe(made!.sitekey);
    expect(t.emulator.widgets()).toHaveLength(1);
    expect(calls(t.emulator)).toEqual(['POST /', 'GET /', `GET /${made!.sitekey}`]);
  });

  it.each(unreadable)('operation ensure: a 200 with %s is recovered through the list (one POST)', async (_, body) => {
    unreadableCreate(body);
    const result = await runEnsure(settings(), emulatorContext(t.emulator).context);
    const [made] = t.emulator.widgets();
    expect(result).toMatchObject({ outcome: 'created', created: true });
    expect(result.widget?.sitekey).toBe(made!.sitekey);
    expect(t.emulator.widgets()).toHaveLength(1);
    expect(calls(t.emulator)).toEqual(['GET /', 'POST /', 'GET /', `GET /${made!.sitekey}`, 'GET /']);
  });
});

describe('ensure by sitekey without name', () => {
  it("keeps the widget's own name: nothing else differs, so nothing is written", async () => {
    const [seeded] = t.emulator.seed([{ name: 'hand-made', domains: ['pr-42.example.com'] }]);
    const run = await t.run({ sitekey: seeded!.sitekey, domains: 'pr-42.example.com' });
    expect(run.code, run.stdout).toBe(0);
    expect(run.outputs).toMatchObject({ name: 'hand-made', created: 'false', updated: 'false' });
    expect(writes(t.emulator)).toEqual([]);
    expect(t.emulator.widgets().map((w) => w.name)).toEqual(['hand-made']);
  });

  it("keeps the widget's own name when its domains change", async () => {
    const [seeded] = t.emulator.seed([{ name: 'hand-made', domains: ['old.example.com'] }]);
    const run = await t.run({ sitekey: seeded!.sitekey, domains: 'pr-42.example.com' });
    expect(run.code, run.stdout).toBe(0);
    expect(run.outputs).toMatchObject({ name: 'hand-made', updated: 'true', domains: '["pr-42.example.com"]' });
    const put = t.emulator.requests.find((r) => r.method === 'PUT');
    expect(put?.body).toMatchObject({ name: 'hand-made' });
    expect(t.emulator.widgets().map((w) => w.name)).toEqual(['hand-made']);
  });
});

describe('tolerant reading', () => {
  /** A widget without region, offlabel, bot_fight_mode; null clearance_level, ephemeral_id; extra fields. */
  function sparseWidget() {
    const [seeded] = t.emulator.seed([
      {
        name: 'app-pr-1',
        domains: ['pr-1.example.com'],
        region: undefined,
        offlabel: undefined,
        bot_fight_mode: undefined,
        clearance_level: null,
        ephemeral_id: null,
        modified_on: null,
        future_field: { nested: [1, 2] },
        tier: 'enterprise',
      } as unknown as Partial<WidgetRecord>,
    ]);
    return JSON.parse(JSON.stringify(seeded)) as WidgetRecord & Record<string, unknown>;
  }
  const envelope = (result: unknown, extra: Record<string, unknown> = {}) => ({
    success: true,
    errors: [],
    messages: [],
    result,
    ...extra,
  });
  const listShape = <W extends { secret: string }>({ secret: _secret, ...rest }: W) => rest;

  it('reads a sparse widget with unknown fields, result_info null and codeless messages; keeps the fields in `widget`', async () => {
    const sparse = sparseWidget();
    // The emulator always sends result_info and codes; these answers leave them out.
    t.emulator.injectFault({
      kind: 'status',
      status: 200,
      method: 'GET',
      path: /\/widgets$/,
      body: envelope([listShape(sparse)], { result_info: null, messages: [{ message: 'no code here' }] }),
    });
    t.emulator.injectFault({
      kind: 'status',
      status: 200,
      method: 'GET',
      path: /\/widgets\/0x/,
      body: envelope(sparse, { messages: [{ message: 'deprecated soon' }], errors: null }),
    });
    const run = await t.run({ name: 'app-pr-1', domains: 'pr-1.example.com' });
    expect(run.code, run.stdout).toBe(0);
    expect(run.outputs).toMatchObject({ sitekey: sparse.sitekey, secret: sparse.secret, updated: 'false' });
    const shown = JSON.parse(run.outputs.widget!) as Record<string, unknown>;
    expect(shown).toMatchObject({ future_field: { nested: [1, 2] }, tier: 'enterprise', clearance_level: null });
    expect(shown).not.toHaveProperty('secret');
    expect(calls(t.emulator)).toEqual(['GET /', `GET /${sparse.sitekey}`]);
    // The answers were the faults' (the emulator's own carry result_info and message codes).
    expect(t.emulator.requests.map((r) => (r.response as { result_info?: unknown }).result_info)).toEqual([
      null,
      undefined,
    ]);
  });

  it('a PUT never sends a field whose current value was absent or null', async () => {
    sparseWidget();
    const result = await runEnsure(
      settings({}, { domains: ['pr-1.example.com', 'new.example.com'] }),
      emulatorContext(t.emulator).context,
    );
    expect(result).toMatchObject({ outcome: 'updated', updated: true });
    const put = t.emulator.requests.find((r) => r.method === 'PUT');
    expect(Object.keys(put!.body as object).sort()).toEqual(['domains', 'mode', 'name']);
  });

  it('pages without total_count until a short page', async () => {
    const seeded = t.emulator.seed(Array.from({ length: 1002 }, (_, i) => ({ name: `app-${i}` }))).map(listShape);
    const page = (result: unknown[], resultInfo: unknown) => ({
      kind: 'status' as const,
      status: 200,
      method: 'GET',
      body: envelope(result, { result_info: resultInfo }),
    });
    t.emulator.injectFault(page(seeded.slice(0, 1000), { page: 1, per_page: 1000, count: 1000 }));
    t.emulator.injectFault(page(seeded.slice(1000), null));
    const found = await emulatorContext(t.emulator).client.listAll();
    expect(found.map((w) => w.sitekey)).toEqual(seeded.map((w) => w.sitekey));
    expect(t.emulator.requests.map((r) => r.query.page)).toEqual(['1', '2']);
    expect(t.emulator.requests.map((r) => (r.response as { result_info: unknown }).result_info)).toEqual([
      { page: 1, per_page: 1000, count: 1000 },
      null,
    ]);
  });

  it('stops at a short first page when result_info is null', async () => {
    const [only] = t.emulator.seed([{ name: 'app' }]);
    t.emulator.injectFault({
      kind: 'status',
      status: 200,
      method: 'GET',
      body: envelope([listShape(only!)], { result_info: null }),
    });
    await expect(emulatorContext(t.emulator).client.listAll()).resolves.toHaveLength(1);
    expect(t.emulator.requests).toHaveLength(1);
  });

  it('an error envelope whose entries lack a code (or a message) still gives a clear error', async () => {
    t.emulator.injectFault({
      kind: 'status',
      status: 400,
      body: { success: false, errors: [{ message: 'Something odd' }, {}], messages: [{ code: null }], result: null },
    });
    const error = await emulatorContext(t.emulator)
      .client.get('0x4AAAAAAAsitekey')
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(CloudflareApiError);
    expect((error as Error).message).toMatch(/\(HTTP 400\): Something odd; no message\./);
    expect((error as Error).message).not.toMatch(/undefined|null|not a Cloudflare API envelope/);
    expect(t.emulator.requests).toHaveLength(1);
  });

  it.each([
    ['dashboard', true],
    ['api', false],
  ])('updating a widget last modified via %s: notice "Manual change overwritten" = %s', async (via, notice) => {
    t.emulator.seed([
      { name: 'preview-app-pr-42', domains: ['old.example.com'], last_modified_via: via as 'dashboard' | 'api' },
    ]);
    const run = await t.run({ domains: 'pr-42.example.com' });
    expect(run.code, run.stdout).toBe(0);
    expect(run.outputs.updated).toBe('true');
    const notices = lines(run).filter((line) => line.startsWith('::notice title=Manual change overwritten::'));
    expect(notices).toHaveLength(notice ? 1 : 0);
    if (notice) expect(notices[0]).toMatch(/last changed in the Cloudflare dashboard.*domains: \+pr-42\.example\.com/);
  });
});

describe('messages', () => {
  it('an unexpected error (a bug) is one error line, with its stack and causes at debug level', async () => {
    const runner = recordingRunner();
    runner.setOutput = () => {
      throw new Error('disk full', { cause: new Error('EIO: i/o error') });
    };
    const inputs = { 'api-token': t.emulator.apiToken, 'account-id': t.emulator.accountId, 'api-url': t.emulator.url };
    const env = { ...runnerEnv(), ...inputVariables({ ...inputs, domains: 'pr-42.example.com' }) };
    expect(await runAction({ runner, env, clock: virtualClock() })).toBe(1);
    const lines = runner.stdout.split('\n');
    expect(lines.filter((line) => line.startsWith('::error'))).toEqual([
      '::error title=Turnstile action failed::disk full',
    ]);
    const stack = lines.find((line) => line.startsWith('::debug::Error: disk full%0A    at '));
    expect(stack).toContain('%0ACaused by: Error: EIO: i/o error%0A    at ');
  });

  it('a ZodError (its message is a JSON dump): one readable error line, the stack at debug level', async () => {
    const runner = recordingRunner();
    runner.setOutput = () => {
      z.strictObject({ mode: z.enum(['managed']) }).parse({ mode: 'adaptive', extra: 1 });
    };
    const inputs = { 'api-token': t.emulator.apiToken, 'account-id': t.emulator.accountId, 'api-url': t.emulator.url };
    const env = { ...runnerEnv(), ...inputVariables({ ...inputs, domains: 'pr-42.example.com' }) };
    expect(await runAction({ runner, env, clock: virtualClock() })).toBe(1);
    const lines = runner.stdout.split('\n');
    expect(lines.filter((l) => l.startsWith('::error'))).toEqual([
      '::error title=Turnstile action failed::unexpected data (a bug in the action): mode: Invalid input: expected "managed"; value: Unrecognized key: "extra"',
    ]);
    expect(lines.some((l) => l.startsWith('::debug::') && l.includes('%0A    at '))).toBe(true);
  });

  it('a user mistake or an API error stays one line, without a stack', async () => {
    t.emulator.injectFault({
      kind: 'status',
      status: 403,
      body: { success: false, errors: [], messages: [], result: null },
    });
    for (const run of [await t.run({ domains: 'vercel.app' }), await t.run({ domains: 'pr-42.example.com' })]) {
      expect(run.code).toBe(1);
      expect(run.stdout).not.toMatch(/ {4}at |Caused by/);
    }
  });

  it('the prune log names the widgets it deleted, by name and sitekey', async () => {
    const seeded = t.emulator.seed([
      { name: 'app-pr-1', created_on: daysAgo(30) },
      { name: 'app-pr-2', created_on: daysAgo(30) },
    ]);
    const dry = await t.run({ operation: 'prune', 'name-prefix': 'app-pr-', 'dry-run': 'true' });
    const run = await t.run({ operation: 'prune', 'name-prefix': 'app-pr-' });
    expect(dry.stdout).toMatch(/^Dry run: would delete 2 of 2 widget\(s\) named "app-pr-\*": .*; keeping 0\.$/m);
    const line = lines(run).find((text) => text.startsWith('Pruned 2 of 2 widget(s) named "app-pr-*": '));
    for (const widget of seeded) {
      expect(line).toContain(`"${widget.name}" (${widget.sitekey})`);
      expect(dry.stdout).toContain(`"${widget.name}" (${widget.sitekey})`);
    }
  });

  it('Cloudflare error 7003 with a non-default api-url: the hint names `api-url`', async () => {
    const apiUrl = `${t.emulator.url}/v2`; // a wrong base: the emulator answers 404, code 7003
    const run = await t.run({ domains: 'pr-42.example.com', 'api-url': apiUrl });
    expect(run.code).toBe(1);
    expect(errorLines(run)).toEqual([
      expect.stringMatching(
        new RegExp(
          `\\[7003\\] No route for the URI\\. Hint: check \`api-url\` \\("${apiUrl.replace(/[.]/g, '\\.')}"\\)`,
        ),
      ),
    ]);
  });

  it('Cloudflare error 7003 from the right base URL, when it is not the default: the hint still names `api-url`', async () => {
    t.emulator.injectFault({
      kind: 'status',
      status: 404,
      body: { success: false, errors: [{ code: 7003, message: 'No route for the URI' }], messages: [], result: null },
    });
    const run = await t.run({ domains: 'pr-42.example.com' });
    expect(run.code).toBe(1);
    expect(errorLines(run)).toEqual([
      expect.stringMatching(/\[7003\].*Hint: check `api-url` \("http:\/\/127\.0\.0\.1:/),
    ]);
    // With Cloudflare's own URL the account id is the likelier culprit.
    expect(hintFor(404, [{ code: 7003, message: 'No route' }], {})).toMatch(/^check `account-id`/);
  });

  it('GitHub API refusing during prune: a warning naming pull-requests: read; no …-pr-<N> widget deleted', async () => {
    const github = await fakeGitHub(403, {
      message: 'Resource not accessible by integration',
      documentation_url: 'https://docs.github.com/rest/pulls/pulls#list-pull-requests',
    });
    try {
      const old = daysAgo(30);
      const seeded = t.emulator.seed([
        { name: 'app-pr-1', created_on: old },
        { name: 'app-pr-2', created_on: old },
        { name: 'app-pr-legacy', created_on: old },
        { name: 'other-app-pr-3', created_on: old },
      ]);
      const run = await t.run(
        { operation: 'prune', 'name-prefix': 'app-pr-', 'github-token': 'ghs_fakeGitHubToken0123456789' },
        { GITHUB_API_URL: github.url },
      );
      expect(run.code, run.stdout).toBe(0);
      expect(github.seen.length).toBeGreaterThan(0);
      const warnings = lines(run).filter((line) => line.startsWith('::warning title=GitHub API error::'));
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
      expect(errorLines(run)).toEqual([]);
    } finally {
      github.server.close();
    }
  });
});

describe('failure titles', () => {
  it('get by a name no widget has: "Widget not found"', async () => {
    const run = await t.run({ operation: 'get', name: 'app-pr-1' });
    expect(run.code).toBe(1);
    expect(errorLines(run)).toEqual([
      expect.stringMatching(/^::error title=Widget not found::No Turnstile widget named "app-pr-1" exists/),
    ]);
  });

  it('a sitekey from the API that does not look like one: no output at all, the secret masked', async () => {
    const [seeded] = t.emulator.seed([{ name: 'app-pr-1', sitekey: 'x; echo pwned' }]);
    const run = await t.run({ operation: 'get', name: 'app-pr-1' });
    expect(run.code).toBe(1);
    expect(run.outputs).toEqual({});
    expect(errorLines(run)).toEqual([
      expect.stringMatching(
        /^::error title=Cloudflare API error::The API returned the sitekey "x; echo pwned", which does not look like a sitekey/,
      ),
    ]);
    expect(lines(run)).toContain(`::add-mask::${seeded!.secret}`);
  });

  it('a dry-run create at the widget limit whose open pull requests GitHub refuses: "GitHub API error"', async () => {
    const github = await fakeGitHub(403, { message: 'Resource not accessible by integration' });
    try {
      t.emulator.seed(
        Array.from({ length: 20 }, (_, i) => ({ name: `preview-app-pr-${i + 1}`, created_on: daysAgo(30) })),
      );
      const run = await t.run(
        {
          operation: 'create',
          domains: 'pr-42.example.com',
          'dry-run': 'true',
          'github-token': 'ghs_fakeGitHubToken0123456789',
        },
        { GITHUB_API_URL: github.url },
      );
      expect(run.code).toBe(1);
      expect(errorLines(run)).toEqual([
        expect.stringMatching(/^::error title=GitHub API error::GitHub API: .*HTTP 403.*pull-requests: read/),
      ]);
      expect(t.emulator.widgets()).toHaveLength(20);
    } finally {
      github.server.close();
    }
  });

  it('a dry-run create below the widget limit does not ask GitHub about pull requests', async () => {
    const github = await fakeGitHub(403, { message: 'Resource not accessible by integration' });
    try {
      t.emulator.seed([{ name: 'preview-app-pr-1', created_on: daysAgo(30) }]);
      const run = await t.run(
        {
          operation: 'create',
          domains: 'pr-42.example.com',
          'dry-run': 'true',
          'github-token': 'ghs_fakeGitHubToken0123456789',
        },
        { GITHUB_API_URL: github.url },
      );
      expect(run.code, run.stdout).toBe(0);
      expect(run.outputs.deleted).toBeUndefined();
      expect(github.seen).toEqual([]);
    } finally {
      github.server.close();
    }
  });

  it('a job summary that cannot be written does not hide the failure', async () => {
    const runner = recordingRunner();
    runner.appendSummary = () => Promise.reject(new Error('summary file is gone'));
    const env = { ...runnerEnv(), ...inputVariables({ operation: 'get', name: 'x', 'api-token': '' }) };
    expect(await runAction({ runner, env, clock: virtualClock() })).toBe(1);
    expect(runner.stdout.split('\n').filter((line) => line.startsWith('::error'))).toEqual([
      expect.stringMatching(/^::error title=Invalid input%3A account-id::/),
      expect.stringMatching(/^::error title=Invalid input%3A api-token::/),
    ]);
  });
});

describe('job summary', () => {
  const HEADER = '<tr><th>Field</th><th>Value</th></tr>';

  it('has a Field/Value header row', async () => {
    const run = await t.run({ domains: 'pr-42.example.com' });
    expect(run.code).toBe(0);
    expect(run.summary).toContain(`<table>${HEADER}<tr><td>Operation</td><td>ensure</td></tr>`);
  });

  it('delete names the widget: name and sitekey', async () => {
    const [seeded] = t.emulator.seed([{ name: 'preview-app-pr-42' }]);
    const run = await t.run({ operation: 'delete' });
    expect(run.code, run.stdout).toBe(0);
    expect(run.summary).toContain(HEADER);
    expect(run.summary).toContain(`<tr><td>Deleted</td><td>preview-app-pr-42 (${seeded!.sitekey})</td></tr>`);
  });

  it('prune lists the deleted widgets by name', async () => {
    const old = daysAgo(30);
    const seeded = t.emulator.seed([
      { name: 'app-pr-1', created_on: old },
      { name: 'app-pr-2', created_on: old },
    ]);
    const run = await t.run({ operation: 'prune', 'name-prefix': 'app-pr-' });
    expect(run.code, run.stdout).toBe(0);
    const row = /<tr><td>Deleted<\/td><td>([^<]*)<\/td><\/tr>/.exec(run.summary)?.[1];
    expect(row?.split(', ').sort()).toEqual(seeded.map((w) => `${w.name} (${w.sitekey})`).sort());
  });

  it('a dry-run ensure with nothing to find shows the name and the domains', async () => {
    const run = await t.run({ domains: 'pr-42.example.com\nwww.pr-42.example.com', 'dry-run': 'true' });
    expect(run.code, run.stdout).toBe(0);
    expect(run.summary).toContain('<tr><td>Result</td><td>would create (dry run)</td></tr>');
    expect(run.summary).toContain('<tr><td>Name</td><td>preview-app-pr-42</td></tr>');
    const domains = /<tr><td>Domains<\/td><td>([^<]*)<\/td><\/tr>/.exec(run.summary)?.[1];
    expect(domains?.split(', ').sort()).toEqual(['pr-42.example.com', 'www.pr-42.example.com']);
    expect(t.emulator.widgets()).toEqual([]);
  });

  /** The summary is Markdown holding one HTML block per line: no blank line may end a block. */
  function expectBlocksIntact(summary: string) {
    for (const line of summary.split('\n').slice(0, -1)) expect(line).toMatch(/^<(h3|table|details)>.*>$/);
    expect(summary).not.toMatch(/\n\s*\n|[|`]/);
  }

  it('a name from the API cannot end the table or the HTML block: blank line, heading, link, | and `', async () => {
    const name = 'app-pr-1\n\n# Injected heading\n\n[click](https://evil.example) | `code` <b>x</b>\r\n\u2028';
    const [seeded] = t.emulator.seed([{ name, created_on: daysAgo(30) }]);
    // get and the dry run would write the name to an output: they fail, the name in the error cell.
    const refused = [
      await t.run({ operation: 'get', sitekey: seeded!.sitekey }),
      await t.run({ sitekey: seeded!.sitekey, name: 'renamed', domains: 'example.com', 'dry-run': 'true' }),
    ];
    const runs = [
      await t.run({ operation: 'prune', 'name-prefix': 'app-pr-', 'older-than': '60d' }), // kept: too young
      await t.run({ operation: 'prune', 'name-prefix': 'app-pr-' }),
    ];
    for (const run of [...refused, ...runs]) {
      expect(run.code, run.stdout).toBe(refused.includes(run) ? 1 : 0);
      expectBlocksIntact(run.summary);
      expect(run.summary).toContain('app-pr-1\\n\\n# Injected heading\\n\\n[click](https://evil.example) &#124; ');
    }
    for (const run of runs) {
      expect(run.summary).toContain(
        'app-pr-1\\n\\n# Injected heading\\n\\n[click](https://evil.example) &#124; &#96;code&#96; &lt;b&gt;x&lt;/b&gt;\\r\\n\\u2028',
      );
    }
  });

  it("the action's own `code` in an error becomes <code>, with no literal backtick left", async () => {
    t.emulator.injectFault({
      kind: 'status',
      status: 401,
      body: { success: false, errors: [{ code: 10000, message: 'bad `token`' }], messages: [], result: null },
    });
    const run = await t.run({ operation: 'get', name: 'x' });
    expect(run.code).toBe(1);
    expectBlocksIntact(run.summary);
    expect(run.summary).toContain('<tr><td>Operation</td><td>get</td></tr>');
    expect(run.summary).toMatch(/check that <code>api-token<\/code> holds/);
  });

  it('after invalid inputs the summary names the operation asked for (ensure by default)', async () => {
    const byDefault = await t.run({ domains: 'vercel.app' });
    expect(byDefault.code).toBe(1);
    expect(byDefault.summary).toContain('<tr><td>Operation</td><td>ensure</td></tr>');
    const prune = await t.run({ operation: 'prune', 'older-than': 'soon', 'name-prefix': 'x-' });
    expect(prune.code).toBe(1);
    expect(prune.summary).toContain('<tr><td>Operation</td><td>prune</td></tr>');
    expect(prune.summary).toMatch(/<tr><td>Error<\/td><td>[^<]*older-than/);
  });

  it('a dry-run ensure that would create shows no empty "Would delete" row and sets no empty deleted', async () => {
    const run = await t.run({ domains: 'pr-42.example.com', 'dry-run': 'true' });
    expect(run.code, run.stdout).toBe(0);
    expect(run.summary).not.toContain('Would delete');
    expect(run.outputs).toEqual({ created: 'false', updated: 'false' });
    const create = await t.run({ operation: 'create', name: 'x', domains: 'pr-42.example.com', 'dry-run': 'true' });
    expect(create.summary).not.toContain('Would delete');
    expect(create.outputs.deleted).toBeUndefined();
  });

  it('a failed run writes the error, redacted: no token, no secret', async () => {
    const leakedSecret = '0x4AAAAAAAleakedSecretValue0123456789abcd';
    t.emulator.injectFault({
      kind: 'status',
      status: 403,
      body: {
        success: false,
        errors: [{ code: 9109, message: `Token ${t.emulator.apiToken} may not read secret ${leakedSecret}` }],
        messages: [],
        result: null,
      },
    });
    const run = await t.run({ domains: 'pr-42.example.com' });
    expect(run.code).toBe(1);
    expect(run.summary).toContain(HEADER);
    expect(run.summary).toContain('<tr><td>Result</td><td>failed</td></tr>');
    expect(run.summary).toMatch(
      /<tr><td>Error<\/td><td>Cloudflare API GET .*\[9109\] Token \*\*\* may not read secret \*\*\*/,
    );
    for (const text of [run.summary, run.stdout]) {
      expect(text).not.toContain(leakedSecret);
      expect(text.replace(`::add-mask::${t.emulator.apiToken}`, '')).not.toContain(t.emulator.apiToken);
    }
  });
});

describe('workflow-command injection', () => {
  /** The commands the runner would process that the action did not issue (helpers/runner-commands.ts). */
  const foreign = (stdout: string) => foreignCommands(stdout, 'injected').map((command) => command.line);

  it('widget names carrying workflow commands never start a command line, in any operation', async () => {
    const old = daysAgo(30);
    const [warning, stop, spaced] = t.emulator.seed([
      { name: 'app-pr-1\n::warning title=injected::pwned', created_on: old },
      { name: 'app-pr-2\n::stop-commands::x', created_on: old },
      { name: 'app-pr-3\r\n   ::notice::spaced', created_on: old },
    ]);
    const runs: ActionRun[] = [];
    runs.push(await t.run({ operation: 'prune', 'name-prefix': 'app-pr-', 'dry-run': 'true' }));
    for (const seeded of [warning!, stop!, spaced!]) {
      runs.push(await t.run({ operation: 'get', sitekey: seeded.sitekey }));
      runs.push(await t.run({ sitekey: seeded.sitekey, domains: 'example.com' }));
    }
    runs.push(await t.run({ sitekey: warning!.sitekey, domains: 'pr-1.example.com' })); // an update
    runs.push(await t.run({ operation: 'rotate-secret', sitekey: stop!.sitekey }));
    runs.push(await t.run({ operation: 'delete', sitekey: spaced!.sitekey }));
    runs.push(await t.run({ operation: 'prune', 'name-prefix': 'app-pr-' }));
    // Each run that would write one of these names to an output fails instead: get, ensure, rotate-secret.
    const codes = [0, 1, 1, 1, 1, 1, 1, 1, 1, 0, 0];
    for (const [i, run] of runs.entries()) {
      expect(run.code, run.stdout).toBe(codes[i]);
      expect(foreign(run.stdout)).toEqual([]);
      expect(run.stdout).not.toMatch(/^\s*::warning title=injected/m);
      expect(run.stdout).not.toMatch(/^\s*::stop-commands::/m);
    }
    // The names did reach the log (escaped), so the checks above had something to catch.
    const all = runs.map((run) => run.stdout).join('\n');
    expect(all).toContain('\\n::warning title=injected::pwned');
    expect(all).toContain('\\n::stop-commands::x');
    expect(t.emulator.widgets()).toEqual([]);
  });

  it("a renamed widget's old name with a bare carriage return cannot start a command", async () => {
    const [seeded] = t.emulator.seed([{ name: 'old\r::warning title=injected::injected' }]);
    const run = await t.run({ sitekey: seeded!.sitekey, name: 'new', domains: 'example.com' });
    expect(run.code, run.stdout).toBe(0);
    expect(foreign(run.stdout)).toEqual([]);
    expect(run.stdout).toContain(
      `Updated widget "new" (${seeded!.sitekey}): name: old\\r::warning title=injected::injected -> new`,
    );
  });

  it.each([
    ['400 (not retried)', 400, '0'],
    ['503 (retried until retries run out)', 503, '1'],
  ])(
    'a Cloudflare error text with a line break and ::error:: stays in one error line: %s',
    async (_, status, retries) => {
      t.emulator.injectFault({
        kind: 'status',
        status,
        times: 5,
        body: {
          success: false,
          errors: [{ code: 1000, message: 'Bad request\n::error::injected\r\n::stop-commands::token' }],
          messages: [{ code: 1, message: 'note\n::warning::also injected' }],
          result: null,
        },
      });
      const run = await t.run({ domains: 'pr-42.example.com', 'max-retries': retries });
      expect(run.code).toBe(1);
      expect(errorLines(run)).toHaveLength(1);
      expect(errorLines(run)[0]).toMatch(/^::error title=Cloudflare API error::.*Bad request\\n::error::injected/);
      expect(foreign(run.stdout)).toEqual([]);
      expect(run.stdout).not.toMatch(/^\s*::(error::injected|stop-commands::|warning::also)/m);
    },
  );
});
