// The live suite (npm run test:live, scripts/live.ts and scripts/lib/live-suite.ts) against the
// emulator on 127.0.0.1, the way live.yml would run it against Cloudflare: the lifecycle passes and
// leaves no widget behind, a step that fails midway still ends with the run's widgets deleted (and
// nobody else's: earlier killed runs' only when asked), the recording holds no credential or secret and replays against the emulator, and
// without the variables it refuses to run, saying what to set.
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { startEmulator, type Emulator } from '../../emulator/server.ts';
import { REDACTED } from '../../scripts/lib/live-fixtures.ts';
import { isStale, MISSING_SITEKEY, resultTable, runLiveSuite, UPDATE_HOSTNAMES } from '../../scripts/lib/live-suite.ts';
import { FREE_PLAN } from '../../src/cloudflare/errors.ts';
import { builtBundle } from '../helpers/bundle.ts';
import { readRecordings, replay } from '../helpers/replay.ts';

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

const suite = (runPrefix?: string, deleteStale?: boolean) =>
  runLiveSuite({
    apiUrl: emulator.url,
    apiToken: emulator.apiToken,
    accountId: emulator.accountId,
    fixturesDir: fixtures,
    entry,
    timeoutMs: 30_000,
    ...(runPrefix ? { runPrefix } : {}),
    ...(deleteStale ? { deleteStale } : {}),
  });

const hoursAgo = (hours: number) => new Date(Date.now() - hours * 3_600_000).toISOString();
/** Widgets named like the suite's that are not an earlier killed run's: another's, or a run still going. */
const lookAlikes = () => [
  { name: 'someone-elses-widget', created_on: hoursAgo(2) },
  { name: 'x-live-test-run-widget', created_on: hoursAgo(2) }, // matches the listing's filter, not the prefix
  { name: 'live-20250101t000000-abcdef-checkout', created_on: hoursAgo(2) }, // not a name the suite gives
  { name: 'live-20990101t000000-000000-prod', created_on: hoursAgo(2) },
  { name: 'live-20991231t000000-abcdef-widget', created_on: hoursAgo(2) }, // started in the future
  { name: 'live-20260101t000000-fedcba-widget' }, // created just now: a run still going
];

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
    expect(result.cleanup).toEqual({ requests: 2, deleted: [], stale: [], left: 0 }); // nothing left to clean up

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
    ['the update step is refused (400)', { kind: 'status', status: 400, method: 'PUT' } as const, 2, false],
    [
      'the rotation is refused (403), with deleteStale',
      { kind: 'status', status: 403, method: 'POST', path: /rotate_secret$/ } as const,
      5,
      true,
    ],
  ])(
    "a step that fails midway (%s): later steps do not run, the clean-up deletes the run's widgets",
    async (_, fault, failedAt, deleteStale) => {
      const prefix = 'live-test-run-';
      const others = emulator.seed(lookAlikes());
      // A run killed before its clean-up (a cancelled job), two hours ago: listed; deleted when asked.
      const [killed] = emulator.seed([{ name: 'live-20260101t000000-abcdef-widget', created_on: hoursAgo(2) }]);
      emulator.injectFault(fault);
      const result = await suite(prefix, deleteStale);
      expect(result.ok).toBe(false);
      expect(result.steps.map((step) => step.result)).toEqual(
        result.steps.map((_, i) => (i < failedAt ? 'passed' : i === failedAt ? 'failed' : 'not run')),
      );
      expect(result.steps[failedAt]!.detail).toMatch(/^exit code 1: /);
      expect(result.cleanup).toEqual({
        deleted: [expect.stringMatching(/^0x4/)],
        stale: [{ name: killed!.name, sitekey: killed!.sitekey, created_on: killed!.created_on, deleted: deleteStale }],
        left: 0,
        requests: deleteStale ? 4 : 3, // list, the deletes, list
      });
      expect(emulator.widgets()).toEqual(deleteStale ? others : [...others, killed]);
      const row = `deleted 1, 0 left with the prefix; 1 of earlier runs killed before their clean-up, ${deleteStale ? 1 : 0} deleted (--delete-stale)`;
      expect(resultTable(result)).toMatch(
        new RegExp(`^clean-up +passed +${deleteStale ? '4 +2' : '3 +1'} +- +${row.replace(/[()-]/g, '\\$&')}$`, 'm'),
      );
    },
    60_000,
  );

  it("an earlier run's widget is the name the suite gives, started and created over an hour ago", () => {
    const now = Date.parse('2026-06-01T12:00:00Z');
    const widget = (name: string, created_on = '2026-06-01T10:00:00Z') => ({ name, sitekey: 's', created_on });
    expect(isStale(widget('live-20260601t100000-0a1b2c-widget'), now)).toBe(true);
    for (const other of [
      widget('live-20260601t100000-0a1b2c-checkout'),
      widget('live-20260601t100000-0A1B2C-widget'),
      widget('live-20260601t100000-0a1b2c-widget-2'),
      widget('x-live-20260601t100000-0a1b2c-widget'),
      widget('live-20260601t113000-0a1b2c-widget'), // started half an hour ago
      widget('live-20990101t000000-0a1b2c-widget'),
      widget('live-20260601t100000-0a1b2c-widget', '2026-06-01T11:30:00Z'), // created half an hour ago
    ])
      expect(isStale(other, now), other.name).toBe(false);
  });
});

