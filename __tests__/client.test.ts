// TurnstileClient against the emulator (with its fault injection), on a virtual clock: sleeps are
// recorded, never waited for; request timeouts fire after a tenth of their time. Also the retry
// policy, the requests the client sends, and how it reads answers that are not what Cloudflare sends.
import { Agent, MockAgent, type Dispatcher } from 'undici';
import { afterEach, describe, expect, it } from 'vitest';
import type { WidgetRecord } from '../emulator/server.ts';
import { TurnstileClient } from '../src/cloudflare/client.ts';
import { CloudflareApiError } from '../src/cloudflare/errors.ts';
import { runEnsure } from '../src/operations/ensure.ts';

/** Cloudflare's largest page (the client asks for it). */
const MAX_PER_PAGE = 1000;
import { useEmulator } from './helpers/e2e.ts';
import { calls, emulatorContext } from './helpers/operations.ts';
import { closedPort } from './helpers/ports.ts';
import { virtualClock } from './helpers/runner.ts';
import { settings } from './helpers/settings.ts';

type ClientOptions = ConstructorParameters<typeof TurnstileClient>[0];

const t = useEmulator();
const agents: Dispatcher[] = [];
afterEach(async () => {
  // A MockAgent only closes; an Agent is destroyed, its sockets and any hung request with it.
  for (const agent of agents.splice(0)) await (agent instanceof MockAgent ? agent.close() : agent.destroy());
});
/** A dispatcher that is destroyed after the test. */
function tracked<T extends Dispatcher>(agent: T): T {
  agents.push(agent);
  return agent;
}

/** A client of the emulator; its log lines, sleeps and the emulator's requests are what the tests read. */
function emulatorClient(overrides: Partial<ClientOptions> = {}) {
  const agent = tracked(new Agent());
  const clock = virtualClock(Date.parse('2026-11-25T00:00:00Z'));
  const lines: { level: 'debug' | 'info'; message: string }[] = [];
  const client = new TurnstileClient({
    apiUrl: t.emulator.url,
    accountId: t.emulator.accountId,
    auth: { kind: 'token', token: t.emulator.apiToken },
    logger: {
      debug: (message) => lines.push({ level: 'debug', message }),
      info: (message) => lines.push({ level: 'info', message }),
    },
    dispatcher: agent,
    // 1 s of real time on the virtual clock: a loaded machine never times out an honest answer.
    requestTimeoutMs: 10_000,
    maxRetries: 2,
    clock,
    random: () => 0.5,
    ...overrides,
  });
  return { client, sleeps: clock.slept, lines, clock };
}

const envelope = (status: number, code: number, message: string, headers?: Record<string, string>) => ({
  kind: 'status' as const,
  status,
  headers,
  body: { success: false, errors: [{ code, message }], messages: [], result: null },
});

/** The error a promise rejects with (fails the test when it resolves). */
async function failure(promise: Promise<unknown>): Promise<Error> {
  try {
    await promise;
  } catch (error) {
    return error as Error;
  }
  throw new Error('expected a rejection');
}

const CONFIG = { name: 'n', domains: ['a.example.com'], mode: 'managed' as const };

