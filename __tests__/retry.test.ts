// The one retry policy of both APIs (src/http/retry.ts), in-process: a dispatcher that answers from a
// list, on the virtual clock. The clients' own tests prove it against the emulator and a GitHub stub.
import { Readable } from 'node:stream';
import type { Dispatcher } from 'undici';
import { describe, expect, it } from 'vitest';
import { sendWithRetries } from '../src/http/retry.ts';
import { virtualClock } from './helpers/runner.ts';

const NOW = Date.parse('2026-11-25T00:00:00Z');

/** Sends `method` to a dispatcher whose answers are `answers` in turn (the last one repeated). */
async function send(
  answers: { status: number; headers?: Record<string, string> }[],
  method: Dispatcher.HttpMethod = 'GET',
  maxRetries = 1,
) {
  const sent: string[] = [];
  const dispatcher = {
    request: async (options: Dispatcher.RequestOptions) => {
      sent.push(options.method);
      const { status, headers = {} } = answers[Math.min(sent.length, answers.length) - 1]!;
      return { statusCode: status, headers, body: Readable.from([Buffer.from('{}')]) };
    },
  } as unknown as Dispatcher;
  const clock = virtualClock(NOW);
  const lines: string[] = [];
  const logger = { debug: () => undefined, info: (line: string) => void lines.push(line) };
  const url = new URL('http://127.0.0.1/x');
  const options = {
    dispatcher,
    clock,
    logger,
    random: () => 0.5,
    requestTimeoutMs: 10_000,
    maxRetries,
    maxBytes: 1024,
  };
  const { reply, gaveUp } = await sendWithRetries(options, { method, url, headers: {} });
  return { status: reply.status, gaveUp, sent, slept: clock.slept, lines };
}

describe('which answers are tried again', () => {
  it.each([
    [408, 2],
    [429, 2],
    [500, 2],
    [599, 2],
    [400, 1],
    [499, 1],
    [600, 1],
  ])('HTTP %i: %i attempt(s) with max-retries 1', async (status, attempts) => {
    const { sent, gaveUp } = await send([{ status }]);
    expect(sent).toHaveLength(attempts);
    expect(gaveUp).toBe(attempts === 2 ? 'gave up after 2 attempts in 0.4 s' : undefined);
  });

  it('a POST only after a 429, which proves the server did nothing; PUT and DELETE are idempotent', async () => {
    expect((await send([{ status: 503 }], 'POST')).sent).toEqual(['POST']);
    expect((await send([{ status: 429 }, { status: 200 }], 'POST')).sent).toEqual(['POST', 'POST']);
    expect((await send([{ status: 503 }, { status: 200 }], 'PUT')).sent).toEqual(['PUT', 'PUT']);
    expect((await send([{ status: 503 }, { status: 200 }], 'DELETE')).status).toBe(200);
  });

  it('backs off exponentially with equal jitter, each retry a log line', async () => {
    const { slept, lines } = await send([{ status: 502 }], 'GET', 3);
    expect(slept).toEqual([375, 750, 1500]);
    expect(lines[0]).toBe('GET /x: HTTP 502; retrying in 0.4 s (retry 1 of 3).');
  });
});

describe('Retry-After', () => {
  // Without a readable value, the backoff decides: 375 ms for the first retry here.
  it.each([
    [' 5 ', 5_000],
    ['1.5', 1_500],
    ['1.25', 1_250],
    ['2', 2_000],
    ['5abc', 375],
    ['abc5', 375],
    ['1.x', 375],
    ['soon', 375],
    ['', 375],
    ['Wed, 25 Nov 2026 00:00:30 GMT', 30_000],
    ['Tue, 24 Nov 2026 00:00:00 GMT', 0],
    ['120', 60_000], // capped
  ])('%j waits %s ms', async (header, ms) => {
    const { slept } = await send([{ status: 429, headers: { 'retry-after': header } }, { status: 200 }]);
    expect(slept).toEqual([ms]);
  });
});
