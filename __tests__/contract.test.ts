// Contract test: the requests the action sends (run in-process against the emulator) and the
// responses it is given conform to Cloudflare's published schema: both extracts in spec/ (the 2024
// one with its documented newer changes, and the 2026 one; spec/README.md).
import { describe, expect, it } from 'vitest';
import { useEmulator } from './helpers/e2e.ts';
import { CONTRACTS, requestViolations, responseViolations } from './helpers/openapi.ts';

const t = useEmulator();

describe('contract with the extracts in spec/', () => {
  it('every operation of the action: requests and responses conform', async () => {
    const runs: Record<string, string>[] = [
      {
        domains: 'pr-42.example.com',
        region: 'world',
        'clearance-level': 'managed',
        'ephemeral-id': 'false',
        offlabel: 'false',
        'bot-fight-mode': 'false',
      },
      { domains: 'pr-42.example.com' },
      { domains: 'pr-42.example.com, 203.0.113.7', mode: 'invisible' },
      { operation: 'create', name: 'contract-create', domains: 'a.example.com' },
      { operation: 'get' },
      { operation: 'rotate-secret', 'invalidate-immediately': 'true' },
      { operation: 'prune', 'name-prefix': 'contract-', 'older-than': '0s' },
      { operation: 'delete' },
      { operation: 'delete' },
    ];
    for (const inputs of runs) expect((await t.run(inputs)).code, JSON.stringify(inputs)).toBe(0);
    // Errors: unknown sitekey, bad credentials, the widget limit.
    expect((await t.run({ operation: 'get', sitekey: '0x4AAAAAAAmissing' })).code).toBe(1);
    expect((await t.run({ operation: 'get', 'api-token': 'wrong-token-0123456789' })).code).toBe(1);
    t.emulator.setWidgetLimit(0);
    expect((await t.run({ operation: 'create', domains: 'a.example.com' })).code).toBe(1);

    const methods = new Set(t.emulator.requests.map((r) => `${r.method} ${r.path.replace(/0x4[\w-]+/, '{sitekey}')}`));
    expect(methods.size).toBeGreaterThanOrEqual(6);
    for (const exchange of t.emulator.requests) {
      for (const contract of Object.values(CONTRACTS)) {
        const where = `${contract.file}: ${exchange.method} ${exchange.path} -> ${exchange.status}`;
        expect(
          contract.requestViolations(exchange.method, exchange.path, exchange.query, exchange.body),
          `request ${where}`,
        ).toEqual([]);
        expect(
          contract.responseViolations(exchange.method, exchange.path, exchange.status, exchange.response),
          `response ${where}`,
        ).toEqual([]);
      }
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
});
