// End to end in-process: run() with the runner's inputs (action.yml defaults applied), outputs and
// log recorded, against the local emulator on 127.0.0.1. smoke.test.ts runs the built bundle.
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { inputVariables } from '../scripts/lib/action-inputs.ts';
import { run as runAction } from '../src/main.ts';
import { secretExposure, useEmulator, writes, type ActionRun } from './helpers/e2e.ts';
import { recordingRunner, runnerEnv, virtualClock } from './helpers/runner.ts';

const t = useEmulator();

describe('ensure', () => {
  it('creates once; a second run with the same inputs makes no write call', async () => {
    const first = await t.run({ domains: 'pr-42.example.com' });
    expect(first.code).toBe(0);
    expect(first.outputs).toMatchObject({
      name: 'preview-app-pr-42',
      created: 'true',
      updated: 'false',
      mode: 'managed',
      domains: '["pr-42.example.com"]',
    });
    expect(first.outputs.sitekey).toMatch(/^0x4/);
    expect(first.outputs.secret).toBe(t.emulator.widgets()[0]!.secret);
    expect(JSON.parse(first.outputs.widget!)).not.toHaveProperty('secret');

    t.emulator.resetRecords();
    const second = await t.run({ domains: 'pr-42.example.com' });
    expect(second.code).toBe(0);
    expect(second.outputs).toMatchObject({
      sitekey: first.outputs.sitekey,
      secret: first.outputs.secret,
      created: 'false',
      updated: 'false',
    });
    expect(writes(t.emulator)).toEqual([]);
    expect(t.emulator.requests.map((r) => r.method)).toEqual(['GET', 'GET']); // list + read the secret
    expect(t.emulator.widgets()).toHaveLength(1);
  });

  it('changing domains updates the same sitekey in place', async () => {
    const first = await t.run({ domains: 'pr-42.example.com' });
    const second = await t.run({ domains: 'pr-42.example.com\nhttps://admin.pr-42.example.com/login' });
    expect(second.code).toBe(0);
    expect(second.outputs).toMatchObject({ sitekey: first.outputs.sitekey, created: 'false', updated: 'true' });
    expect(JSON.parse(second.outputs.domains!)).toEqual(['admin.pr-42.example.com', 'pr-42.example.com']);
    expect(second.stdout).toMatch(
      /::notice title=Input domains::.*is a URL; using its hostname "admin.pr-42.example.com"/,
    );
    expect(t.emulator.widgets()).toHaveLength(1);
  });

  it('masks the secret first: stdout carries it only in its ::add-mask:: line', async () => {
    const result = await t.run({ domains: 'pr-42.example.com' });
    const exposure = secretExposure(result, result.outputs.secret!);
    expect(exposure).toEqual({ leaks: [], maskedFirst: true });
    expect(result.summary).not.toContain(result.outputs.secret);
    expect(result.summary).toContain(result.outputs.sitekey);
    expect(secretExposure(result, t.emulator.apiToken)).toEqual({ leaks: [], maskedFirst: true });
  });

  it('redacts a secret-shaped value after a line break in a name from the API, in the log and the summary', async () => {
    const leaked = `0x4AAAAAAA${'s'.repeat(30)}`;
    const [old] = t.emulator.seed([{ name: `app\n${leaked}` }]);
    const result = await t.run({ sitekey: old!.sitekey, name: 'renamed', domains: 'pr-42.example.com' });
    expect(result.code, result.stdout).toBe(0);
    expect(result.stdout).toContain('name: app\\n*** -> renamed');
    expect(result.summary).toContain('name: app\\n*** -&gt; renamed');
    expect(`${result.stdout}${result.summary}`).not.toContain(leaked);
  });

  it('writes a job summary with name, sitekey, mode, domains and what happened', async () => {
    const result = await t.run({ domains: 'pr-42.example.com', mode: 'invisible' });
    for (const text of ['preview-app-pr-42', result.outputs.sitekey!, 'invisible', 'pr-42.example.com', 'created']) {
      expect(result.summary).toContain(text);
    }
  });

  it('escapes widget names in the job summary', async () => {
    const result = await t.run({ domains: 'pr-42.example.com', name: '<img src=x onerror=alert(1)>' });
    expect(result.code).toBe(0);
    expect(result.summary).toContain('&lt;img src=x onerror=alert(1)&gt;');
    expect(result.summary).not.toContain('<img');
  });

  it('dry run creates nothing and says what it would do', async () => {
    const result = await t.run({ domains: 'pr-42.example.com', 'dry-run': 'true' });
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/Dry run: no widget is named "preview-app-pr-42"; would create it/);
    expect(writes(t.emulator)).toEqual([]);
    expect(t.emulator.widgets()).toHaveLength(0);
  });

  it('export-env hands TURNSTILE_SITEKEY and TURNSTILE_SECRET to later steps', async () => {
    const result = await t.run({ domains: 'pr-42.example.com', 'export-env': 'true' });
    expect(result.env).toEqual({ TURNSTILE_SITEKEY: result.outputs.sitekey, TURNSTILE_SECRET: result.outputs.secret });
  });

  it('without export-env no variable reaches later steps: the secret stays in the secret output', async () => {
    const result = await t.run({ domains: 'pr-42.example.com' });
    expect(result.code, result.stdout).toBe(0);
    expect(result.outputs.secret).toBeTruthy();
    expect(result.env).toEqual({});
  });
});

