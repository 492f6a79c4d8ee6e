// The whole action in-process: run() with a recording Runner that writes stdout exactly as
// @actions/core does (workflow commands, escaping), and a virtual clock, so a test sees what the
// runner would see without starting a process or waiting for real.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Clock } from '../../src/http/clock.ts';
import { run } from '../../src/main.ts';
import type { Runner } from '../../src/log/runner.ts';
import { inputVariables } from '../../scripts/lib/action-inputs.ts';

const escapeData = (text: string) => text.replace(/%/g, '%25').replace(/\r/g, '%0D').replace(/\n/g, '%0A');
const escapeProperty = (text: string) => escapeData(text).replace(/:/g, '%3A').replace(/,/g, '%2C');

export interface RecordingRunner extends Runner {
  stdout: string;
  outputs: Record<string, string>;
  exported: Record<string, string>;
  summary: string;
}

export function recordingRunner(): RecordingRunner {
  const recorder = {
    stdout: '',
    outputs: {} as Record<string, string>,
    exported: {} as Record<string, string>,
    summary: '',
  };
  const line = (text: string) => (recorder.stdout += `${text}\n`);
  const command = (name: string, message: string, title?: string) =>
    line(`::${name}${title ? ` title=${escapeProperty(title)}` : ''}::${escapeData(message)}`);
  return Object.assign(recorder, {
    setSecret: (value: string) => line(`::add-mask::${escapeData(value)}`),
    setOutput: (name: string, value: string) => void (recorder.outputs[name] = value),
    exportVariable: (name: string, value: string) => void (recorder.exported[name] = value),
    debug: (message: string) => command('debug', message),
    info: (message: string) => line(message),
    notice: (message: string, title?: string) => command('notice', message, title),
    warning: (message: string, title?: string) => command('warning', message, title),
    error: (message: string, title?: string) => command('error', message, title),
    startGroup: (title: string) => command('group', title),
    endGroup: () => line('::endgroup::'),
    appendSummary: async (html: string) => void (recorder.summary += html),
  });
}

/** Virtual time: sleeps return at once (recorded); request timeouts fire after a tenth of their time. */
export function virtualClock(start = Date.now()): Clock & { slept: number[] } {
  let now = start;
  const slept: number[] = [];
  return {
    slept,
    now: () => now,
    sleep: async (ms) => {
      slept.push(ms);
      now += ms;
    },
    timeout: (ms) => AbortSignal.timeout(Math.max(1, Math.round(ms / 10))),
  };
}

let eventFile: string | undefined;
/** The pull request event of the default test context (#42 of octo-org/preview-app). */
function pullRequestEvent(): string {
  if (!eventFile) {
    eventFile = join(mkdtempSync(join(tmpdir(), 'event-')), 'event.json');
    writeFileSync(eventFile, JSON.stringify({ number: 42, pull_request: { number: 42 } }));
  }
  return eventFile;
}

/** The environment of a pull request run, as the runner sets it. */
export function runnerEnv(extra: Record<string, string | undefined> = {}): NodeJS.ProcessEnv {
  return {
    GITHUB_ACTIONS: 'true',
    GITHUB_REPOSITORY: 'octo-org/preview-app',
    GITHUB_EVENT_NAME: 'pull_request',
    GITHUB_EVENT_PATH: pullRequestEvent(),
    GITHUB_REF: 'refs/pull/42/merge',
    GITHUB_REF_NAME: '42/merge',
    ...extra,
  };
}

export interface InProcessRun {
  code: number;
  stdout: string;
  stderr: string;
  outputs: Record<string, string>;
  env: Record<string, string>;
  summary: string;
  clock: ReturnType<typeof virtualClock>;
}

/** One step of the action: `inputs` as `with:` (action.yml defaults applied as the runner does). */
export async function runInProcess(
  inputs: Record<string, string>,
  options: { env?: Record<string, string | undefined>; clock?: ReturnType<typeof virtualClock> } & Partial<
    Pick<NonNullable<Parameters<typeof run>[0]>, 'dispatcher' | 'random'>
  > = {},
): Promise<InProcessRun> {
  const runner = recordingRunner();
  const clock = options.clock ?? virtualClock();
  const env = { ...runnerEnv(options.env), ...inputVariables(inputs) };
  const code = await run({ runner, env, clock, dispatcher: options.dispatcher, random: options.random ?? (() => 0.5) });
  return {
    code,
    stdout: runner.stdout,
    stderr: '',
    outputs: runner.outputs,
    env: runner.exported,
    summary: runner.summary,
    clock,
  };
}
