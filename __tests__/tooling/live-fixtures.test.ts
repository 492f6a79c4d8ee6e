// The committed recordings of the live suite (__tests__/fixtures/live/, written by npm run
// test:live) as a contract: replayed against a fresh emulator, every answer must match the
// recorded one in status, error codes and messages, and shape. A recording made against the
// emulator itself is marked `source: "emulator"`; until a maintainer commits one from Cloudflare,
// that is what this checks, and the test names say so.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startEmulator, type Emulator } from '../../emulator/server.ts';
import { FIXTURES_DIR, REDACTED, type Recording } from '../../scripts/lib/live-fixtures.ts';
import { readRecordings, replay, shape } from '../helpers/replay.ts';

const recordings = readRecordings(FIXTURES_DIR);

let emulator: Emulator;
beforeEach(async () => {
  emulator = await startEmulator();
});
afterEach(() => emulator.close());

/** Every string in a value, recursively, with the key it sits under. */
function strings(value: unknown, key = ''): [string, string][] {
  if (typeof value === 'string') return [[key, value]];
  if (Array.isArray(value)) return value.flatMap((item) => strings(item, key));
  if (value && typeof value === 'object') return Object.entries(value).flatMap(([name, item]) => strings(item, name));
  return [];
}

describe('__tests__/fixtures/live/', () => {
  it('holds at least one recording, each saying where it was recorded', () => {
    expect(recordings.length).toBeGreaterThan(0);
    for (const { file, recording } of recordings) {
      expect(['cloudflare', 'emulator', 'other'], file).toContain(recording.source);
      expect(recording.exchanges.length, file).toBeGreaterThan(0);
    }
  });

  describe.each(recordings.map(({ file, recording }) => [`${file} (recorded from ${recording.source})`, recording]))(
    '%s',
    (_, recording: Recording) => {
      it('the emulator answers every request as recorded: status, error codes and messages, shape', async () => {
        expect(await replay(recording, emulator)).toEqual([]);
        // Every operation of the lifecycle was replayed, not a prefix of it.
        const operations = new Set(
          recording.exchanges.map((e) => `${e.method} ${e.path.replace(/0x4[\w-]+/, '{sitekey}')}`),
        );
        expect(operations.size).toBeGreaterThanOrEqual(6);
      });

      it('holds no credential, no account id and no widget secret', () => {
        const text = JSON.stringify(recording);
        expect(text).not.toMatch(/authorization|x-auth-key|bearer/i);
        expect(text).not.toMatch(/[0-9a-f]{32}/); // an account id (or a global API key)
        expect(text).not.toMatch(/0x[\w-]{28,}/); // shaped like a widget secret
        const secrets = strings(recording.exchanges).filter(([key]) => key === 'secret');
        expect(secrets.length).toBeGreaterThan(0);
        for (const [, value] of secrets) expect(value).toBe(REDACTED);
      });
    },
  );
});

describe('replay', () => {
  const widget = { name: 'w', domains: ['a.example.com'], mode: 'managed' };
  const recording = (exchanges: Recording['exchanges']): Recording => ({
    source: 'other',
    origin: 'https://api.example.test',
    recordedAt: '2026-01-01T00:00:00Z',
    note: 'made up for this test',
    exchanges,
  });

  it("maps recorded sitekeys to the emulator's and finds no difference in matching answers", async () => {
    const created = await fetch(`${emulator.url}/accounts/${emulator.accountId}/challenges/widgets`, {
      method: 'POST',
      headers: { authorization: `Bearer ${emulator.apiToken}` },
      body: JSON.stringify(widget),
    }).then((response) => response.json() as Promise<{ result: Record<string, unknown> }>);
    await emulator.close();
    emulator = await startEmulator();
    const path = '/accounts/{account_id}/challenges/widgets';
    const answer = { success: true, errors: [], messages: [], result: { ...created.result, secret: REDACTED } };
    const sitekey = created.result.sitekey as string;
    expect(
      await replay(
        recording([
          { step: 'create', method: 'POST', path, query: {}, body: widget, status: 200, response: answer },
          { step: 'get', method: 'GET', path: `${path}/${sitekey}`, query: {}, status: 200, response: answer },
        ]),
        emulator,
      ),
    ).toEqual([]);
    expect(emulator.widgets()).toHaveLength(1);
    expect(emulator.widgets()[0]!.sitekey).not.toBe(sitekey); // the get found the emulator's own widget
  });

  it('reports a different status, error message or shape', async () => {
    const path = '/accounts/{account_id}/challenges/widgets/0x4AAAAAAAnothere0000000';
    const failure = (message: string) => ({
      success: false,
      errors: [{ code: 10404, message }],
      messages: [],
      result: null,
    });
    const differences = await replay(
      recording([
        {
          step: 'a',
          method: 'GET',
          path,
          query: {},
          status: 400,
          response: failure('Not Found: widget does not exist'),
        },
        { step: 'b', method: 'GET', path, query: {}, status: 404, response: failure('widget not found') },
        {
          step: 'c',
          method: 'GET',
          path,
          query: {},
          status: 404,
          response: { ...failure('Not Found: widget does not exist'), extra: 1 },
        },
      ]),
      emulator,
    );
    expect(differences.map(({ exchange, what }) => `${exchange} ${what.replace(/^.*: /, '')}`)).toEqual([
      '0 status',
      '1 errors',
      '2 shape',
    ]);
  });

  it('shape: keys and value types, arrays item by item', () => {
    expect(shape({ b: [1, 'x'], a: null, c: { d: true } })).toEqual({
      a: 'null',
      b: ['number', 'string'],
      c: { d: 'boolean' },
    });
  });
});