describe('values from the API that would reach outputs', () => {
  const errorLines = (stdout: string) => stdout.split('\n').filter((line) => line.startsWith('::error'));

  it('a sitekey that does not look like one (a shell command) fails the run, with no output and nothing exported', async () => {
    t.emulator.seed([{ name: 'odd', sitekey: 'x; echo pwned' }]);
    const run = await t.run({ operation: 'get', name: 'odd', 'export-env': 'true' });
    expect(run.code).toBe(1);
    expect(run.outputs).toEqual({});
    expect(run.env).toEqual({});
    expect(errorLines(run.stdout)).toEqual([
      '::error title=Cloudflare API error::The API returned the sitekey "x; echo pwned", which does not look like a sitekey (letters, digits, "-" and "_", at most 32); no output was written.',
    ]);
  });

  it('a name with a line break fails the run, with no output', async () => {
    const [widget] = t.emulator.seed([{ name: 'app\r\nINJECTED=1' }]);
    const run = await t.run({ operation: 'get', sitekey: widget!.sitekey });
    expect(run.code).toBe(1);
    expect(run.outputs).toEqual({});
    expect(errorLines(run.stdout)).toEqual([
      '::error title=Cloudflare API error::The API returned the name "app\\r\\nINJECTED=1", which contains a control character (such as a line break); no output was written.',
    ]);
  });
});

describe('create', () => {
  it('always makes a new widget, with one POST', async () => {
    await t.run({ domains: 'a.example.com', name: 'same' });
    t.emulator.resetRecords();
    const result = await t.run({
      operation: 'create',
      domains: 'a.example.com',
      name: 'same',
      region: 'world',
      'clearance-level': 'managed',
    });
    expect(result.code).toBe(0);
    expect(result.outputs.created).toBe('true');
    expect(t.emulator.requests.map((r) => r.method)).toEqual(['POST']);
    expect(t.emulator.widgets()).toHaveLength(2);
  });
});

