// Secrets never leak: every operation x (success, API failure, network failure), with token and
// with legacy key authentication, debug lines included (the action always writes them; the runner
// shows them with step debug logging). The widget secret, the API token and the API
// key may appear in stdout/stderr only inside their own ::add-mask:: line, which comes first.
// Credentials that the escaping rewrites, through the bundle: channel.test.ts.
import { describe, expect, it } from 'vitest';
import { neverExposed, secretExposure, useEmulator } from './helpers/e2e.ts';

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

describe('secrets masked on sight', () => {
  it('rotate-secret masks the old secret as soon as its GET returns it, though only the new one is output', async () => {
    const [widget] = t.emulator.seed([{ name: 'preview-app-pr-42', domains: ['pr-42.example.com'] }]);
    const run = await t.run({ operation: 'rotate-secret', sitekey: widget!.sitekey });
    expect(run.code, run.stdout).toBe(0);
    expect(run.outputs.secret).not.toBe(widget!.secret);
    const lines = run.stdout.split('\n');
    const masked = lines.indexOf(`::add-mask::${widget!.secret}`);
    expect(masked, run.stdout).toBeGreaterThan(-1);
    // Before the rotation is even sent: whatever goes wrong after the read, the old secret is masked.
    expect(masked).toBeLessThan(lines.findIndex((line) => /^::debug::POST .*\/rotate_secret /.test(line)));
  });
});
