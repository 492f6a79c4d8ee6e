// The local Turnstile API emulator (emulator/): what the action's tests, the demo, the benchmark and
// local runs rely on. Its conformance to the published contract is __tests__/tooling/contract.emulator.test.ts.
// Network on 127.0.0.1 only.
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { connect } from 'node:net';
import { readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { Client } from 'undici';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  CODES,
  DEFAULT_CREDENTIALS,
  EMULATOR_HEADER,
  EMULATOR_HEADER_VALUE,
  MAX_BODY_BYTES,
  MESSAGES,
  startEmulator,
  type Emulator,
} from '../../emulator/server.ts';

// Raw API answers, read field by field in the assertions.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Any = any;
interface Envelope {
  success: boolean;
  result: Any;
  errors: { code: number; message: string }[];
  messages: unknown[];
  result_info?: { page: number; per_page: number; count: number; total_count: number };
}

const ROOT = resolve(import.meta.dirname, '..', '..');
const CLI = join(ROOT, 'emulator', 'cli.ts');
const TIMESTAMP = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z$/;
const WIDGET = { name: 'w', domains: ['a.example.com'], mode: 'managed' };
const TWO_HOURS = 2 * 60 * 60 * 1000;
/** Real keys use letters, digits, `-` and `_` (0x4AAAAAACV0UOMmCeG_g2Jr); secrets are longer. */
const SITEKEY = /^0x4AAAAAAA[\w-]{14}$/;
const SECRET = /^0x4AAAAAAA[\w-]{25}$/;
const hostnames = (count: number) => Array.from({ length: count }, (_, i) => `d${i}.example.com`);

let emulator: Emulator;
beforeEach(async () => {
  emulator = await startEmulator();
});
afterEach(() => emulator.close());

const bearer = () => ({ authorization: `Bearer ${emulator.apiToken}` });
const widgetsPath = (accountId = emulator.accountId) => `/accounts/${accountId}/challenges/widgets`;

/** A request below /client/v4; `body` is sent as JSON unless it is already a string. */
async function call(method: string, path: string, body?: unknown, headers: Record<string, string> = bearer()) {
  const response = await fetch(`${emulator.url}${path}`, {
    method,
    headers: { ...headers, 'content-type': 'application/json' },
    body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
  });
  return { status: response.status, json: (await response.json()) as Envelope, headers: response.headers };
}
const widgets = (method: string, suffix = '', body?: unknown, headers?: Record<string, string>) =>
  call(method, `${widgetsPath()}${suffix}`, body, headers);

/** The status and the single error of a failure envelope. */
async function failureOf(answer: Promise<{ status: number; json: Envelope }>) {
  const { status, json } = await answer;
  expect(json).toMatchObject({ success: false, messages: [], result: null });
  expect(json.errors).toHaveLength(1);
  return { status, code: json.errors[0]!.code, message: json.errors[0]!.message };
}

async function create(overrides: object = {}): Promise<Any> {
  const { status, json } = await widgets('POST', '', { ...WIDGET, ...overrides });
  expect(status).toBe(200);
  return json.result;
}

