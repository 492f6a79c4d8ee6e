// The live suite (npm run test:live, scripts/live.ts and scripts/lib/live-suite.ts) against the
// emulator on 127.0.0.1, the way live.yml would run it against Cloudflare: the lifecycle passes and
// leaves no widget behind, a step that fails midway still ends with the run's widgets deleted (and
// nobody else's), the recording holds no credential or secret and replays against the emulator, and
// without the variables it refuses to run, saying what to set.
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { startEmulator, type Emulator } from '../../emulator/server.ts';
import { REDACTED, readRecordings } from '../../scripts/lib/live-fixtures.ts';
import { MISSING_SITEKEY, resultTable, runLiveSuite, UPDATE_HOSTNAMES } from '../../scripts/lib/live-suite.ts';
import { FREE_PLAN } from '../../src/cloudflare/limits.ts';
import { builtBundle } from '../helpers/bundle.ts';
import { replay } from '../helpers/replay.ts';

const ROOT = resolve(import.meta.dirname, '..', '..');
/** The update step's hostnames in these tests: the committed suite's, within the emulator's default limit. */
const HOSTNAMES = UPDATE_HOSTNAMES;

let emulator: Emulator;
let fixtures: string;
let entry = '';
beforeAll(async () => {
  entry = join((await builtBundle()).dir, 'index.js');
}, 120_000);
beforeEach(async () => {
  emulator = await startEmulator();
  fixtures = mkdtempSync(join(tmpdir(), 'live-fixtures-'));
});
afterEach(async () => {
  await emulator.close();
  rmSync(fixtures, { recursive: true, force: true });
});

const suite = (runPrefix?: string) =>
  runLiveSuite({
    apiUrl: emulator.url,
    apiToken: emulator.apiToken,
    accountId: emulator.accountId,
    fixturesDir: fixtures,
    updateHostnames: HOSTNAMES,
    entry,
    timeoutMs: 30_000,
    ...(runPrefix ? { runPrefix } : {}),
  });

/** Every widget secret the emulator handed out during the run. */
const secretsHandedOut = () =>
  emulator.requests.flatMap((r) => {
    const result = (r.response as { result?: { secret?: string } } | undefined)?.result;
    return typeof result?.secret === 'string' ? [result.secret] : [];
  });

describe('the live suite against the emulator', () => {
  it('passes the whole lifecycle, leaves no widget, counts requests, records a redacted fixture', async () => {
    const others = emulator.seed([{ name: 'someone-elses-widget' }]);
    const result = await suite();
    const table = resultTable(result);
    expect(result.ok, table).toBe(true);
    expect(result.steps.map((step) => [step.step, step.result])).toEqual([
      ['ensure (create)', 'passed'],
      ['ensure again (no change)', 'passed'],
      [`ensure ${HOSTNAMES} hostnames`, 'passed'],
      ['get', 'passed'],
      ['probe: unknown sitekey, PATCH', 'passed'],
      ['rotate-secret', 'passed'],
      ['prune (dry run)', 'passed'],
      ['delete', 'passed'],
    ]);
    expect(emulator.widgets()).toEqual(others); // the run's widget is gone, nobody else's touched
    expect(result.cleanup).toEqual({ requests: 2, deleted: [], staleDeleted: [], left: 0 }); // nothing left to clean up

    // The requests: the proxy's counts are what the emulator received, and match the action's own.
    expect(result.requests).toBe(emulator.requests.length);
    for (const step of result.steps.filter((s) => s.actionCount !== undefined))
      expect(step.requests, step.step).toBe(step.actionCount);
    expect(result.steps.find((s) => s.step === 'ensure again (no change)')).toMatchObject({ writes: 0 });
    expect(result.steps.find((s) => s.step === 'prune (dry run)')).toMatchObject({ writes: 0 });
    expect(table).toMatch(/^step +result +requests +writes/);
    expect(table).toMatch(new RegExp(`^total +passed +${result.requests} `, 'm'));

    // The recording: marked as the emulator's, every exchange, nothing secret in it.
    const [{ file, recording }] = readRecordings(fixtures) as [{ file: string; recording: typeof result.recording }];
    expect([file, recording.source, recording.exchanges.length]).toEqual([
      'lifecycle.json',
      'emulator',
      result.requests,
    ]);
    const text = readFileSync(result.fixture, 'utf8');
    const secrets = secretsHandedOut();
    expect(secrets.length).toBeGreaterThanOrEqual(3); // create, get, rotate
    for (const secret of [...secrets, emulator.apiToken, emulator.accountId]) expect(text).not.toContain(secret);
    expect(text).toContain(`"secret": "${REDACTED}"`);
    expect(text).toContain(MISSING_SITEKEY);
    // What a maintainer commits becomes the emulator's contract: replayed, it matches.
    const fresh = await startEmulator();
    try {
      expect(await replay(recording, fresh)).toEqual([]);
    } finally {
      await fresh.close();
    }
  }, 60_000);

  it.each([
    ['the update step is refused (400)', { kind: 'status', status: 400, method: 'PUT' } as const, 2],
    [
      'the rotation is refused (403)',
      { kind: 'status', status: 403, method: 'POST', path: /rotate_secret$/ } as const,
      5,
    ],
  ])(
    "a step that fails midway (%s): later steps do not run, the clean-up deletes the run's widgets",
    async (_, fault, failedAt) => {
      const prefix = 'live-test-run-';
      const others = emulator.seed([
        { name: 'someone-elses-widget' },
        { name: `x-${prefix}widget` },
        { name: 'live-20991231t000000-abcdef-widget' }, // another run's, created just now: still running
      ]);
      // A run killed before its clean-up (a cancelled job), two hours ago: this clean-up deletes it.
      const [killed] = emulator.seed([
        { name: 'live-20260101t000000-abcdef-widget', created_on: new Date(Date.now() - 2 * 3_600_000).toISOString() },
      ]);
      emulator.injectFault(fault);
      const result = await suite(prefix);
      expect(result.ok).toBe(false);
      expect(result.steps.map((step) => step.result)).toEqual(
        result.steps.map((_, i) => (i < failedAt ? 'passed' : i === failedAt ? 'failed' : 'not run')),
      );
      expect(result.steps[failedAt]!.detail).toMatch(/^exit code 1: /);
      expect(result.cleanup).toMatchObject({
        deleted: [expect.stringMatching(/^0x4/)],
        staleDeleted: [killed!.sitekey],
        left: 0,
      });
      expect(result.cleanup.requests).toBe(4); // list, two deletes, list
      // Only the run's widget and the killed run's went: `x-live-test-run-widget` matches the filter,
      // not the prefix; the other run's is not an hour old.
      expect(emulator.widgets()).toEqual(others);
      expect(resultTable(result)).toMatch(
        /clean-up +passed +4 +2 .*deleted 1, 0 left with the prefix; deleted 1 of earlier runs/,
      );
    },
    60_000,
  );
});

