// Fault injection: the action (in-process) against the emulator with faults switched on. Waits
// are virtual (the clock records backoffs), request timeouts a tenth of their time.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { useEmulator, type ActionRun } from './helpers/e2e.ts';

const t = useEmulator();
const DOMAINS = { domains: 'pr-42.example.com' };
const errorLines = (run: ActionRun) => run.stdout.split('\n').filter((line) => line.startsWith('::error'));
/** Retries are plain log lines; a run that retries leaves no warning annotation. */
const retryLines = (run: ActionRun) => run.stdout.split('\n').filter((line) => /; retrying in /.test(line));
const warnings = (run: ActionRun) => run.stdout.split('\n').filter((line) => line.startsWith('::warning'));

/** The action succeeded and the account holds exactly one widget, the one it output. */
function expectOneWidget(run: ActionRun) {
  expect(run.code, run.stdout).toBe(0);
  const widgets = t.emulator.widgets();
  expect(widgets).toHaveLength(1);
  expect(run.outputs.sitekey).toBe(widgets[0]!.sitekey);
  // Retries and recoveries that end well are nothing for the user to act on: no annotation.
  expect(warnings(run)).toEqual([]);
}

describe('rate limiting and server errors', () => {
  it('429 with Retry-After in seconds: waits as told, retries, succeeds', async () => {
    t.emulator.injectFault({
      kind: 'status',
      status: 429,
      headers: { 'retry-after': '1' },
      body: { success: false, errors: [{ code: 10013, message: 'Rate limited' }], messages: [], result: null },
    });
    const run = await t.run(DOMAINS);
    expectOneWidget(run);
    expect(retryLines(run)).toEqual([expect.stringMatching(/HTTP 429; retrying in 1\.0 s \(retry 1 of 4\)/)]);
  });

  it('429 with Retry-After as an HTTP date', async () => {
    const inOneSecond = new Date(Date.now() + 1000).toUTCString();
    t.emulator.injectFault({
      kind: 'status',
      status: 429,
      method: 'POST',
      headers: { 'retry-after': inOneSecond },
      body: { success: false, errors: [{ code: 10013, message: 'Rate limited' }], messages: [], result: null },
    });
    const run = await t.run(DOMAINS);
    expectOneWidget(run);
    expect(retryLines(run)).toHaveLength(1);
    // A refused (429) create is re-sent as is: nothing was created, so nothing is looked up.
    expect(t.emulator.requests.map((r) => r.method)).toEqual(['GET', 'POST', 'POST', 'GET']);
  });

  // Every status from 500 to 599 takes one path (isRetryableStatus); 500 is its lower edge.
  it('500 with an HTML body: backs off, retries, succeeds', async () => {
    const status = 500;
    t.emulator.injectFault({ kind: 'status', status, body: `<html><body>${status} error</body></html>` });
    const run = await t.run(DOMAINS);
    expectOneWidget(run);
    expect(retryLines(run)).toEqual([expect.stringMatching(new RegExp(`HTTP ${status}; retrying in 0\\.\\d s`))]);
  });

  it('when retries run out: the status and a clear message, not a JSON parse error', async () => {
    t.emulator.injectFault({ kind: 'status', status: 502, times: 10, body: '<html>Bad gateway</html>' });
    const run = await t.run({ ...DOMAINS, 'max-retries': '2' });
    expect(run.code).toBe(1);
    expect(errorLines(run)).toEqual([
      expect.stringMatching(
        /^::error title=Cloudflare API error::Cloudflare API GET .* failed \(HTTP 502\): the response body is not JSON \(text\/html, 24 bytes\) \(gave up after 3 attempts in .* s\)\. Hint: Cloudflare had a server-side problem/,
      ),
    ]);
    expect(run.stdout + run.stderr).not.toMatch(/SyntaxError|Unexpected token| {4}at /);
    expect(t.emulator.requests).toHaveLength(3);
  });
});

