// readSettings: every input read, checked and typed before any request; every problem at once.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readGitHubContext } from '../src/github/context.ts';
import { closest, INPUTS, readInputs } from '../src/inputs/declared.ts';
import { readSettings } from '../src/inputs/read-settings.ts';
import { parseSettings, type Settings } from '../src/inputs/settings.ts';
import { SecretRegistry } from '../src/log/secrets.ts';
import { actionYmlInputs, inputVariables } from '../scripts/lib/action-inputs.ts';
import { useEmulator, writes } from './helpers/e2e.ts';
import { recordingLogger } from './helpers/logger.ts';
import { runnerEnv } from './helpers/runner.ts';

const ACCOUNT = '0123456789ABCDEF0123456789abcdef';
const BASE = { 'api-token': 'cf-test-token-0123456789', 'account-id': ACCOUNT, domains: 'pr-42.example.com' };

function read(inputs: Record<string, string>, env: Record<string, string | undefined> = {}) {
  const masked: string[] = [];
  const logger = recordingLogger();
  const secrets = new SecretRegistry({ setSecret: (value) => masked.push(value) });
  const settings = () => readSettings({ ...runnerEnv(env), ...inputVariables(inputs) }, secrets, logger) as Settings;
  return { settings, masked, logger };
}

/** The messages of every InputError a run's inputs produce (thrown at once, in an AggregateError). */
function problems(inputs: Record<string, string>, env: Record<string, string | undefined> = {}): string[] {
  try {
    read(inputs, env).settings();
  } catch (error) {
    if (error instanceof AggregateError) return error.errors.map((e: Error) => e.message);
    throw error;
  }
  return [];
}

function eventFile(payload: object): string {
  const file = join(mkdtempSync(join(tmpdir(), 'event-')), 'event.json');
  writeFileSync(file, JSON.stringify(payload));
  return file;
}

describe('action.yml and the inputs the action reads', () => {
  it('declare the same inputs with the same defaults and required flags', () => {
    const declared = Object.fromEntries(
      Object.entries(actionYmlInputs()).map(([name, input]) => [
        name,
        {
          ...(input.default === undefined ? {} : { default: String(input.default) }),
          ...(input.required ? { required: true } : {}),
        },
      ]),
    );
    expect(INPUTS).toEqual(declared);
  });
});

