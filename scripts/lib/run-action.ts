// Runs the bundled action the way the GitHub Actions runner does: a Node 24 child process of
// dist/index.js, inputs as INPUT_<NAME> variables, and GITHUB_OUTPUT / GITHUB_ENV /
// GITHUB_STEP_SUMMARY files that are read back afterwards.
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { inputVariables } from './action-inputs.ts';

export interface RunActionOptions {
  inputs: Record<string, string>;
  /** Extra environment (e.g. RUNNER_DEBUG=1); replaces the defaults below of the same name. */
  env?: Record<string, string>;
  entry?: string;
  timeoutMs?: number;
}

export interface ActionResult {
  code: number | null;
  stdout: string;
  stderr: string;
  outputs: Record<string, string>;
  /** Variables exported for later steps (GITHUB_ENV). */
  env: Record<string, string>;
  summary: string;
  durationMs: number;
}

const ROOT = resolve(import.meta.dirname, '..', '..');

export async function runAction(options: RunActionOptions): Promise<ActionResult> {
  const dir = mkdtempSync(join(tmpdir(), 'action-run-'));
  const files = {
    GITHUB_OUTPUT: join(dir, 'output'),
    GITHUB_ENV: join(dir, 'env'),
    GITHUB_STATE: join(dir, 'state'),
    GITHUB_PATH: join(dir, 'path'),
    GITHUB_STEP_SUMMARY: join(dir, 'summary'),
  };
  for (const file of Object.values(files)) writeFileSync(file, '');
  const eventPath = join(dir, 'event.json');
  writeFileSync(eventPath, JSON.stringify({ number: 42, pull_request: { number: 42 } }));

  const env: Record<string, string> = {
    // Nothing from the developer's shell leaks in, except what a process needs to start.
    PATH: process.env.PATH ?? '',
    HOME: process.env.HOME ?? dir,
    ...(process.env.SYSTEMROOT ? { SYSTEMROOT: process.env.SYSTEMROOT } : {}),
    GITHUB_ACTIONS: 'true',
    GITHUB_REPOSITORY: 'octo-org/preview-app',
    GITHUB_EVENT_NAME: 'pull_request',
    GITHUB_EVENT_PATH: eventPath,
    GITHUB_REF: 'refs/pull/42/merge',
    GITHUB_REF_NAME: '42/merge',
    RUNNER_TEMP: dir,
    ...files,
    ...options.env,
  };
  Object.assign(env, inputVariables(options.inputs));

  const started = performance.now();
  const timeoutMs = options.timeoutMs ?? 30_000;
  const child = spawn(process.execPath, [options.entry ?? join(ROOT, 'dist', 'index.js')], {
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  const timer = setTimeout(() => {
    // Said in stderr, so a test that fails on the exit code shows why there was none.
    stderr += `\n[run-action] killed after ${timeoutMs} ms (timeoutMs)\n`;
    child.kill('SIGKILL');
  }, timeoutMs);
  const code = await new Promise<number | null>((done) => {
    child.on('error', (error) => {
      stderr += `\n[run-action] ${error.message}\n`;
      done(null);
    });
    child.on('close', done);
  });
  clearTimeout(timer);
  const durationMs = Math.round(performance.now() - started);
  try {
    return {
      code,
      stdout,
      stderr,
      outputs: parseFileCommands(readFileSync(files.GITHUB_OUTPUT, 'utf8')),
      env: parseFileCommands(readFileSync(files.GITHUB_ENV, 'utf8')),
      summary: readFileSync(files.GITHUB_STEP_SUMMARY, 'utf8'),
      durationMs,
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Reads `name=value` lines and the `name<<DELIMITER` … `DELIMITER` blocks @actions/core writes. */
export function parseFileCommands(text: string): Record<string, string> {
  const values: Record<string, string> = {};
  const lines = text.split(/\r?\n/);
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    const heredoc = /^([^=<]+)<<(.+)$/.exec(line);
    if (heredoc) {
      const [, name, delimiter] = heredoc as unknown as [string, string, string];
      const body: string[] = [];
      while (++i < lines.length && lines[i] !== delimiter) body.push(lines[i]!);
      values[name] = body.join('\n');
    } else if (line.includes('=')) {
      const at = line.indexOf('=');
      values[line.slice(0, at)] = line.slice(at + 1);
    }
  }
  return values;
}
