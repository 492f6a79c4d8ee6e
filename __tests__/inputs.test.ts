import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';

/** A fresh module graph per test, so @actions/github's context sees this test's environment. */
async function readSettings() {
  const inputs = await import('../src/inputs.ts');
  return inputs.readSettings();
}

const ACCOUNT = '0123456789ABCDEF0123456789abcdef';

function setInputs(inputs: Record<string, string>) {
  for (const [name, value] of Object.entries(inputs)) vi.stubEnv(`INPUT_${name.toUpperCase()}`, value);
}

const eventDirs: string[] = [];
function eventFile(payload: object): string {
  const dir = mkdtempSync(join(tmpdir(), 'event-'));
  eventDirs.push(dir);
  const file = join(dir, 'event.json');
  writeFileSync(file, JSON.stringify(payload));
  return file;
}

let write: { mock: { calls: unknown[][] } };

beforeEach(() => {
  // @actions/github reads the event once, when its module is evaluated (as once per run on a runner).
  vi.resetModules();
  for (const key of Object.keys(process.env)) {
    if (key.startsWith('INPUT_') || key.startsWith('GITHUB_')) vi.stubEnv(key, undefined);
  }
  write = vi.spyOn(process.stdout, 'write').mockImplementation(() => true); // ::add-mask:: and notices
  vi.stubEnv('GITHUB_REPOSITORY', 'octo-org/preview-app');
  vi.stubEnv('GITHUB_EVENT_NAME', 'pull_request');
  vi.stubEnv('GITHUB_EVENT_PATH', eventFile({ number: 42, pull_request: { number: 42 } }));
});

afterEach(() => {
  for (const dir of eventDirs.splice(0)) rmSync(dir, { recursive: true, force: true });
  vi.unstubAllEnvs();
  vi.restoreAllMocks();
});