describe('readSettings', () => {
  it('applies the defaults and derives the name from the pull request', () => {
    const settings = read(BASE).settings();
    expect(settings).toEqual({
      operation: 'ensure',
      apiUrl: 'https://api.cloudflare.com/client/v4',
      accountId: ACCOUNT.toLowerCase(),
      auth: { kind: 'token', token: 'cf-test-token-0123456789' },
      requestTimeoutMs: 30_000,
      maxRetries: 4,
      dryRun: false,
      target: { name: 'preview-app-pr-42' },
      name: 'preview-app-pr-42',
      fields: { domains: ['pr-42.example.com'] },
      exportEnv: false,
    });
  });

  it('applies the defaults to inputs that arrive empty too', () => {
    expect(read({ ...BASE, 'max-retries': '' }).settings()).toMatchObject({ maxRetries: 4 });
  });

  it("leaves an unset widget setting undefined: an update keeps the widget's value", () => {
    const { fields } = read({ ...BASE, mode: '' }).settings() as { fields: Record<string, unknown> };
    for (const field of ['mode', 'clearance_level', 'bot_fight_mode', 'ephemeral_id', 'offlabel', 'region']) {
      expect(fields[field], field).toBeUndefined();
    }
  });

  it('derives <repo>-<branch> on a push of a branch', () => {
    const settings = read(BASE, {
      GITHUB_EVENT_NAME: 'push',
      GITHUB_REF: 'refs/heads/main',
      GITHUB_REF_NAME: 'main',
    }).settings();
    expect(settings).toMatchObject({ name: 'preview-app-main' });
  });

  it('ensure by sitekey derives no name: the widget keeps its own', () => {
    expect(read({ ...BASE, sitekey: '0x4AAAAAAAabc' }).settings()).toMatchObject({
      target: { sitekey: '0x4AAAAAAAabc' },
      name: undefined,
    });
  });

  it("ensure by sitekey without domains keeps the widget's hostnames; by name they are required", () => {
    const bySitekey = read({ ...BASE, domains: '', sitekey: '0x4AAAAAAAabc' }).settings();
    expect(bySitekey).toMatchObject({ target: { sitekey: '0x4AAAAAAAabc' }, fields: { domains: undefined } });
    expect(problems({ ...BASE, domains: ' , ' })).toEqual([
      expect.stringMatching(/^Input "domains" is required for operation "ensure"/),
    ]);
    expect(problems({ ...BASE, operation: 'create', domains: '' })).toEqual([
      expect.stringMatching(/^Input "domains" is required for operation "create"/),
    ]);
  });

  it('masks the credentials before anything else', () => {
    const run = read({ ...BASE, 'api-token': 'super-secret-token', 'github-token': 'ghs_x', 'account-id': 'bad' });
    expect(() => run.settings()).toThrow(AggregateError);
    expect(run.masked).toEqual(['super-secret-token', 'ghs_x']);
  });

  it('a credential of 16 characters may be one; a shorter one is refused and left unmasked', () => {
    const shortest = read({ ...BASE, 'api-token': 'x'.repeat(16) });
    expect(shortest.settings().auth).toEqual({ kind: 'token', token: 'x'.repeat(16) });
    expect(shortest.masked).toEqual(['x'.repeat(16)]);
    const short = read({ ...BASE, 'api-token': 'x'.repeat(15), 'api-key': 'k', 'github-token': 'ghs_x' });
    expect(() => short.settings()).toThrow(AggregateError);
    expect(problems({ ...BASE, 'api-token': 'x'.repeat(15), 'api-key': 'k' })).toEqual([
      expect.stringMatching(/^Input "api-token" is shorter than 16 characters, so it is no Cloudflare credential/),
      expect.stringMatching(/^Input "api-key" is shorter than 16 characters/),
    ]);
    // Masking "k" would hide every "k" of the log; the GitHub token is masked whatever its length.
    expect(short.masked).toEqual(['ghs_x']);
  });

  it('takes cfut_ and cfat_ tokens as api-token and a cfk_ key as api-key', () => {
    const body = 'Ab3dE'.repeat(8);
    for (const token of [`cfut_${body}`, `cfat_${body}`]) {
      expect(read({ ...BASE, 'api-token': token }).settings().auth).toEqual({ kind: 'token', token });
    }
    const legacy = { ...BASE, 'api-token': '', 'api-email': 'me@example.com', 'api-key': `cfk_${body}` };
    expect(read(legacy).settings().auth).toEqual({ kind: 'key', email: 'me@example.com', key: `cfk_${body}` });
    // Only the prefix marks a token: a key with cfut_ further in is a key.
    const inside = { ...legacy, 'api-key': `key-cfut_${body}` };
    expect(read(inside).settings().auth).toEqual({ kind: 'key', email: 'me@example.com', key: `key-cfut_${body}` });
  });

  it('reads legacy email + key authentication', () => {
    const settings = read({
      ...BASE,
      'api-token': '',
      'api-email': 'me@example.com',
      'api-key': 'global-api-key-0123456789',
    }).settings();
    expect(settings.auth).toEqual({ kind: 'key', email: 'me@example.com', key: 'global-api-key-0123456789' });
  });

  it('reads every optional widget field', () => {
    const settings = read({
      ...BASE,
      mode: 'invisible',
      'clearance-level': 'interactive',
      'bot-fight-mode': 'True',
      'ephemeral-id': 'false',
      offlabel: 'TRUE',
      region: 'china',
      name: 'custom',
    }).settings();
    expect(settings).toMatchObject({
      name: 'custom',
      fields: {
        domains: ['pr-42.example.com'],
        mode: 'invisible',
        clearance_level: 'interactive',
        bot_fight_mode: true,
        ephemeral_id: false,
        offlabel: true,
        region: 'china',
      },
    });
  });

  it.each<[string, Record<string, string>, RegExp]>([
    [
      'operation',
      { operation: 'upsert' },
      // Nothing close to suggest: the message ends with the allowed values.
      /^Input "operation" is "upsert": allowed values are ensure, create, get, delete, rotate-secret, prune\.$/,
    ],
    [
      'account-id',
      { 'account-id': '1234' },
      /Input "account-id" is "1234": expected a Cloudflare account id: 32 hexadecimal/,
    ],
    [
      'account-id',
      { 'account-id': '' },
      /^Input "account-id" is required: expected a Cloudflare account id, 32 hexadecimal characters \(dashboard URL or account overview\)\.$/,
    ],
    [
      'account-id',
      { 'account-id': '01234567-89ab-cdef-0123-456789ABCDEF' },
      /^Input "account-id" is "01234567-89ab-cdef-0123-456789ABCDEF": expected a Cloudflare account id: 32 hexadecimal .* Remove the dashes\.$/,
    ],
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
      { operation: 'prune', 'name-prefix': 'a-', 'older-than': '2 weeks' },
      /Input "older-than" is "2 weeks": expected a whole number followed by s, m, h or d/,
    ],
    ['api-url', { 'api-url': 'http://api.example.com/client/v4' }, /Input "api-url" .*must use https:\/\//],
    ['api-url', { 'api-url': 'not a url' }, /Input "api-url" is "not a url": expected an absolute URL/],
    [
      'api-url',
      { 'api-url': `https://api.cloudflare.com/client/v4/accounts/${ACCOUNT}/challenges/widgets` },
      /Input "api-url" is ".*": expected the API's base URL, which the action extends with \/accounts\/<account-id>\/challenges\/widgets itself/,
    ],
    ['domains', { domains: '' }, /Input "domains" is required for operation "ensure"/],
    ['domains', { domains: '*.example.com' }, /Input "domains" contains "\*\.example\.com", a wildcard/],
    ['domains', { domains: 'vercel.app' }, /Input "domains" contains "vercel.app", a public suffix/],
    ['name', { name: 'x'.repeat(255) }, /Input "name" is "x+\.\.\.": expected a widget name, 1 to 254 characters/],
    [
      'name',
      { name: 'evil\n::warning title=injected::pwned' },
      /Input "name" contains a control character \(such as a line break\)/,
    ],
    ['sitekey', { sitekey: 'has spaces' }, /Input "sitekey" is "has spaces"/],
    ['api-token', { 'api-token': '' }, /Input "api-token" is required: pass a Cloudflare API token/],
    [
      'api-key',
      { 'api-token': '', 'api-email': 'me@example.com' },
      /Input "api-key" is required: legacy authentication needs both/,
    ],
    ['name-prefix', { operation: 'prune' }, /Input "name-prefix" is required for operation "prune"/],
  ])('refuses a bad %s', (_input, inputs, message) => {
    expect(problems({ ...BASE, ...inputs })).toEqual([expect.stringMatching(message)]);
  });

  it('reports every bad input of the run at once', () => {
    expect(
      problems({ ...BASE, 'account-id': 'x', mode: 'loud', domains: '*.a.com, b.com:1', 'api-token': '' }),
    ).toEqual([
      expect.stringMatching(/^Input "account-id"/),
      expect.stringMatching(/^Input "api-token" is required/),
      expect.stringMatching(/^Input "domains" contains "\*\.a\.com"/),
      expect.stringMatching(/^Input "domains" contains "b\.com:1"/),
      expect.stringMatching(/^Input "mode"/),
    ]);
  });

  it('a widget secret given as sitekey: says so, masks it, never quotes it', () => {
    const secret = '0x4AAAAAAADnPIDROrmt1WwjNwbBG6rZQNm0';
    const run = read({ ...BASE, operation: 'get', sitekey: secret });
    let message = '';
    try {
      run.settings();
    } catch (error) {
      message = (error as Error).message;
    }
    expect(message).toMatch(/Input "sitekey" looks like a widget secret/);
    expect(message).not.toContain(secret);
    expect(run.masked).toContain(secret);
  });

  it('leaves undeclared inputs to the runner, which warns about them', () => {
    const run = read({ ...BASE, api_token: 'x', domian: 'y' });
    expect(run.settings()).toMatchObject({ operation: 'ensure' });
    expect(run.logger.lines.filter((l) => l.level === 'warning')).toEqual([]);
  });

  it.each<[string, Record<string, string>, string[]]>([
    ['get with name and sitekey', { operation: 'get', sitekey: '0x4AAAAAAAabc', name: 'app' }, ['domains', 'name']],
    ['delete with domains', { operation: 'delete', sitekey: '0x4AAAAAAAabc' }, ['domains']],
    ['get with domains and mode', { operation: 'get', mode: 'invisible' }, ['domains', 'mode']],
    [
      'prune with sitekey',
      { operation: 'prune', 'name-prefix': 'a-', sitekey: '0x4AAAAAAAabc' },
      ['domains', 'sitekey'],
    ],
    ['create with sitekey', { operation: 'create', sitekey: '0x4AAAAAAAabc' }, ['sitekey']],
    ['ensure by sitekey with name-prefix', { sitekey: '0x4AAAAAAAabc', 'name-prefix': 'a-' }, ['name-prefix']],
    ['api-email next to api-token', { 'api-email': 'me@example.com' }, ['api-email']],
    ['ensure with every widget input', { mode: 'invisible', region: 'world', 'name-prefix': 'a-', name: 'n' }, []],
    ['inputs left at their defaults', { operation: 'get', 'older-than': '7d', 'dry-run': 'false' }, ['domains']],
    [
      'legacy api-email + api-key',
      { 'api-token': '', 'api-email': 'me@example.com', 'api-key': 'global-api-key-0123456789' },
      [],
    ],
    ['ensure by sitekey', { sitekey: '0x4AAAAAAAabc' }, []],
    ['ensure by sitekey with a new name', { sitekey: '0x4AAAAAAAabc', name: 'renamed' }, []],
    ['create with name-prefix', { operation: 'create', 'name-prefix': 'a-' }, []],
    ['rotate-secret by sitekey', { operation: 'rotate-secret', sitekey: '0x4AAAAAAAabc' }, ['domains']],
  ])('warns about each input the operation ignores: %s', (_case, inputs, ignored) => {
    const run = read({ ...BASE, ...inputs });
    run.settings();
    const warnings = run.logger.lines.filter((l) => l.level === 'warning').map((l) => l.message);
    expect(warnings).toEqual(
      ignored.map((input) => expect.stringMatching(new RegExp(`^Input "${input}" is ignored: `))),
    );
  });

  it('names the operation in the warning, and why', () => {
    const run = read({ ...BASE, operation: 'get', sitekey: '0x4AAAAAAAabc', name: 'app' });
    run.settings();
    expect(run.logger.lines.filter((l) => l.level === 'warning').map((l) => l.message)).toEqual([
      'Input "domains" is ignored: operation "get" does not use it.',
      'Input "name" is ignored: operation "get" finds the widget by its sitekey when both are given.',
    ]);
    const warnings = (inputs: Record<string, string>) => {
      const other = read({ ...BASE, ...inputs });
      other.settings();
      return other.logger.lines.filter((l) => l.level === 'warning').map((l) => l.message);
    };
    expect(warnings({ 'api-email': 'me@example.com' })).toEqual([
      'Input "api-email" is ignored: api-token is given, and legacy authentication is used only without it.',
    ]);
    expect(warnings({ sitekey: '0x4AAAAAAAabc', 'name-prefix': 'a-' })).toEqual([
      'Input "name-prefix" is ignored: ensure by sitekey never creates a widget, so it never recycles one.',
    ]);
    expect(warnings({ operation: 'get', domains: '', sitekey: '0x4AAAAAAAabc', 'name-prefix': 'a-' })).toEqual([
      'Input "name-prefix" is ignored: operation "get" does not use it.',
    ]);
  });

  it('a refused value that reads "is required" is no missing input: no did-you-mean', () => {
    expect(problems({ ...BASE, mode: 'is required', mod: 'managed' })).toEqual([
      'Input "mode" is "is required": allowed values are managed, non-interactive, invisible.',
    ]);
  });

  it('a missing required input mentions the unknown one that was probably meant', () => {
    expect(problems({ ...BASE, domains: '', domain: 'a.example.com' })).toEqual([
      expect.stringMatching(
        /Input "domains" is required.* The step passes "domain", which is not an input: did you mean "domains"\?/,
      ),
    ]);
  });

  it('searches for the input meant only when a required one is missing, not once per problem', () => {
    let searches = 0;
    const search: typeof closest = (given, candidates) => {
      searches++;
      return closest(given, candidates);
    };
    const parsed = (inputs: Record<string, string>) => {
      try {
        parseSettings(
          readInputs({ ...runnerEnv(), ...inputVariables(inputs) }),
          readGitHubContext(runnerEnv()),
          search,
        );
      } catch (error) {
        return (error as AggregateError).errors.map((e: Error) => e.message);
      }
      return [];
    };
    const bad = Array.from({ length: 2000 }, (_, i) => `bad_${i}!.example.com`).join(',');
    expect(parsed({ ...BASE, domains: bad, ['x'.repeat(4000)]: 'v' })).toHaveLength(6);
    expect(searches).toBe(0);
    // One search per undeclared input up to the near miss, for the one input that is missing.
    expect(parsed({ ...BASE, domains: bad, 'account-id': '', other: 'v', acount_id: ACCOUNT })).toEqual([
      expect.stringMatching(
        /^Input "account-id" is required.* The step passes "acount_id", .*did you mean "account-id"\?$/,
      ),
      ...Array.from({ length: 6 }, () => expect.stringMatching(/^Input "domains" /)),
    ]);
    expect(searches).toBe(2);
  });

  it('notices each hostname it rewrote', () => {
    const run = read({ ...BASE, domains: 'Bücher.example., https://a.example.com/x' });
    run.settings();
    expect(run.logger.lines.filter((l) => l.level === 'notice')).toHaveLength(3);
  });

  it('explains that secrets are not passed to pull requests from forks', () => {
    const GITHUB_EVENT_PATH = eventFile({
      number: 7,
      pull_request: {
        number: 7,
        head: { repo: { fork: true, full_name: 'someone/preview-app' } },
        base: { repo: { full_name: 'octo-org/preview-app' } },
      },
    });
    expect(problems({ ...BASE, 'api-token': '' }, { GITHUB_EVENT_PATH })).toEqual([
      expect.stringMatching(/pull request from a fork, and GitHub does not pass repository secrets/),
    ]);
  });

  it('needs a name outside GitHub Actions', () => {
    expect(problems(BASE, { GITHUB_REPOSITORY: undefined })).toEqual([
      expect.stringMatching(/Input "name" is required outside GitHub Actions/),
    ]);
  });

  it("refuses Cloudflare's host without /client/v4, and takes other hosts as given", () => {
    expect(problems({ ...BASE, 'api-url': 'https://api.cloudflare.com/' })).toEqual([
      expect.stringMatching(
        /^Input "api-url" is "https:\/\/api.cloudflare.com\/": Cloudflare's API base URL is https:\/\/api.cloudflare.com\/client\/v4/,
      ),
    ]);
    expect(read({ ...BASE, 'api-url': 'https://api.cloudflare.com/client/v4/' }).settings().apiUrl).toBe(
      'https://api.cloudflare.com/client/v4',
    );
    expect(read({ ...BASE, 'api-url': 'https://gateway.example.com/cf' }).settings().apiUrl).toBe(
      'https://gateway.example.com/cf',
    );
  });

  it('suggests name: for a sitekey that is a widget name, not for a URL', () => {
    expect(problems({ ...BASE, sitekey: 'my-app-pr-1' })).toEqual([
      expect.stringMatching(/a sitekey starts with "0x".*give it as `name: "my-app-pr-1"`/),
    ]);
    expect(problems({ ...BASE, sitekey: 'https://example.com' })).toEqual([
      expect.stringMatching(/^Input "sitekey" is "https:\/\/example.com": expected a widget sitekey/),
    ]);
  });

  it('a sitekey of 32 characters is a sitekey; a longer 0x… value is refused as a secret, masked', () => {
    const sitekey = `0x4AAAAAAA${'b'.repeat(22)}`;
    expect(read({ ...BASE, sitekey }).settings()).toMatchObject({ target: { sitekey } });
    const run = read({ ...BASE, sitekey: `${sitekey}c` });
    expect(() => run.settings()).toThrow(/Input "sitekey" looks like a widget secret/);
    expect(run.masked).toContain(`${sitekey}c`);
  });

  it('a token given with its Bearer prefix: refused, masked with and without the prefix', () => {
    const run = read({ ...BASE, 'api-token': 'bearer  cf-test-token-0123456789' });
    expect(() => run.settings()).toThrow(/Input "api-token" starts with "Bearer ": give the token alone/);
    expect(run.masked).toEqual(['bearer  cf-test-token-0123456789', 'cf-test-token-0123456789']);
  });

  it('a token with "Bearer" further in is taken whole, and masked as given', () => {
    const run = read({ ...BASE, 'api-token': 'x Bearer 0123456789abcdef' });
    expect(run.settings().auth).toEqual({ kind: 'token', token: 'x Bearer 0123456789abcdef' });
    expect(run.masked).toEqual(['x Bearer 0123456789abcdef']);
  });

  it('a misplaced credential is the one problem: it asks for no other input', () => {
    expect(problems({ ...BASE, 'api-token': '', 'api-key': 'short' })).toEqual([
      'Input "api-key" is shorter than 16 characters, so it is no Cloudflare credential (a placeholder?): pass the secret that holds it, e.g. `api-key: ${{ secrets.CLOUDFLARE_API_KEY }}`.',
    ]);
  });

  it('lists five problems of one input, and says how many more only when there are more', () => {
    const bad = (count: number) => Array.from({ length: count }, (_, i) => `bad_${i}!.example.com`).join(',');
    const five = problems({ ...BASE, domains: bad(5) });
    expect(five).toHaveLength(5);
    expect(five.every((message) => message.startsWith('Input "domains" contains "bad_'))).toBe(true);
    expect(problems({ ...BASE, domains: bad(6) })).toEqual([
      ...five,
      'Input "domains" has 1 more problem(s), not listed: fix the ones above and run again to see them.',
    ]);
  });

  it('logs the settings for debugging without any credential, and the repository', () => {
    const debugLines = (inputs: Record<string, string>, env: Record<string, string | undefined> = {}) => {
      const run = read(inputs, env);
      run.settings();
      return run.logger.lines.filter((l) => l.level === 'debug').map((l) => l.message);
    };
    const settings = {
      apiUrl: 'https://api.cloudflare.com/client/v4',
      accountId: ACCOUNT.toLowerCase(),
      requestTimeoutMs: 30_000,
      maxRetries: 4,
      dryRun: false,
      exportEnv: false,
      operation: 'ensure',
      target: { name: 'app' },
      name: 'app',
      fields: { domains: ['pr-42.example.com'] },
    };
    expect(debugLines({ ...BASE, name: 'app', 'github-token': 'ghs_secret' })).toEqual([
      `Settings: ${JSON.stringify(settings)} (auth: token; repository: octo-org/preview-app)`,
    ]);
    const legacy = { ...BASE, name: 'app', 'api-token': '', 'api-email': 'me@example.com', 'api-key': 'k'.repeat(37) };
    expect(debugLines(legacy, { GITHUB_REPOSITORY: undefined })).toEqual([
      `Settings: ${JSON.stringify(settings)} (auth: key; repository: none)`,
    ]);
  });

  it('accepts http only for loopback api-url', () => {
    expect(read({ ...BASE, 'api-url': 'http://127.0.0.1:8787/client/v4/' }).settings().apiUrl).toBe(
      'http://127.0.0.1:8787/client/v4',
    );
  });

  it('get, delete and rotate-secret by sitekey need no name', () => {
    for (const operation of ['get', 'delete', 'rotate-secret']) {
      expect(
        read({ ...BASE, operation, sitekey: '0x4AAAAAAAabc' }, { GITHUB_REPOSITORY: undefined }).settings(),
      ).toMatchObject({
        operation,
        target: { sitekey: '0x4AAAAAAAabc' },
      });
    }
  });

  it('prune keeps the github-token (action.yml defaults it to the job token)', () => {
    const settings = read({
      ...BASE,
      operation: 'prune',
      'name-prefix': 'app-pr-',
      'github-token': 'ghs_abc',
    }).settings();
    expect(settings).toMatchObject({ namePrefix: 'app-pr-', olderThanMs: 7 * 86_400_000, githubToken: 'ghs_abc' });
  });
});