describe('widget routes', () => {
  it('POST creates a widget: keys, defaults, origins, sorted lower-cased domains, microsecond times', async () => {
    const { status, json } = await widgets('POST', '', {
      name: 'login form',
      domains: ['B.example.com', 'a.example.com', 'b.example.com', '203.0.113.7'],
      mode: 'invisible',
    });
    expect(status).toBe(200);
    expect(json).toMatchObject({ success: true, errors: [], messages: [] });
    expect(json.result_info).toBeUndefined();
    expect(json.result).toEqual({
      sitekey: expect.stringMatching(SITEKEY),
      secret: expect.stringMatching(SECRET),
      name: 'login form',
      domains: ['203.0.113.7', 'a.example.com', 'b.example.com'],
      mode: 'invisible',
      region: 'world',
      bot_fight_mode: false,
      offlabel: false,
      clearance_level: 'no_clearance',
      ephemeral_id: false,
      deployed_via: 'api',
      last_modified_via: 'api',
      created_on: expect.stringMatching(TIMESTAMP),
      modified_on: json.result.created_on,
    });
    expect(emulator.widgets()).toEqual([json.result]);
    const optional = { region: 'china', bot_fight_mode: true, offlabel: true, clearance_level: 'jschallenge' };
    expect(await create({ ...optional, ephemeral_id: true })).toMatchObject({ ...optional, ephemeral_id: true });
    // 10 hostnames (the Free plan's limit, the default); duplicates count once.
    expect((await create({ domains: [...hostnames(10), 'D0.example.com'] })).domains).toHaveLength(10);
  });

  it('keys use the whole alphabet of real ones, "-" and "_" included; sitekeys fit the spec (at most 32)', async () => {
    const keys = emulator.seed(Array.from({ length: 40 }, () => ({}))).flatMap((w) => [w.sitekey, w.secret]);
    for (const [index, key] of keys.entries()) expect(key).toMatch(index % 2 ? SECRET : SITEKEY);
    expect(keys.join('')).toMatch(/[-_]/); // 1,560 random characters: both absent has odds of about 1e-22
    expect(Math.max(...keys.filter((_, i) => i % 2 === 0).map((key) => key.length))).toBeLessThanOrEqual(32);
    // Such a key works in a path, as real ones do.
    const sitekey = keys.find((key, i) => i % 2 === 0 && /[-_]/.test(key)) ?? keys[0]!;
    expect((await widgets('GET', `/${sitekey}`)).status).toBe(200);
  });

  it('hostnames per widget: 10 by default; the limit is configurable; "any hostname" accounts allow none', async () => {
    const [existing] = emulator.seed([{}]);
    const refused = await failureOf(widgets('POST', '', { ...WIDGET, domains: hostnames(11) }));
    // Cloudflare's text (cloudflare-docs issue #27889); the status and code are the emulator's own.
    expect(refused).toEqual({
      status: 400,
      code: CODES.invalidField,
      message: 'invalid value for `domains`, too many values (max: 10)',
    });
    expect((await widgets('PUT', `/${existing!.sitekey}`, { ...WIDGET, domains: hostnames(11) })).status).toBe(400);
    emulator.setHostnameLimit(200); // Enterprise
    expect((await create({ domains: hostnames(200) })).domains).toHaveLength(200);
    expect((await widgets('POST', '', { ...WIDGET, domains: hostnames(201) })).status).toBe(400);
    expect((await widgets('POST', '', { ...WIDGET, domains: [] })).status).toBe(400);
    emulator.setAnyHostname(true);
    expect((await create({ domains: [] })).domains).toEqual([]);
    const updated = await widgets('PUT', `/${existing!.sitekey}`, { ...WIDGET, domains: [] });
    expect([updated.status, updated.json.result.domains]).toEqual([200, []]);

    const configured = await startEmulator({ hostnameLimit: 3, anyHostname: true });
    try {
      const url = `${configured.url}/accounts/${configured.accountId}/challenges/widgets`;
      const post = (domains: string[]) =>
        fetch(url, {
          method: 'POST',
          headers: { authorization: `Bearer ${configured.apiToken}` },
          body: JSON.stringify({ ...WIDGET, domains }),
        }).then((response) => response.status);
      expect([await post(hostnames(3)), await post(hostnames(4)), await post([])]).toEqual([200, 400, 200]);
    } finally {
      await configured.close();
    }
  });

  it('created_on strictly increases and keys are unique, even for creates in the same millisecond', async () => {
    const results = await Promise.all(Array.from({ length: 8 }, (_, i) => create({ name: `w${i}` })));
    expect(new Set(results.map((widget) => widget.created_on)).size).toBe(8);
    expect(new Set(results.flatMap((widget) => [widget.sitekey, widget.secret])).size).toBe(16);
  });

  it('GET /{sitekey} returns the detail with the secret; the list leaves the secret out', async () => {
    const created = await create();
    const got = await widgets('GET', `/${created.sitekey}`);
    expect([got.status, got.json.result]).toEqual([200, created]);
    const { secret: _secret, ...withoutSecret } = created;
    expect((await widgets('GET')).json.result).toEqual([withoutSecret]);
  });

  it('PUT replaces the configuration; keys, created_on, region and deployed_via stay', async () => {
    const [seeded] = emulator.seed([{ offlabel: true, region: 'china', deployed_via: 'dashboard' }]);
    const { status, json } = await widgets('PUT', `/${seeded!.sitekey}`, { ...WIDGET, domains: ['B.example.com'] });
    expect(status).toBe(200);
    expect(json.result).toEqual({
      ...seeded,
      name: 'w',
      domains: ['b.example.com'],
      offlabel: false, // omitted, so back to the default
      region: 'china', // it cannot change, and omitting it is not a change
      deployed_via: 'dashboard', // recorded at creation, immutable
      last_modified_via: 'api',
      modified_on: expect.stringMatching(TIMESTAMP),
    });
    expect(json.result.modified_on > seeded!.modified_on).toBe(true);
    const same = await widgets('PUT', `/${seeded!.sitekey}`, { ...WIDGET, name: 'same', region: 'china' });
    expect(same.status).toBe(200);
    const changed = await failureOf(widgets('PUT', `/${seeded!.sitekey}`, { ...WIDGET, region: 'world' }));
    expect(changed).toMatchObject({ status: 400, code: CODES.invalidField });
    expect(changed.message).toMatch(/region.*cannot be changed/);
    expect(emulator.widgets()[0]).toMatchObject({ name: 'same', region: 'china' });
  });

  it('holds a mode, clearance level and region newer than its lists (seeded) and accepts each back on PUT, no other', async () => {
    const newer = { mode: 'adaptive', clearance_level: 'jschallenge_v2', region: 'eu' };
    const [seeded] = emulator.seed([newer]);
    const kept = await widgets('PUT', `/${seeded!.sitekey}`, { ...WIDGET, ...newer });
    expect([kept.status, kept.json.result]).toMatchObject([200, newer]);
    for (const [field, other] of [
      ['mode', 'adaptive2'],
      ['clearance_level', 'jschallenge_v3'],
      ['region', 'us'],
    ] as const) {
      const refused = await failureOf(widgets('PUT', `/${seeded!.sitekey}`, { ...WIDGET, ...newer, [field]: other }));
      expect(refused, field).toMatchObject({ status: 400, code: CODES.invalidField });
      expect(refused.message).toContain(field);
    }
    // A create does not take them.
    expect((await widgets('POST', '', { ...WIDGET, mode: 'adaptive' })).status).toBe(400);
    expect(emulator.widgets()[0]).toMatchObject(newer);
  });

  it('DELETE returns the deleted widget (last modified via api); afterwards it is not found', async () => {
    const [seeded] = emulator.seed([{ last_modified_via: 'dashboard' }]);
    const deleted = await widgets('DELETE', `/${seeded!.sitekey}`);
    expect([deleted.status, deleted.json.result]).toEqual([200, { ...seeded, last_modified_via: 'api' }]);
    expect(emulator.widgets()).toEqual([]);
    // Every route of a missing widget answers so: __tests__/tooling/contract.emulator.test.ts.
    const gone = { status: 404, code: CODES.notFound, message: MESSAGES.notFound };
    expect(await failureOf(widgets('DELETE', `/${seeded!.sitekey}`))).toEqual(gone);
  });

  describe('rotate_secret', () => {
    const rotate = (sitekey: string, body?: unknown) => widgets('POST', `/${sitekey}/rotate_secret`, body);

    it('a new secret; the old one stays valid two hours (never shown); GET shows only the new one', async () => {
      const created = await create();
      const rotated = await rotate(created.sitekey, { invalidate_immediately: false });
      expect(rotated.status).toBe(200);
      expect(rotated.json.result).toEqual({
        ...created,
        secret: expect.stringMatching(SECRET),
        modified_on: expect.stringMatching(TIMESTAMP),
      });
      expect(rotated.json.result.secret).not.toBe(created.secret);
      const record = emulator.widgets()[0]!;
      expect(record.previous_secret?.value).toBe(created.secret);
      const expiresIn = Date.parse(record.previous_secret!.expires_on) - Date.now();
      expect(expiresIn).toBeGreaterThan(TWO_HOURS - 10_000);
      expect(expiresIn).toBeLessThanOrEqual(TWO_HOURS);
      const got = await widgets('GET', `/${created.sitekey}`);
      expect(got.json.result.secret).toBe(rotated.json.result.secret);
      expect(JSON.stringify(got.json)).not.toContain(created.secret);
    });

    it('within the grace period a second rotation is refused, even one that invalidates at once', async () => {
      const created = await create();
      expect((await rotate(created.sitekey)).status).toBe(200); // no body counts as {}: keep the old secret
      const before = emulator.widgets()[0]!;
      for (const body of [{}, { invalidate_immediately: true }]) {
        const refused = await failureOf(rotate(created.sitekey, body));
        expect(refused).toEqual({
          status: 400,
          code: CODES.rotationInGracePeriod,
          message: `Secret cannot be rotated during the grace period of the previous rotation: the previous secret remains valid until ${before.previous_secret!.expires_on}`,
        });
      }
      expect(emulator.widgets()[0]).toEqual(before);
    });

    it('is allowed again once the old secret expired, and any time after an immediate rotation', async () => {
      const expired = new Date(Date.now() - 1000).toISOString();
      const [old] = emulator.seed([{ previous_secret: { value: '0x4AAAAAAAexpired', expires_on: expired } }]);
      expect((await rotate(old!.sitekey, { invalidate_immediately: true })).status).toBe(200);
      expect(emulator.widgets()[0]!.previous_secret).toBeUndefined();
      expect((await rotate(old!.sitekey, { invalidate_immediately: true })).status).toBe(200);
      expect((await rotate(old!.sitekey, {})).status).toBe(200);
      const bad = await failureOf(rotate(old!.sitekey, { invalidate_immediately: 'yes' }));
      expect(bad).toMatchObject({ status: 400, code: CODES.invalidField });
      expect(bad.message).toContain('invalidate_immediately');
    });
  });

  it.each([
    ['name', { name: '' }],
    ['mode', { mode: 'loud' }],
    ['domains', { domains: 'a.example.com' }],
    ['domains', { domains: [] }], // "at least one hostname is required"
    ['domains', { domains: hostnames(11) }],
    ['domains', { domains: ['*.example.com'] }],
    ['region', { region: 'mars' }],
    ['ephemeral_id', { ephemeral_id: null }],
    ['colour', { colour: 'red' }],
  ])('create and update refuse a bad %s: 400, the field named', async (field, change) => {
    const [existing] = emulator.seed([{}]);
    for (const [method, suffix] of [['POST', ''] as const, ['PUT', `/${existing!.sitekey}`] as const]) {
      const answer = await failureOf(widgets(method, suffix, { ...WIDGET, ...change }));
      expect(answer).toMatchObject({ status: 400, code: CODES.invalidField });
      expect(answer.message).toContain(field);
    }
    expect(emulator.widgets()).toEqual([existing]);
  });

  it('unknown routes: 404 code 7003 "No route for the URI"; PATCH and other methods a route lacks: 405 code 10405; bad bodies: 400', async () => {
    const noRoute = { status: 404, code: CODES.noRoute, message: 'No route for the URI' };
    const notAllowed = { status: 405, code: CODES.methodNotAllowed, message: MESSAGES.methodNotAllowed };
    expect(CODES.methodNotAllowed).toBe(10405); // Cloudflare's documented code
    const { sitekey } = emulator.seed([{}])[0]!;
    expect(await failureOf(call('GET', `/accounts/${emulator.accountId}/challenges/widget`))).toEqual(noRoute);
    expect(await failureOf(call('GET', '/zones'))).toEqual(noRoute);
    expect(await failureOf(widgets('PATCH', `/${sitekey}`, WIDGET))).toEqual(notAllowed);
    expect(await failureOf(widgets('PATCH', '', WIDGET))).toEqual(notAllowed);
    expect(await failureOf(widgets('DELETE'))).toEqual(notAllowed);
    expect(await failureOf(widgets('GET', `/${sitekey}/rotate_secret`))).toEqual(notAllowed);
    expect(emulator.widgets()).toHaveLength(1); // the PATCH changed nothing
    const outside = await fetch(emulator.url.replace('/client/v4', '/v3/accounts'), { headers: bearer() });
    expect(outside.status).toBe(404);
    // Bodies that are not JSON objects: every operation in __tests__/tooling/contract.emulator.test.ts.
    for (const body of ['{"name": ', '[]', undefined]) {
      expect(await failureOf(widgets('POST', '', body))).toMatchObject({ status: 400, code: CODES.invalidJson });
    }
  });

  it(`every response, fault answers included, carries ${EMULATOR_HEADER} (how local runs find it)`, async () => {
    emulator.injectFault({ kind: 'status', status: 502, body: '<html>Bad gateway</html>' });
    const urls = [`${emulator.url}${widgetsPath()}`, `${emulator.url}${widgetsPath()}`, new URL(emulator.url).origin];
    const answers = [];
    for (const url of urls) answers.push(await fetch(url, { headers: bearer() })); // the fault, 200, no route
    expect(answers.map((answer) => `${answer.status} ${answer.headers.get(EMULATOR_HEADER)}`)).toEqual(
      [502, 200, 404].map((status) => `${status} ${EMULATOR_HEADER_VALUE}`),
    );
  });
});

