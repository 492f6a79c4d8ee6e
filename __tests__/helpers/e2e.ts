import { afterEach, beforeEach } from 'vitest';
import { startEmulator, type Emulator } from '../../emulator/server.ts';
import { maskedValues } from '../../scripts/lib/runner-log.ts';
import { runInProcess, type InProcessRun } from './runner.ts';

export type ActionRun = Pick<InProcessRun, 'stdout' | 'stderr' | 'outputs' | 'env' | 'summary'> & {
  code: number | null;
};

/** A fresh emulator for every test; `run` runs the action in-process against it, as the runner would. */
export function useEmulator() {
  const context = { emulator: undefined as unknown as Emulator };
  beforeEach(async () => {
    context.emulator = await startEmulator();
  });
  afterEach(async () => {
    await context.emulator.close();
  });

  function run(inputs: Record<string, string>, env: Record<string, string> = {}): Promise<InProcessRun> {
    const emulator = context.emulator;
    return runInProcess(
      { 'api-token': emulator.apiToken, 'account-id': emulator.accountId, 'api-url': emulator.url, ...inputs },
      { env },
    );
  }

  return {
    get emulator() {
      return context.emulator;
    },
    run,
  };
}

/** The lines a user reads in the log: no debug lines, masks or groups. */
export const shown = (stdout: string) =>
  stdout.split('\n').filter((line) => line && !/^::(debug|add-mask|group|endgroup)::/.test(line));

/** The write calls (anything but GET) the emulator received. */
export function writes(emulator: Emulator): string[] {
  return emulator.requests.filter((r) => r.method !== 'GET').map((r) => `${r.method} ${r.path}`);
}

/**
 * Where `secret` shows up in the action's stdout/stderr outside its own ::add-mask:: line, and
 * whether that add-mask line came before every other line that carries it.
 */
export function secretExposure(run: ActionRun, secret: string): { leaks: string[]; maskedFirst: boolean } {
  const lines = `${run.stdout}\n${run.stderr}`.split('\n');
  const maskLine = lines.findIndex((line) => line === `::add-mask::${secret}`);
  const leaks = lines.filter((line) => line.includes(secret) && line !== `::add-mask::${secret}`);
  const firstUse = lines.findIndex((line) => line.includes(secret));
  return { leaks, maskedFirst: maskLine !== -1 && firstUse === maskLine && maskedValues(run.stdout).includes(secret) };
}

/** No appearance at all, or only in an ::add-mask:: line that comes before any other use. */
export function neverExposed(run: ActionRun, secret: string): boolean {
  const { leaks, maskedFirst } = secretExposure(run, secret);
  const appears = `${run.stdout}\n${run.stderr}`.includes(secret);
  return leaks.length === 0 && (!appears || maskedFirst);
}
