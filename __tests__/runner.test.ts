// The two adapters the bundle uses and no in-process run does: actionsRunner (over the real
// @actions/core, writing stdout, GITHUB_OUTPUT, GITHUB_ENV and the step summary as on a runner) and
// the system clock. index.ts, the entry point, runs only in the bundle smoke tests (smoke.test.ts),
// in a child process that coverage cannot see. And run() given a step's environment as it comes, without
// the defaults the runner fills in from action.yml (as @github/local-action or a caller may start it).
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as core from '@actions/core';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { systemClock } from '../src/http/clock.ts';
import { actionsRunner, type Runner } from '../src/log/runner.ts';
import { maskedValues } from '../scripts/lib/runner-log.ts';
import { run } from '../src/main.ts';
import { startEmulator } from '../emulator/server.ts';
import { recordingRunner, runnerEnv, virtualClock } from './helpers/runner.ts';

afterEach(() => {
  vi.unstubAllEnvs();
  vi.restoreAllMocks();
});

/** Runs `body` with stdout captured; returns what @actions/core wrote. */
async function stdoutOf(body: () => Promise<void> | void): Promise<string> {
  let written = '';
  const spy = vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
    written += String(chunk);
    return true;
  });
  try {
    await body();
  } finally {
    spy.mockRestore();
  }
  return written;
}

describe('actionsRunner', () => {
  it('speaks the runner protocol through @actions/core: commands, files, summary', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'runner-'));
    const files = { GITHUB_OUTPUT: 'output', GITHUB_ENV: 'env', GITHUB_STEP_SUMMARY: 'summary' };
    for (const [variable, file] of Object.entries(files)) {
      writeFileSync(join(dir, file), '');
      vi.stubEnv(variable, join(dir, file));
    }
    const stdout = await stdoutOf(async () => {
      actionsRunner.setSecret('s3cret-value');
      actionsRunner.debug('a debug line');
      actionsRunner.info('plain info');
      actionsRunner.notice('noticed', 'A title');
      actionsRunner.warning('careful');
      actionsRunner.error('broke, badly', 'Failed: x');
      actionsRunner.startGroup('Group');
      actionsRunner.endGroup();
      actionsRunner.setOutput('sitekey', '0x4AAAAAAAexample');
      actionsRunner.exportVariable('TURNSTILE_SITEKEY', '0x4AAAAAAAexample');
      await actionsRunner.appendSummary('<h3>Turnstile</h3>');
    });
    expect(stdout.split('\n').filter(Boolean)).toEqual([
      '::add-mask::s3cret-value',
      '::debug::a debug line',
      'plain info',
      '::notice title=A title::noticed',
      '::warning::careful',
      '::error title=Failed%3A x::broke, badly',
      '::group::Group',
      '::endgroup::',
    ]);
    expect(maskedValues(stdout)).toEqual(['s3cret-value']);
    expect(readFileSync(join(dir, 'output'), 'utf8')).toMatch(/^sitekey<<(\S+)\n0x4AAAAAAAexample\n\1\n$/);
    expect(readFileSync(join(dir, 'env'), 'utf8')).toMatch(/^TURNSTILE_SITEKEY<<(\S+)\n0x4AAAAAAAexample\n\1\n$/);
    expect(readFileSync(join(dir, 'summary'), 'utf8')).toBe('<h3>Turnstile</h3>\n');
  });

  it('writes stdout exactly as the recording runner of the in-process tests does, hostile text included', async () => {
    // The shapes channel.test.ts sends through the action: escapes, line breaks, the escaped commands.
    const texts = [
      'plain',
      '100% a\r\nb\rc\nd',
      'x ##\u200b[set-output name=a]b',
      ':\u200b:warning::x',
      '\u2028\u0085\u00a0:\u200b:error::x',
    ];
    const speak = (runner: Runner) => {
      for (const text of texts) {
        runner.setSecret(text);
        runner.debug(text);
        runner.info(text);
        runner.notice(text);
        runner.warning(text, `Title: ${text}, with a comma`);
        runner.error(text, 'Failed: x');
        runner.startGroup(text);
        runner.endGroup();
      }
    };
    const recording = recordingRunner();
    speak(recording);
    expect(await stdoutOf(() => speak(actionsRunner))).toBe(recording.stdout);
  });

  it('without a step summary file, appending to the summary does nothing', async () => {
    vi.stubEnv('GITHUB_STEP_SUMMARY', '');
    // @actions/core's summary keeps the path of the first file it wrote (whichever test that was), and
    // would write there, or throw without one: it must not be asked to add anything.
    const added = vi.spyOn(core.summary, 'addRaw');
    await expect(actionsRunner.appendSummary('<p>x</p>')).resolves.toBeUndefined();
    expect(added).not.toHaveBeenCalled();
  });
});

