// Contract test: the requests the action's client sends and the responses the emulator gives both
// conform to Cloudflare's published schema (spec/, a copy of ../shared/cloudflare-api/).
import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TurnstileClient } from '../src/api/client.ts';
import { runOperation } from '../src/operations/index.ts';
import { startEmulator, type Emulator } from '../emulator/server.ts';
import { recordingLogger } from './helpers/mock-api.ts';
import { requestViolations, responseViolations, SPEC_PATH } from './helpers/openapi.ts';
import { settings } from './helpers/settings.ts';

let emulator: Emulator;
beforeAll(async () => {
  emulator = await startEmulator();
});
afterAll(() => emulator.close());

function client(overrides: Partial<ConstructorParameters<typeof TurnstileClient>[0]> = {}) {
  return new TurnstileClient({
    apiUrl: emulator.url,
    accountId: emulator.accountId,
    auth: { kind: 'token', token: emulator.apiToken },
    logger: recordingLogger(),
    retry: { maxRetries: 0 },
    ...overrides,
  });
}

describe('contract with spec/turnstile-widgets.openapi.json', () => {
  it('every operation of the action: requests and responses conform', async () => {
    const api = client();
    const base = { apiUrl: emulator.url, accountId: emulator.accountId };
    const run = (overrides: Parameters<typeof settings>[0], desired?: Parameters<typeof settings>[1]) =>
      runOperation(api, settings({ ...base, ...overrides }, desired), recordingLogger());
    const created = await run(
      { operation: 'ensure' },
      { region: 'world', clearance_level: 'managed', ephemeral_id: false, offlabel: false, bot_fight_mode: false },
    );
    await run({ operation: 'ensure' });
    await run({ operation: 'ensure' }, { domains: ['pr-1.example.com', '203.0.113.7'], mode: 'invisible' });
    await run({ operation: 'create', name: 'contract-create' }, { name: 'contract-create' });
    await run({ operation: 'get', sitekey: created.widget!.sitekey });
    await run({ operation: 'get' });
    await run({ operation: 'rotate-secret', sitekey: created.widget!.sitekey, invalidateImmediately: true });
    await run({ operation: 'rotate-secret' });
    await run({ operation: 'prune', namePrefix: 'contract-', olderThanMs: 0 });
    await run({ operation: 'delete' });
    await run({ operation: 'delete' });
    await api.listPage({ page: 2, perPage: 5, order: 'created_on', direction: 'desc' });
    await api.close();
    // Errors: unknown sitekey, bad credentials, widget limit.
    await expect(client().get('0x4AAAAAAAmissing')).rejects.toThrow(/HTTP 404/);
    await expect(client({ auth: { kind: 'token', token: 'wrong' } }).listAll()).rejects.toThrow(/HTTP 403/);
    await expect(client({ accountId: 'f'.repeat(32) }).listAll()).rejects.toThrow(/HTTP 403/);
    emulator.setWidgetLimit(0);
    await expect(client().create({ name: 'x', domains: ['a.example.com'], mode: 'managed' })).rejects.toThrow(/limit/);

    const methods = new Set(emulator.requests.map((r) => `${r.method} ${r.path.replace(/0x4\w+/, '{sitekey}')}`));
    expect(methods.size).toBeGreaterThanOrEqual(6);
    for (const exchange of emulator.requests) {
      const where = `${exchange.method} ${exchange.path} -> ${exchange.status}`;
      expect(
        requestViolations(exchange.method, exchange.path, exchange.query, exchange.body),
        `request ${where}`,
      ).toEqual([]);
      expect(
        responseViolations(exchange.method, exchange.path, exchange.status, exchange.response),
        `response ${where}`,
      ).toEqual([]);
    }
  });

  it('the validators catch what does not conform', () => {
    const path = `/accounts/${'0'.repeat(32)}/challenges/widgets`;
    expect(requestViolations('POST', path, {}, { name: 'x', domains: ['a'], mode: 'loud' })).not.toEqual([]);
    expect(
      requestViolations('POST', path, {}, { name: 'x', domains: ['a'], mode: 'managed', colour: 'red' }),
    ).not.toEqual([]);
    expect(requestViolations('GET', path, { per_page: '2000' }, undefined)).not.toEqual([]);
    expect(
      responseViolations('GET', `${path}/0x4AAAAAAAabc`, 200, {
        success: true,
        errors: [],
        messages: [],
        result: { sitekey: 'x' },
      }),
    ).not.toEqual([]);
  });

  it('spec/ is the shared contract, unchanged', (context) => {
    const shared = resolve(
      import.meta.dirname,
      '..',
      '..',
      'shared',
      'cloudflare-api',
      'turnstile-widgets.openapi.json',
    );
    if (!existsSync(shared)) context.skip('../shared/cloudflare-api is not beside this checkout');
    expect(readFileSync(SPEC_PATH, 'utf8')).toBe(readFileSync(shared, 'utf8'));
  });
});