describe('list: pagination, ordering, filter', () => {
  const names = (answer: { json: Envelope }) => (answer.json.result as { name: string }[]).map((w) => w.name);

  it('pages with result_info; per_page defaults to 25 and must be 5..1000; page at least 1', async () => {
    emulator.seed(Array.from({ length: 27 }, (_, i) => ({ name: `w${String(i).padStart(2, '0')}` })));
    const first = await widgets('GET');
    expect([first.json.result.length, first.json.result_info]).toEqual([
      25,
      { page: 1, per_page: 25, count: 25, total_count: 27 },
    ]);
    const second = await widgets('GET', '?page=2');
    expect([names(second), second.json.result_info]).toEqual([
      ['w25', 'w26'],
      { page: 2, per_page: 25, count: 2, total_count: 27 },
    ]);
    const beyond = await widgets('GET', '?page=9&per_page=5');
    expect([beyond.json.result, beyond.json.result_info]).toEqual([
      [],
      { page: 9, per_page: 5, count: 0, total_count: 27 },
    ]);
    expect((await widgets('GET', '?per_page=1000')).json.result).toHaveLength(27);
    for (const query of ['per_page=4', 'per_page=1001', 'per_page=abc', 'page=0', 'page=1.5', 'page=']) {
      const answer = await failureOf(widgets('GET', `?${query}`));
      expect(answer, query).toMatchObject({ status: 400, code: CODES.badQuery });
    }
  });

  it('orders by id (creation), sitekey, name, created_on and modified_on, asc or desc', async () => {
    const [b, a, c] = emulator.seed([
      { name: 'b', created_on: '2024-03-01T00:00:00.000002Z', modified_on: '2024-05-01T00:00:00.000000Z' },
      { name: 'a', created_on: '2024-03-01T00:00:00.000003Z', modified_on: '2024-04-01T00:00:00.000000Z' },
      { name: 'c', created_on: '2024-03-01T00:00:00.000001Z', modified_on: '2024-06-01T00:00:00Z' },
    ]) as [Any, Any, Any];
    expect(names(await widgets('GET'))).toEqual(['b', 'a', 'c']);
    expect(names(await widgets('GET', '?order=id&direction=desc'))).toEqual(['c', 'a', 'b']);
    expect(names(await widgets('GET', '?order=name'))).toEqual(['a', 'b', 'c']);
    expect(names(await widgets('GET', '?order=name&direction=desc'))).toEqual(['c', 'b', 'a']);
    expect(names(await widgets('GET', '?order=created_on'))).toEqual(['c', 'b', 'a']);
    expect(names(await widgets('GET', '?order=modified_on&direction=desc'))).toEqual(['c', 'b', 'a']);
    const bySitekey = [a, b, c].sort((x, y) => (x.sitekey < y.sitekey ? -1 : 1)).map((w) => w.name);
    expect(names(await widgets('GET', '?order=sitekey'))).toEqual(bySitekey);
    for (const query of ['order=size', 'direction=up', 'order=']) {
      expect(await failureOf(widgets('GET', `?${query}`)), query).toMatchObject({ status: 400, code: CODES.badQuery });
    }
  });

  it('filters name: by case-insensitive substring and sitekey: exactly (SDK 7.3.0); an empty value returns all', async () => {
    const [first] = emulator.seed([{ name: 'App-PR-1' }, { name: 'app-pr-10' }, { name: 'other' }]);
    expect(names(await widgets('GET', '?filter=name:APP-pr-1'))).toEqual(['App-PR-1', 'app-pr-10']);
    expect(names(await widgets('GET', '?filter=name:pr-10'))).toEqual(['app-pr-10']);
    expect(names(await widgets('GET', '?filter=name:nothing'))).toEqual([]);
    const exact = encodeURIComponent(`sitekey:${first!.sitekey}`);
    expect(names(await widgets('GET', `?filter=${exact}`))).toEqual(['App-PR-1']);
    for (const part of [first!.sitekey.slice(0, -1), first!.sitekey.toLowerCase(), '0x4AAA']) {
      const filter = encodeURIComponent(`sitekey:${part}`);
      expect(names(await widgets('GET', `?filter=${filter}`)), part).toEqual([]);
    }
    for (const all of ['sitekey:', '', 'name:']) expect(names(await widgets('GET', `?filter=${all}`))).toHaveLength(3);
    const paged = await widgets(
      'GET',
      `?filter=${encodeURIComponent('name:app')}&per_page=5&order=name&direction=desc`,
    );
    expect([names(paged), paged.json.result_info?.total_count]).toEqual([['app-pr-10', 'App-PR-1'], 2]);
    for (const filter of ['foo:bar', 'domain:x', 'name', 'x']) {
      const answer = await failureOf(widgets('GET', `?filter=${filter}`));
      expect([answer.status, answer.code, answer.message.includes(filter)], filter).toEqual([
        400,
        CODES.badQuery,
        true,
      ]);
    }
  });
});