describe('TurnstileClient', () => {
  it('sends the bearer token and reads a widget', async () => {
    const [seeded] = t.emulator.seed([{ name: 'app' }]);
    const { client } = emulatorClient();
    const result = await client.get(seeded!.sitekey);
    expect(result.secret).toBe(seeded!.secret);
    // The emulator answers 403 to any other credentials.
    const wrong = emulatorClient({ auth: { kind: 'token', token: 'other' } }).client;
    await expect(wrong.get(seeded!.sitekey)).rejects.toThrow(/HTTP 403/);
  });

  it('uses X-Auth-Email and X-Auth-Key for legacy authentication', async () => {
    const key = { kind: 'key' as const, email: t.emulator.apiEmail, key: t.emulator.apiKey };
    await expect(emulatorClient({ auth: key }).client.listAll()).resolves.toEqual([]);
    const wrong = { ...key, key: 'other-key' };
    await expect(emulatorClient({ auth: wrong }).client.listAll()).rejects.toThrow(/HTTP 403/);
  });

  it('pages through the list until a short page, with the largest page size', async () => {
    t.emulator.seed(Array.from({ length: 1003 }, (_, i) => ({ name: `app-${i}` })));
    t.emulator.seed([{ name: 'other' }]);
    const widgets = await emulatorClient().client.listAll('name:app');
    expect(widgets).toHaveLength(1003);
    expect(t.emulator.requests.map((r) => r.query)).toEqual([
      { page: '1', per_page: '1000', filter: 'name:app' },
      { page: '2', per_page: '1000', filter: 'name:app' },
    ]);
  });

  it('reports the masked secret to onSecret before returning, and only answers that carry one', async () => {
    const seen: unknown[] = [];
    const { client } = emulatorClient({ onSecret: (s) => seen.push(s) });
    const made = await client.create(CONFIG);
    expect(seen).toEqual([made.secret]);
    // A listing carries no secret; a deletion answers with the widget, its secret included.
    await client.listAll();
    expect(seen).toEqual([made.secret]);
    await client.delete(made.sitekey);
    expect(seen).toEqual([made.secret, made.secret]);
  });

  it('turns an error envelope into one clear error with codes and a hint, without retrying', async () => {
    t.emulator.injectFault(envelope(403, 10000, 'Authentication error'));
    const error = await failure(emulatorClient().client.listAll());
    expect(error).toBeInstanceOf(CloudflareApiError);
    expect(error.message).toMatch(
      /HTTP 403.*\[10000\] Authentication error.*Hint: the credentials were refused.*api-token/,
    );
    expect(t.emulator.requests).toHaveLength(1);
  });

  it.each([
    [403, 9109, 'Unauthorized to access requested resource', /Turnstile > Edit/],
    [400, 7003, 'Could not route to /accounts/x, perhaps your object identifier is invalid?', /check `account-id`/],
    [405, 10405, 'Method not allowed for api_token authentication', /does not allow this method/],
    [404, 10404, 'Not Found', /no widget with that sitekey/],
  ])('hints for HTTP %i code %i', async (status, code, message, hint) => {
    t.emulator.injectFault(envelope(status, code, message));
    await expect(emulatorClient().client.listAll()).rejects.toThrow(hint);
  });

  it('waits as Retry-After says on 429, then succeeds; the retry is a plain log line', async () => {
    t.emulator.injectFault(envelope(429, 10013, 'Rate limited', { 'retry-after': '7' }));
    const { client, sleeps, lines } = emulatorClient();
    await client.listAll();
    expect(sleeps).toEqual([7000]);
    expect(lines).toContainEqual({ level: 'info', message: expect.stringMatching(/HTTP 429; retrying in 7.0 s/) });
    // The run's debug line counts both attempts.
    expect(client.requestCount).toBe(2);
  });

  it('pauses rather than exceed the rate limit, saying so in a plain log line', async () => {
    const { client, sleeps, lines } = emulatorClient({ rateLimit: { limit: 1, windowMs: 60_000 } });
    await client.listAll();
    await client.listAll();
    expect(sleeps).toEqual([60_000]);
    expect(lines).toContainEqual({
      level: 'info',
      message: "Pausing 60 s to stay within Cloudflare's API rate limit (1 requests per 1 minutes).",
    });
    expect(t.emulator.requests).toHaveLength(2);
  });

  it('the rate limit is a sliding window: `limit` requests in it, then a wait for the oldest to leave it', async () => {
    let now = 0;
    const waits: number[] = [];
    const clock = {
      now: () => now,
      sleep: async (ms: number) => {
        waits.push(ms);
        now += ms;
      },
      timeout: () => new AbortController().signal,
    };
    const { client } = emulatorClient({ clock, rateLimit: { limit: 3, windowMs: 1000 } });
    for (let i = 0; i < 3; i++) {
      await client.listAll();
      now += 100;
    }
    expect(waits).toEqual([]);
    await client.listAll(); // at t=300, the first request (t=0) leaves the window at t=1000
    expect(waits).toEqual([700]);
    await client.listAll(); // the second (t=100) leaves at t=1100
    expect(waits).toEqual([700, 100]);
  });

  it('accepts Retry-After as an HTTP date, and caps it', async () => {
    const inTwoHours = new Date(Date.now() + 7_200_000).toUTCString();
    t.emulator.injectFault(envelope(429, 10013, 'Rate limited', { 'retry-after': inTwoHours }));
    const { client, sleeps } = emulatorClient({ retry: { maxRetryAfterMs: 5_000 } });
    await client.listAll();
    expect(sleeps).toEqual([5000]);
  });

  it('backs off exponentially on 5xx with an HTML body and gives up with a clear message', async () => {
    t.emulator.injectFault({ kind: 'status', status: 502, body: '<html>Bad gateway</html>', times: 3 });
    const { client, sleeps } = emulatorClient({ maxRetries: 2, retry: { baseDelayMs: 100 } });
    const error = await failure(client.listAll());
    expect(t.emulator.requests).toHaveLength(3);
    expect(sleeps).toEqual([75, 150]); // equal jitter with random() = 0.5
    expect(error.message).toMatch(
      /HTTP 502.*not JSON \(text\/html.*gave up after 3 attempts.*Hint: Cloudflare had a server-side problem/,
    );
    expect(error.message).not.toMatch(/Unexpected token|SyntaxError/);
  });

  it('retries network errors', async () => {
    t.emulator.injectFault({ kind: 'reset' });
    const { client, sleeps } = emulatorClient();
    await expect(client.listAll()).resolves.toEqual([]);
    expect(sleeps).toHaveLength(1);
  });

  it('stops retrying when the time budget is spent', async () => {
    t.emulator.injectFault({ ...envelope(503, 10500, 'unavailable', { 'retry-after': '30' }), times: 2 });
    const error = await failure(emulatorClient({ retry: { maxElapsedMs: 10_000 } }).client.listAll());
    expect(t.emulator.requests).toHaveLength(1);
    expect(error.message).toMatch(
      /HTTP 503\): \[10500\] unavailable \(gave up after 1 attempt in .* s\)\. Hint: Cloudflare had a server-side problem/,
    );
  });

  it('times out a request that never answers', async () => {
    // The reply arrives only after 500 ms; the client gives up after 50 ms (a virtual 0.5 s).
    t.emulator.injectFault({ kind: 'delay', ms: 500 });
    const error = await failure(emulatorClient({ requestTimeoutMs: 500, maxRetries: 0 }).client.listAll());
    expect(error.message).toMatch(/no response within 0.5 s.*gave up after 1 attempt/);
  });

  it('never re-sends a POST that may have acted: the caller recovers it', async () => {
    t.emulator.injectFault({ kind: 'lost-response', method: 'POST' });
    const { client } = emulatorClient();
    const error = await failure(client.create(CONFIG));
    expect((error as CloudflareApiError).mayHaveActed).toBe(true);
    expect(t.emulator.requests.map((r) => r.method)).toEqual(['POST']);
    expect(t.emulator.widgets()).toHaveLength(1);
  });

  it('recoverWrite adopts what a lost create made, without a second POST', async () => {
    t.emulator.injectFault({ kind: 'lost-response', method: 'POST' });
    const { client, lines } = emulatorClient();
    const result = await client.recoverWrite(
      () => client.create({ ...CONFIG, name: 'app-pr-7' }),
      async () => {
        const [found] = (await client.listAll('name:app-pr-7')).filter((w) => w.name === 'app-pr-7');
        return found ? client.get(found.sitekey) : undefined;
      },
    );
    expect(result.sitekey).toBe(t.emulator.widgets()[0]!.sitekey);
    expect(t.emulator.requests.map((r) => r.method)).toEqual(['POST', 'GET', 'GET']);
    expect(lines.filter((l) => l.level === 'info')).toEqual([
      { level: 'info', message: expect.stringMatching(/POST .*: no usable answer; checking in 0\.4 s whether/) },
    ]);
  });

  it('recoverWrite sends again when the lost attempt did nothing, at most max-retries times', async () => {
    t.emulator.injectFault({ kind: 'status', status: 500, method: 'POST', times: 10 });
    const { client, lines } = emulatorClient({ maxRetries: 2 });
    let finds = 0;
    const error = await failure(
      client.recoverWrite(
        () => client.create(CONFIG),
        async () => {
          finds++;
          return undefined;
        },
      ),
    );
    expect(error.message).toMatch(/POST .* failed \(HTTP 500\)/);
    expect(t.emulator.requests.map((r) => r.method)).toEqual(['POST', 'POST', 'POST']);
    expect(finds).toBe(3);
    expect(lines.filter((l) => l.level === 'info').map((l) => l.message.replace(/^POST [^:]+/, 'POST'))).toEqual([
      'POST: no usable answer; checking in 0.4 s whether it took effect.',
      'It did not take effect; sending it again (retry 1 of 2).',
      'POST: no usable answer; checking in 0.8 s whether it took effect.',
      'It did not take effect; sending it again (retry 2 of 2).',
      'POST: no usable answer; checking in 1.5 s whether it took effect.',
    ]);
  });

  it('only an API failure may hide a write: any other error (a bug, a refused config) is thrown at once', async () => {
    const { client } = emulatorClient();
    let finds = 0;
    const send = client.recoverWrite(
      () => Promise.reject(new Error('config did not parse')),
      async () => {
        finds++;
        return undefined;
      },
    );
    await expect(send).rejects.toThrow('config did not parse');
    expect(finds).toBe(0);
  });

  it('re-sends a create refused with 429 without looking for a lost widget', async () => {
    t.emulator.injectFault(envelope(429, 10013, 'Rate limited', { 'retry-after': '1' }));
    const { client } = emulatorClient();
    let finds = 0;
    const result = await client.recoverWrite(
      () => client.create(CONFIG),
      async () => {
        finds++;
        return undefined;
      },
    );
    expect(result.sitekey).toBe(t.emulator.widgets()[0]!.sitekey);
    expect(finds).toBe(0);
    expect(t.emulator.requests.map((r) => `${r.method} ${r.status}`)).toEqual(['POST 429', 'POST 200']);
  });

  it('a 4xx on a write is final: not re-sent, nothing looked up', async () => {
    t.emulator.injectFault(envelope(400, 10040, 'Maximum number of widgets per account reached (limit: 20)'));
    const { client } = emulatorClient();
    let finds = 0;
    const send = client.recoverWrite(
      () => client.create(CONFIG),
      async () => {
        finds++;
        return undefined;
      },
    );
    await expect(send).rejects.toThrow(/HTTP 400/);
    expect(finds).toBe(0);
    expect(t.emulator.requests).toHaveLength(1);
  });

  it('rejects a response that does not match the widget schema, naming the field', async () => {
    t.emulator.injectFault({
      kind: 'status',
      status: 200,
      body: { success: true, errors: [], messages: [], result: { sitekey: '0x4AAAAAAAbad' } },
    });
    await expect(emulatorClient().client.get('0x4AAAAAAAbad')).rejects.toThrow(
      /HTTP 200\): unexpected response shape \(result\.name: .*expected string/,
    );
  });

  it.each([
    ['without its secret', {}],
    ['with an empty secret', { secret: '' }],
  ])('refuses a widget answer %s, naming the field', async (_, secret) => {
    const [seeded] = t.emulator.seed([{ name: 'app' }]);
    const { secret: _secret, ...widget } = seeded!;
    t.emulator.injectFault({
      kind: 'status',
      status: 200,
      body: { success: true, errors: [], messages: [], result: { ...widget, ...secret } },
    });
    await expect(emulatorClient().client.get(seeded!.sitekey)).rejects.toThrow(
      /HTTP 200\): unexpected response shape \(result\.secret: /,
    );
  });

  it('sends request bodies exactly as their schema says', async () => {
    const { client } = emulatorClient();
    const extra = { ...CONFIG, secret: 'never sent' } as unknown as typeof CONFIG;
    await expect(client.create(extra)).rejects.toThrow(/Unrecognized key.*secret/);
    expect(t.emulator.requests).toEqual([]);
  });
});