describe('systemClock', () => {
  it('tells real time, sleeps on a timer and times out for real', async () => {
    const before = Date.now();
    const now = systemClock.now();
    expect(now).toBeGreaterThanOrEqual(before);
    expect(now).toBeLessThanOrEqual(Date.now());
    // The sleep waits on a real timer: never less than asked (timers may fire up to 1 ms early, as
    // Node rounds them; never late is not promised, so there is no upper bound under load).
    const started = performance.now();
    expect(await systemClock.sleep(20)).toBeUndefined();
    expect(performance.now() - started).toBeGreaterThanOrEqual(19);
    const long = systemClock.timeout(60_000);
    expect(long).toBeInstanceOf(AbortSignal);
    expect(long.aborted).toBe(false);
    const signal = systemClock.timeout(1);
    expect(signal.aborted).toBe(false);
    await new Promise((resolve) => signal.addEventListener('abort', resolve));
    expect(signal.reason).toBeInstanceOf(DOMException);
    expect((signal.reason as DOMException).name).toBe('TimeoutError');
  });
});

describe('run() given the environment as it comes', () => {
  /** A run on a bare environment: the pull request context and `inputs` as INPUT_* variables, nothing else. */
  async function bare(inputs: Record<string, string>, extra: Record<string, string> = {}) {
    const runner = recordingRunner();
    const env = {
      ...runnerEnv(extra),
      ...Object.fromEntries(Object.entries(inputs).map(([k, v]) => [`INPUT_${k}`, v])),
    };
    const code = await run({ runner, env, clock: virtualClock() });
    return { code, runner };
  }
  const operationRow = (summary: string) => /<td>Operation<\/td><td>([^<]*)<\/td>/.exec(summary)?.[1];

  it('a run that fails on its inputs names the operation it was asked for in the summary: ensure when none is set', async () => {
    const unset = await bare({ 'API-TOKEN': 'tok', DOMAINS: 'vercel.app' });
    expect(unset.code).toBe(1);
    expect(operationRow(unset.runner.summary)).toBe('ensure');
    const blank = await bare({ OPERATION: ' ', 'API-TOKEN': 'tok', DOMAINS: 'vercel.app' });
    expect(operationRow(blank.runner.summary)).toBe('ensure');
    const padded = await bare({ OPERATION: ' prune ', 'API-TOKEN': 'tok', 'OLDER-THAN': 'soon' });
    expect(padded.code).toBe(1);
    expect(operationRow(padded.runner.summary)).toBe('prune');
  });

  it('the widget-limit error names "a step of this action" when the runner names the repository without a ref', async () => {
    const emulator = await startEmulator();
    try {
      // The Free plan's 20 widgets, none of them a preview that could be recycled.
      emulator.seed(Array.from({ length: 20 }, (_, i) => ({ name: `site-${i}`, domains: ['a.example.com'] })));
      const inputs = { 'API-TOKEN': emulator.apiToken, 'ACCOUNT-ID': emulator.accountId, 'API-URL': emulator.url };
      const { code, runner } = await bare(
        { ...inputs, NAME: 'preview-app-pr-42', DOMAINS: 'pr-42.example.com' },
        { GITHUB_ACTION_REPOSITORY: 'octo-org/turnstile-widget-action' },
      );
      expect(code, runner.stdout).toBe(1);
      const error = runner.stdout.split('\n').find((line) => line.startsWith('::error title=Widget limit reached::'));
      expect(error, runner.stdout).toContain('add a nightly cleanup: a step of this action with `operation: prune`');
      expect(error).not.toContain('uses:');
    } finally {
      await emulator.close();
    }
  });
});
