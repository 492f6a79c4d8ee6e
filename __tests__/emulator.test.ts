import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { CODES, startEmulator, type Emulator } from '../emulator/server.ts';

let emulator: Emulator;
beforeEach(async () => {
  emulator = await startEmulator({ widgetLimit: 3 });
});
afterEach(() => emulator.close());

async function call(
  method: string,
  path: string,
  body?: unknown,
  headers: Record<string, string> = { authorization: `Bearer ${emulator.apiToken}` },
) {
  const response = await fetch(`${emulator.url}/accounts/${emulator.accountId}/challenges/widgets${path}`, {
    method,
    headers: { ...headers, 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  // Raw API answers, read field by field in the assertions below.
  type Envelope = {
    success: boolean;
    // eslint-disable-next-line @typescript-eslint/no-explicit-any
    result: any;
    errors: { code: number }[];
    result_info?: unknown;
  };
  return { status: response.status, json: (await response.json()) as Envelope };
}

describe('emulator', () => {
  it('creates with sorted, lower-cased domains and defaults; the list omits the secret', async () => {
    const created = await call('POST', '', { name: 'w', domains: ['B.example.com', 'a.example.com'], mode: 'managed' });
    expect(created.json.result).toMatchObject({
      domains: ['a.example.com', 'b.example.com'],
      region: 'world',
      clearance_level: 'no_clearance',
      ephemeral_id: false,
    });
    expect(created.json.result.secret).toMatch(/^0x4/);
    const listed = await call('GET', '');
    expect(listed.json.result[0]).not.toHaveProperty('secret');
  });

  it('filters by case-insensitive substring and refuses an unknown filter field', async () => {
    emulator.seed([{ name: 'App-PR-1' }, { name: 'app-pr-10' }, { name: 'other' }]);
    expect((await call('GET', '?filter=name:app-pr-1')).json.result).toHaveLength(2);
    expect((await call('GET', '?filter=')).json.result).toHaveLength(3);
    const bad = await call('GET', '?filter=domain:x');
    expect(bad.status).toBe(400);
  });

  it('pages, orders and bounds per_page to 5..1000', async () => {
    emulator.seed(Array.from({ length: 12 }, (_, i) => ({ name: `w${String(i).padStart(2, '0')}` })));
    const page = await call('GET', '?page=3&per_page=5&order=name&direction=desc');
    expect((page.json.result as { name: string }[]).map((w) => w.name)).toEqual(['w01', 'w00']);
    expect(page.json.result_info).toEqual({ page: 3, per_page: 5, count: 2, total_count: 12 });
    expect((await call('GET', '?per_page=4')).status).toBe(400);
  });

  it('answers authentication, account and limit errors like Cloudflare', async () => {
    expect((await call('GET', '', undefined, {})).json.errors[0]!.code).toBe(CODES.missingAuth);
    expect((await call('GET', '', undefined, { authorization: 'Bearer nope' })).json.errors[0]!.code).toBe(
      CODES.authentication,
    );
    expect(
      (await call('GET', '', undefined, { 'x-auth-email': emulator.apiEmail, 'x-auth-key': emulator.apiKey })).status,
    ).toBe(200);
    const other = await fetch(`${emulator.url}/accounts/${'f'.repeat(32)}/challenges/widgets`, {
      headers: { authorization: `Bearer ${emulator.apiToken}` },
    });
    expect(other.status).toBe(403);
    emulator.seed([{}, {}, {}]);
    const full = await call('POST', '', { name: 'w', domains: ['a.example.com'], mode: 'managed' });
    expect(full.json.errors[0]!.code).toBe(CODES.widgetLimit);
  });

  it('PUT replaces the configuration and refuses a region change', async () => {
    const { json } = await call('POST', '', { name: 'w', domains: ['a.example.com'], mode: 'managed', offlabel: true });
    const sitekey = json.result.sitekey as string;
    const updated = await call('PUT', `/${sitekey}`, { name: 'w2', domains: ['b.example.com'], mode: 'invisible' });
    expect(updated.json.result).toMatchObject({ name: 'w2', offlabel: false, sitekey, secret: json.result.secret });
    expect(
      (await call('PUT', `/${sitekey}`, { name: 'w', domains: ['a.example.com'], mode: 'managed', region: 'china' }))
        .status,
    ).toBe(400);
  });

  it('rotates the secret', async () => {
    const { json } = await call('POST', '', { name: 'w', domains: ['a.example.com'], mode: 'managed' });
    const rotated = await call('POST', `/${json.result.sitekey}/rotate_secret`, { invalidate_immediately: false });
    expect(rotated.json.result.secret).not.toBe(json.result.secret);
    expect((await call('GET', `/${json.result.sitekey}`)).json.result.secret).toBe(rotated.json.result.secret);
  });

  it('injects faults: status, reset, lost response, hang', async () => {
    emulator.injectFault({ kind: 'status', status: 503, body: '<html>down</html>' });
    const down = await fetch(`${emulator.url}/accounts/${emulator.accountId}/challenges/widgets`, {
      headers: { authorization: `Bearer ${emulator.apiToken}` },
    });
    expect([down.status, await down.text()]).toEqual([503, '<html>down</html>']);
    emulator.injectFault({ kind: 'reset' });
    await expect(call('GET', '')).rejects.toThrow();
    emulator.injectFault({ kind: 'lost-response', method: 'POST' });
    await expect(call('POST', '', { name: 'w', domains: ['a.example.com'], mode: 'managed' })).rejects.toThrow();
    expect(emulator.widgets()).toHaveLength(1); // created, though the reply was lost
    emulator.injectFault({ kind: 'hang' });
    const hung = fetch(`${emulator.url}/accounts/${emulator.accountId}/challenges/widgets`, {
      signal: AbortSignal.timeout(100),
    });
    await expect(hung).rejects.toThrow();
    expect(emulator.requests.map((r) => r.status)).toEqual([503, 0, 0, 0]);
  });
});
