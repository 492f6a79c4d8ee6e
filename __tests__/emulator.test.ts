// The local Turnstile API emulator (emulator/), its CLI, and the runner-faithful launcher
// (scripts/lib/run-action.ts). Everything talks to 127.0.0.1 only; every server is closed.
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { Client } from 'undici';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { CODES, MESSAGES, startEmulator, type Emulator } from '../emulator/server.ts';
import { runAction } from '../scripts/lib/run-action.ts';

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

const ROOT = resolve(import.meta.dirname, '..');
const TIMESTAMP = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z$/;
const WIDGET = { name: 'w', domains: ['a.example.com'], mode: 'managed' };

let emulator: Emulator;
beforeEach(async () => {
  emulator = await startEmulator();
});
afterEach(() => emulator.close());

const bearer = () => ({ authorization: `Bearer ${emulator.apiToken}` });
const widgetsPath = (accountId = emulator.accountId) => `/accounts/${accountId}/challenges/widgets`;

/** A request below /client/v4; `body` is sent as JSON unless it is already a string. */
async function call(
  method: string,
  path: string,
  body?: unknown,
  headers: Record<string, string> = bearer(),
): Promise<{ status: number; json: Envelope; headers: Headers }> {
  const response = await fetch(`${emulator.url}${path}`, {
    method,
    headers: { ...headers, 'content-type': 'application/json' },
    body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
  });
  return { status: response.status, json: (await response.json()) as Envelope, headers: response.headers };
}
const widgets = (method: string, suffix = '', body?: unknown, headers?: Record<string, string>) =>
  call(method, `${widgetsPath()}${suffix}`, body, headers);