const errorLine = (stdout: string) => stdout.split('\n').find((line) => line.startsWith('::error')) ?? '';

/** `get` of widget "w", whose listing gets `body` with `status` instead of the emulator's answer. */
async function getWithListing(status: number, body: object) {
  t.emulator.seed([{ name: 'w', domains: ['a.example.com'] }]);
  t.emulator.injectFault({ kind: 'status', status, method: 'GET', body });
  return t.run({ operation: 'get', name: 'w', 'max-retries': '0' });
}

describe('answers that are not what Cloudflare sends', () => {
  it.each([
    ['JSON that is no envelope', { hello: 'world' }],
    ['an error code that is no number', { success: false, errors: [{ code: '10000', message: 'x' }], messages: [] }],
    [
      'a total count that is no number',
      { success: true, errors: [], messages: [], result: [], result_info: { total_count: '1000' } },
    ],
  ])('%s', async (_, body) => {
    const run = await getWithListing(200, body);
    expect(run.code).toBe(1);
    expect(errorLine(run.stdout)).toContain(
      'the response is not a Cloudflare API envelope (success, errors, messages)',
    );
  });

  it('an error envelope without errors says that the API reported an error', async () => {
    const run = await getWithListing(400, { success: false, result: null });
    expect(run.code).toBe(1);
    expect(errorLine(run.stdout)).toMatch(/\(HTTP 400\): the API reported an error\.$/);
  });

  it('a body that is not JSON and has no content type says so', async () => {
    const agent = tracked(new MockAgent());
    agent.disableNetConnect();
    agent
      .get(new URL(t.emulator.url).origin)
      .intercept({ path: /\/widgets/, method: 'GET' })
      .reply(200, 'ok');
    await expect(recordingClient(agent).client.listAll()).rejects.toThrow(
      /\(HTTP 200\): the response body is not JSON \(no content type, 2 bytes\)\.$/,
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
    const agent = tracked(new Agent());
    const clock = virtualClock(Date.parse('2026-11-25T00:00:00Z'));
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
  });
});

/** A client on `agent` whose request options are recorded in `sent` before they go out. */
function recordingClient(
  agent: Dispatcher,
  options: Partial<Pick<ClientOptions, 'apiUrl' | 'requestTimeoutMs' | 'readLimits'>> = {},
) {
  const sent: Dispatcher.RequestOptions[] = [];
  const dispatcher = {
    request: (request: Dispatcher.RequestOptions) => {
      sent.push(request);
      return agent.request(request);
    },
  } as unknown as Dispatcher;
  const client = new TurnstileClient({
    apiUrl: options.apiUrl ?? t.emulator.url,
    accountId: t.emulator.accountId,
    auth: { kind: 'token', token: t.emulator.apiToken },
    logger: { debug: () => undefined, info: () => undefined },
    dispatcher,
    requestTimeoutMs: options.requestTimeoutMs ?? 10_000,
    maxRetries: 0,
    clock: virtualClock(Date.parse('2026-11-25T00:00:00Z')),
    random: () => 0.5,
    readLimits: options.readLimits,
  });
  return { client, sent };
}

/** A full page of MAX_PER_PAGE summaries like the emulator's, with `total_count` when given. */
async function fullPage(total?: number | null) {
  t.emulator.seed([{ name: 'w', domains: ['a.example.com'] }]);
  const agent = tracked(new Agent());
  const [widget] = await recordingClient(agent).client.listAll();
  const result = Array.from({ length: MAX_PER_PAGE }, (_, i) => ({
    ...widget,
    sitekey: `0x4AAAAAAAB${i}`,
    name: `w${i}`,
  }));
  return {
    success: true,
    errors: [],
    messages: [],
    result,
    ...(total === undefined ? {} : { result_info: { total_count: total } }),
  };
}

describe('requests sent', () => {
  it('every request accepts JSON and names the action; only one with a body says it is JSON', async () => {
    const agent = tracked(new Agent());
    const { client, sent } = recordingClient(agent);
    const created = await client.create({ name: 'h', domains: ['h.example.com'], mode: 'managed' });
    await client.listAll();
    const [create, list] = sent;
    expect(create!.headers).toMatchObject({
      accept: 'application/json',
      'user-agent': 'turnstile-widget-action',
      'content-type': 'application/json',
    });
    expect(JSON.parse(create!.body as string)).toMatchObject({ name: 'h', domains: ['h.example.com'] });
    expect(list!.headers).toMatchObject({ accept: 'application/json', 'user-agent': 'turnstile-widget-action' });
    expect(list!.headers).not.toHaveProperty('content-type');
    expect(list!.body).toBeUndefined();
    expect(created.name).toBe('h');
  });

  it('a full page that reaches total_count is the last one asked for', async () => {
    const page = await fullPage(MAX_PER_PAGE);
    t.emulator.injectFault({ kind: 'status', status: 200, method: 'GET', body: page });
    const agent = tracked(new Agent());
    const { client, sent } = recordingClient(agent);
    expect(await client.listAll()).toHaveLength(MAX_PER_PAGE);
    expect(sent).toHaveLength(1);
  });

  it.each([
    ['without total_count', undefined],
    ['with total_count null', null],
  ])('a full page %s is followed by the next page', async (_, total) => {
    const page = await fullPage(total);
    t.emulator.injectFault({ kind: 'status', status: 200, method: 'GET', body: page });
    const agent = tracked(new Agent());
    const { client, sent } = recordingClient(agent);
    // The emulator's own second page is empty: the listing ends there.
    expect(await client.listAll()).toHaveLength(MAX_PER_PAGE);
    expect(sent.map((request) => new URLSearchParams(String(request.path).split('?')[1]).get('page'))).toEqual([
      '1',
      '2',
    ]);
  });

  it('a full page that brings the listing to its byte bound is the last one read', async () => {
    const page = await fullPage();
    t.emulator.injectFault({ kind: 'status', status: 200, method: 'GET', body: page });
    const agent = tracked(new Agent());
    const listingBytes = Buffer.byteLength(JSON.stringify(page));
    const { client, sent } = recordingClient(agent, { readLimits: { listingBytes } });
    await expect(client.listAll()).rejects.toThrow(
      `the listing goes on beyond ${listingBytes / 1024 / 1024} MiB of answers (1 pages), the most the action reads in one listing`,
    );
    expect(sent).toHaveLength(1);
  });
});

describe('connections that fail', () => {
  it('a refused connection is a network error with its code', async () => {
    const agent = tracked(new Agent());
    // A port this test held a moment ago and closed again: nothing listens there now.
    const port = await closedPort();
    const { client } = recordingClient(agent, { apiUrl: `http://127.0.0.1:${port}` });
    await expect(client.listAll()).rejects.toThrow(
      new RegExp(`network error ECONNREFUSED: connect ECONNREFUSED 127\\.0\\.0\\.1:${port}`),
    );
  });

  it("undici's own headers timeout is reported as no response in time", async () => {
    t.emulator.injectFault({ kind: 'hang' });
    const agent = tracked(new Agent({ headersTimeout: 50 }));
    const { client } = recordingClient(agent, { requestTimeoutMs: 600_000 });
    await expect(client.listAll()).rejects.toThrow(/no response within 600 s/);
  });
});

describe('tolerant reading', () => {
  /** A widget without region, offlabel, bot_fight_mode; null clearance_level, ephemeral_id; extra fields. */
  function sparseWidget() {
    const [seeded] = t.emulator.seed([
      {
        name: 'app-pr-1',
        domains: ['pr-1.example.com'],
        region: undefined,
        offlabel: undefined,
        bot_fight_mode: undefined,
        clearance_level: null,
        ephemeral_id: null,
        modified_on: null,
        future_field: { nested: [1, 2] },
        tier: 'enterprise',
      } as unknown as Partial<WidgetRecord>,
    ]);
    return JSON.parse(JSON.stringify(seeded)) as WidgetRecord & Record<string, unknown>;
  }
  const envelope = (result: unknown, extra: Record<string, unknown> = {}) => ({
    success: true,
    errors: [],
    messages: [],
    result,
    ...extra,
  });
  const listShape = <W extends { secret: string }>({ secret: _secret, ...rest }: W) => rest;

  it('reads a sparse widget with unknown fields, result_info null and codeless messages; keeps the fields in `widget`', async () => {
    const sparse = sparseWidget();
    // The emulator always sends result_info and codes; these answers leave them out.
    t.emulator.injectFault({
      kind: 'status',
      status: 200,
      method: 'GET',
      path: /\/widgets$/,
      body: envelope([listShape(sparse)], { result_info: null, messages: [{ message: 'no code here' }] }),
    });
    t.emulator.injectFault({
      kind: 'status',
      status: 200,
      method: 'GET',
      path: /\/widgets\/0x/,
      body: envelope(sparse, { messages: [{ message: 'deprecated soon' }], errors: null }),
    });
    const run = await t.run({ name: 'app-pr-1', domains: 'pr-1.example.com' });
    expect(run.code, run.stdout).toBe(0);
    expect(run.outputs).toMatchObject({ sitekey: sparse.sitekey, secret: sparse.secret, updated: 'false' });
    const shown = JSON.parse(run.outputs.widget!) as Record<string, unknown>;
    expect(shown).toMatchObject({ future_field: { nested: [1, 2] }, tier: 'enterprise', clearance_level: null });
    expect(shown).not.toHaveProperty('secret');
    expect(calls(t.emulator)).toEqual(['GET /', `GET /${sparse.sitekey}`]);
    // The answers were the faults' (the emulator's own carry result_info and message codes).
    expect(t.emulator.requests.map((r) => (r.response as { result_info?: unknown }).result_info)).toEqual([
      null,
      undefined,
    ]);
  });

  it('a PUT never sends a field whose current value was absent or null', async () => {
    sparseWidget();
    const result = await runEnsure(
      settings({}, { domains: ['pr-1.example.com', 'new.example.com'] }),
      emulatorContext(t.emulator).context,
    );
    expect(result).toMatchObject({ outcome: 'updated', updated: true });
    const put = t.emulator.requests.find((r) => r.method === 'PUT');
    expect(Object.keys(put!.body as object).sort()).toEqual(['domains', 'mode', 'name']);
  });

  it('pages without total_count until a short page', async () => {
    const seeded = t.emulator.seed(Array.from({ length: 1002 }, (_, i) => ({ name: `app-${i}` }))).map(listShape);
    const page = (result: unknown[], resultInfo: unknown) => ({
      kind: 'status' as const,
      status: 200,
      method: 'GET',
      body: envelope(result, { result_info: resultInfo }),
    });
    t.emulator.injectFault(page(seeded.slice(0, 1000), { page: 1, per_page: 1000, count: 1000 }));
    t.emulator.injectFault(page(seeded.slice(1000), null));
    const found = await emulatorContext(t.emulator).client.listAll();
    expect(found.map((w) => w.sitekey)).toEqual(seeded.map((w) => w.sitekey));
    expect(t.emulator.requests.map((r) => r.query.page)).toEqual(['1', '2']);
    expect(t.emulator.requests.map((r) => (r.response as { result_info: unknown }).result_info)).toEqual([
      { page: 1, per_page: 1000, count: 1000 },
      null,
    ]);
  });

  it('stops at a short first page when result_info is null', async () => {
    const [only] = t.emulator.seed([{ name: 'app' }]);
    t.emulator.injectFault({
      kind: 'status',
      status: 200,
      method: 'GET',
      body: envelope([listShape(only!)], { result_info: null }),
    });
    await expect(emulatorContext(t.emulator).client.listAll()).resolves.toHaveLength(1);
    expect(t.emulator.requests).toHaveLength(1);
  });

  it('an error envelope whose entries lack a code (or a message) still gives a clear error', async () => {
    t.emulator.injectFault({
      kind: 'status',
      status: 400,
      body: { success: false, errors: [{ message: 'Something odd' }, {}], messages: [{ code: null }], result: null },
    });
    const error = await emulatorContext(t.emulator)
      .client.get('0x4AAAAAAAsitekey')
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(CloudflareApiError);
    expect((error as Error).message).toMatch(/\(HTTP 400\): Something odd; no message\./);
    expect((error as Error).message).not.toMatch(/undefined|null|not a Cloudflare API envelope/);
    expect(t.emulator.requests).toHaveLength(1);
  });
});