describe('readSettings', () => {
  it('applies the defaults and derives the name from the pull request', async () => {
    setInputs({ 'api-token': 't0ken', 'account-id': ACCOUNT, domains: 'pr-42.example.com' });
    const settings = await readSettings();
    expect(settings).toMatchObject({
      operation: 'ensure',
      apiUrl: 'https://api.cloudflare.com/client/v4',
      accountId: ACCOUNT.toLowerCase(),
      auth: { kind: 'token', token: 't0ken' },
      name: 'preview-app-pr-42',
      desired: { name: 'preview-app-pr-42', domains: ['pr-42.example.com'], mode: 'managed' },
      dryRun: false,
      requestTimeoutMs: 30_000,
      maxRetries: 4,
      olderThanMs: 7 * 86_400_000,
      exportEnv: false,
    });
    expect(settings.desired).not.toHaveProperty('region', expect.anything());
  });

  it('derives <repo>-<ref_name> outside pull requests', async () => {
    vi.stubEnv('GITHUB_EVENT_NAME', 'push');
    vi.stubEnv('GITHUB_REF_NAME', 'main');
    setInputs({ 'api-token': 't', 'account-id': ACCOUNT, domains: 'example.com' });
    expect((await readSettings()).name).toBe('preview-app-main');
  });

  it('masks the credentials before anything else', async () => {
    setInputs({ 'api-token': 'super-secret-token', 'account-id': 'bad', domains: 'example.com' });
    await expect(readSettings()).rejects.toThrow(/Input "account-id"/);
    const written = write.mock.calls.map(([chunk]) => String(chunk));
    expect(written[0]).toBe('::add-mask::super-secret-token\n');
  });

  it('reads legacy email + key authentication', async () => {
    setInputs({ 'api-email': 'me@example.com', 'api-key': 'k', 'account-id': ACCOUNT, domains: 'example.com' });
    expect((await readSettings()).auth).toEqual({ kind: 'key', email: 'me@example.com', key: 'k' });
  });

  it('reads every optional widget field', async () => {
    setInputs({
      'api-token': 't',
      'account-id': ACCOUNT,
      domains: 'a.example.com',
      mode: 'invisible',
      'clearance-level': 'interactive',
      'bot-fight-mode': 'True',
      'ephemeral-id': 'false',
      offlabel: 'TRUE',
      region: 'china',
      name: 'custom',
    });
    expect((await readSettings()).desired).toEqual({
      name: 'custom',
      domains: ['a.example.com'],
      mode: 'invisible',
      clearance_level: 'interactive',
      bot_fight_mode: true,
      ephemeral_id: false,
      offlabel: true,
      region: 'china',
    });
  });

  const base = { 'api-token': 't', 'account-id': ACCOUNT, domains: 'example.com' };
  it.each<[string, Record<string, string>, RegExp]>([
    [
      'operation',
      { operation: 'upsert' },
      /Input "operation" is "upsert": allowed values are ensure, create, get, delete, rotate-secret, prune/,
    ],
    [
      'account-id',
      { 'account-id': '1234' },
      /Input "account-id" is "1234": expected a Cloudflare account id: 32 hexadecimal/,
    ],
    ['account-id', { 'account-id': '' }, /Input "account-id" is required/],
    ['mode', { mode: 'Managed' }, /Input "mode" is "Managed": allowed values are managed, non-interactive, invisible/],
    [
      'clearance-level',
      { 'clearance-level': 'high' },
      /allowed values are no_clearance, jschallenge, managed, interactive/,
    ],
    ['region', { region: 'eu' }, /Input "region" is "eu": allowed values are world, china/],
    [
      'bot-fight-mode',
      { 'bot-fight-mode': 'yes' },
      /Input "bot-fight-mode" is "yes": allowed values are true or false/,
    ],
    ['dry-run', { 'dry-run': '1' }, /Input "dry-run" is "1"/],
    [
      'request-timeout',
      { 'request-timeout': '2.5' },
      /Input "request-timeout" is "2.5": expected a whole number from 1 to 600/,
    ],
    ['max-retries', { 'max-retries': '99' }, /Input "max-retries" is "99": expected a whole number from 0 to 10/],
    [
      'older-than',
      { 'older-than': '2 weeks' },
      /Input "older-than" is "2 weeks": expected a whole number followed by s, m, h or d/,
    ],
    ['api-url', { 'api-url': 'http://api.example.com/client/v4' }, /Input "api-url" .*must use https:\/\//],
    ['api-url', { 'api-url': 'not a url' }, /Input "api-url" is "not a url": expected an absolute URL/],
    ['domains', { domains: '' }, /Input "domains" is required for operation "ensure"/],
    ['domains', { domains: '*.example.com' }, /Input "domains" contains "\*\.example\.com", a wildcard/],
    ['name', { name: 'x'.repeat(255) }, /Input "name" is "x+\.\.\.": expected a widget name, 1 to 254 characters/],
    ['sitekey', { sitekey: 'has spaces' }, /Input "sitekey" is "has spaces"/],
    ['api-token', { 'api-token': '' }, /Input "api-token" is required: pass a Cloudflare API token/],
    [
      'api-key',
      { 'api-token': '', 'api-email': 'me@example.com' },
      /Input "api-key" is required: legacy authentication needs both/,
    ],
    ['name-prefix', { operation: 'prune' }, /Input "name-prefix" is required for operation "prune"/],
    ['domain', { domain: 'example.com' }, /Input "domain" is not an input of this action; did you mean "domains"\?/],
  ])('refuses a bad %s', async (_input, inputs, message) => {
    setInputs({ ...base, ...inputs });
    await expect(readSettings()).rejects.toThrow(message);
  });

  it('explains that secrets are not passed to pull requests from forks', async () => {
    vi.stubEnv(
      'GITHUB_EVENT_PATH',
      eventFile({
        number: 7,
        pull_request: {
          number: 7,
          head: { repo: { fork: true, full_name: 'someone/preview-app' } },
          base: { repo: { full_name: 'octo-org/preview-app' } },
        },
      }),
    );
    setInputs({ 'account-id': ACCOUNT, domains: 'example.com' });
    await expect(readSettings()).rejects.toThrow(
      /pull request from a fork, and GitHub does not pass repository secrets/,
    );
  });

  it('needs a name outside GitHub Actions', async () => {
    vi.stubEnv('GITHUB_REPOSITORY', undefined);
    setInputs(base);
    await expect(readSettings()).rejects.toThrow(/Input "name" is required outside GitHub Actions/);
  });

  it('accepts http only for loopback api-url', async () => {
    setInputs({ ...base, 'api-url': 'http://127.0.0.1:8787/client/v4/' });
    expect((await readSettings()).apiUrl).toBe('http://127.0.0.1:8787/client/v4');
  });

  it('get, delete and rotate-secret by sitekey need no name', async () => {
    vi.stubEnv('GITHUB_REPOSITORY', undefined);
    setInputs({ 'api-token': 't', 'account-id': ACCOUNT, operation: 'delete', sitekey: '0x4AAAAAAAabc' });
    expect(await readSettings()).toMatchObject({ operation: 'delete', sitekey: '0x4AAAAAAAabc', name: undefined });
  });
});