describe('npm run test:live (scripts/live.ts)', () => {
  function live(env: Record<string, string>, args: string[] = []) {
    const child = spawn(process.execPath, [join(ROOT, 'scripts', 'live.ts'), ...args], {
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

  it('with them, against the emulator (as live.yml runs it): the table, exit code 1 on a failed step, no widget of the run left; an earlier run killed before its clean-up listed, and deleted with --delete-stale', async () => {
    const [killed] = emulator.seed([{ name: 'live-20260101t000000-abcdef-widget', created_on: hoursAgo(2) }]);
    // The first create is refused, so the run fails at its first step whatever the hostname count.
    emulator.injectFault({ kind: 'status', status: 400, method: 'POST', path: /widgets$/, times: 2 });
    const env = {
      CLOUDFLARE_API_URL: emulator.url,
      CLOUDFLARE_API_TOKEN: emulator.apiToken,
      CLOUDFLARE_ACCOUNT_ID: emulator.accountId,
      LIVE_FIXTURES_DIR: fixtures,
    };
    const run = await live(env);
    expect(run.code, run.stdout + run.stderr).toBe(1);
    expect(run.stdout).toMatch(/ensure \(create\) +failed/);
    expect(run.stdout).toMatch(/clean-up +passed/);
    expect(run.stdout).toContain(
      `Recorded ${emulator.requests.length} exchanges (emulator) to ${join(fixtures, 'lifecycle.json')}`,
    );
    const listed = `  ${killed!.name} (${killed!.sitekey}), created ${killed!.created_on}`;
    expect(run.stdout).toContain(`killed before their clean-up:\n${listed}: kept\n`);
    expect(`${run.stdout}${run.stderr}`).not.toContain(emulator.apiToken);
    expect(emulator.widgets()).toEqual([killed]);

    const asked = await live(env, ['--delete-stale']);
    expect(asked.code).toBe(1);
    expect(asked.stdout).toContain(`${listed}: deleted\n`);
    expect(emulator.widgets()).toEqual([]);
  }, 60_000);

  it('refuses an unknown argument with exit code 2, running nothing', async () => {
    const run = await live({ CLOUDFLARE_API_URL: emulator.url }, ['--delete-all']);
    expect([run.code, run.stderr]).toEqual([2, 'usage: npm run test:live [-- --delete-stale]. Nothing was run.\n']);
    expect(emulator.requests).toEqual([]);
  });

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
    env?: Record<string, string>;
  }
  const workflow = parse(readFileSync(join(ROOT, '.github', 'workflows', 'live.yml'), 'utf8')) as {
    on: { workflow_dispatch: unknown; schedule: { cron: string }[]; push: { branches: string[] } };
    jobs: { live: { env?: unknown; steps: Step[] } };
  };
  const { steps } = workflow.jobs.live;
  const [check, ...rest] = steps as [Step, ...Step[]];

  it('runs on demand, weekly and on pushes to main', () => {
    expect(Object.keys(workflow.on).sort()).toEqual(['push', 'schedule', 'workflow_dispatch']);
    expect(workflow.on.push.branches).toEqual(['main']);
    const [cron] = workflow.on.schedule.map((entry) => entry.cron.split(' '));
    expect(workflow.on.schedule).toHaveLength(1);
    expect(cron!.slice(2, 4)).toEqual(['*', '*']); // every month, every day of the month...
    expect(cron![4]).toMatch(/^[0-6]$/); // ...on one day of the week
  });

  it('hands the two secrets, under the names npm run test:live reads, to the check and the suite only: not to npm ci', () => {
    const secrets = {
      CLOUDFLARE_API_TOKEN: '${{ secrets.CLOUDFLARE_API_TOKEN }}',
      CLOUDFLARE_ACCOUNT_ID: '${{ secrets.CLOUDFLARE_ACCOUNT_ID }}',
    };
    expect(workflow.jobs.live.env).toBeUndefined();
    expect(steps.map((step) => step.env)).toEqual(
      steps.map((step, i) => (i === 0 || i === steps.length - 1 ? secrets : undefined)),
    );
    expect(steps.some((step) => step.run === 'npm ci' && !step.env)).toBe(true);
    expect(readFileSync(join(ROOT, 'scripts', 'live.ts'), 'utf8')).toMatch(
      /process\.env\.CLOUDFLARE_API_TOKEN[\s\S]*process\.env\.CLOUDFLARE_ACCOUNT_ID/,
    );
  });

  it('every step after the check runs only when both secrets are there', () => {
    expect(check.id).toBe('secrets');
    expect(rest.length).toBeGreaterThanOrEqual(3);
    for (const step of rest) expect(step.if, step.run ?? step.uses).toBe("steps.secrets.outputs.present == 'true'");
  });

  it.each([
    ['schedule', 'run test:live -- --delete-stale'],
    ['push', 'run test:live'],
    ['workflow_dispatch', 'run test:live'],
  ])('the last step runs the suite; on %s with: npm %s', (event, expected) => {
    const bin = mkdtempSync(join(tmpdir(), 'live-npm-'));
    try {
      writeFileSync(join(bin, 'npm'), '#!/bin/sh\necho "$*"\n', { mode: 0o755 });
      const run = spawnSync('bash', ['-e', '-c', rest.at(-1)!.run!], {
        env: { PATH: `${bin}:${process.env.PATH ?? ''}`, GITHUB_EVENT_NAME: event },
        encoding: 'utf8',
      });
      expect([run.status, run.stdout]).toEqual([0, `${expected}\n`]);
    } finally {
      rmSync(bin, { recursive: true, force: true });
    }
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