describe('lifecycle', () => {
  it('get by name and by sitekey return the same widget and a masked secret', async () => {
    const made = await t.run({ domains: 'pr-42.example.com' });
    const byName = await t.run({ operation: 'get' });
    const bySitekey = await t.run({ operation: 'get', sitekey: made.outputs.sitekey! });
    for (const result of [byName, bySitekey]) {
      expect(result.code).toBe(0);
      expect(result.outputs).toMatchObject({
        sitekey: made.outputs.sitekey,
        secret: made.outputs.secret,
        created: 'false',
        updated: 'false',
      });
      expect(secretExposure(result, made.outputs.secret!)).toEqual({ leaks: [], maskedFirst: true });
    }
  });

  it('delete twice succeeds both times and the widget is gone', async () => {
    const made = await t.run({ domains: 'pr-42.example.com' });
    const first = await t.run({ operation: 'delete' });
    const second = await t.run({ operation: 'delete', sitekey: made.outputs.sitekey! });
    expect(first.code).toBe(0);
    expect(JSON.parse(first.outputs.deleted!)).toEqual([made.outputs.sitekey]);
    expect(second.code).toBe(0);
    expect(JSON.parse(second.outputs.deleted!)).toEqual([]);
    expect(second.stdout).toMatch(/nothing to delete/);
    expect(t.emulator.widgets()).toHaveLength(0);
  });

  it('rotate-secret returns a different secret, and the old one is gone from the widget', async () => {
    const made = await t.run({ domains: 'pr-42.example.com' });
    const rotated = await t.run({ operation: 'rotate-secret', 'invalidate-immediately': 'true' });
    expect(rotated.code).toBe(0);
    expect(rotated.outputs.secret).not.toBe(made.outputs.secret);
    expect(rotated.outputs).toMatchObject({ sitekey: made.outputs.sitekey, updated: 'true' });
    expect(secretExposure(rotated, rotated.outputs.secret!)).toEqual({ leaks: [], maskedFirst: true });
    const read = await t.run({ operation: 'get', sitekey: made.outputs.sitekey! });
    expect(read.outputs.secret).toBe(rotated.outputs.secret);
  });

  it("a second rotation within two hours: Cloudflare's refusal verbatim, and a hint for a leaked secret", async () => {
    await t.run({ domains: 'pr-42.example.com' });
    expect((await t.run({ operation: 'rotate-secret' })).code).toBe(0);
    const again = await t.run({ operation: 'rotate-secret' });
    expect(again.code).toBe(1);
    const refused = t.emulator.requests.filter((r) => r.path.endsWith('/rotate_secret')).at(-1)!;
    const [error] = (refused.response as { errors: { code: number; message: string }[] }).errors;
    const lines = again.stdout.split('\n').filter((line) => line.startsWith('::error'));
    expect(lines).toHaveLength(1);
    expect(lines[0]).toContain(
      `(HTTP 400): [${error!.code}] ${error!.message}. Hint: Cloudflare may refuse a rotation`,
    );
    expect(lines[0]).toMatch(/For a leaked secret: rotate with `invalidate-immediately: true`/);
  });

  it('prune deletes exactly the old widgets with the prefix; dry run deletes none', async () => {
    const day = 86_400_000;
    const at = (daysAgo: number) => new Date(Date.now() - daysAgo * day).toISOString();
    const seeded = [
      ...Array.from({ length: 150 }, (_, i) => ({ name: `preview-app-pr-${i}`, created_on: at(10 + (i % 5)) })),
      ...Array.from({ length: 60 }, (_, i) => ({ name: `preview-app-pr-${1000 + i}`, created_on: at(i % 6) })),
      ...Array.from({ length: 40 }, (_, i) => ({ name: `other-app-pr-${i}`, created_on: at(30) })),
      ...Array.from({ length: 10 }, (_, i) => ({ name: `PREVIEW-APP-PR-${i}`, created_on: at(30) })),
    ];
    t.emulator.seed(seeded.map((w) => ({ ...w, domains: ['example.com'] })));
    const old = new Set(
      t.emulator
        .widgets()
        .filter((w) => w.name.startsWith('preview-app-pr-') && Date.parse(w.created_on) < Date.now() - 7 * day)
        .map((w) => w.sitekey),
    );
    expect(old.size).toBe(150);

    const dry = await t.run({ operation: 'prune', 'name-prefix': 'preview-app-pr-', 'dry-run': 'true' });
    expect(dry.code).toBe(0);
    expect(new Set(JSON.parse(dry.outputs.deleted!))).toEqual(old);
    expect(t.emulator.widgets()).toHaveLength(seeded.length);

    const pruned = await t.run({ operation: 'prune', 'name-prefix': 'preview-app-pr-', 'older-than': '7d' });
    expect(pruned.code).toBe(0);
    expect(new Set(JSON.parse(pruned.outputs.deleted!))).toEqual(old);
    const left = t.emulator.widgets();
    expect(left).toHaveLength(seeded.length - 150);
    expect(left.some((w) => old.has(w.sitekey))).toBe(false);
    expect(pruned.summary).toMatch(/Deleted/);
  });
});