describe('reading inputs', () => {
  it('trims values and lists only undeclared INPUT_ variables', () => {
    const inputs = readInputs({ INPUT_NAME: '  pr-1  ', INPUT_NAMEE: 'x', PATH: '/bin' });
    expect(inputs.raw.name).toBe('pr-1');
    expect(inputs.undeclared).toEqual(['namee']);
  });
});

const VALUE_BASE = {
  'api-token': 'cf-test-token-0123456789',
  'account-id': '0'.repeat(32),
  domains: 'a.example.com',
  name: 'pr-1',
};

/** parseSettings on VALUE_BASE with `inputs`: the settings, or the message of each problem of `input`. */
function parsedInputs(input: string, inputs: Record<string, string>) {
  try {
    const env = readInputs(inputVariables({ ...VALUE_BASE, ...inputs }));
    return { settings: parseSettings(env, readGitHubContext({})).settings as Settings, messages: [] };
  } catch (error) {
    const errors = (error as AggregateError).errors as { input: string; message: string }[];
    const own = errors.filter((e) => e.input === input);
    return { settings: undefined, messages: own.map((e) => e.message.replace(`Input "${input}" `, '')) };
  }
}
const olderThan = (raw: string) =>
  parsedInputs('older-than', { operation: 'prune', 'name-prefix': 'pr-', 'older-than': raw });