// Every operation's answers without, with wrong or with foreign credentials and with a malformed
// account id are in __tests__/tooling/contract.emulator.test.ts; here the variants and the messages.
describe('authentication and account', () => {
  it('accepts the API token or the email + global key pair; missing: 400 9106; wrong: 403 10000', async () => {
    const legacy = { 'x-auth-email': emulator.apiEmail, 'x-auth-key': emulator.apiKey };
    expect((await widgets('POST', '', WIDGET, legacy)).status).toBe(200);
    const missing = { status: 400, code: CODES.missingAuth, message: MESSAGES.missingAuth };
    expect(await failureOf(widgets('GET', '', undefined, { 'x-auth-email': emulator.apiEmail }))).toEqual(missing);
    const denied = { status: 403, code: CODES.authentication, message: MESSAGES.authentication };
    const wrong: Record<string, string>[] = [
      { authorization: emulator.apiToken }, // no scheme
      { 'x-auth-email': emulator.apiEmail, 'x-auth-key': 'wrong' },
      { 'x-auth-email': 'other@example.com', 'x-auth-key': emulator.apiKey },
    ];
    for (const headers of wrong) {
      expect(await failureOf(widgets('GET', '', undefined, headers)), JSON.stringify(headers)).toEqual(denied);
    }
  });

  it('another account: 403 code 9109; a malformed account id: 400 code 7003, before authentication', async () => {
    expect((await failureOf(call('GET', widgetsPath('f'.repeat(32))))).message).toBe(MESSAGES.unauthorizedAccount);
    for (const id of ['xyz', '0123456789ABCDEF0123456789ABCDEF', '0'.repeat(33)]) {
      expect(await failureOf(call('GET', widgetsPath(id), undefined, {}))).toEqual({
        status: 400,
        code: CODES.invalidIdentifier,
        message: `Could not route to /accounts/${id}/challenges/widgets, perhaps your object identifier is invalid?`,
      });
    }
  });

  it('takes its credentials from the options (as local runs do), and never records them', async () => {
    const custom = await startEmulator({
      accountId: 'a'.repeat(32),
      apiToken: 'custom-token',
      apiEmail: 'me@example.com',
      apiKey: 'custom-key',
    });
    try {
      const url = `${custom.url}/accounts/${'a'.repeat(32)}/challenges/widgets`;
      const legacy = await fetch(url, { headers: { 'x-auth-email': 'me@example.com', 'x-auth-key': 'custom-key' } });
      const token = await fetch(url, { headers: { authorization: 'Bearer custom-token' } });
      const defaults = await fetch(url, { headers: { authorization: `Bearer ${emulator.apiToken}` } });
      expect([legacy.status, token.status, defaults.status]).toEqual([200, 200, 403]);
      const recorded = JSON.stringify(custom.requests);
      for (const secret of ['custom-key', 'me@example.com', 'custom-token']) expect(recorded).not.toContain(secret);
    } finally {
      await custom.close();
    }
  });
});

