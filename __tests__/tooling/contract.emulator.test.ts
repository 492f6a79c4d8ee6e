// Contract test of the emulator itself: every operation, in success and in error, answers with a
// body that both extracts in spec/ allow (the 2024 one plus its documented newer changes, and the
// 2026 one as it is), and the emulator refuses every request body the schema refuses.
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { CODES, startEmulator, type Emulator } from '../../emulator/server.ts';
import {
  CONTRACTS,
  matchPath,
  OPERATIONS,
  SPEC_2026_PATH,
  SPEC_PATH,
  validateRequestBody,
  validateResponse,
} from '../helpers/openapi.ts';

const COLLECTION = '/accounts/{account_id}/challenges/widgets';
const WIDGET = '/accounts/{account_id}/challenges/widgets/{sitekey}';
const ROTATE = '/accounts/{account_id}/challenges/widgets/{sitekey}/rotate_secret';
const BODY = { name: 'contract', domains: ['a.example.com'], mode: 'managed' };

let emulator: Emulator;
beforeEach(async () => {
  emulator = await startEmulator();
});
afterEach(() => emulator.close());

/** operationId -> the statuses it answered with, to check that every operation was exercised. */
let seen: Map<string, Set<number>>;
beforeEach(() => {
  seen = new Map();
});

interface Exchange {
  status: number;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  json: any;
}

/**
 * One request below /client/v4: asserts that the spec has the operation and that the response body
 * conforms to the response each extract defines for that status.
 */
async function exchange(
  method: string,
  path: string,
  body?: unknown,
  headers: Record<string, string> = { authorization: `Bearer ${emulator.apiToken}` },
): Promise<Exchange> {
  const response = await fetch(`${emulator.url}${path}`, {
    method,
    headers: { ...headers, 'content-type': 'application/json' },
    body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
  });
  const json: unknown = await response.json();
  const where = `${method} ${path} -> ${response.status}`;
  const template = matchPath(method, path);
  expect(template, `the spec has ${method} ${path}`).toBeDefined();
  for (const contract of Object.values(CONTRACTS))
    expect(contract.validateResponse(method, template!, response.status, json), `${contract.file}: ${where}`).toEqual(
      [],
    );
  const { operationId } = OPERATIONS.find((op) => op.method === method && op.template === template)!;
  seen.set(operationId, (seen.get(operationId) ?? new Set()).add(response.status));
  return { status: response.status, json };
}

const base = () => `/accounts/${emulator.accountId}/challenges/widgets`;

/** Every operation of the spec answered at least once with a status in `range` (e.g. 200..299). */
function expectEveryOperation(min: number, max: number) {
  expect(OPERATIONS).toHaveLength(6);
  for (const { operationId } of OPERATIONS) {
    const statuses = [...(seen.get(operationId) ?? [])];
    expect(
      statuses.some((status) => status >= min && status <= max),
      `${operationId} answered ${statuses.join(', ') || 'nothing'}`,
    ).toBe(true);
  }
}