const account = (raw: string) => parsedInputs('account-id', { 'account-id': raw });
const apiUrl = (raw: string) => parsedInputs('api-url', { 'api-url': raw });

describe('value schemas', () => {
  it('a duration or account id with anything around it is refused', () => {
    for (const raw of ['x7d', '7dx']) expect(olderThan(raw).messages).toHaveLength(1);
    expect(olderThan('7d').messages).toEqual([]);
    const id = '0123456789abcdef0123456789ABCDEF';
    expect(account(id).settings?.accountId).toBe(id.toLowerCase());
    for (const raw of [`x${id}`, `${id}x`]) expect(account(raw).messages).toHaveLength(1);
    // Only 32 hexadecimal characters with dashes are told to lose the dashes.
    for (const raw of [`${id.slice(0, 8)}-${id.slice(8)}`, `-${id}-`]) {
      expect(account(raw).messages[0]).toMatch(/ Remove the dashes\.$/);
    }
    for (const raw of ['0123-4567', `${id}-a`, 'x'.repeat(32)]) {
      expect(account(raw).messages[0]).toMatch(/account overview\.$/);
    }
  });

  it('credentials in a refused api-url are hidden, the scheme kept', () => {
    expect(apiUrl('http://user:pw@api.example.com/').messages[0]).toMatch(
      /^is "http:\/\/\*\*\*@api\.example\.com\/": it must use https:\/\//,
    );
    expect(apiUrl('web3://user:pw@api.example.com/').messages[0]).toMatch(
      /^is "web3:\/\/\*\*\*@api\.example\.com\/": it must use https:\/\//,
    );
    expect(apiUrl('ftp://127.0.0.1/').messages[0]).toMatch(/^is "ftp:\/\/127\.0\.0\.1\/": it must use/);
  });

  it('a user name alone, an /accounts path and trailing slashes', () => {
    expect(apiUrl('https://user@api.example.com/').messages[0]).toMatch(/^must be a plain base URL/);
    expect(apiUrl('https://api.example.com/accounts').messages[0]).toMatch(
      /^is "https:\/\/api\.example\.com\/accounts": expected the API's base URL/,
    );
    expect(apiUrl('https://api.example.com/v4//').settings?.apiUrl).toBe('https://api.example.com/v4');
  });
});

