import { describe, expect, it } from 'vitest';
import { CloudflareApiError } from '../src/api/errors.ts';
import { fail, listOf, mockApi, ok, widget } from './helpers/mock-api.ts';

/** The error a promise rejects with (fails the test when it resolves). */
async function failure(promise: Promise<unknown>): Promise<Error> {
  try {
    await promise;
  } catch (error) {
    return error as Error;
  }
  throw new Error('expected a rejection');
}

describe('TurnstileClient', () => {
  it('sends the bearer token and reads a widget', async () => {
    const api = mockApi();
    const w = widget();
    api.on('GET', `/${w.sitekey}`, ok(w));
    const result = await api.client().get(w.sitekey);
    expect(result.secret).toBe(w.secret);
    expect(api.requests[0]!.headers.authorization).toBe('Bearer test-token');
    expect(api.requests[0]!.headers['x-auth-key']).toBeUndefined();
  });

  it('uses X-Auth-Email and X-Auth-Key for legacy authentication', async () => {
    const api = mockApi();
    api.on('GET', '', listOf([]));
    await api.client({ auth: { kind: 'key', email: 'me@example.com', key: 'global-key' } }).listAll();
    expect(api.requests[0]!.headers['x-auth-email']).toBe('me@example.com');
    expect(api.requests[0]!.headers['x-auth-key']).toBe('global-key');
    expect(api.requests[0]!.headers.authorization).toBeUndefined();
  });

  it('pages through the list until a short page, with the largest page size', async () => {
    const api = mockApi();
    const many = Array.from({ length: 1000 }, () => widget());
    api.on(
      'GET',
      '',
      ok(
        many.map(({ secret: _s, ...w }) => w),
        { result_info: { page: 1, per_page: 1000, count: 1000, total_count: 1003 } },
      ),
    );
    api.on('GET', '', listOf([widget(), widget(), widget()], 2));
    const widgets = await api.client().listAll({ filter: 'name:app' });
    expect(widgets).toHaveLength(1003);
    expect(api.requests.map((r) => new URL(r.path, 'http://x').searchParams.get('page'))).toEqual(['1', '2']);
    expect(api.requests[0]!.path).toContain('per_page=1000');
    expect(api.requests[0]!.path).toContain('filter=name%3Aapp');
  });

  it('reports the masked secret to onSecret before returning', async () => {
    const api = mockApi();
    const w = widget();
    const seen: string[] = [];
    api.on('POST', '', ok(w));
    await api
      .client({ onSecret: (s) => seen.push(s) })
      .create({ name: 'n', domains: ['a.example.com'], mode: 'managed' }, async () => undefined);
    expect(seen).toEqual([w.secret]);
  });

  it('turns an error envelope into one clear error with codes and a hint, without retrying', async () => {
    const api = mockApi();
    api.on('GET', '', fail(403, 10000, 'Authentication error'));
    const error = await failure(api.client().listAll());
    expect(error).toBeInstanceOf(CloudflareApiError);
    expect(error.message).toMatch(
      /HTTP 403.*\[10000\] Authentication error.*Hint: the credentials were refused.*api-token/,
    );
    expect(api.requests).toHaveLength(1);
  });

  it.each([
    [403, 9109, 'Unauthorized to access requested resource', /Turnstile > Edit/],
    [400, 7003, 'Could not route to /accounts/x, perhaps your object identifier is invalid?', /check `account-id`/],
    [405, 10405, 'Method not allowed for api_token authentication', /does not allow this method/],
    [404, 10404, 'Not Found', /no widget with that sitekey/],
  ])('hints for HTTP %i code %i', async (status, code, message, hint) => {
    const api = mockApi();
    api.on('GET', '', fail(status, code, message));
    await expect(api.client().listAll()).rejects.toThrow(hint);
  });

  it('waits as Retry-After says on 429, then succeeds', async () => {
    const api = mockApi();
    api.on('GET', '', { ...fail(429, 10013, 'Rate limited'), headers: { 'retry-after': '7' } });
    api.on('GET', '', listOf([]));
    await api.client().listAll();
    expect(api.sleeps).toEqual([7000]);
    expect(api.logger.lines.some((l) => l.level === 'warning' && /HTTP 429; retrying in 7.0 s/.test(l.message))).toBe(
      true,
    );
  });

  it('accepts Retry-After as an HTTP date, and caps it', async () => {
    const api = mockApi();
    const inTwoHours = new Date(Date.now() + 7_200_000).toUTCString();
    api.on('GET', '', { ...fail(429, 10013, 'Rate limited'), headers: { 'retry-after': inTwoHours } });
    api.on('GET', '', listOf([]));
    await api.client({ retry: { maxRetryAfterMs: 5_000 } }).listAll();
    expect(api.sleeps).toEqual([5000]);
  });

  it('backs off exponentially on 5xx with an HTML body and gives up with a clear message', async () => {
    const api = mockApi();
    api.on('GET', '', { status: 502, raw: '<html>Bad gateway</html>', headers: { 'content-type': 'text/html' } }, 3);
    const error = await failure(api.client({ maxRetries: 2, retry: { baseDelayMs: 100 } }).listAll());
    expect(api.requests).toHaveLength(3);
    expect(api.sleeps).toEqual([75, 150]); // equal jitter with random() = 0.5
    expect(error.message).toMatch(
      /HTTP 502.*not JSON \(text\/html.*gave up after 3 attempts.*Hint: Cloudflare had a server-side problem/,
    );
    expect(error.message).not.toMatch(/Unexpected token|SyntaxError/);
  });

  it('retries network errors', async () => {
    const api = mockApi();
    api.networkError('GET', '');
    api.on('GET', '', listOf([]));
    await expect(api.client().listAll()).resolves.toEqual([]);
    expect(api.sleeps).toHaveLength(1);
  });

  it('stops retrying when the time budget is spent', async () => {
    const api = mockApi();
    api.on('GET', '', { ...fail(503, 10500, 'unavailable'), headers: { 'retry-after': '30' } }, 2);
    const error = await failure(api.client({ retry: { maxElapsedMs: 10_000 } }).listAll());
    expect(api.requests).toHaveLength(1);
    expect(error.message).toMatch(
      /HTTP 503\): \[10500\] unavailable \(gave up after 1 attempt in .* s\)\. Hint: Cloudflare had a server-side problem/,
    );
  });

  it('times out a request that never answers', async () => {
    const api = mockApi();
    // The reply arrives only after 500 ms; the client gives up after 50 ms.
    api.agent
      .get('https://api.cloudflare.test')
      .intercept({ path: () => true, method: 'GET' })
      .reply(200, '{}')
      .delay(500);
    const error = await failure(api.client({ requestTimeoutMs: 50, maxRetries: 0 }).listAll());
    expect(error.message).toMatch(/no response within 0.05 s.*gave up after 1 attempt/);
  });

  it('does not re-send a create that may have succeeded: it adopts the widget the lost attempt made', async () => {
    const api = mockApi();
    const made = widget({ name: 'app-pr-7', created_on: new Date().toISOString() });
    api.networkError('POST', '');
    api.on('GET', '', listOf([made]));
    api.on('GET', `/${made.sitekey}`, ok(made));
    const result = await api
      .client()
      .create({ name: 'app-pr-7', domains: ['a.example.com'], mode: 'managed' }, async () => {
        const client = api.client();
        const [found] = (await client.listAll({ filter: 'name:app-pr-7' })).filter((w) => w.name === 'app-pr-7');
        return found ? client.get(found.sitekey) : undefined;
      });
    expect(result.sitekey).toBe(made.sitekey);
    // The failed POST is not recorded (no reply); then the list and the read of the adopted widget.
    expect(api.requests.map((r) => r.method)).toEqual(['GET', 'GET']);
  });

  it('re-sends a create refused with 429 without looking for a lost widget', async () => {
    const api = mockApi();
    const made = widget();
    api.on('POST', '', { ...fail(429, 10013, 'Rate limited'), headers: { 'retry-after': '1' } });
    api.on('POST', '', ok(made));
    let recoverCalls = 0;
    const result = await api.client().create({ name: 'n', domains: ['a.example.com'], mode: 'managed' }, async () => {
      recoverCalls++;
      return undefined;
    });
    expect(result.sitekey).toBe(made.sitekey);
    expect(recoverCalls).toBe(0);
  });

  it('rejects a response that does not match the widget schema, naming the field', async () => {
    const api = mockApi();
    api.on('GET', '/0x4AAAAAAAbad', ok({ sitekey: '0x4AAAAAAAbad' }));
    await expect(api.client().get('0x4AAAAAAAbad')).rejects.toThrow(
      /HTTP 200\): unexpected response shape \(result\.name: .*expected string/,
    );
  });
});