describe('the emulator against both extracts in spec/', () => {
  it('every operation succeeds with a body that conforms', async () => {
    const full = {
      ...BODY,
      region: 'china',
      bot_fight_mode: true,
      offlabel: true,
      clearance_level: 'jschallenge',
      ephemeral_id: true,
    };
    for (const body of [BODY, full]) expect(validateRequestBody('POST', COLLECTION, body)).toEqual([]);
    const minimal = await exchange('POST', base(), BODY);
    const complete = await exchange('POST', `${base()}?page=1&per_page=5&filter=name:x`, full);
    expect([minimal.status, complete.status]).toEqual([200, 200]);
    expect(complete.json.result).toMatchObject({ region: 'china', ephemeral_id: true });
    expect(minimal.json.result).toMatchObject({ deployed_via: 'api', last_modified_via: 'api', ephemeral_id: false });
    emulator.seed(Array.from({ length: 6 }, (_, i) => ({ name: `seeded-${i}`, deployed_via: 'dashboard' as const })));
    emulator.seed([{ name: 'older-than-the-fields', deployed_via: undefined, last_modified_via: undefined }]);

    const listed = await exchange('GET', base());
    expect(listed.json.result).toHaveLength(9);
    for (const item of listed.json.result as object[]) expect(item).not.toHaveProperty('secret');
    for (const query of [
      '?page=2&per_page=5&order=created_on&direction=desc',
      '?order=name&direction=asc',
      '?order=id',
      '?order=sitekey',
      '?order=modified_on',
      '?filter=name:SEEDED',
      `?filter=sitekey:${(minimal.json.result.sitekey as string).toLowerCase()}`,
      '?filter=',
    ]) {
      expect((await exchange('GET', `${base()}${query}`)).status, query).toBe(200);
    }

    const sitekey = minimal.json.result.sitekey as string;
    expect((await exchange('GET', `${base()}/${sitekey}`)).status).toBe(200);
    const update = { ...BODY, name: 'contract-2', domains: ['b.example.com'], region: 'world', ephemeral_id: true };
    expect(validateRequestBody('PUT', WIDGET, update)).toEqual([]);
    expect((await exchange('PUT', `${base()}/${sitekey}`, update)).status).toBe(200);
    // An immediate rotation leaves no grace period, so the second one is allowed; `{}` (the default,
    // keep the old secret two hours) goes to the other widget, whose secret was never rotated.
    const rotations: [string, object][] = [
      [sitekey, { invalidate_immediately: true }],
      [sitekey, { invalidate_immediately: false }],
      [complete.json.result.sitekey as string, {}],
    ];
    for (const [key, body] of rotations) {
      expect(validateRequestBody('POST', ROTATE, body)).toEqual([]);
      const rotated = await exchange('POST', `${base()}/${key}/rotate_secret`, body);
      expect([rotated.status, rotated.json.result.last_modified_via]).toEqual([200, 'api']);
    }
    expect(validateRequestBody('DELETE', WIDGET, undefined)).toEqual([]);
    expect((await exchange('DELETE', `${base()}/${sitekey}`)).status).toBe(200);
    expectEveryOperation(200, 299);
  });

  it('every operation fails with the failure envelope the spec defines for 4XX', async () => {
    const sitekey = emulator.seed([{}])[0]!.sitekey;
    const missing = '0x4AAAAAAAmissingmissing';
    const wrongToken = { authorization: 'Bearer wrong' };
    const paths = [
      ['GET', base(), undefined],
      ['POST', base(), BODY],
      ['GET', `${base()}/${sitekey}`, undefined],
      ['PUT', `${base()}/${sitekey}`, BODY],
      ['DELETE', `${base()}/${sitekey}`, undefined],
      ['POST', `${base()}/${sitekey}/rotate_secret`, {}],
    ] as const;
    const failures: [string, number, number][] = [];
    const expectFailure = async (status: number, code: number, ...request: Parameters<typeof exchange>) => {
      const answer = await exchange(...request);
      failures.push([`${request[0]} ${request[1]}`, answer.status, answer.json.errors[0]?.code as number]);
      expect([answer.status, answer.json.errors[0]?.code], `${request[0]} ${request[1]}`).toEqual([status, code]);
    };

    for (const [method, path, body] of paths) {
      await expectFailure(400, CODES.missingAuth, method, path, body, {});
      await expectFailure(403, CODES.authentication, method, path, body, wrongToken);
      await expectFailure(
        403,
        CODES.unauthorizedAccount,
        method,
        path.replace(emulator.accountId, 'f'.repeat(32)),
        body,
      );
      await expectFailure(400, CODES.invalidIdentifier, method, path.replace(emulator.accountId, 'not-an-id'), body);
      if (path !== base()) await expectFailure(404, CODES.notFound, method, path.replace(sitekey, missing), body);
      if (body !== undefined) await expectFailure(400, CODES.invalidJson, method, path, '{"name":');
    }
    await expectFailure(400, CODES.invalidField, 'POST', base(), { ...BODY, mode: 'loud' });
    await expectFailure(400, CODES.invalidField, 'POST', base(), { ...BODY, domains: [] });
    await expectFailure(400, CODES.invalidField, 'PUT', `${base()}/${sitekey}`, { ...BODY, domains: [] });
    await expectFailure(400, CODES.invalidField, 'PUT', `${base()}/${sitekey}`, { ...BODY, region: 'china' });
    await expectFailure(400, CODES.invalidField, 'POST', `${base()}/${sitekey}/rotate_secret`, {
      invalidate_immediately: 'now',
    });
    const expires = new Date(Date.now() + 3_600_000).toISOString();
    const rotating = emulator.seed([{ previous_secret: { value: '0x4AAAAAAAold', expires_on: expires } }])[0]!;
    await expectFailure(400, CODES.rotationInGracePeriod, 'POST', `${base()}/${rotating.sitekey}/rotate_secret`, {});
    for (const query of ['per_page=4', 'per_page=1001', 'page=0', 'order=size', 'direction=up', 'filter=foo:bar']) {
      await expectFailure(400, CODES.badQuery, 'GET', `${base()}?${query}`);
    }
    emulator.setWidgetLimit(1);
    await expectFailure(400, CODES.widgetLimit, 'POST', base(), BODY);
    expectEveryOperation(400, 499);
    expect(emulator.widgets()).toHaveLength(2); // no failed request changed anything
    expect(emulator.widgets()[1]!.secret).toBe(rotating.secret);
  });

  it('an unknown route answers with the same failure envelope', async () => {
    const response = await fetch(`${emulator.url}/accounts/${emulator.accountId}/challenges/widgets/a/b/c`, {
      headers: { authorization: `Bearer ${emulator.apiToken}` },
    });
    const body: unknown = await response.json();
    expect(matchPath('GET', `/accounts/${emulator.accountId}/challenges/widgets/a/b/c`)).toBeUndefined();
    expect(response.status).toBe(404);
    // Every operation's 4XX response is the same schema, turnstile_api-response-common-failure.
    expect(validateResponse('GET', COLLECTION, 404, body)).toEqual([]);
    expect(body).toEqual({
      success: false,
      errors: [{ code: 7003, message: 'No route for the URI' }],
      messages: [],
      result: null,
    });
  });

  it('PATCH, which no extract lists: 405 with code 10405 in the same failure envelope', async () => {
    const sitekey = emulator.seed([{}])[0]!.sitekey;
    const response = await fetch(`${emulator.url}${base()}/${sitekey}`, {
      method: 'PATCH',
      headers: { authorization: `Bearer ${emulator.apiToken}`, 'content-type': 'application/json' },
      body: JSON.stringify(BODY),
    });
    const body: unknown = await response.json();
    expect(matchPath('PATCH', `${base()}/${sitekey}`)).toBeUndefined();
    expect(response.status).toBe(405);
    for (const contract of Object.values(CONTRACTS))
      expect(contract.validateResponse('GET', WIDGET, 405, body), contract.file).toEqual([]);
    expect(body).toMatchObject({ success: false, errors: [{ code: CODES.methodNotAllowed }], result: null });
  });

  it('10 hostnames: schema-valid and accepted (the Free plan allows 10)', async () => {
    const count = 10;
    const body = { ...BODY, domains: Array.from({ length: count }, (_, i) => `d${i}.example.com`) };
    for (const contract of Object.values(CONTRACTS))
      expect(contract.validateRequestBody('POST', COLLECTION, body), contract.file).toEqual([]);
    const created = await exchange('POST', base(), body);
    expect([created.status, created.json.result.domains.length]).toEqual([200, count]);
  });

  it('a widget without hostnames on an "any hostname" account conforms to both extracts', async () => {
    emulator.setAnyHostname(true);
    const created = await exchange('POST', base(), { ...BODY, domains: [] });
    expect([created.status, created.json.result.domains]).toEqual([200, []]);
    expect((await exchange('GET', base())).json.result[0].domains).toEqual([]);
  });

  it.each([
    ['a missing required field', { name: 'x', mode: 'managed' }],
    ['a mode outside the enum', { ...BODY, mode: 'loud' }],
    ['an empty name', { ...BODY, name: '' }],
    ['a name over 254 characters', { ...BODY, name: 'x'.repeat(255) }],
    ['a region outside world|china', { ...BODY, region: 'mars' }],
    ['a clearance level outside the enum', { ...BODY, clearance_level: 'max' }],
    ['a string where a boolean goes', { ...BODY, offlabel: 'true' }],
    ['ephemeral_id that is not a boolean', { ...BODY, ephemeral_id: 1 }],
    ['domains that are not strings', { ...BODY, domains: [1] }],
    ['an unknown field', { ...BODY, colour: 'red' }],
    ['a body that is not an object', []],
  ])('a create body with %s: the schema refuses it, and so does the emulator', async (_, body) => {
    expect(validateRequestBody('POST', COLLECTION, body)).not.toEqual([]);
    expect((await exchange('POST', base(), body)).status).toBe(400);
  });

  it('a body that echoes a widget back: its read-only fields are accepted and ignored', async () => {
    const echoed = {
      ...BODY,
      sitekey: '0x4AAAAAAAchosen',
      secret: '0x4AAAAAAAchosen-secret',
      created_on: '2000-01-01T00:00:00.000000Z',
      modified_on: '2000-01-01T00:00:00.000000Z',
      deployed_via: 'dashboard',
      last_modified_via: 'wrangler',
    };
    const created = await exchange('POST', base(), echoed);
    expect(created.status).toBe(200);
    const ignored = ['sitekey', 'secret', 'created_on', 'modified_on'] as const;
    for (const field of ignored) expect(created.json.result[field], field).not.toBe(echoed[field]);
    expect(created.json.result).toMatchObject({ deployed_via: 'api', last_modified_via: 'api' });
    const seeded = emulator.seed([{ deployed_via: 'dashboard', last_modified_via: 'dashboard' }])[0]!;
    const updated = await exchange('PUT', `${base()}/${seeded.sitekey}`, { ...echoed, ...created.json.result });
    expect(updated.status).toBe(200);
    expect(updated.json.result).toMatchObject({
      sitekey: seeded.sitekey,
      secret: seeded.secret,
      created_on: seeded.created_on,
      deployed_via: 'dashboard', // recorded at creation, never changed
      last_modified_via: 'api',
    });
  });

  it.each([
    ['no domains (Cloudflare: each widget requires at least one hostname)', { ...BODY, domains: [] }],
    ['more than 10 domains', { ...BODY, domains: Array.from({ length: 11 }, (_, i) => `d${i}.example.com`) }],
    ['a wildcard domain', { ...BODY, domains: ['*.example.com'] }],
    ['a domain with a path', { ...BODY, domains: ['example.com/login'] }],
  ])(
    '%s: schema-valid (no minItems; maxLength does not apply to arrays), refused by the API rules',
    async (_, body) => {
      expect(validateRequestBody('POST', COLLECTION, body)).toEqual([]);
      expect((await exchange('POST', base(), body)).status).toBe(400);
    },
  );
});

