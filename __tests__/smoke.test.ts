// Smoke tests: the bundle built from src/ (see setup/bundle.ts), started as a child process the way
// the runner starts it (INPUT_* variables with action.yml's defaults, GITHUB_OUTPUT, GITHUB_ENV and
// GITHUB_STEP_SUMMARY files), once per operation, against the emulator on 127.0.0.1.
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { runAction } from '../scripts/lib/run-action.ts';
import { renderRunnerLog } from '../scripts/lib/runner-log.ts';
import { builtBundle } from './helpers/bundle.ts';
import { secretExposure, useEmulator } from './helpers/e2e.ts';

const t = useEmulator();
let entry = '';
beforeAll(async () => {
  entry = join((await builtBundle()).dir, 'index.js');
}, 120_000);
const bundle = (inputs: Record<string, string>, env?: Record<string, string>) =>
  runAction({
    entry,
    env,
    inputs: {
      'api-token': t.emulator.apiToken,
      'account-id': t.emulator.accountId,
      'api-url': t.emulator.url,
      ...inputs,
    },
  });

describe('the bundle, as the runner starts it', () => {
  it('ensure creates, masks the secret first, writes outputs, exported variables and the summary', async () => {
    const run = await bundle({ domains: 'pr-42.example.com', 'export-env': 'true' });
    expect(run.code, run.stdout + run.stderr).toBe(0);
    expect(run.stderr).toBe('');
    const [widget] = t.emulator.widgets();
    expect(run.outputs).toMatchObject({ sitekey: widget!.sitekey, secret: widget!.secret, created: 'true' });
    expect(run.env).toEqual({ TURNSTILE_SITEKEY: widget!.sitekey, TURNSTILE_SECRET: widget!.secret });
    expect(run.summary).toContain(`<td>${widget!.sitekey}</td>`);
    for (const secret of [widget!.secret, t.emulator.apiToken]) {
      expect(secretExposure(run, secret)).toEqual({ leaks: [], maskedFirst: true });
    }
    expect(renderRunnerLog(run.stdout)).toMatch(/Created widget "preview-app-pr-42"/);
  });

  it('create, get, rotate-secret, delete, prune: each exits 0 with its outputs', async () => {
    const created = await bundle({ operation: 'create', name: 'smoke', domains: 'a.example.com' });
    expect(created.outputs.created).toBe('true');
    const got = await bundle({ operation: 'get', sitekey: created.outputs.sitekey! });
    expect(got.outputs.secret).toBe(created.outputs.secret);
    const rotated = await bundle({ operation: 'rotate-secret', name: 'smoke' });
    expect(rotated.outputs.secret).not.toBe(created.outputs.secret);
    expect(rotated.outputs.updated).toBe('true');
    const deleted = await bundle({ operation: 'delete', name: 'smoke' });
    expect(JSON.parse(deleted.outputs.deleted!)).toEqual([created.outputs.sitekey]);
    // A preview of this repository (octo-org/preview-app); `smoke-pr-1` would be repository smoke's, and kept.
    t.emulator.seed([{ name: 'preview-app-pr-1', created_on: '2026-01-01T00:00:00Z' }]);
    const pruned = await bundle({ operation: 'prune', 'name-prefix': 'preview-app-pr-' });
    expect(JSON.parse(pruned.outputs.deleted!)).toHaveLength(1);
    for (const run of [created, got, rotated, deleted, pruned]) expect(run.code, run.stdout).toBe(0);
  });

  it('behind a proxy: no warning on stderr (undici 6 printed "[UNDICI-EHPA] EnvHttpProxyAgent is experimental")', async () => {
    // The proxy pool is built from HTTP_PROXY; NO_PROXY sends the requests to the emulator directly.
    const run = await bundle(
      { domains: 'pr-42.example.com' },
      { HTTP_PROXY: 'http://127.0.0.1:9', NO_PROXY: '127.0.0.1' },
    );
    expect(run.code, run.stdout).toBe(0);
    expect(run.stderr).toBe('');
  });

  it('a bad input: exit code 1, one annotation, no request, no stack trace', async () => {
    const run = await bundle({ domains: 'vercel.app' });
    expect(run.code).toBe(1);
    expect(run.stdout.split('\n').filter((line) => line.startsWith('::error'))).toEqual([
      expect.stringMatching(
        /^::error title=Invalid input%3A domains::Input "domains" contains "vercel.app", a public suffix/,
      ),
    ]);
    expect(run.stderr).toBe('');
    expect(t.emulator.requests).toHaveLength(0);
  });

  it('on a Node older than 24: one line that says the action runs on Node 24, exit 1, nothing else', () => {
    // The preload makes Node 24 report 20.20.2; without the guard undici would fail to load with a TypeError.
    const older = 'data:text/javascript,Object.defineProperty(process.versions,"node",{value:"20.20.2"})';
    const run = spawnSync(process.execPath, ['--import', older, entry], { encoding: 'utf8', env: { PATH: '' } });
    expect(run.status).toBe(1);
    expect(run.stdout).toBe('');
    expect(run.stderr).toBe('This action runs on Node 24 (action.yml: runs.using: node24); this is Node 20.20.2.\n');
  });
});