describe('widget limit', () => {
  it('a create beyond the limit (20 by default) fails with 400 code 10040; seed() bypasses it', async () => {
    emulator.seed(Array.from({ length: 21 }, () => ({})));
    expect(await failureOf(widgets('POST', '', WIDGET))).toEqual({
      status: 400,
      code: CODES.widgetLimit,
      message: 'Maximum number of widgets per account reached (limit: 20)',
    });
    emulator.setWidgetLimit(22);
    await create();
    expect((await failureOf(widgets('POST', '', WIDGET))).message).toContain('limit: 22');
    expect(emulator.widgets()).toHaveLength(22);
  });
});

describe('seed() and widgets()', () => {
  it('fills defaults (origins: api), takes origins and times as given, normalises domains', async () => {
    const [old, fromDashboard, legacy] = emulator.seed([
      { name: 'old', domains: ['B.example.com', 'b.example.com'], created_on: '2020-01-01T00:00:00.000000Z' },
      { deployed_via: 'dashboard', last_modified_via: 'wrangler' },
      { deployed_via: undefined, last_modified_via: undefined }, // older than the fields
    ]);
    const defaults = { mode: 'managed', region: 'world', ephemeral_id: false, offlabel: false };
    expect(old).toMatchObject({ ...defaults, domains: ['b.example.com'], modified_on: '2020-01-01T00:00:00.000000Z' });
    expect(old).toMatchObject({
      deployed_via: 'api',
      last_modified_via: 'api',
      secret: expect.stringMatching(/^0x4A/),
    });
    expect(fromDashboard).toMatchObject({ deployed_via: 'dashboard', last_modified_via: 'wrangler' });
    const listed = (await widgets('GET')).json.result as Any[];
    expect(Object.keys(listed[2]).filter((key) => key.endsWith('_via'))).toEqual([]);
    expect(listed[2].sitekey).toBe(legacy!.sitekey);
    expect((await create()).created_on > old!.created_on).toBe(true);
  });

  it('a created_on in the future still leaves later creates the newest; copies are returned', async () => {
    const [future] = emulator.seed([{ created_on: '2999-01-01T00:00:00.000000Z' }]);
    future!.domains.push('changed.example.com');
    expect((await create()).created_on > '2999-01-01T00:00:00.000000Z').toBe(true);
    expect(emulator.widgets()[0]!.domains).toEqual(['example.com']);
  });
});