describe('the validators in helpers/openapi.ts', () => {
  const widget = {
    sitekey: '0x4AAAAAAAabcdefghijklmn',
    secret: '0x4AAAAAAAabcdefghijklmnopqrstuvwx',
    name: 'w',
    domains: ['a.example.com'],
    mode: 'managed',
    region: 'china',
    bot_fight_mode: false,
    offlabel: false,
    clearance_level: 'no_clearance',
    ephemeral_id: false,
    created_on: '2014-01-01T05:20:00.123123Z',
    modified_on: '2014-01-01T05:20:00.123123Z',
  };
  const ok = (result: unknown) => ({ success: true, errors: [], messages: [], result });

  it('matchPath: the template for a method and a concrete path, with or without /client/v4 and a query', () => {
    const id = '0'.repeat(32);
    expect(matchPath('GET', `/accounts/${id}/challenges/widgets`)).toBe(COLLECTION);
    expect(matchPath('post', `/client/v4/accounts/${id}/challenges/widgets?page=2`)).toBe(COLLECTION);
    expect(matchPath('PUT', `/accounts/${id}/challenges/widgets/0x4AAA`)).toBe(WIDGET);
    expect(matchPath('POST', `/accounts/${id}/challenges/widgets/0x4AAA/rotate_secret`)).toBe(ROTATE);
    expect(matchPath('DELETE', `/accounts/${id}/challenges/widgets`)).toBeUndefined();
    expect(matchPath('GET', `/accounts/${id}/challenges/widgets/0x4AAA/rotate_secret`)).toBeUndefined();
    expect(matchPath('GET', `/zones/${id}`)).toBeUndefined();
  });

  it('validateResponse: accepts the newer region, ephemeral_id and origins; catches what does not conform', () => {
    expect(validateResponse('GET', WIDGET, 200, ok(widget))).toEqual([]);
    const origins = { deployed_via: 'wrangler', last_modified_via: 'dashboard' };
    expect(validateResponse('GET', WIDGET, 200, ok({ ...widget, ...origins }))).toEqual([]);
    expect(validateResponse('GET', WIDGET, 200, ok({ ...widget, deployed_via: 'terraform' }))).not.toEqual([]);
    expect(validateResponse('GET', WIDGET, 200, ok({ ...widget, last_modified_via: 'API' }))).not.toEqual([]);
    const { ephemeral_id: _e, ...withoutEphemeral } = widget;
    expect(validateResponse('GET', WIDGET, 200, ok(withoutEphemeral))).not.toEqual([]);
    expect(validateResponse('GET', WIDGET, 200, ok({ ...widget, region: 'mars' }))).not.toEqual([]);
    expect(validateResponse('GET', WIDGET, 200, ok({ ...widget, created_on: 'yesterday' }))).not.toEqual([]);
    const { secret: _s, ...listItem } = widget;
    expect(validateResponse('GET', COLLECTION, 200, { ...ok([listItem]), result_info: {} })).not.toEqual([]);
    // 4XX resolves to the failure envelope, which needs result: null and the three arrays.
    const failure = { success: false, errors: [{ code: 10000, message: 'x' }], messages: [], result: null };
    expect(validateResponse('DELETE', WIDGET, 404, failure)).toEqual([]);
    expect(validateResponse('DELETE', WIDGET, 429, { ...failure, result: undefined })).not.toEqual([]);
    expect(validateResponse('GET', WIDGET, 403, { ...failure, errors: [{ code: 5, message: 'x' }] })).not.toEqual([]);
    expect(validateResponse('GET', WIDGET, 502, '<html>')).toEqual([
      `the spec defines no 502 response for GET ${WIDGET}`,
    ]);
  });

  it('the 2026 extract as it is: ephemeral_id required, origins and region enumerated, no secret in the list', () => {
    const { validateResponse: check2026 } = CONTRACTS[2026];
    expect(check2026('GET', WIDGET, 200, ok({ ...widget, deployed_via: 'api', last_modified_via: 'api' }))).toEqual([]);
    const { ephemeral_id: _e, ...withoutEphemeral } = widget;
    expect(check2026('GET', WIDGET, 200, ok(withoutEphemeral))).not.toEqual([]);
    expect(check2026('GET', WIDGET, 200, ok({ ...widget, deployed_via: 'terraform' }))).not.toEqual([]);
    expect(check2026('GET', WIDGET, 200, ok({ ...widget, region: 'mars' }))).not.toEqual([]);
    expect(check2026('GET', WIDGET, 200, ok({ ...widget, sitekey: `0x4${'A'.repeat(30)}` }))).not.toEqual([]); // > 32
    const { secret: _s, ...listItem } = widget;
    expect(check2026('GET', COLLECTION, 200, ok([listItem]))).toEqual([]);
    expect(check2026('GET', COLLECTION, 200, ok([{ ...listItem, name: '' }]))).not.toEqual([]);
    expect(
      CONTRACTS[2026].requestViolations(
        'GET',
        `/accounts/${'0'.repeat(32)}/challenges/widgets`,
        { colour: 'x' },
        undefined,
      ),
    ).not.toEqual([]);
  });

  it('validateRequestBody: closed bodies, the newer fields, and where no body belongs', () => {
    expect(validateRequestBody('PUT', WIDGET, { ...BODY, region: 'china', ephemeral_id: false })).toEqual([]);
    expect(validateRequestBody('PUT', WIDGET, { ...BODY, sitekey: 'x' })).not.toEqual([]);
    expect(validateRequestBody('POST', COLLECTION, { ...BODY, deployed_via: 'api' })).not.toEqual([]); // read-only
    expect(validateRequestBody('POST', ROTATE, { invalidate_immediately: 'yes' })).not.toEqual([]);
    expect(validateRequestBody('POST', ROTATE, { invalidate: true })).not.toEqual([]);
    expect(validateRequestBody('POST', ROTATE, undefined)).not.toEqual([]); // requestBody.required
    expect(validateRequestBody('GET', COLLECTION, { x: 1 })).not.toEqual([]);
    expect(validateRequestBody('PATCH', WIDGET, BODY)).toEqual([`the spec has no PATCH ${WIDGET}`]);
  });
});

describe('spec/: the vendored extracts', () => {
  // The SHA-256 of each file as it was vendored (spec/README.md says where each comes from).
  const VENDORED = [
    [SPEC_PATH, '4f41c8fc8e5f2e124051779dbaed3271bf77950a5d4956e5464eece4cdcb294f'],
    [SPEC_2026_PATH, '81d5f0367deaf272c9b53894c313bb76f160d76ef087aab2215449e8856c32de'],
  ] as const;
  const sha256 = (path: string) => createHash('sha256').update(readFileSync(path)).digest('hex');

  it.each(VENDORED)('%s is unchanged', (path, hash) => {
    expect(sha256(path)).toBe(hash);
  });

  it('both describe the same six operations', () => {
    const ids = (contract: (typeof CONTRACTS)[keyof typeof CONTRACTS]) =>
      contract.operations.map(({ method, template, operationId }) => `${method} ${template} ${operationId}`).sort();
    expect(ids(CONTRACTS[2026])).toEqual(ids(CONTRACTS[2024]));
    expect(CONTRACTS[2026].operations).toHaveLength(6);
  });
});