describe('bad input', () => {
  const D = { domains: 'a.example.com' };
  const cases: [string, Record<string, string>, RegExp][] = [
    [
      'unknown operation',
      { ...D, operation: 'upsert' },
      /Input "operation" is "upsert": allowed values are ensure, create/,
    ],
    ['empty api-token', { ...D, 'api-token': '' }, /Input "api-token" is required/],
    [
      'api-email without api-key',
      { ...D, 'api-token': '', 'api-email': 'me@example.com' },
      /Input "api-key" is required/,
    ],
    [
      'api-key without api-email',
      { ...D, 'api-token': '', 'api-key': 'global-api-key-0123456789' },
      /Input "api-email" is required/,
    ],
    ['empty account-id', { ...D, 'account-id': '' }, /Input "account-id" is required/],
    ['short account-id', { ...D, 'account-id': 'nope' }, /Input "account-id" is "nope"/],
    ['non-hex account-id', { ...D, 'account-id': 'z'.repeat(32) }, /Input "account-id"/],
    ['name too long', { ...D, name: 'n'.repeat(255) }, /Input "name" .*1 to 254 characters/],
    ['missing domains', {}, /Input "domains" is required/],
    ['blank domains', { domains: ' ,\n, ' }, /Input "domains" is required/],
    ['wildcard domain', { domains: '*.example.com' }, /a wildcard: Turnstile hostnames cannot contain/],
    ['domain with a port', { domains: 'example.com:8443' }, /"example.com:8443", which has a port.* Use "example.com"/],
    ['domain with a path', { domains: 'example.com/login' }, /which is not a hostname or IP address/],
    [
      'bad mode',
      { ...D, mode: 'loud' },
      /Input "mode" is "loud": allowed values are managed, non-interactive, invisible/,
    ],
    ['bad clearance-level', { ...D, 'clearance-level': 'max' }, /Input "clearance-level" is "max"/],
    [
      'bot-fight-mode not boolean',
      { ...D, 'bot-fight-mode': 'yes' },
      /Input "bot-fight-mode" is "yes": allowed values are true or false/,
    ],
    ['ephemeral-id not boolean', { ...D, 'ephemeral-id': '1' }, /Input "ephemeral-id" is "1"/],
    ['offlabel not boolean', { ...D, offlabel: 'on' }, /Input "offlabel" is "on"/],
    ['bad region', { ...D, region: 'eu' }, /Input "region" is "eu": allowed values are world, china/],
    ['bad sitekey', { ...D, sitekey: 'not a sitekey' }, /Input "sitekey" is "not a sitekey"/],
    ['sitekey too long', { ...D, sitekey: 'x'.repeat(33) }, /Input "sitekey"/],
    ['dry-run not boolean', { ...D, 'dry-run': 'maybe' }, /Input "dry-run" is "maybe"/],
    ['plain http api-url', { ...D, 'api-url': 'http://api.example.com/client/v4' }, /Input "api-url".*https/],
    [
      'api-url not a URL',
      { ...D, 'api-url': 'api.cloudflare.com' },
      /Input "api-url" is "api.cloudflare.com": expected an absolute URL/,
    ],
    [
      'api-url with credentials',
      { ...D, 'api-url': 'https://user:pw@api.example.com' },
      /Input "api-url" must be a plain base URL/,
    ],
    [
      'request-timeout zero',
      { ...D, 'request-timeout': '0' },
      /Input "request-timeout" is "0": expected a whole number from 1 to 600/,
    ],
    ['request-timeout not a number', { ...D, 'request-timeout': 'soon' }, /Input "request-timeout" is "soon"/],
    [
      'max-retries too high',
      { ...D, 'max-retries': '11' },
      /Input "max-retries" is "11": expected a whole number from 0 to 10/,
    ],
    ['max-retries negative', { ...D, 'max-retries': '-1' }, /Input "max-retries" is "-1"/],
    [
      'invalidate-immediately not boolean',
      { operation: 'rotate-secret', 'invalidate-immediately': 'now' },
      /Input "invalidate-immediately" is "now"/,
    ],
    [
      'older-than without unit',
      { operation: 'prune', 'name-prefix': 'app-pr-', 'older-than': '7' },
      /Input "older-than" is "7": expected a whole number followed by s, m, h or d/,
    ],
    ['export-env not boolean', { ...D, 'export-env': 'y' }, /Input "export-env" is "y"/],
    ['prune without name-prefix', { operation: 'prune' }, /Input "name-prefix" is required for operation "prune"/],
    [
      'a typo of a required input',
      { domian: 'x' },
      /Input "domains" is required.* The step passes "domian", which is not an input: did you mean "domains"\?/,
    ],
  ];
  it.each(cases)('%s: exit code 1, one clear ::error::, no request', async (_name, inputs, message) => {
    const result = await t.run(inputs);
    expect(result.code).toBe(1);
    const errors = result.stdout.split('\n').filter((line: string) => line.startsWith('::error'));
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatch(message);
    expect(errors[0]).toMatch(/^::error title=Invalid input/);
    expect(result.stderr).toBe('');
    expect(t.emulator.requests).toHaveLength(0);
    expect(t.emulator.connections).toBe(0);
  });
});