describe('faults', () => {
  const raw = (init: RequestInit = {}) => fetch(`${emulator.url}${widgetsPath()}`, { headers: bearer(), ...init });

  it('status: JSON with headers (429 + Retry-After), an HTML page, or by default a failure envelope', async () => {
    const envelope = { success: false, errors: [{ code: 10013, message: 'Rate limited' }], messages: [], result: null };
    emulator.injectFault({ kind: 'status', status: 429, headers: { 'retry-after': '1' }, body: envelope });
    emulator.injectFault({ kind: 'status', status: 502, body: '<html>Bad gateway</html>' });
    emulator.injectFault({ kind: 'status', status: 503 });
    const limited = await raw();
    expect([limited.status, limited.headers.get('retry-after'), await limited.json()]).toEqual([429, '1', envelope]);
    const html = await raw();
    expect([html.status, html.headers.get('content-type'), await html.text()]).toEqual([
      502,
      'text/html',
      '<html>Bad gateway</html>',
    ]);
    const fallback = await raw();
    expect([fallback.status, await fallback.json()]).toEqual([
      503,
      { success: false, errors: [{ code: 1000, message: 'Service Unavailable' }], messages: [], result: null },
    ]);
    expect((await raw()).status).toBe(200);
    expect(emulator.requests.map((r) => [r.status, r.response])).toEqual([
      [429, envelope],
      [502, undefined],
      [503, expect.objectContaining({ success: false })],
      [200, expect.objectContaining({ success: true })],
    ]);
  });

  it('reset drops the socket unanswered; lost-response carries the request out (the widget exists) first', async () => {
    emulator.injectFault({ kind: 'reset', method: 'GET' });
    emulator.injectFault({ kind: 'lost-response', method: 'POST' });
    await expect(raw()).rejects.toThrow();
    await expect(widgets('POST', '', WIDGET)).rejects.toThrow();
    expect(emulator.widgets()).toHaveLength(1);
    expect((await raw()).status).toBe(200);
    expect(emulator.requests.map((r) => [r.method, r.status])).toEqual([
      ['GET', 0],
      ['POST', 0],
      ['GET', 200],
    ]);
  });

  it('hang: no answer until the client gives up, or until close(), which returns promptly', async () => {
    emulator.injectFault({ kind: 'hang', times: 2 });
    const received = async (count: number) => {
      while (emulator.requests.length < count) await new Promise((r) => setTimeout(r, 5));
    };
    // The client gives up once the request has arrived (a timer could fire before it is even sent).
    const giveUp = new AbortController();
    const abandoned = raw({ signal: giveUp.signal });
    abandoned.catch(() => undefined);
    await received(1);
    giveUp.abort();
    await expect(abandoned).rejects.toThrow();
    const hung = raw();
    hung.catch(() => undefined);
    await received(2);
    const started = performance.now();
    await emulator.close();
    expect(performance.now() - started).toBeLessThan(1000);
    await expect(hung).rejects.toThrow();
    expect(emulator.requests.map((r) => r.status)).toEqual([0, 0]);
  });

  it('delay: the normal answer, later', async () => {
    emulator.injectFault({ kind: 'delay', ms: 100 });
    let started = performance.now();
    expect((await raw()).status).toBe(200);
    const delayed = performance.now() - started;
    expect(delayed).toBeGreaterThanOrEqual(90);
    started = performance.now();
    await raw();
    expect(performance.now() - started).toBeLessThan(delayed);
  });

  it('matches by method and path, applies `times` times, in queue order; clearFaults() empties the queue', async () => {
    const { sitekey } = emulator.seed([{}])[0]!;
    emulator.injectFault({ kind: 'status', status: 500, method: 'POST', path: /rotate_secret$/, times: 2 });
    emulator.injectFault({ kind: 'status', status: 501, method: 'GET' });
    emulator.injectFault({ kind: 'status', status: 502, method: 'GET' });
    expect((await raw()).status).toBe(501); // the first GET fault in queue order
    expect((await widgets('POST', '', WIDGET)).status).toBe(200); // POST, but not rotate_secret
    expect((await widgets('POST', `/${sitekey}/rotate_secret`, {})).status).toBe(500);
    expect((await widgets('POST', `/${sitekey}/rotate_secret`, {})).status).toBe(500);
    expect((await widgets('POST', `/${sitekey}/rotate_secret`, {})).status).toBe(200);
    emulator.injectFault({ kind: 'reset', path: /.*/g, times: 3 });
    emulator.clearFaults();
    expect((await raw()).status).toBe(200);
  });
});