describe('npm run test:live (scripts/live.ts)', () => {
  function live(env: Record<string, string>) {
    const child = spawn(process.execPath, [join(ROOT, 'scripts', 'live.ts')], {
      env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    return new Promise<{ code: number | null; stdout: string; stderr: string }>((done) =>
      child.on('close', (code) => done({ code, stdout, stderr })),
    );
  }

  it('is the test:live script, and neither npm test nor .ci/run runs it', () => {
    const scripts = (
      JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { scripts: Record<string, string> }
    ).scripts;
    expect(scripts['test:live']).toBe('node scripts/live.ts');
    expect(scripts.test).not.toContain('live');
    expect(readFileSync(join(ROOT, '.ci', 'run'), 'utf8')).not.toContain('test:live');
    // vitest runs __tests__/*.test.ts and __tests__/tooling/*.test.ts; the suite lives in scripts/, so it is not collected.
    const config = readFileSync(join(ROOT, 'vitest.config.ts'), 'utf8');
    expect(config).toContain("include: ['__tests__/*.test.ts']");
    expect(config).toContain("include: ['__tests__/tooling/*.test.ts']");
  });

  it('without the variables: exit code 2, names what to set, runs nothing', async () => {
    const run = await live({ CLOUDFLARE_API_URL: emulator.url });
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('CLOUDFLARE_API_TOKEN');
    expect(run.stderr).toContain('CLOUDFLARE_ACCOUNT_ID');
    expect(run.stderr).toContain('Nothing was run.');
    expect(emulator.requests).toEqual([]);
    const tokenOnly = await live({ CLOUDFLARE_API_TOKEN: 'x', CLOUDFLARE_API_URL: emulator.url });
    expect([
      tokenOnly.code,
      tokenOnly.stderr.includes('CLOUDFLARE_ACCOUNT_ID'),
      tokenOnly.stderr.includes('CLOUDFLARE_API_TOKEN'),
    ]).toEqual([2, true, false]);
  });

  it('with them, against the emulator (as live.yml runs it): the table, exit code 1 on a failed step, no widget left', async () => {
    // The first create is refused, so the run fails at its first step whatever the hostname count.
    emulator.injectFault({ kind: 'status', status: 400, method: 'POST', path: /widgets$/ });
    const run = await live({
      CLOUDFLARE_API_URL: emulator.url,
      CLOUDFLARE_API_TOKEN: emulator.apiToken,
      CLOUDFLARE_ACCOUNT_ID: emulator.accountId,
      LIVE_FIXTURES_DIR: fixtures,
    });
    expect(run.code, run.stdout + run.stderr).toBe(1);
    expect(run.stdout).toMatch(/ensure \(create\) +failed/);
    expect(run.stdout).toMatch(/clean-up +passed/);
    expect(run.stdout).toContain(
      `Recorded ${emulator.requests.length} exchanges (emulator) to ${join(fixtures, 'lifecycle.json')}`,
    );
    expect(`${run.stdout}${run.stderr}`).not.toContain(emulator.apiToken);
    expect(emulator.widgets()).toEqual([]);
  }, 60_000);

  it(`the committed suite's update step stays within the Free plan's 10 hostnames (${UPDATE_HOSTNAMES})`, () => {
    expect(UPDATE_HOSTNAMES).toBeGreaterThan(1);
    expect(UPDATE_HOSTNAMES).toBeLessThanOrEqual(FREE_PLAN.hostnamesPerWidget);
    expect(FREE_PLAN.hostnamesPerWidget).toBe(10);
  });
});

describe('.github/workflows/live.yml', () => {
  // Its validity for GitHub's parser and the SHA pins are checked with the other workflows
  // (workflows.test.ts); here, its own logic.
  interface Step {
    id?: string;
    if?: string;
    uses?: string;
    run?: string;
  }
  const workflow = parse(readFileSync(join(ROOT, '.github', 'workflows', 'live.yml'), 'utf8')) as {
    on: { workflow_dispatch: unknown; schedule: { cron: string }[]; push: { branches: string[] } };
    jobs: { live: { env: Record<string, string>; steps: Step[] } };
  };
  const { env, steps } = workflow.jobs.live;
  const [check, ...rest] = steps as [Step, ...Step[]];

  it('runs on demand, weekly and on pushes to main', () => {
    expect(Object.keys(workflow.on).sort()).toEqual(['push', 'schedule', 'workflow_dispatch']);
    expect(workflow.on.push.branches).toEqual(['main']);
    const [cron] = workflow.on.schedule.map((entry) => entry.cron.split(' '));
    expect(workflow.on.schedule).toHaveLength(1);
    expect(cron!.slice(2, 4)).toEqual(['*', '*']); // every month, every day of the month...
    expect(cron![4]).toMatch(/^[0-6]$/); // ...on one day of the week
  });

  it('hands the two secrets to the suite under the names npm run test:live reads', () => {
    expect(env).toEqual({
      CLOUDFLARE_API_TOKEN: '${{ secrets.CLOUDFLARE_API_TOKEN }}',
      CLOUDFLARE_ACCOUNT_ID: '${{ secrets.CLOUDFLARE_ACCOUNT_ID }}',
    });
    expect(readFileSync(join(ROOT, 'scripts', 'live.ts'), 'utf8')).toMatch(
      /process\.env\.CLOUDFLARE_API_TOKEN[\s\S]*process\.env\.CLOUDFLARE_ACCOUNT_ID/,
    );
  });

  it('every step after the check runs only when both secrets are there; the last runs the suite', () => {
    expect(check.id).toBe('secrets');
    expect(rest.length).toBeGreaterThanOrEqual(3);
    for (const step of rest) expect(step.if, step.run ?? step.uses).toBe("steps.secrets.outputs.present == 'true'");
    expect(rest.at(-1)!.run).toBe('npm run test:live');
  });

  it.each([
    ['both secrets', { CLOUDFLARE_API_TOKEN: 't', CLOUDFLARE_ACCOUNT_ID: 'a' }, 'true'],
    ['no secrets (a fork, a new clone)', {}, 'false'],
    ['only the token', { CLOUDFLARE_API_TOKEN: 't', CLOUDFLARE_ACCOUNT_ID: '' }, 'false'],
    ['only the account id', { CLOUDFLARE_ACCOUNT_ID: 'a' }, 'false'],
  ])('the check, with %s: present=%s, and a notice saying what to set when skipping', (_, secrets, present) => {
    const output = join(fixtures, 'github-output');
    writeFileSync(output, '');
    const run = spawnSync('bash', ['-e', '-c', check.run!], {
      env: { PATH: process.env.PATH ?? '', GITHUB_OUTPUT: output, ...secrets },
      encoding: 'utf8',
    });
    expect(run.status, run.stderr).toBe(0);
    expect(readFileSync(output, 'utf8')).toBe(`present=${present}\n`);
    if (present === 'true') expect(run.stdout).toBe('');
    else {
      expect(run.stdout).toMatch(/^::notice title=Live suite skipped::/);
      expect(run.stdout).toContain('CLOUDFLARE_API_TOKEN');
      expect(run.stdout).toContain('CLOUDFLARE_ACCOUNT_ID');
    }
  });
});