const problemOf = (host: string) =>
  `Input "domains" contains "${host}", which is not a hostname or IP address: expected e.g. "pr-42.example.pages.dev" or "203.0.113.1" (no scheme, path or port).`;

describe('mistakes caught before any request', () => {
  // The exact line a user sees for each, and that nothing reached the API.
  const cases: [string, Record<string, string>, string, string][] = [
    [
      'a widget name passed as sitekey',
      { operation: 'get', sitekey: 'preview-app-pr-42' },
      'sitekey',
      'Input "sitekey" is "preview-app-pr-42": a sitekey starts with "0x" (e.g. "0x4AAAAAAAC3DHQFLr1GavRN"). To find the widget by its name, give it as `name: "preview-app-pr-42"` instead of sitekey.',
    ],
    [
      'a token with its Bearer prefix',
      { operation: 'get', 'api-token': 'Bearer cf-token-0123456789' },
      'api-token',
      'Input "api-token" starts with "Bearer ": give the token alone. The action sends the "Authorization: Bearer" header itself, so the prefix would be sent twice.',
    ],
    [
      "Cloudflare's host without /client/v4",
      { operation: 'get', 'api-url': 'https://api.cloudflare.com' },
      'api-url',
      'Input "api-url" is "https://api.cloudflare.com": Cloudflare\'s API base URL is https://api.cloudflare.com/client/v4: use it, or leave api-url unset (it is the default).',
    ],
    [
      'a port in domains',
      { domains: 'localhost:3000' },
      'domains',
      'Input "domains" contains "localhost:3000", which has a port: a widget\'s hostname covers every port of it. Use "localhost".',
    ],
    [
      'a space inside a hostname',
      { domains: 'pr 42.example.com' },
      'domains',
      'Input "domains" contains "pr 42.example.com": spaces separate hostnames, so this reads as "pr", "42.example.com", and "pr" is not a hostname on its own. Write each hostname without spaces.',
    ],
    [
      'operation: rotate',
      { operation: 'rotate' },
      'operation',
      'Input "operation" is "rotate": allowed values are ensure, create, get, delete, rotate-secret, prune. Did you mean "rotate-secret"?',
    ],
  ];
  it.each(cases)('%s: one error line naming the fix, 0 requests', async (_name, inputs, input, message) => {
    const result = await t.run(inputs);
    expect(result.code).toBe(1);
    const errors = result.stdout.split('\n').filter((line) => line.startsWith('::error'));
    expect(errors).toEqual([`::error title=Invalid input%3A ${input}::${message}`]);
    expect(t.emulator.requests).toHaveLength(0);
    expect(t.emulator.connections).toBe(0);
  });

  // Cloudflare's token formats: new credentials are a prefix, 40 characters and a checksum.
  const newFormat = (prefix: string) => `${prefix}${'Ab3dE'.repeat(8)}1a2b3c4d`;
  const legacy = { 'api-token': '', 'api-email': 'me@example.com' };
  it.each<[string, Record<string, string>, string, string]>([
    [
      'a placeholder api-token',
      { 'api-token': 't' },
      'api-token',
      'Input "api-token" is shorter than 16 characters, so it is no Cloudflare credential (a placeholder?): pass the secret that holds it, e.g. `api-token: ${{ secrets.CLOUDFLARE_API_TOKEN }}`.',
    ],
    [
      'a placeholder api-key',
      { ...legacy, 'api-key': 'key' },
      'api-key',
      'Input "api-key" is shorter than 16 characters, so it is no Cloudflare credential (a placeholder?): pass the secret that holds it, e.g. `api-key: ${{ secrets.CLOUDFLARE_API_KEY }}`.',
    ],
    [
      'a Global API key in api-token',
      { 'api-token': newFormat('cfk_') },
      'api-token',
      'Input "api-token" holds a Global API key (it starts with "cfk_"), not an API token: pass it as api-key, with api-email, or use an API token.',
    ],
    [
      'a user token in api-key',
      { ...legacy, 'api-key': newFormat('cfut_') },
      'api-key',
      'Input "api-key" holds an API token (it starts with "cfut_"), not a Global API key: pass it as api-token.',
    ],
    [
      'an account token in api-key',
      { ...legacy, 'api-key': newFormat('cfat_') },
      'api-key',
      'Input "api-key" holds an API token (it starts with "cfat_"), not a Global API key: pass it as api-token.',
    ],
  ])('%s: refused before any request, the value never shown', async (_name, inputs, input, message) => {
    const result = await t.run({ operation: 'get', ...inputs });
    expect(result.code).toBe(1);
    expect(result.stdout.split('\n').filter((line) => line.startsWith('::error'))).toEqual([
      `::error title=Invalid input%3A ${input}::${message}`,
    ]);
    const value = inputs[input]!;
    expect(result.summary).toContain(`Input &quot;${input}&quot;`);
    if (value.length >= 16) {
      expect(secretExposure(result, value)).toEqual({ leaks: [], maskedFirst: true });
      expect(result.summary).not.toContain(value);
    } else expect(result.stdout).not.toContain('::add-mask::');
    expect(t.emulator.requests).toHaveLength(0);
    expect(t.emulator.connections).toBe(0);
  });

  it('two hundred bad hostnames: the first five, then how many more, in the log and the summary', async () => {
    const bad = Array.from({ length: 200 }, (_, i) => `bad_${i}.example.com`);
    const result = await t.run({ domains: bad.join('\n'), 'account-id': 'x' });
    expect(result.code).toBe(1);
    const errors = result.stdout.split('\n').filter((line) => line.startsWith('::error'));
    expect(errors).toEqual([
      expect.stringMatching(/^::error title=Invalid input%3A account-id::/),
      ...bad.slice(0, 5).map((host) => `::error title=Invalid input%3A domains::${problemOf(host)}`),
      '::error title=Invalid input%3A domains::Input "domains" has 195 more problem(s), not listed: fix the ones above and run again to see them.',
    ]);
    expect(result.summary).toContain('Input &quot;domains&quot; has 195 more problem(s)');
    expect(result.summary).not.toContain('bad_5.');
    expect(result.summary.length).toBeLessThan(5000);
    expect(t.emulator.requests).toHaveLength(0);
  });

  it('a token with its Bearer prefix is masked whole and without the prefix', async () => {
    const result = await t.run({ operation: 'get', 'api-token': 'Bearer cf-token-0123456789' });
    expect(result.stdout).toContain('::add-mask::Bearer cf-token-0123456789');
    expect(result.stdout).toContain('::add-mask::cf-token-0123456789');
  });

  it('a sitekey of 32 characters is a sitekey, not a secret: it is looked up', async () => {
    const sitekey = `0x4AAAAAAA${'b'.repeat(22)}`;
    const result = await t.run({ operation: 'get', sitekey });
    expect(result.stdout).not.toContain('looks like a widget secret');
    expect(t.emulator.requests.map((r) => `${r.method} ${r.path.split('/').pop()}`)).toEqual([`GET ${sitekey}`]);
  });
});

