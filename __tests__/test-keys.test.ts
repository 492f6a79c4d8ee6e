// test-keys: Cloudflare's dummy keys instead of a widget, for runs without credentials (forks'
// pull requests) and end-to-end tests of previews. The run talks to nobody: the emulator stands
// for both Cloudflare and GitHub, and sees no connection at all.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { neverExposed, useEmulator } from './helpers/e2e.ts';
import { runInProcess } from './helpers/runner.ts';

const t = useEmulator();
const PASS_SECRET = '1x0000000000000000000000000000000AA';
const FAIL_SECRET = '2x0000000000000000000000000000000AA';

/** One step with `inputs` and no credential, both APIs pointed at the emulator. */
async function run(inputs: Record<string, string>, env: Record<string, string | undefined> = {}) {
  const gitHub = new URL(t.emulator.url).origin;
  const result = await runInProcess(
    { 'api-url': t.emulator.url, ...inputs },
    { env: { GITHUB_API_URL: gitHub, ...env } },
  );
  return { ...result, connections: t.emulator.connections };
}

const lines = (stdout: string, command: string) => stdout.split('\n').filter((line) => line.startsWith(`::${command}`));

function eventFile(payload: object): string {
  const file = join(mkdtempSync(join(tmpdir(), 'event-')), 'event.json');
  writeFileSync(file, JSON.stringify(payload));
  return file;
}

describe('ensure, create, get and rotate-secret with test-keys', () => {
  it.each([
    ['always-pass', '', 'managed', '1x00000000000000000000AA', PASS_SECRET],
    ['always-pass', 'managed', 'managed', '1x00000000000000000000AA', PASS_SECRET],
    ['always-pass', 'non-interactive', 'non-interactive', '1x00000000000000000000AA', PASS_SECRET],
    ['always-pass', 'invisible', 'invisible', '1x00000000000000000000BB', PASS_SECRET],
    ['always-fail', '', 'managed', '2x00000000000000000000AB', FAIL_SECRET],
    ['always-fail', 'non-interactive', 'non-interactive', '2x00000000000000000000AB', FAIL_SECRET],
    ['always-fail', 'invisible', 'invisible', '2x00000000000000000000BB', FAIL_SECRET],
    ['force-interactive', '', 'managed', '3x00000000000000000000FF', PASS_SECRET],
    ['force-interactive', 'non-interactive', 'non-interactive', '3x00000000000000000000FF', PASS_SECRET],
  ])('%s with mode "%s": the keys from Cloudflare’s table, no request', async (keys, mode, shown, sitekey, secret) => {
    for (const operation of ['ensure', 'create', 'get', 'rotate-secret']) {
      const step = await run({ operation, 'test-keys': keys, mode });
      expect(step.code, step.stdout).toBe(0);
      expect(step.outputs).toEqual({
        sitekey,
        secret,
        mode: shown,
        name: '',
        domains: '[]',
        widget: '',
        created: 'false',
        updated: 'false',
      });
      expect(step.connections).toBe(0);
    }
  });

  it('masks the secret before any use, exports it with export-env, and says no widget exists', async () => {
    const step = await run({ 'test-keys': 'always-pass', 'export-env': 'true' });
    expect(step.stdout).toContain(`::add-mask::${PASS_SECRET}`);
    expect(neverExposed({ ...step, code: step.code }, PASS_SECRET)).toBe(true);
    expect(step.env).toEqual({ TURNSTILE_SITEKEY: '1x00000000000000000000AA', TURNSTILE_SECRET: PASS_SECRET });
    expect(lines(step.stdout, 'notice')).toEqual([
      "::notice title=Cloudflare's test keys::Cloudflare's test keys (always-pass) were used: no widget exists, and no API was called.",
    ]);
    expect(step.summary).toContain(
      "<tr><td>Operation</td><td>ensure</td></tr><tr><td>Result</td><td>Cloudflare's test keys, no widget</td></tr>",
    );
    expect(step.summary).toContain('1x00000000000000000000AA');
    expect(step.summary).not.toContain(PASS_SECRET);
    expect(step.summary).not.toMatch(/Name|Domains/);
  });

  it('needs no credential, and masks the ones given without sending them', async () => {
    const step = await run({ 'test-keys': 'always-fail', 'api-token': t.emulator.apiToken, 'github-token': 'ghs_t' });
    expect(step.code, step.stdout).toBe(0);
    expect(step.stdout).toContain(`::add-mask::${t.emulator.apiToken}`);
    expect(step.stdout).toContain('::add-mask::ghs_t');
    expect(step.connections).toBe(0);
  });

  it('reads no input only Cloudflare would use: none is required, checked, or warned about', async () => {
    const push = { GITHUB_EVENT_NAME: 'pull_request', GITHUB_EVENT_PATH: eventFile({ number: 7 }) };
    const step = await run(
      {
        'test-keys': 'always-pass',
        'account-id': 'not-an-account',
        domains: '*.vercel.app',
        name: 'line\nbreak',
        sitekey: 'not a sitekey',
        'name-prefix': 'x\u0001',
        region: 'mars',
        'clearance-level': 'high',
        'request-timeout': 'soon',
      },
      push,
    );
    expect(step.code, step.stdout).toBe(0);
    expect(lines(step.stdout, 'warning')).toEqual([]);
  });

  it('warns on an event that names no pull request: such a site has no bot protection', async () => {
    for (const [event, said] of [
      ['push', 'push'],
      ['schedule', 'schedule'],
      ['workflow_dispatch', 'workflow_dispatch'],
      [undefined, 'unnamed'],
    ] as const) {
      const env = { GITHUB_EVENT_NAME: event, GITHUB_REF: 'refs/heads/main', GITHUB_EVENT_PATH: eventFile({}) };
      const step = await run({ 'test-keys': 'always-pass' }, env);
      expect(step.code, step.stdout).toBe(0);
      expect(step.outputs.sitekey).toBe('1x00000000000000000000AA');
      expect(lines(step.stdout, 'warning')).toEqual([
        `::warning title=Test keys outside a pull request::test-keys is set on this ${said} event, which names no pull request: a site deployed with these keys has no bot protection.`,
      ]);
    }
    // A pull request's event (runnerEnv's default) gets none.
    expect(lines((await run({ 'test-keys': 'always-pass' })).stdout, 'warning')).toEqual([]);
  });
});