describe('records and connections', () => {
  it('records method, path below /client/v4, query, parsed body, status and response; never credentials', async () => {
    await widgets('POST', '?filter=name:x', WIDGET);
    await widgets('PUT', '/0x4AAAAAAAx?page=2', '{broken');
    const [created, broken] = emulator.requests;
    expect(created).toEqual({
      method: 'POST',
      path: widgetsPath(),
      query: { filter: 'name:x' },
      body: WIDGET,
      status: 200,
      response: expect.objectContaining({ success: true }),
    });
    expect(broken).toMatchObject({ method: 'PUT', query: { page: '2' }, body: '{broken', status: 400 });
    expect(JSON.stringify(emulator.requests)).not.toContain(emulator.apiToken);
  });

  describe('a body over the limit (1 MiB by default; 1,000 bytes here): 413, unread, before authentication', () => {
    let small: Emulator;
    beforeEach(async () => {
      small = await startEmulator({ maxBodyBytes: 1000 });
    });
    afterEach(() => small.close());

    /** Sends `head` and `body` on a raw socket, never ending the body; resolves with the first answer. */
    function rawRequest(head: string[], body: string): Promise<string> {
      const { port } = new URL(small.url);
      return new Promise((resolve, reject) => {
        const socket = connect(Number(port), '127.0.0.1', () => socket.write(`${head.join('\r\n')}\r\n\r\n${body}`));
        let answer = '';
        socket.on('data', (chunk: Buffer) => {
          answer += chunk.toString();
          if (answer.includes('\r\n\r\n')) resolve(answer);
        });
        socket.on('error', reject);
        socket.on('close', () => resolve(answer));
      });
    }
    const post = `POST /client/v4/accounts/${DEFAULT_CREDENTIALS.accountId}/challenges/widgets HTTP/1.1`;

    it('at the limit a body is read (here: refused for its missing credentials); above it, 413 without them', async () => {
      expect(MAX_BODY_BYTES).toBe(1024 * 1024);
      const url = `${small.url}${widgetsPath(small.accountId)}`;
      const sized = (bytes: number) => JSON.stringify({ name: 'x'.repeat(bytes - 11) }); // {"name":"…"}
      expect(sized(1000)).toHaveLength(1000);
      const atLimit = await fetch(url, { method: 'POST', body: sized(1000) });
      expect([atLimit.status, ((await atLimit.json()) as Envelope).errors[0]!.code]).toEqual([400, CODES.missingAuth]);
      const over = await fetch(url, { method: 'POST', body: sized(1001) });
      expect(over.status).toBe(413);
      expect(await over.json()).toEqual({
        success: false,
        errors: [{ code: CODES.bodyTooLarge, message: 'Request body too large: the limit is 1000 bytes' }],
        messages: [],
        result: null,
      });
      expect(small.requests.map((r) => [r.status, r.body === undefined])).toEqual([
        [400, false],
        [413, true],
      ]);
      expect(small.widgets()).toEqual([]);
    });

    it('a declared Content-Length over the limit is answered before the body arrives', async () => {
      const answer = await rawRequest([post, 'Host: 127.0.0.1', 'Content-Length: 600000000'], '{"name":');
      expect(answer).toMatch(/^HTTP\/1\.1 413 /);
      expect(answer.toLowerCase()).toContain('connection: close');
    });

    it('a chunked body is refused once it passes the limit, before its end', async () => {
      const chunk = `{"name":"${'x'.repeat(1200)}`;
      const body = `${chunk.length.toString(16)}\r\n${chunk}\r\n`; // no final 0-length chunk: never ends
      const answer = await rawRequest([post, 'Host: 127.0.0.1', 'Transfer-Encoding: chunked'], body);
      expect(answer).toMatch(/^HTTP\/1\.1 413 /);
      expect(small.requests).toMatchObject([{ method: 'POST', status: 413, body: undefined }]);
    });
  });

  it('the log keeps bodies and responses of its newest records within a byte budget; every request stays counted', async () => {
    const budgeted = await startEmulator({ logBodyBytes: 3000 });
    try {
      const url = `${budgeted.url}${widgetsPath(budgeted.accountId)}`;
      const headers = { authorization: `Bearer ${budgeted.apiToken}` };
      const sizes: number[] = [];
      for (let i = 0; i < 6; i++) {
        const body = JSON.stringify({ ...WIDGET, name: `${i}`.repeat(200) });
        const answer = await fetch(url, { method: 'POST', headers, body });
        sizes.push(body.length + (await answer.text()).length);
      }
      expect(budgeted.requests).toHaveLength(6);
      const kept = budgeted.requests.filter((r) => !r.dropped);
      // The newest that fit in 3,000 bytes keep body and response; the older ones lost both.
      let fit = 0;
      for (let total = 0; fit < sizes.length && total + sizes.at(-1 - fit)! <= 3000; fit++)
        total += sizes.at(-1 - fit)!;
      expect(fit).toBeGreaterThan(0);
      expect(fit).toBeLessThan(6);
      expect(kept).toEqual(budgeted.requests.slice(6 - fit));
      expect((kept[0]!.body as { name: string }).name).toBe(`${6 - fit}`.repeat(200));
      for (const dropped of budgeted.requests.slice(0, 6 - fit))
        expect(dropped).toMatchObject({ method: 'POST', status: 200, body: undefined, response: undefined });
    } finally {
      await budgeted.close();
    }
  });

  it('counts TCP connections, one per keep-alive client; resetRecords() starts over; close() ends idle ones', async () => {
    const origin = new URL(emulator.url).origin;
    const get = async (client: Client) => {
      const { statusCode, body } = await client.request({
        method: 'GET',
        path: `/client/v4${widgetsPath()}`,
        headers: bearer(),
      });
      await body.dump();
      return statusCode;
    };
    const one = new Client(origin);
    const two = new Client(origin);
    try {
      expect([await get(one), await get(one), await get(one)]).toEqual([200, 200, 200]);
      expect(emulator.connections).toBe(1);
      await get(two);
      expect(emulator.connections).toBe(2);
      emulator.resetRecords();
      expect([emulator.connections, emulator.requests]).toEqual([0, []]);
      await get(one); // the same, still open connection
      expect(emulator.connections).toBe(0);
      await emulator.close();
      await expect(get(one)).rejects.toThrow();
    } finally {
      await Promise.all([one.close(), two.close()]);
    }
  });
});