describe('inputs the operation does not use', () => {
  it('get by sitekey with name and domains: a warning names each, the run goes on', async () => {
    const made = await t.run({ domains: 'pr-42.example.com' });
    t.emulator.resetRecords();
    const result = await t.run({
      operation: 'get',
      sitekey: made.outputs.sitekey!,
      name: 'other',
      domains: 'a.example.com',
    });
    expect(result.code, result.stdout).toBe(0);
    expect(result.stdout.split('\n').filter((line) => line.startsWith('::warning'))).toEqual([
      '::warning title=Ignored input::Input "domains" is ignored: operation "get" does not use it.',
      '::warning title=Ignored input::Input "name" is ignored: operation "get" finds the widget by its sitekey when both are given.',
    ]);
    expect(result.outputs.sitekey).toBe(made.outputs.sitekey);
  });
});

describe('widget settings left unset', () => {
  it('an ensure without mode (defaults filled as the runner fills them) keeps an invisible widget invisible: 0 writes', async () => {
    const [widget] = t.emulator.seed([
      { name: 'preview-app-pr-42', domains: ['pr-42.example.com'], mode: 'invisible' },
    ]);
    const byName = await t.run({ domains: 'pr-42.example.com' });
    const bySitekey = await t.run({ sitekey: widget!.sitekey, domains: 'pr-42.example.com' });
    for (const result of [byName, bySitekey]) {
      expect(result.code, result.stdout).toBe(0);
      expect(result.outputs).toMatchObject({ sitekey: widget!.sitekey, mode: 'invisible', updated: 'false' });
    }
    expect(writes(t.emulator)).toEqual([]);
  });

  it('an ensure that adds a hostname keeps the mode and flags it does not set', async () => {
    const [widget] = t.emulator.seed([
      {
        name: 'preview-app-pr-42',
        domains: ['pr-42.example.com'],
        mode: 'non-interactive',
        clearance_level: 'interactive',
        offlabel: true,
      },
    ]);
    const result = await t.run({ sitekey: widget!.sitekey, domains: 'pr-42.example.com, admin.example.com' });
    expect(result.code, result.stdout).toBe(0);
    expect(result.stdout).toMatch(/Updated widget .*: domains: \+admin.example.com\./);
    expect(t.emulator.widgets()[0]).toMatchObject({
      domains: ['admin.example.com', 'pr-42.example.com'],
      mode: 'non-interactive',
      clearance_level: 'interactive',
      offlabel: true,
    });
  });

  it('a new widget gets the documented default mode', async () => {
    const result = await t.run({ domains: 'pr-42.example.com' });
    expect(result.outputs.mode).toBe('managed');
    expect(t.emulator.requests.find((r) => r.method === 'POST')?.body).toMatchObject({ mode: 'managed' });
  });
});