describe('delete and prune with test-keys', () => {
  it.each(['delete', 'prune'])('%s succeeds at once with a notice, deleting nothing', async (operation) => {
    t.emulator.seed([{ name: 'preview-app-pr-42' }]);
    const step = await run({ operation, 'test-keys': 'always-pass', 'github-token': 'ghs_test' });
    expect(step.code, step.stdout).toBe(0);
    expect(step.outputs).toEqual({ created: 'false', updated: 'false', deleted: '[]' });
    expect(lines(step.stdout, 'notice')).toEqual([
      `::notice title=Cloudflare's test keys::test-keys is set: no widget of this run exists, so ${operation} has nothing to delete.`,
    ]);
    expect(lines(step.stdout, 'warning')).toEqual([]);
    expect(step.summary).toBe(
      `<h3>Cloudflare Turnstile</h3>\n<table><tr><th>Field</th><th>Value</th></tr><tr><td>Operation</td><td>${operation}</td></tr><tr><td>Result</td><td>nothing to delete (test keys)</td></tr><tr><td>Deleted</td><td>none</td></tr></table>\n`,
    );
    expect(step.connections).toBe(0);
    expect(t.emulator.widgets()).toHaveLength(1);
  });
});

describe('test-keys input errors, and no silent fallback', () => {
  it.each(['true', 'false', 'yes', 'Always-Pass', 'always_pass'])(
    'refuses "%s", showing the expression form, and still asks for the credentials',
    async (value) => {
      const step = await run({ 'test-keys': value });
      expect(step.code).toBe(1);
      const errors = lines(step.stdout, 'error');
      expect(errors[0]).toBe(
        `::error title=Invalid input%3A test-keys::Input "test-keys" is "${value}": allowed values are always-pass, always-fail, force-interactive, or empty for a real widget. To use them on some runs only, give an expression that is '' on the others, e.g. \`test-keys: \${{ github.event.pull_request.head.repo.fork && 'always-pass' || '' }}\`.`,
      );
      expect(errors.join('\n')).toMatch(/Input "api-token" is required/);
      expect(step.outputs).toEqual({});
      expect(step.connections).toBe(0);
    },
  );

  it('still refuses a bad operation', async () => {
    const step = await run({ 'test-keys': 'always-pass', operation: 'upsert' });
    expect(step.code).toBe(1);
    expect(lines(step.stdout, 'error')).toEqual([
      '::error title=Invalid input%3A operation::Input "operation" is "upsert": allowed values are ensure, create, get, delete, rotate-secret, prune.',
    ]);
    expect(step.outputs).toEqual({});
    expect(step.connections).toBe(0);
  });

  it('refuses force-interactive with mode invisible, and a bad mode', async () => {
    const invisible = await run({ 'test-keys': 'force-interactive', mode: 'invisible' });
    expect(lines(invisible.stdout, 'error')).toEqual([
      expect.stringMatching(
        /^::error title=Invalid input%3A test-keys::Input "test-keys" is "force-interactive", but mode is "invisible": Cloudflare has no invisible test key/,
      ),
    ]);
    const badMode = await run({ 'test-keys': 'always-pass', mode: 'hidden' });
    expect(lines(badMode.stdout, 'error')).toEqual([expect.stringMatching(/Input "mode" is "hidden": allowed values/)]);
    expect(invisible.outputs).toEqual({});
    expect(invisible.connections + badMode.connections).toBe(0);
  });

  it('without test-keys, a run without credentials fails naming api-token, as before', async () => {
    const step = await run({ 'account-id': t.emulator.accountId, domains: 'pr-42.example.com' });
    expect(step.code).toBe(1);
    expect(lines(step.stdout, 'error')).toEqual([
      expect.stringMatching(/^::error title=Invalid input%3A api-token::Input "api-token" is required/),
    ]);
    expect(step.outputs).toEqual({});
    // account-id, no longer required in action.yml, is still required without test-keys.
    const noAccount = await run({ 'api-token': t.emulator.apiToken, domains: 'pr-42.example.com' });
    expect(lines(noAccount.stdout, 'error')).toEqual([expect.stringMatching(/Input "account-id" is required/)]);
    expect(step.connections + noAccount.connections).toBe(0);
  });

  it("names test-keys in the error of a fork's pull request", async () => {
    const fork = eventFile({ number: 9, pull_request: { number: 9, head: { repo: { fork: true } } } });
    const step = await run(
      { 'account-id': t.emulator.accountId, domains: 'pr-9.example.com' },
      { GITHUB_EVENT_PATH: fork },
    );
    expect(lines(step.stdout, 'error')).toEqual([
      expect.stringMatching(
        /Input "api-token" is empty: this run was triggered by a pull request from a fork.*Give such previews Cloudflare's test keys \(`test-keys: \$\{\{ github\.event\.pull_request\.head\.repo\.fork && 'always-pass' \|\| '' \}\}`\)/,
      ),
    ]);
  });
});
