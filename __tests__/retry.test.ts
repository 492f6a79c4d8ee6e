// The one retry policy of both APIs (src/http/retry.ts), in-process: a dispatcher that answers from a
// list, on the virtual clock. The clients' own tests prove it against the emulator and a GitHub stub.
import { createServer as createNetServer, type AddressInfo, type Socket } from 'node:net';
import { Readable } from 'node:stream';
import { Agent, errors, type Dispatcher } from 'undici';
import { describe, expect, it } from 'vitest';
import { sendWithRetries } from '../src/http/retry.ts';
import { closedPort } from './helpers/ports.ts';
import { virtualClock } from './helpers/runner.ts';

const NOW = Date.parse('2026-11-25T00:00:00Z');

/** One answer of the fake dispatcher: a response (its body `{}` unless given), or an error thrown. */
type Answer = { status: number; headers?: Record<string, string>; body?: string; takesMs?: number } | { error: Error };

/** Sends `method` to a dispatcher whose answers are `answers` in turn (the last one repeated). */
async function send(
  answers: Answer[],
  method: Dispatcher.HttpMethod = 'GET',
  maxRetries = 1,
  more: Partial<Parameters<typeof sendWithRetries>[0]> = {},
) {
  const sent: string[] = [];
  const clock = virtualClock(NOW);
  const dispatcher = {
    request: async (options: Dispatcher.RequestOptions) => {
      if ((options.signal as AbortSignal | undefined)?.aborted)
        throw new DOMException('This operation was aborted', 'AbortError');
      sent.push(options.method);
      const answer = answers[Math.min(sent.length, answers.length) - 1]!;
      if ('error' in answer) throw answer.error;
      const { status, headers = {}, body = '{}', takesMs } = answer;
      if (takesMs) await clock.sleep(takesMs);
      return { statusCode: status, headers, body: Readable.from([Buffer.from(body)]) };
    },
  } as unknown as Dispatcher;
  const lines: string[] = [];
  const debug: string[] = [];
  const logger = { debug: (line: string) => void debug.push(line), info: (line: string) => void lines.push(line) };
  const url = new URL('http://127.0.0.1/x');
  const options = {
    dispatcher,
    clock,
    logger,
    random: () => 0.5,
    requestTimeoutMs: 10_000,
    maxRetries,
    maxBytes: 1024,
    ...more,
  };
  const { reply, gaveUp, outOfTime } = await sendWithRetries(options, { method, url, headers: {} });
  return { status: reply.status, reply, gaveUp, outOfTime, sent, slept: clock.slept, lines, debug };
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

describe('an attempt that gets no answer', () => {
  it.each([
    ['connect', new errors.ConnectTimeoutError()],
    ['headers (a proxy silent after CONNECT)', new errors.HeadersTimeoutError()],
  ])("undici's own %s timeout reads as no response within the request timeout, and is retried", async (_, error) => {
    const { reply, sent, gaveUp } = await send([{ error }]);
    expect(reply).toEqual({ status: undefined, detail: 'no response within 10 s' });
    expect(sent).toEqual(['GET', 'GET']);
    expect(gaveUp).toBe('gave up after 2 attempts in 0.4 s');
  });

  it("any other failure is a network error with undici's code, when it has one, and message", async () => {
    const sockets: Socket[] = [];
    const garbage = createNetServer((socket) => void sockets.push(socket.end('this is not HTTP\r\n\r\n')));
    await new Promise<void>((resolve) => garbage.listen(0, '127.0.0.1', resolve));
    const agent = new Agent();
    const sendTo = async (url: string) => {
      const options = { dispatcher: agent, clock: virtualClock(NOW), logger: { debug: () => {}, info: () => {} } };
      const limits = { requestTimeoutMs: 10_000, maxRetries: 0, maxBytes: 1024 };
      return (await sendWithRetries({ ...options, ...limits }, { method: 'GET', url: new URL(url), headers: {} }))
        .reply;
    };
    try {
      const malformed = await sendTo(`http://127.0.0.1:${(garbage.address() as AddressInfo).port}/x`);
      // HTTPParserError carries no code.
      expect(malformed).toEqual({
        status: undefined,
        detail: expect.stringMatching(/^network error: Response does not match the HTTP\/1\.1 protocol/),
      });
      const port = await closedPort();
      expect(await sendTo(`http://127.0.0.1:${port}/x`)).toEqual({
        status: undefined,
        detail: `network error ECONNREFUSED: connect ECONNREFUSED 127.0.0.1:${port}`,
      });
    } finally {
      await agent.close();
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => garbage.close(() => resolve()));
    }
  });

  it('each attempt is one debug line: method, path, the status or why there is none, and how long it took', async () => {
    const answers = [{ status: 503, takesMs: 120 }, { error: new errors.ConnectTimeoutError() }, { status: 200 }];
    const { debug } = await send(answers, 'GET', 2);
    expect(debug).toEqual([
      'GET /x -> 503 (120 ms)',
      'GET /x -> no response within 10 s (0 ms)',
      'GET /x -> 200 (0 ms)',
    ]);
  });
});

describe('answers too large to read', () => {
  it('an answer of exactly the limit is read; one byte more is refused, its body undefined', async () => {
    const json = (bytes: number) => JSON.stringify('x'.repeat(bytes - 2));
    const atLimit = await send([{ status: 200, body: json(1024) }]);
    expect(atLimit.reply).toMatchObject({ status: 200, json: 'x'.repeat(1022) });
    const over = await send([{ status: 200, body: json(1025) }]);
    expect(over.reply).toMatchObject({ status: 200, body: undefined, json: undefined });
  });

  it('a 503 too large to read is not tried again (the caller reports the limit)', async () => {
    const { sent, reply, gaveUp } = await send([{ status: 503, body: ' '.repeat(1025) }, { status: 200 }]);
    expect(sent).toEqual(['GET']);
    expect(reply).toMatchObject({ status: 503, body: undefined });
    expect(gaveUp).toBeUndefined();
  });
});

describe('the time budget', () => {
  it('a retry that lands exactly at the end of the budget is still sent; one past it is not', async () => {
    const retry = { maxElapsedMs: 1_000 };
    const onTime = await send([{ status: 429, headers: { 'retry-after': '1' } }, { status: 200 }], 'GET', 1, { retry });
    expect(onTime).toMatchObject({ status: 200, sent: ['GET', 'GET'], slept: [1_000], outOfTime: undefined });
    const late = await send([{ status: 429, headers: { 'retry-after': '2' } }, { status: 200 }], 'GET', 1, { retry });
    expect(late).toMatchObject({ status: 429, sent: ['GET'], slept: [], outOfTime: true });
  });

  it('a deadline already over: nothing is sent, and the reply says out of time', async () => {
    const deadline = { signal: AbortSignal.abort(), endsAt: NOW };
    const { sent, outOfTime, gaveUp } = await send([{ status: 200 }], 'GET', 0, { deadline });
    expect(sent).toEqual([]);
    expect(outOfTime).toBe(true);
    expect(gaveUp).toBeUndefined();
  });
});