describe('widgets without hostnames (made in the dashboard for any hostname)', () => {
  // The emulator refuses to create such a widget, as Cloudflare does below Enterprise: seeded directly.
  const anyHostname = () => t.emulator.seed([{ name: 'enterprise-widget', domains: [], mode: 'invisible' }])[0]!;

  it('get, rotate-secret and delete work on them', async () => {
    const { sitekey } = anyHostname();
    const read = await t.run({ operation: 'get', sitekey });
    expect(read.code, read.stdout).toBe(0);
    expect(read.outputs).toMatchObject({ sitekey, domains: '[]' });
    const rotated = await t.run({ operation: 'rotate-secret', sitekey });
    expect(rotated.code, rotated.stdout).toBe(0);
    expect(rotated.outputs.secret).not.toBe(read.outputs.secret);
    const deleted = await t.run({ operation: 'delete', sitekey });
    expect(deleted.code, deleted.stdout).toBe(0);
    expect(t.emulator.widgets()).toEqual([]);
  });

  it('an ensure by sitekey without domains keeps them as they are: no write', async () => {
    const { sitekey } = anyHostname();
    const result = await t.run({ sitekey });
    expect(result.code, result.stdout).toBe(0);
    expect(result.outputs).toMatchObject({ sitekey, domains: '[]', mode: 'invisible', updated: 'false' });
    expect(writes(t.emulator)).toEqual([]);
  });

  it('an ensure by name without domains is refused before any request', async () => {
    anyHostname();
    const result = await t.run({ name: 'enterprise-widget' });
    expect(result.code).toBe(1);
    expect(result.stdout).toMatch(
      /::error title=Invalid input%3A domains::Input "domains" is required for operation "ensure"/,
    );
    expect(t.emulator.requests).toHaveLength(0);
  });
});

