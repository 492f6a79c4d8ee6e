// Tests written for mutants that survived `npm run test:mutation -- api` in client.ts: what the user
// is told when an answer is not what Cloudflare sends, run in-process against the emulator.
import { Agent } from 'undici';
import { describe, expect, it } from 'vitest';
import { TurnstileClient } from '../src/cloudflare/client.ts';
import { useEmulator } from './helpers/e2e.ts';
import { virtualClock } from './helpers/runner.ts';

const t = useEmulator();

const errorLine = (stdout: string) => stdout.split('\n').find((line) => line.startsWith('::error')) ?? '';

/** `get` of widget "w", whose listing gets `body` with `status` instead of the emulator's answer. */
async function getWithListing(status: number, body: object) {
  t.emulator.seed([{ name: 'w', domains: ['a.example.com'] }]);
  t.emulator.injectFault({ kind: 'status', status, method: 'GET', body });
  return t.run({ operation: 'get', name: 'w', 'max-retries': '0' });
}

describe('answers that are not what Cloudflare sends', () => {
  it('JSON that is no envelope', async () => {
    const run = await getWithListing(200, { hello: 'world' });
    expect(run.code).toBe(1);
    expect(errorLine(run.stdout)).toContain(
      'the response is not a Cloudflare API envelope (success, errors, messages)',
    );
  });

  it('an error status with success: true is a failure, and so is success: false with 200', async () => {
    const failed = await getWithListing(400, { success: true, errors: [], messages: [], result: [] });
    expect(failed.code).toBe(1);
    expect(errorLine(failed.stdout)).toContain('(HTTP 400): the API reported an error.');
    t.emulator.clearFaults();
    const refused = await getWithListing(200, {
      success: false,
      errors: [{ code: 1001, message: 'nope' }],
      messages: [],
      result: null,
    });
    expect(refused.code).toBe(1);
    expect(errorLine(refused.stdout)).toContain('(HTTP 200): [1001] nope');
  });

  it('a result of the wrong shape names the first three fields that are wrong', async () => {
    const run = await getWithListing(200, {
      success: true,
      errors: [],
      messages: [],
      result: [{ sitekey: 1, name: 2, domains: 3, mode: 4, created_on: 5 }],
    });
    expect(run.code).toBe(1);
    const detail = /unexpected response shape \(([^)]*)\)/.exec(errorLine(run.stdout))?.[1] ?? '';
    expect(detail.split('; ')).toHaveLength(3);
    expect(detail).toMatch(/^result\.0\.\w+: /);
  });
});

describe('the client as the action builds it in production', () => {
  it('without a random source of its own, backs off with Math.random', async () => {
    const agent = new Agent();
    const clock = virtualClock(Date.parse('2026-11-25T00:00:00Z'));
    try {
      const client = new TurnstileClient({
        apiUrl: t.emulator.url,
        accountId: t.emulator.accountId,
        auth: { kind: 'token', token: t.emulator.apiToken },
        logger: { debug: () => undefined, info: () => undefined },
        dispatcher: agent,
        requestTimeoutMs: 10_000,
        maxRetries: 1,
        clock,
      });
      t.emulator.injectFault({ kind: 'status', status: 503, method: 'GET' });
      expect(await client.listAll()).toEqual([]);
      expect(clock.slept).toHaveLength(1);
    } finally {
      await agent.destroy();
    }
  });
});