describe('network faults', () => {
  it('connection reset: retried', async () => {
    t.emulator.injectFault({ kind: 'reset', method: 'GET' });
    const run = await t.run(DOMAINS);
    expectOneWidget(run);
    expect(retryLines(run)).toEqual([expect.stringMatching(/network error/)]);
  });

  it('a server that never answers: per-request timeout, retry, success', async () => {
    t.emulator.injectFault({ kind: 'hang' });
    const run = await t.run({ ...DOMAINS, 'request-timeout': '1' });
    expectOneWidget(run);
    expect(retryLines(run)).toEqual([expect.stringMatching(/no response within 1 s/)]);
  });

  it('never answers at all: the step ends, bounded by timeout x attempts', async () => {
    t.emulator.injectFault({ kind: 'hang', times: 10 });
    const run = await t.run({ ...DOMAINS, 'request-timeout': '1', 'max-retries': '1' });
    expect(run.code).toBe(1);
    expect(errorLines(run)).toEqual([
      expect.stringMatching(/no response within 1 s \(gave up after 2 attempts.*Hint: no answer from the API/),
    ]);
    // Two attempts of a (virtual) second each, one backoff between them: bounded, never waiting for real.
    expect(run.clock.slept).toHaveLength(1);
    // One error to act on; the retry before it is a log line, not a second annotation.
    expect(warnings(run)).toEqual([]);
    expect(retryLines(run)).toHaveLength(1);
  });

  it('a create whose response was lost: adopts the widget, never a duplicate', async () => {
    t.emulator.injectFault({ kind: 'lost-response', method: 'POST' });
    const run = await t.run(DOMAINS);
    expectOneWidget(run);
    expect(run.outputs.created).toBe('true');
    expect(run.outputs.secret).toBe(t.emulator.widgets()[0]!.secret);
    expect(run.stdout).toMatch(/response was lost, but widget "preview-app-pr-42" exists/);
    expect(t.emulator.requests.filter((r) => r.method === 'POST')).toHaveLength(1);
  });

  it('operation create with a lost response: also adopted', async () => {
    t.emulator.injectFault({ kind: 'lost-response', method: 'POST' });
    const run = await t.run({ ...DOMAINS, operation: 'create', name: 'fresh' });
    expectOneWidget(run);
  });
});

describe('concurrent runs', () => {
  it.each([2, 5])('%i parallel ensure runs for one name converge on one widget', async (parallel) => {
    // Hold each create for 200 ms before it takes effect, so every run lists before any widget
    // exists (a real race): the runs start together in this process.
    t.emulator.injectFault({ kind: 'delay', ms: 200, method: 'POST', times: parallel });
    const runs = await Promise.all(Array.from({ length: parallel }, () => t.run(DOMAINS)));
    const creates = t.emulator.requests.filter((r) => r.method === 'POST').length;
    const deletes = t.emulator.requests.filter((r) => r.method === 'DELETE').length;
    expect(creates).toBeGreaterThan(1);
    expect(deletes).toBe(creates - 1);
    for (const run of runs) expect(run.code, run.stdout).toBe(0);
    const widgets = t.emulator.widgets();
    expect(widgets).toHaveLength(1);
    expect(new Set(runs.map((run) => run.outputs.sitekey))).toEqual(new Set([widgets[0]!.sitekey]));
    expect(new Set(runs.map((run) => run.outputs.secret))).toEqual(new Set([widgets[0]!.secret]));
    // Each run whose widget lost says so, once: the widget it uses and the duplicate it deleted.
    const settled = runs.flatMap(warnings);
    expect(settled).toHaveLength(deletes);
    for (const line of settled) {
      expect(line).toMatch(
        new RegExp(
          `^::warning title=Concurrent create::Another run created widget "preview-app-pr-42" at the same time \\(${widgets[0]!.sitekey}\\); using it and deleting the duplicate this run created \\(0x4\\S+\\)\\.$`,
        ),
      );
    }
  });
});

describe('error envelopes: one clear line with code, message and hint; exit code 1', () => {
  it.each<[string, (inputs: Record<string, string>) => Record<string, string>, RegExp]>([
    [
      'authentication',
      (i) => ({ ...i, 'api-token': 'wrong-token-0123456789' }),
      /\(HTTP 403\): \[10000\] Authentication error\. Hint: the credentials were refused .*Turnstile > Edit/,
    ],
    [
      'unknown account',
      (i) => ({ ...i, 'account-id': 'f'.repeat(32) }),
      /\[9109\] Unauthorized to access requested resource\. Hint: .*Turnstile > Edit/,
    ],
    [
      'unknown sitekey',
      (i) => ({ ...i, operation: 'get', sitekey: '0x4AAAAAAAnope' }),
      /\(HTTP 404\): \[10404\] .*Hint: no widget with that sitekey/,
    ],
  ])('%s', async (_name, inputs, message) => {
    const run = await t.run(inputs(DOMAINS));
    expect(run.code).toBe(1);
    expect(errorLines(run)).toEqual([expect.stringMatching(message)]);
    expect(run.stderr).toBe('');
  });

  it('missing permission', async () => {
    t.emulator.injectFault({
      kind: 'status',
      status: 403,
      body: {
        success: false,
        errors: [{ code: 9109, message: 'Unauthorized to access requested resource' }],
        messages: [],
        result: null,
      },
    });
    const run = await t.run(DOMAINS);
    expect(errorLines(run)).toEqual([
      expect.stringMatching(/\[9109\].*Hint: the credentials were refused .*Turnstile > Edit/),
    ]);
  });

  it('widget limit reached, nothing to recycle', async () => {
    t.emulator.seed(Array.from({ length: 20 }, (_, i) => ({ name: `production-${i}` })));
    const run = await t.run(DOMAINS);
    expect(run.code).toBe(1);
    expect(errorLines(run)).toEqual([
      expect.stringMatching(
        /^::error title=Widget limit reached::The account is at its Turnstile widget limit: it holds 20 widgets.*operation: prune/,
      ),
    ]);
  });
});

describe('fork pull requests', () => {
  it('an empty api-token on a fork pull request explains that secrets are not passed to forks', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'fork-event-'));
    const event = join(dir, 'event.json');
    writeFileSync(
      event,
      JSON.stringify({
        number: 7,
        pull_request: {
          number: 7,
          head: { repo: { fork: true, full_name: 'someone/preview-app' } },
          base: { repo: { full_name: 'octo-org/preview-app' } },
        },
      }),
    );
    const run = await t.run({ ...DOMAINS, 'api-token': '' }, { GITHUB_EVENT_PATH: event });
    rmSync(dir, { recursive: true, force: true });
    expect(run.code).toBe(1);
    expect(errorLines(run)).toEqual([
      expect.stringMatching(/pull request from a fork, and GitHub does not pass repository secrets/),
    ]);
    expect(t.emulator.requests).toHaveLength(0);
  });
});