describe('input bounds, as a run reads them', () => {
  // A run that parses its inputs goes on to the emulator, never further.
  const t = useEmulator();
  /** The settings the run parsed, from its debug line. */
  const parsed = (stdout: string): Record<string, unknown> => {
    const line = stdout.split('\n').find((l) => l.startsWith('::debug::Settings: '))!;
    return JSON.parse(line.slice('::debug::Settings: '.length).replace(/ \(auth: .*$/, '')) as Record<string, unknown>;
  };
  const errors = (stdout: string) => stdout.split('\n').filter((line) => line.startsWith('::error'));

  it('durations in each unit', async () => {
    for (const [raw, ms] of [
      ['90s', 90_000],
      ['2m', 120_000],
      ['3h', 10_800_000],
      ['4 d', 345_600_000],
    ] as const) {
      const run = await t.run({ operation: 'prune', 'name-prefix': 'tmp-', 'older-than': raw, 'dry-run': 'true' });
      expect(run.code).toBe(0);
      expect(parsed(run.stdout)).toMatchObject({ olderThanMs: ms });
    }
  });

  it('whole numbers at and past their bounds', async () => {
    const ok = await t.run({
      name: 'a',
      domains: 'a.example.com',
      'dry-run': 'true',
      'request-timeout': '600',
      'max-retries': '0',
    });
    expect(ok.code).toBe(0);
    expect(parsed(ok.stdout)).toMatchObject({ requestTimeoutMs: 600_000, maxRetries: 0 });
    const low = await t.run({
      name: 'a',
      domains: 'a.example.com',
      'dry-run': 'true',
      'request-timeout': '1',
      'max-retries': '10',
    });
    expect(parsed(low.stdout)).toMatchObject({ requestTimeoutMs: 1_000, maxRetries: 10 });
    const out = await t.run({ name: 'a', domains: 'a.example.com', 'request-timeout': '601', 'max-retries': '11' });
    expect(errors(out.stdout)).toEqual([
      '::error title=Invalid input%3A request-timeout::Input "request-timeout" is "601": expected a whole number from 1 to 600.',
      '::error title=Invalid input%3A max-retries::Input "max-retries" is "11": expected a whole number from 0 to 10.',
    ]);
    const zero = await t.run({ name: 'a', domains: 'a.example.com', 'request-timeout': '0' });
    expect(errors(zero.stdout)).toEqual([
      '::error title=Invalid input%3A request-timeout::Input "request-timeout" is "0": expected a whole number from 1 to 600.',
    ]);
    expect(writes(t.emulator)).toEqual([]);
  });

  it('a name of 254 characters is one, a longer one is shown cut to 80', async () => {
    const ok = await t.run({ name: 'x'.repeat(254), domains: 'a.example.com', 'dry-run': 'true' });
    expect(ok.code).toBe(0);
    const long = await t.run({ name: 'y'.repeat(255), domains: 'a.example.com' });
    expect(errors(long.stdout)).toEqual([
      `::error title=Invalid input%3A name::Input "name" is "${'y'.repeat(77)}...": expected a widget name, 1 to 254 characters on one line.`,
    ]);
    const eighty = await t.run({ operation: 'prune', 'name-prefix': 'p', 'older-than': 'z'.repeat(80) });
    expect(errors(eighty.stdout)[0]).toContain(`Input "older-than" is "${'z'.repeat(80)}": expected`);
  });

  it('a sitekey of 32 characters is one; a longer one is refused, even without 0x', async () => {
    const ok = await t.run({ operation: 'delete', sitekey: `0x4AAAAAAA${'b'.repeat(22)}`, 'dry-run': 'true' });
    expect(ok.code).toBe(0);
    // Too long for a name too, so not taken for one given in the wrong input.
    const long = await t.run({ operation: 'delete', sitekey: 'b'.repeat(255) });
    expect(errors(long.stdout)).toEqual([
      `::error title=Invalid input%3A sitekey::Input "sitekey" is "${'b'.repeat(77)}...": expected a widget sitekey such as "0x4AAAAAAAC3DHQFLr1GavRN" (letters, digits, "-" or "_", at most 32 characters).`,
    ]);
  });

  it('booleans in each spelling YAML allows', async () => {
    for (const [raw, value] of [
      ['True', true],
      ['TRUE', true],
      ['False', false],
      ['FALSE', false],
    ] as const) {
      const run = await t.run({ name: 'a', domains: 'a.example.com', 'dry-run': raw });
      expect(parsed(run.stdout)).toMatchObject({ dryRun: value });
    }
  });
});