describe('emulator/cli.ts (npm run emulator)', () => {
  /** Starts the CLI; resolves with its exit code, stdout's first line (when any) and stderr. */
  function cli(args: string[]) {
    const child = spawn(process.execPath, [CLI, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const exited = new Promise<number | null>((done) => child.on('close', done));
    const line = once(createInterface({ input: child.stdout }), 'line').then(([first]) => first as string);
    line.catch(() => undefined);
    return { child, exited, line, stderr: () => stderr };
  }

  it('runs as e2e.yml starts it, `node emulator/cli.ts` after setup-node and before any npm ci', () => {
    // setup-node installs the Node of .node-version: the major the tests run on (the `node` devDependency).
    const manifest = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as {
      devDependencies: Record<string, string>;
    };
    const nodeVersion = readFileSync(join(ROOT, '.node-version'), 'utf8').trim();
    expect(manifest.devDependencies.node).toMatch(new RegExp(`^\\^${nodeVersion}\\.`));
    expect(process.versions.node.split('.')[0]).toBe(nodeVersion);
    expect(readFileSync(join(ROOT, '.github', 'workflows', 'e2e.yml'), 'utf8')).toContain('node emulator/cli.ts ');
    // No node_modules: only Node's built-in modules and the emulator's own files are imported.
    for (const file of readdirSync(join(ROOT, 'emulator'))) {
      const imports = [...readFileSync(join(ROOT, 'emulator', file), 'utf8').matchAll(/^import [^']*'([^']+)'/gm)];
      for (const [, from] of imports) expect(from, `${file} imports ${from}`).toMatch(/^(node:|\.\/[\w-]+\.ts$)/);
    }
  });

  it('is the "emulator" npm script', () => {
    const scripts = (JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { scripts: object }).scripts;
    expect(scripts).toHaveProperty('emulator', 'node emulator/cli.ts');
  });

  it('prints one JSON line, serves seeded widgets 30 days old, applies --widget-limit, logs requests, stops on SIGTERM', async () => {
    const args = ['--port', '0', '--seed', '2', '--seed-prefix', 'demo-', '--widget-limit', '2', '--log-requests'];
    const run = cli(args);
    try {
      const info = JSON.parse(await run.line) as { url: string; accountId: string; apiToken: string };
      expect(Object.keys(info)).toEqual(['url', 'accountId', 'apiToken']);
      expect(info.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/client\/v4$/);
      const url = `${info.url}/accounts/${info.accountId}/challenges/widgets`;
      const headers = { authorization: `Bearer ${info.apiToken}` };
      const listed = (await (await fetch(`${url}?filter=name:demo`, { headers })).json()) as Envelope;
      expect(listed.result.map((w: { name: string }) => w.name)).toEqual(['demo-1', 'demo-2']);
      // Older than prune's default older-than (7d), in seeding order, in the API's time format.
      const ages = listed.result.map(
        (w: { created_on: string }) => (Date.now() - Date.parse(w.created_on)) / 86_400_000,
      );
      expect(ages.map(Math.round)).toEqual([30, 30]);
      expect(ages[0]).toBeGreaterThan(ages[1]);
      expect(listed.result[0].created_on).toMatch(TIMESTAMP);
      const full = await fetch(url, { method: 'POST', headers, body: JSON.stringify(WIDGET) });
      expect(((await full.json()) as Envelope).errors[0]).toEqual({
        code: CODES.widgetLimit,
        message: 'Maximum number of widgets per account reached (limit: 2)',
      });
    } finally {
      run.child.kill('SIGTERM');
    }
    expect(await run.exited).toBe(0);
    const path = `/accounts/${emulator.accountId}/challenges/widgets`;
    expect(run.stderr().trim().split('\n')).toEqual([`GET ${path}?filter=name%3Ademo 200`, `POST ${path} 400`]);
  });

  it('--help prints the usage with every option and exits 0', async () => {
    const run = cli(['--help']);
    let stdout = '';
    run.child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    expect(await run.exited).toBe(0);
    expect(stdout).toMatch(/^usage: npm run emulator -- \[options\]/);
    for (const option of [
      'port',
      'latency',
      'seed',
      'seed-prefix',
      'widget-limit',
      'hostname-limit',
      'any-hostname',
      'log-requests',
    ])
      expect(stdout).toMatch(new RegExp(`^  --${option} `, 'm'));
    expect(run.stderr()).toBe('');
  });

  it('applies --hostname-limit and --any-hostname', async () => {
    const run = cli(['--port', '0', '--hostname-limit', '2', '--any-hostname']);
    try {
      const info = JSON.parse(await run.line) as { url: string; accountId: string; apiToken: string };
      const url = `${info.url}/accounts/${info.accountId}/challenges/widgets`;
      const headers = { authorization: `Bearer ${info.apiToken}` };
      const post = (domains: string[]) =>
        fetch(url, { method: 'POST', headers, body: JSON.stringify({ ...WIDGET, domains }) }).then((r) => r.status);
      expect([await post(hostnames(2)), await post(hostnames(3)), await post([])]).toEqual([200, 400, 200]);
    } finally {
      run.child.kill('SIGTERM');
    }
    expect(await run.exited).toBe(0);
  });

  it.each([
    [['--port', 'abc'], '--port'],
    [['--widget-limit', '-1'], '--widget-limit'],
    [['--hostname-limit', 'many'], '--hostname-limit'],
    [['--colour'], 'Unknown option'],
  ])('refuses %j with exit code 2 and the usage', async (args, named) => {
    const run = cli(args);
    expect(await run.exited).toBe(2);
    expect(run.stderr()).toContain(named);
    expect(run.stderr()).toContain('usage: npm run emulator --');
  });

  it('a port in use: one line, exit code 1, no stack trace', async () => {
    const run = cli(['--port', new URL(emulator.url).port]);
    expect(await run.exited).toBe(1);
    expect(run.stderr().trim()).toBe(
      `Cannot start the emulator: port ${new URL(emulator.url).port} is already in use (--port 0 picks a free one)`,
    );
  });
});