/** The status and the single error code of a failure envelope. */
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
  it('POST creates a widget: keys, defaults, sorted lower-cased domains, microsecond timestamps', async () => {
    const { status, json } = await widgets('POST', '', {
      name: 'login form',
      domains: ['B.example.com', 'a.example.com', 'b.example.com', '203.0.113.7'],
      mode: 'invisible',
    });
    expect(status).toBe(200);
    expect(json).toMatchObject({ success: true, errors: [], messages: [] });
    expect(json.result_info).toBeUndefined();
    expect(json.result).toEqual({
      sitekey: expect.stringMatching(/^0x4AAAAAAA[0-9A-Za-z]{14}$/),
      secret: expect.stringMatching(/^0x4AAAAAAA[0-9A-Za-z]{24}$/),
      name: 'login form',
      domains: ['203.0.113.7', 'a.example.com', 'b.example.com'],
      mode: 'invisible',
      region: 'world',
      bot_fight_mode: false,
      offlabel: false,
      clearance_level: 'no_clearance',
      ephemeral_id: false,
      created_on: expect.stringMatching(TIMESTAMP),
      modified_on: json.result.created_on,
    });
    expect((json.result.sitekey as string).length).toBeLessThanOrEqual(32);
    expect(emulator.widgets()).toEqual([json.result]);
  });

  it('POST keeps the optional fields it is given', async () => {
    const optional = {
      region: 'china',
      bot_fight_mode: true,
      offlabel: true,
      clearance_level: 'interactive',
      ephemeral_id: true,
    };
    expect(await create(optional)).toMatchObject(optional);
  });

  it('created_on strictly increases, even for creates in the same millisecond', async () => {
    const results = await Promise.all(Array.from({ length: 8 }, (_, i) => create({ name: `w${i}` })));
    const times = results.map((widget) => widget.created_on as string).sort();
    expect(new Set(times).size).toBe(8);
    const secrets = new Set(results.flatMap((widget) => [widget.sitekey, widget.secret]));
    expect(secrets.size).toBe(16);
  });

  it('GET /{sitekey} returns the detail with the secret; the list leaves the secret out', async () => {
    const created = await create();
    const got = await widgets('GET', `/${created.sitekey}`);
    expect(got.status).toBe(200);
    expect(got.json.result).toEqual(created);
    const listed = await widgets('GET');
    const { secret: _secret, ...withoutSecret } = created;
    expect(listed.json.result).toEqual([withoutSecret]);
  });

  it('PUT replaces the configuration: omitted fields go back to defaults; keys and created_on stay', async () => {
    const created = await create({ offlabel: true, bot_fight_mode: true, clearance_level: 'managed', region: 'china' });
    const { status, json } = await widgets('PUT', `/${created.sitekey}`, {
      name: 'w2',
      domains: ['B.example.com'],
      mode: 'invisible',
    });
    expect(status).toBe(200);
    expect(json.result).toEqual({
      ...created,
      name: 'w2',
      domains: ['b.example.com'],
      mode: 'invisible',
      offlabel: false,
      bot_fight_mode: false,
      clearance_level: 'no_clearance',
      ephemeral_id: false,
      region: 'china', // kept: it cannot change, and omitting it is not a change
      modified_on: expect.stringMatching(TIMESTAMP),
    });
    expect(json.result.modified_on > created.modified_on).toBe(true);
    expect(emulator.widgets()[0]).toEqual(json.result);
  });

  it('PUT accepts the same region and refuses another one', async () => {
    const created = await create();
    const same = await widgets('PUT', `/${created.sitekey}`, { ...WIDGET, name: 'same', region: 'world' });
    expect(same.status).toBe(200);
    const changed = await failureOf(widgets('PUT', `/${created.sitekey}`, { ...WIDGET, region: 'china' }));
    expect(changed).toMatchObject({ status: 400, code: CODES.invalidField });
    expect(changed.message).toMatch(/region.*cannot be changed/);
    expect(emulator.widgets()[0]).toMatchObject({ name: 'same', region: 'world' });
  });

  it('DELETE returns the deleted widget; afterwards every route answers 404', async () => {
    const created = await create();
    const deleted = await widgets('DELETE', `/${created.sitekey}`);
    expect([deleted.status, deleted.json.result]).toEqual([200, created]);
    expect(emulator.widgets()).toEqual([]);
    for (const [method, suffix, body] of [
      ['GET', '', undefined],
      ['PUT', '', WIDGET],
      ['DELETE', '', undefined],
      ['POST', '/rotate_secret', {}],
    ] as const) {
      const answer = await failureOf(widgets(method, `/${created.sitekey}${suffix}`, body));
      expect(answer, `${method} ${suffix}`).toEqual({ status: 404, code: CODES.notFound, message: MESSAGES.notFound });
    }
  });

  it('rotate_secret: a new secret; the old one kept two hours unless invalidated at once; GET shows only the new', async () => {
    const created = await create();
    const rotated = await widgets('POST', `/${created.sitekey}/rotate_secret`, { invalidate_immediately: false });
    expect(rotated.status).toBe(200);
    expect(rotated.json.result).toMatchObject({ sitekey: created.sitekey, created_on: created.created_on });
    expect(rotated.json.result.secret).toMatch(/^0x4AAAAAAA[0-9A-Za-z]{24}$/);
    expect(rotated.json.result.secret).not.toBe(created.secret);
    expect(rotated.json.result).not.toHaveProperty('previous_secret');

    const record = emulator.widgets()[0]!;
    expect(record.previous_secret?.value).toBe(created.secret);
    const expiresIn = Date.parse(record.previous_secret!.expires_on) - Date.now();
    expect(expiresIn).toBeGreaterThan(7_190_000);
    expect(expiresIn).toBeLessThanOrEqual(7_200_000);

    const got = await widgets('GET', `/${created.sitekey}`);
    expect(got.json.result.secret).toBe(rotated.json.result.secret);
    expect(JSON.stringify(got.json)).not.toContain(created.secret);

    const again = await widgets('POST', `/${created.sitekey}/rotate_secret`, { invalidate_immediately: true });
    expect(again.json.result.secret).not.toBe(rotated.json.result.secret);
    expect(emulator.widgets()[0]!.previous_secret).toBeUndefined();
    // No body counts as {} (invalidate_immediately defaults to false).
    expect((await widgets('POST', `/${created.sitekey}/rotate_secret`)).status).toBe(200);
    const bad = await failureOf(
      widgets('POST', `/${created.sitekey}/rotate_secret`, { invalidate_immediately: 'yes' }),
    );
    expect(bad).toMatchObject({
      status: 400,
      code: CODES.invalidField,
      message: expect.stringContaining('invalidate_immediately'),
    });
  });

  it.each([
    ['name', { name: '' }],
    ['name', { name: 'x'.repeat(255) }],
    ['name', { name: 7 }],
    ['mode', { mode: 'loud' }],
    ['domains', { domains: 'a.example.com' }],
    ['domains', { domains: [1] }],
    ['domains', { domains: Array.from({ length: 11 }, (_, i) => `d${i}.example.com`) }],
    ['domains', { domains: ['*.example.com'] }],
    ['domains', { domains: ['example.com/login'] }],
    ['region', { region: 'mars' }],
    ['clearance_level', { clearance_level: 'maximum' }],
    ['bot_fight_mode', { bot_fight_mode: 'true' }],
    ['offlabel', { offlabel: 1 }],
    ['ephemeral_id', { ephemeral_id: null }],
    ['colour', { colour: 'red' }],
  ])('create and update refuse a bad %s: 400, the field named', async (field, change) => {
    const existing = emulator.seed([{}])[0]!;
    for (const [method, suffix] of [
      ['POST', ''],
      ['PUT', `/${existing.sitekey}`],
    ]) {
      const answer = await failureOf(widgets(method!, suffix, { ...WIDGET, ...change }));
      expect(answer).toMatchObject({ status: 400, code: CODES.invalidField });
      expect(answer.message).toContain(field);
    }
    expect(emulator.widgets()).toEqual([existing]);
  });

  it('10 domains are fine: duplicates count once', async () => {
    const ten = Array.from({ length: 10 }, (_, i) => `d${i}.example.com`);
    expect((await create({ domains: [...ten, 'D0.example.com'] })).domains).toHaveLength(10);
  });

  it('refuses a missing field, a body that is not JSON, and one that is not an object', async () => {
    const missing = await failureOf(widgets('POST', '', { name: 'w', mode: 'managed' }));
    expect(missing).toMatchObject({
      status: 400,
      code: CODES.invalidField,
      message: expect.stringContaining('domains'),
    });
    const notJson = await failureOf(widgets('POST', '', '{"name": '));
    expect(notJson).toEqual({ status: 400, code: CODES.invalidJson, message: MESSAGES.invalidJson });
    for (const body of [[], 'null', '"x"']) {
      expect(await failureOf(widgets('POST', '', body))).toMatchObject({ status: 400, code: CODES.invalidJson });
    }
    expect(await failureOf(widgets('POST', ''))).toMatchObject({ status: 400, code: CODES.invalidJson });
  });

  it('unknown routes and methods: 404 with code 7003 "No route for the URI"', async () => {
    const noRoute = { status: 404, code: CODES.noRoute, message: 'No route for the URI' };
    const sitekey = emulator.seed([{}])[0]!.sitekey;
    expect(await failureOf(call('GET', `/accounts/${emulator.accountId}/challenges/widget`))).toEqual(noRoute);
    expect(await failureOf(call('GET', '/zones'))).toEqual(noRoute);
    expect(await failureOf(widgets('PATCH', `/${sitekey}`, WIDGET))).toEqual(noRoute);
    expect(await failureOf(widgets('DELETE'))).toEqual(noRoute);
    expect(await failureOf(widgets('GET', `/${sitekey}/rotate_secret`))).toEqual(noRoute);
    expect(await failureOf(widgets('POST', `/${sitekey}/other`))).toEqual(noRoute);
    const outside = await fetch(emulator.url.replace('/client/v4', '/v3/accounts'), { headers: bearer() });
    expect(outside.status).toBe(404);
    expect(CODES.noRoute).toBe(7003);
  });
});