describe('prune with github-token', () => {
  it('keeps the widgets of pull requests that are still open (GitHub API on loopback)', async () => {
    const seen: { url: string; authorization: string | undefined }[] = [];
    const github = createServer((request, response) => {
      seen.push({ url: request.url ?? '', authorization: request.headers.authorization });
      response
        .writeHead(200, { 'content-type': 'application/json' })
        .end(JSON.stringify([{ number: 3 }, { number: 5 }]));
    });
    await new Promise<void>((resolve) => github.listen(0, '127.0.0.1', resolve));
    try {
      const old = new Date(Date.now() - 30 * 86_400_000).toISOString();
      t.emulator.seed([1, 2, 3, 4, 5].map((n) => ({ name: `preview-app-pr-${n}`, created_on: old })));
      const token = 'ghs_fakeGitHubToken0123456789';
      const result = await t.run(
        { operation: 'prune', 'name-prefix': 'preview-app-pr-', 'github-token': token },
        { GITHUB_API_URL: `http://127.0.0.1:${(github.address() as AddressInfo).port}` },
      );
      expect(result.code, result.stdout).toBe(0);
      expect(
        t.emulator
          .widgets()
          .map((w) => w.name)
          .sort(),
      ).toEqual(['preview-app-pr-3', 'preview-app-pr-5']);
      expect(JSON.parse(result.outputs.deleted!)).toHaveLength(3);
      expect(result.summary).toMatch(/pull request #3 is still open/);
      expect(seen[0]!.url).toMatch(/^\/repos\/octo-org\/preview-app\/pulls\?.*state=open/);
      expect(seen[0]!.authorization).toBe(`token ${token}`);
      expect(secretExposure(result, token)).toEqual({ leaks: [], maskedFirst: true });
    } finally {
      github.close();
    }
  });
});

describe('how a run fails: one error line, with its title; a stack only at debug level', () => {
  const errorLines = (run: ActionRun) => run.stdout.split('\n').filter((line) => line.startsWith('::error'));

  /** The log lines of an ensure that fails (exit code 1) where it sets its outputs, with what `fail` throws. */
  async function failingAtOutputs(fail: () => void): Promise<string[]> {
    const runner = recordingRunner();
    runner.setOutput = fail;
    const inputs = { 'api-token': t.emulator.apiToken, 'account-id': t.emulator.accountId, 'api-url': t.emulator.url };
    const env = { ...runnerEnv(), ...inputVariables({ ...inputs, domains: 'pr-42.example.com' }) };
    expect(await runAction({ runner, env, clock: virtualClock() })).toBe(1);
    return runner.stdout.split('\n');
  }

  it('an unexpected error (a bug) is one error line, with its stack and causes at debug level', async () => {
    const lines = await failingAtOutputs(() => {
      throw new Error('disk full', { cause: new Error('EIO: i/o error') });
    });
    expect(lines.filter((line) => line.startsWith('::error'))).toEqual([
      '::error title=Turnstile action failed::disk full',
    ]);
    const stack = lines.find((line) => line.startsWith('::debug::Error: disk full%0A    at '));
    expect(stack).toContain('%0ACaused by: Error: EIO: i/o error%0A    at ');
  });

  it('a ZodError (its message is a JSON dump): one readable error line, the stack at debug level', async () => {
    const lines = await failingAtOutputs(() => {
      z.strictObject({ mode: z.enum(['managed']) }).parse({ mode: 'adaptive', extra: 1 });
    });
    expect(lines.filter((l) => l.startsWith('::error'))).toEqual([
      '::error title=Turnstile action failed::unexpected data (a bug in the action): mode: Invalid input: expected "managed"; value: Unrecognized key: "extra"',
    ]);
    expect(lines.some((l) => l.startsWith('::debug::') && l.includes('%0A    at '))).toBe(true);
  });

  it('a user mistake or an API error stays one line, without a stack', async () => {
    t.emulator.injectFault({
      kind: 'status',
      status: 403,
      body: { success: false, errors: [], messages: [], result: null },
    });
    for (const run of [await t.run({ domains: 'vercel.app' }), await t.run({ domains: 'pr-42.example.com' })]) {
      expect(run.code).toBe(1);
      expect(run.stdout).not.toMatch(/ {4}at |Caused by/);
    }
  });

  it('get by a name no widget has: "Widget not found"', async () => {
    const run = await t.run({ operation: 'get', name: 'app-pr-1' });
    expect(run.code).toBe(1);
    expect(errorLines(run)).toEqual([
      expect.stringMatching(/^::error title=Widget not found::No Turnstile widget named "app-pr-1" exists/),
    ]);
  });
});
