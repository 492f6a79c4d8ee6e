// Secrets never leak: every operation x (success, API failure, network failure), with token and
// with legacy key authentication, debug lines included (the action always writes them; the runner
// shows them with step debug logging). The widget secret, the API token and the API
// key may appear in stdout/stderr only inside their own ::add-mask:: line, which comes first.
// And through the bundle: credentials that the escaping rewrites (CR LF, a backslash, a TAB) in no form at all.
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { escapeUntrusted } from '../src/log/logger.ts';
import { runAction, type ActionResult } from '../scripts/lib/run-action.ts';
import { builtBundle } from './helpers/bundle.ts';
import { neverExposed, secretExposure, useEmulator } from './helpers/e2e.ts';
import { closedPort } from './helpers/ports.ts';

const t = useEmulator();
const OPERATIONS = ['ensure', 'create', 'get', 'delete', 'rotate-secret', 'prune'] as const;
const OUTCOMES = ['success', 'api-failure', 'network-failure'] as const;

const cases = OPERATIONS.flatMap((operation) =>
  OUTCOMES.flatMap((outcome) => (['token', 'key'] as const).map((auth) => ({ operation, outcome, auth }))),
);

describe('no secret outside its ::add-mask:: line', () => {
  it.each(cases)('$operation, $outcome, auth=$auth', async ({ operation, outcome, auth }) => {
    const emulator = t.emulator;
    const [existing] = emulator.seed([
      {
        name: 'preview-app-pr-42',
        domains: ['pr-42.example.com'],
        created_on: new Date(Date.now() - 30 * 86_400_000).toISOString(),
      },
    ]);
    const credentials: Record<string, string> =
      auth === 'token'
        ? { 'api-token': emulator.apiToken }
        : { 'api-token': '', 'api-email': emulator.apiEmail, 'api-key': emulator.apiKey };
    if (outcome === 'api-failure') {
      // A hostile error body that echoes every credential and the secret back.
      const echoed = `Authentication error for ${emulator.apiToken} / ${emulator.apiKey} / ${existing!.secret}`;
      emulator.injectFault({
        kind: 'status',
        status: 403,
        times: 20,
        body: { success: false, errors: [{ code: 10000, message: echoed }], messages: [], result: null },
      });
    }
    if (outcome === 'network-failure') emulator.injectFault({ kind: 'reset', times: 20 });

    const run = await t.run({
      ...credentials,
      operation,
      domains: 'pr-42.example.com, new.example.com',
      'name-prefix': 'preview-app-pr-',
      'older-than': '1d',
      'max-retries': '1',
      'export-env': 'true',
    });

    expect(run.code).toBe(outcome === 'success' ? 0 : 1);
    expect(run.stdout).toMatch(/^::debug::/m);
    // The credential this run was given (the other one it never saw, so it cannot be its leak).
    const used = auth === 'token' ? emulator.apiToken : emulator.apiKey;
    const secrets = [existing!.secret, ...emulator.widgets().map((w) => w.secret), run.outputs.secret, used];
    for (const secret of secrets.filter((s): s is string => Boolean(s))) {
      expect(neverExposed(run, secret), `${secret} leaked:\n${run.stdout}`).toBe(true);
      expect(run.summary).not.toContain(secret);
      expect(run.outputs.widget ?? '').not.toContain(secret);
    }
    if (run.outputs.secret) expect(secretExposure(run, run.outputs.secret)).toEqual({ leaks: [], maskedFirst: true });
    expect(secretExposure(run, used).maskedFirst).toBe(true);
    if (outcome === 'api-failure')
      expect(run.stdout).toMatch(
        auth === 'token'
          ? /Authentication error for \*\*\* \/ .* \/ \*\*\*/
          : /Authentication error for .* \/ \*\*\* \/ \*\*\*/,
      );
  });
});

describe('a secret that the escaping rewrites is redacted all the same', () => {
  let entry = '';
  beforeAll(async () => {
    entry = join((await builtBundle()).dir, 'index.js');
  }, 120_000);

  /** What a person can read of a run: all but the ::add-mask:: lines, which the runner consumes. */
  const readable = (run: ActionResult) =>
    `${run.stdout}\n${run.stderr}`
      .split('\n')
      .filter((line) => !line.startsWith('::add-mask::'))
      .concat(run.summary)
      .join('\n');
  /** The secret as it is, escaped, and each piece of it between line breaks. */
  const forms = (secret: string) => [secret, escapeUntrusted(secret), ...secret.split(/\r\n|\r|\n/)];

  it('a github-token with CR LF in a header error, an api-token with a backslash and a TAB echoed by the API', async () => {
    const githubToken = `ghs_part1${'A'.repeat(16)}\r\nX-Evil: ghs_part2${'B'.repeat(16)}`;
    const apiToken = `cf-tok\\en-\t${'C'.repeat(16)}`;
    const common = { 'account-id': t.emulator.accountId, 'api-url': t.emulator.url, 'max-retries': '0' };
    t.emulator.seed([{ name: 'preview-app-pr-7', created_on: '2026-01-01T00:00:00Z' }]);
    // The header is refused before any connection (to a closed port, should one be made).
    const prune = await runAction({
      entry,
      inputs: {
        ...common,
        'api-token': t.emulator.apiToken,
        operation: 'prune',
        'name-prefix': 'preview-app-pr-',
        'older-than': '1d',
        'github-token': githubToken,
      },
      env: { GITHUB_API_URL: `http://127.0.0.1:${await closedPort()}` },
    });
    t.emulator.injectFault({
      kind: 'status',
      status: 403,
      times: 5,
      body: {
        success: false,
        errors: [{ code: 10000, message: `Invalid token ${apiToken}` }],
        messages: [],
        result: null,
      },
    });
    const get = await runAction({ entry, inputs: { ...common, 'api-token': apiToken, operation: 'get', name: 'x' } });

    for (const [run, secret] of [
      [prune, githubToken],
      [get, apiToken],
    ] as const) {
      for (const form of forms(secret)) expect(readable(run), JSON.stringify(form)).not.toContain(form);
    }
    expect([prune.code, get.code]).toEqual([0, 1]);
    // Each error was printed: the GitHub client names the refused header without quoting it (Octokit's
    // fetch quoted it whole); the API's echo of the token is redacted.
    expect(prune.stdout).toMatch(/^::warning title=GitHub API error::.*invalid authorization header/m);
    expect(get.stdout).toMatch(/^::error title=Cloudflare API error::.*Invalid token \*\*\*\. Hint/m);
    expect(get.summary).toContain('Invalid token ***. Hint');
  });
});