describe('list: pagination, ordering, filter', () => {
  const names = (answer: { json: Envelope }) => (answer.json.result as { name: string }[]).map((w) => w.name);

  it('pages with result_info; per_page defaults to 25 and must be 5..1000; page at least 1', async () => {
    emulator.seed(Array.from({ length: 27 }, (_, i) => ({ name: `w${String(i).padStart(2, '0')}` })));
    const first = await widgets('GET');
    expect(first.json.result).toHaveLength(25);
    expect(first.json.result_info).toEqual({ page: 1, per_page: 25, count: 25, total_count: 27 });
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
    expect((await widgets('GET', '?per_page=5')).json.result).toHaveLength(5);
    expect((await widgets('GET', '?per_page=1000')).json.result).toHaveLength(27);
    for (const query of ['per_page=4', 'per_page=1001', 'per_page=abc', 'page=0', 'page=-1', 'page=1.5', 'page=']) {
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

  it('filters name:/sitekey: by case-insensitive substring; an empty value returns all', async () => {
    const [first] = emulator.seed([{ name: 'App-PR-1' }, { name: 'app-pr-10' }, { name: 'other' }]);
    expect(names(await widgets('GET', '?filter=name:APP-pr-1'))).toEqual(['App-PR-1', 'app-pr-10']);
    expect(names(await widgets('GET', '?filter=name:pr-10'))).toEqual(['app-pr-10']);
    expect(names(await widgets('GET', '?filter=name:nothing'))).toEqual([]);
    const tail = first!.sitekey.slice(-6).toLowerCase();
    expect(names(await widgets('GET', `?filter=sitekey:${tail}`))).toContain('App-PR-1');
    expect(names(await widgets('GET', '?filter='))).toHaveLength(3);
    expect(names(await widgets('GET', '?filter=name:'))).toHaveLength(3);
    const paged = await widgets(
      'GET',
      `?filter=${encodeURIComponent('name:app')}&per_page=5&order=name&direction=desc`,
    );
    expect([names(paged), paged.json.result_info?.total_count]).toEqual([['app-pr-10', 'App-PR-1'], 2]);
  });

  it('refuses an unsupported filter field or format with 400', async () => {
    for (const filter of ['foo:bar', 'domain:x', 'name', 'x']) {
      const answer = await failureOf(widgets('GET', `?filter=${filter}`));
      expect(answer, filter).toMatchObject({
        status: 400,
        code: CODES.badQuery,
        message: expect.stringContaining(filter),
      });
    }
  });

  it('POST create accepts the same query parameters', async () => {
    const created = await widgets('POST', '?page=1&per_page=5&order=name&direction=asc&filter=name:w', WIDGET);
    expect(created.status).toBe(200);
  });
});

describe('authentication and account', () => {
  it('accepts the API token and the email + global key pair', async () => {
    expect((await widgets('GET')).status).toBe(200);
    const legacy = { 'x-auth-email': emulator.apiEmail, 'x-auth-key': emulator.apiKey };
    expect((await widgets('GET', '', undefined, legacy)).status).toBe(200);
    expect((await widgets('POST', '', WIDGET, legacy)).status).toBe(200);
  });

  it('missing credentials: 400 code 9106; wrong ones: 403 code 10000', async () => {
    const missing = { status: 400, code: CODES.missingAuth, message: MESSAGES.missingAuth };
    expect(await failureOf(widgets('GET', '', undefined, {}))).toEqual(missing);
    expect(await failureOf(widgets('GET', '', undefined, { 'x-auth-email': emulator.apiEmail }))).toEqual(missing);
    const denied = { status: 403, code: CODES.authentication, message: MESSAGES.authentication };
    const wrong: Record<string, string>[] = [
      { authorization: 'Bearer wrong' },
      { authorization: emulator.apiToken }, // no scheme
      { authorization: `Basic ${emulator.apiToken}` },
      { 'x-auth-email': emulator.apiEmail, 'x-auth-key': 'wrong' },
      { 'x-auth-email': 'other@example.com', 'x-auth-key': emulator.apiKey },
    ];
    for (const headers of wrong) {
      expect(await failureOf(widgets('GET', '', undefined, headers)), JSON.stringify(headers)).toEqual(denied);
    }
    // A refused write changes nothing.
    expect(await failureOf(widgets('POST', '', WIDGET, { authorization: 'Bearer wrong' }))).toEqual(denied);
    expect(emulator.widgets()).toEqual([]);
  });

  it('another account: 403 code 9109; a malformed account id: 400 code 7003', async () => {
    expect(await failureOf(call('GET', widgetsPath('f'.repeat(32))))).toEqual({
      status: 403,
      code: CODES.unauthorizedAccount,
      message: 'Unauthorized to access requested resource',
    });
    for (const id of ['xyz', '0123456789ABCDEF0123456789ABCDEF', '0'.repeat(33)]) {
      const answer = await failureOf(call('GET', widgetsPath(id)));
      expect(answer).toEqual({
        status: 400,
        code: CODES.invalidIdentifier,
        message: `Could not route to /accounts/${id}/challenges/widgets, perhaps your object identifier is invalid?`,
      });
    }
    // Routing comes before authentication, as on Cloudflare.
    expect(await failureOf(call('GET', widgetsPath('xyz'), undefined, {}))).toMatchObject({ status: 400, code: 7003 });
  });

  it('takes its credentials from the options, and never records them', async () => {
    const custom = await startEmulator({
      accountId: 'a'.repeat(32),
      apiToken: 'custom-token',
      apiEmail: 'me@example.com',
      apiKey: 'custom-key',
    });
    try {
      expect([custom.accountId, custom.apiToken, custom.apiEmail, custom.apiKey]).toEqual([
        'a'.repeat(32),
        'custom-token',
        'me@example.com',
        'custom-key',
      ]);
      const ok = await fetch(`${custom.url}/accounts/${'a'.repeat(32)}/challenges/widgets`, {
        headers: { 'x-auth-email': 'me@example.com', 'x-auth-key': 'custom-key' },
      });
      expect(ok.status).toBe(200);
      const recorded = JSON.stringify(custom.requests);
      expect(recorded).not.toContain('custom-key');
      expect(recorded).not.toContain('me@example.com');
    } finally {
      await custom.close();
    }
  });
});

describe('widget limit', () => {
  it('a create beyond the limit fails with 400 code 10040 and a message about the limit', async () => {
    emulator.seed(Array.from({ length: 20 }, () => ({}))); // the default limit: 20 (Free plan)
    const full = await failureOf(widgets('POST', '', WIDGET));
    expect(full).toEqual({
      status: 400,
      code: CODES.widgetLimit,
      message: 'Maximum number of widgets per account reached (limit: 20)',
    });
    expect(emulator.widgets()).toHaveLength(20);
    await widgets('DELETE', `/${emulator.widgets()[0]!.sitekey}`);
    await create();
    emulator.setWidgetLimit(21);
    await create();
    expect((await failureOf(widgets('POST', '', WIDGET))).message).toContain('limit: 21');
  });

  it('widgetLimit is an option; seed() bypasses it', async () => {
    const small = await startEmulator({ widgetLimit: 1 });
    try {
      small.seed([{}, {}]);
      const answer = await fetch(`${small.url}/accounts/${small.accountId}/challenges/widgets`, {
        method: 'POST',
        headers: { authorization: `Bearer ${small.apiToken}` },
        body: JSON.stringify(WIDGET),
      });
      expect([answer.status, ((await answer.json()) as Envelope).errors[0]!.code]).toEqual([400, CODES.widgetLimit]);
    } finally {
      await small.close();
    }
  });
});

describe('seed() and widgets()', () => {
  it('fills defaults, normalises domains and keeps a created_on in the past', async () => {
    const [old] = emulator.seed([
      { name: 'old', domains: ['B.example.com', 'b.example.com'], created_on: '2020-01-01T00:00:00.000000Z' },
    ]);
    expect(old).toMatchObject({
      name: 'old',
      domains: ['b.example.com'],
      created_on: '2020-01-01T00:00:00.000000Z',
      modified_on: '2020-01-01T00:00:00.000000Z',
      region: 'world',
      ephemeral_id: false,
      secret: expect.stringMatching(/^0x4AAAAAAA/),
    });
    const fresh = await create();
    expect(fresh.created_on > old!.created_on).toBe(true);
  });

  it('a created_on in the future still leaves later creates the newest', async () => {
    emulator.seed([{ created_on: '2999-01-01T00:00:00.000000Z' }]);
    const fresh = await create();
    expect(fresh.created_on > '2999-01-01T00:00:00.000000Z').toBe(true);
  });

  it('returns deep copies: changing them changes nothing inside', async () => {
    const [seeded] = emulator.seed([{ name: 'kept' }]);
    seeded!.domains.push('changed.example.com');
    const listed = emulator.widgets();
    listed[0]!.name = 'changed';
    listed[0]!.domains.push('changed.example.com');
    expect(emulator.widgets()[0]).toMatchObject({ name: 'kept', domains: ['example.com'] });
  });
});

describe('faults', () => {
  const raw = (init: RequestInit = {}) => fetch(`${emulator.url}${widgetsPath()}`, { headers: bearer(), ...init });

  it('status: a JSON envelope with headers, e.g. 429 with Retry-After in seconds or as an HTTP date', async () => {
    const envelope = { success: false, errors: [{ code: 10013, message: 'Rate limited' }], messages: [], result: null };
    const date = new Date(Date.now() + 1000).toUTCString();
    emulator.injectFault({ kind: 'status', status: 429, headers: { 'retry-after': '1' }, body: envelope });
    emulator.injectFault({ kind: 'status', status: 429, headers: { 'Retry-After': date }, body: envelope });
    const first = await raw();
    expect([first.status, first.headers.get('retry-after'), await first.json()]).toEqual([429, '1', envelope]);
    const second = await raw();
    expect([second.status, second.headers.get('retry-after')]).toEqual([429, date]);
    expect((await raw()).status).toBe(200);
    expect(emulator.requests.map((r) => [r.status, r.response])).toEqual([
      [429, envelope],
      [429, envelope],
      [200, expect.objectContaining({ success: true })],
    ]);
  });

  it('status: an HTML body (a proxy error page), or by default a failure envelope', async () => {
    emulator.injectFault({ kind: 'status', status: 502, body: '<html>Bad gateway</html>' });
    emulator.injectFault({ kind: 'status', status: 503 });
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
  });

  it('reset: the socket is destroyed without a response; the request is still recorded', async () => {
    emulator.injectFault({ kind: 'reset' });
    await expect(raw()).rejects.toThrow();
    expect((await raw()).status).toBe(200);
    expect(emulator.requests.map((r) => r.status)).toEqual([0, 200]);
  });

  it('hang: no answer until the client gives up', async () => {
    emulator.injectFault({ kind: 'hang' });
    const started = performance.now();
    await expect(raw({ signal: AbortSignal.timeout(100) })).rejects.toThrow();
    expect(performance.now() - started).toBeLessThan(2000);
    expect(emulator.requests.map((r) => r.status)).toEqual([0]);
  });

  it('hang: close() ends the hung request and returns promptly', async () => {
    emulator.injectFault({ kind: 'hang' });
    const hung = raw();
    hung.catch(() => undefined);
    while (emulator.requests.length === 0) await new Promise((r) => setTimeout(r, 5));
    const started = performance.now();
    await emulator.close();
    expect(performance.now() - started).toBeLessThan(1000);
    await expect(hung).rejects.toThrow();
  });

  it('lost-response: the request is carried out (the widget exists) but no reply arrives', async () => {
    emulator.injectFault({ kind: 'lost-response', method: 'POST' });
    await expect(widgets('POST', '', WIDGET)).rejects.toThrow();
    expect(emulator.widgets()).toHaveLength(1);
    expect(emulator.requests.map((r) => [r.method, r.status])).toEqual([['POST', 0]]);
    expect((await widgets('GET')).json.result).toHaveLength(1);
  });

  it('delay: the normal answer, later', async () => {
    emulator.injectFault({ kind: 'delay', ms: 150 });
    let started = performance.now();
    expect((await raw()).status).toBe(200);
    const delayed = performance.now() - started;
    expect(delayed).toBeGreaterThanOrEqual(140);
    started = performance.now();
    await raw();
    expect(performance.now() - started).toBeLessThan(delayed);
  });

  it('matches by method and path, applies `times` times, in queue order; clearFaults() empties the queue', async () => {
    const sitekey = emulator.seed([{}])[0]!.sitekey;
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

describe('records, connections and latency', () => {
  it('records method, path below /client/v4, query, parsed body and status', async () => {
    await widgets('POST', '?filter=name:x', WIDGET);
    await widgets('POST', '', '{broken');
    await widgets('GET', '?page=2&per_page=5');
    expect(emulator.requests).toEqual([
      {
        method: 'POST',
        path: widgetsPath(),
        query: { filter: 'name:x' },
        body: WIDGET,
        status: 200,
        response: expect.anything(),
      },
      { method: 'POST', path: widgetsPath(), query: {}, body: '{broken', status: 400, response: expect.anything() },
      {
        method: 'GET',
        path: widgetsPath(),
        query: { page: '2', per_page: '5' },
        body: undefined,
        status: 200,
        response: expect.anything(),
      },
    ]);
    expect(JSON.stringify(emulator.requests)).not.toContain(emulator.apiToken);
  });

  it('counts TCP connections: one per keep-alive client; resetRecords() starts over', async () => {
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
    } finally {
      await Promise.all([one.close(), two.close()]);
    }
  });

  it('close() also closes idle keep-alive connections', async () => {
    const client = new Client(new URL(emulator.url).origin);
    const { body } = await client.request({ method: 'GET', path: `/client/v4${widgetsPath()}`, headers: bearer() });
    await body.dump();
    await emulator.close();
    await expect(client.request({ method: 'GET', path: '/client/v4/x' })).rejects.toThrow();
    await client.close();
  });

  it('latency: delays every response, from the option or setLatency()', async () => {
    const slow = await startEmulator({ latencyMs: 120 });
    try {
      const timed = async (target: Emulator) => {
        const started = performance.now();
        await fetch(`${target.url}/accounts/${target.accountId}/challenges/widgets`);
        return performance.now() - started;
      };
      expect(await timed(slow)).toBeGreaterThanOrEqual(110);
      slow.setLatency(0);
      expect(await timed(slow)).toBeLessThan(110);
      emulator.setLatency(120);
      expect(await timed(emulator)).toBeGreaterThanOrEqual(110);
    } finally {
      await slow.close();
    }
  });
});

describe('emulator/cli.ts', () => {
  it('prints one JSON line, serves seeded widgets and stops on SIGTERM', async () => {
    const child = spawn(
      process.execPath,
      [join(ROOT, 'emulator', 'cli.ts'), '--port', '0', '--seed', '2', '--seed-prefix', 'demo-'],
      {
        stdio: ['ignore', 'pipe', 'inherit'],
      },
    );
    const exited = new Promise<number | null>((done) => child.on('close', done));
    try {
      const [line] = (await once(createInterface({ input: child.stdout }), 'line')) as [string];
      const info = JSON.parse(line) as { url: string; accountId: string; apiToken: string };
      expect(Object.keys(info)).toEqual(['url', 'accountId', 'apiToken']);
      expect(info.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/client\/v4$/);
      const listed = await fetch(`${info.url}/accounts/${info.accountId}/challenges/widgets`, {
        headers: { authorization: `Bearer ${info.apiToken}` },
      });
      const names = ((await listed.json()) as Envelope).result.map((w: { name: string }) => w.name);
      expect(names).toEqual(['demo-1', 'demo-2']);
    } finally {
      child.kill('SIGTERM');
    }
    expect(await exited).toBe(0);
  });

  it('refuses a bad argument with exit code 2', async () => {
    const child = spawn(process.execPath, [join(ROOT, 'emulator', 'cli.ts'), '--port', 'abc'], { stdio: 'pipe' });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    expect(await new Promise((done) => child.on('close', done))).toBe(2);
    expect(stderr).toContain('--port');
  });
});

describe('scripts/lib/run-action.ts', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'run-action-test-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  /** A stand-in for dist/index.js that reports what it was given and writes file commands. */
  function entry(source: string): string {
    const file = join(dir, 'entry.mjs');
    writeFileSync(file, source);
    return file;
  }

  it('starts the entry like the runner: INPUT_ variables, file commands, event, clean environment', async () => {
    process.env.RUN_ACTION_LEAK_PROBE = 'leaked';
    try {
      const result = await runAction({
        inputs: { 'api-token': 'tok', 'some input': 'x y', Mode: 'managed' },
        entry: entry(`
          import { appendFileSync, readFileSync } from 'node:fs';
          const e = process.env;
          appendFileSync(e.GITHUB_OUTPUT, 'sitekey=0x4AAAAAAAabc\\nwidget<<ghadelimiter_1\\n{"a":1}\\nline two\\nghadelimiter_1\\n');
          appendFileSync(e.GITHUB_ENV, 'TURNSTILE_SITEKEY=0x4AAAAAAAabc\\nMULTI<<EOF\\na=b\\nEOF\\n');
          appendFileSync(e.GITHUB_STEP_SUMMARY, '### Summary\\n');
          console.log(JSON.stringify({
            env: Object.keys(e).sort(),
            inputs: [e['INPUT_API-TOKEN'], e['INPUT_SOME_INPUT'], e['INPUT_MODE']],
            context: [e.GITHUB_REPOSITORY, e.GITHUB_EVENT_NAME, e.GITHUB_REF_NAME],
            event: JSON.parse(readFileSync(e.GITHUB_EVENT_PATH, 'utf8')),
            temp: e.RUNNER_TEMP,
            node: process.versions.node,
          }));
          process.exitCode = 3;
        `),
      });
      expect(result.code).toBe(3);
      expect(result.stderr).toBe('');
      expect(result.outputs).toEqual({ sitekey: '0x4AAAAAAAabc', widget: '{"a":1}\nline two' });
      expect(result.env).toEqual({ TURNSTILE_SITEKEY: '0x4AAAAAAAabc', MULTI: 'a=b' });
      expect(result.summary).toBe('### Summary\n');
      expect(result.durationMs).toBeGreaterThan(0);
      const seen = JSON.parse(result.stdout);
      expect(seen.inputs).toEqual(['tok', 'x y', 'managed']);
      expect(seen.context).toEqual(['octo-org/preview-app', 'pull_request', '42/merge']);
      expect(seen.event).toEqual({ number: 42, pull_request: { number: 42 } });
      expect(Number(seen.node.split('.')[0])).toBeGreaterThanOrEqual(24);
      for (const name of [
        'GITHUB_OUTPUT',
        'GITHUB_ENV',
        'GITHUB_STATE',
        'GITHUB_STEP_SUMMARY',
        'GITHUB_PATH',
        'RUNNER_TEMP',
      ])
        expect(seen.env).toContain(name);
      expect(seen.env).not.toContain('RUN_ACTION_LEAK_PROBE');
      expect(seen.env).not.toContain('RUNNER_DEBUG');
      expect(existsSync(seen.temp as string)).toBe(false); // temp files cleaned up
    } finally {
      delete process.env.RUN_ACTION_LEAK_PROBE;
    }
  });

  it('passes extra env (e.g. RUNNER_DEBUG) and kills the child after timeoutMs', async () => {
    const debug = await runAction({
      inputs: {},
      env: { RUNNER_DEBUG: '1' },
      entry: entry('console.log(process.env.RUNNER_DEBUG)'),
    });
    expect(debug.stdout.trim()).toBe('1');
    const hung = await runAction({ inputs: {}, timeoutMs: 300, entry: entry('setInterval(() => {}, 1000)') });
    expect(hung.code).toBeNull();
    expect(hung.stderr).toContain('killed after 300 ms');
    expect(hung.durationMs).toBeLessThan(5000);
  });
});
