// Runs the bundled action the way the GitHub Actions runner does: a Node child process of
// dist/index.js, inputs as INPUT_<NAME> variables, and GITHUB_OUTPUT / GITHUB_ENV /
// GITHUB_STEP_SUMMARY files that are read back afterwards.
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { inputVariables } from './action-inputs.ts';

export type ActionResult = Awaited<ReturnType<typeof runAction>>;

const DIST = resolve(import.meta.dirname, '..', '..', 'dist', 'index.js');

/**
 * `env` is extra environment (e.g. RUNNER_DEBUG=1) over the defaults below; the result's `env` holds
 * the variables exported for later steps (GITHUB_ENV).
 */
export async function runAction(options: {
  inputs: Record<string, string>;
  env?: Record<string, string>;
  entry?: string;
  timeoutMs?: number;
}) {
  const dir = mkdtempSync(join(tmpdir(), 'action-run-'));
  const file = (name: string, content = '') => {
    writeFileSync(join(dir, name), content);
    return join(dir, name);
  };
  const env: Record<string, string> = {
    // Nothing from the developer's shell leaks in, except what a process needs to start.
    PATH: process.env.PATH ?? '',
    HOME: process.env.HOME ?? dir,
    ...(process.env.SYSTEMROOT ? { SYSTEMROOT: process.env.SYSTEMROOT } : {}),
    GITHUB_ACTIONS: 'true',
    GITHUB_REPOSITORY: 'octo-org/preview-app',
    GITHUB_EVENT_NAME: 'pull_request',
    GITHUB_EVENT_PATH: file('event.json', JSON.stringify({ number: 42, pull_request: { number: 42 } })),
    GITHUB_REF: 'refs/pull/42/merge',
    GITHUB_REF_NAME: '42/merge',
    RUNNER_TEMP: dir,
    GITHUB_OUTPUT: file('output'),
    GITHUB_ENV: file('env'),
    GITHUB_STATE: file('state'),
    GITHUB_PATH: file('path'),
    GITHUB_STEP_SUMMARY: file('summary'),
    ...options.env,
    ...inputVariables(options.inputs),
  };

  const started = performance.now();
  const timeoutMs = options.timeoutMs ?? 30_000;
  const child = spawn(process.execPath, [options.entry ?? DIST], { env, stdio: ['ignore', 'pipe', 'pipe'] });
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
    const read = (name: string) => readFileSync(join(dir, name), 'utf8');
    const [outputs, exported] = [parseFileCommands(read('output')), parseFileCommands(read('env'))];
    return { code, stdout, stderr, outputs, env: exported, summary: read('summary'), durationMs };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Reads the `name<<DELIMITER` … `DELIMITER` blocks and `name=value` lines @actions/core writes. */
function parseFileCommands(text: string): Record<string, string> {
  const values: Record<string, string> = {};
  for (const [, name, , block, key, value] of text.matchAll(/^([^=<\n]+)<<(.+)\n([\s\S]*?)\n\2$|^([^=\n]+)=(.*)$/gm)) {
    values[(name ?? key)!] = (block ?? value)!;
  }
  return values;
}
