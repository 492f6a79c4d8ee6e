// A recording proxy on 127.0.0.1 for the live suite (scripts/lib/live-suite.ts): the action is
// pointed at it (`api-url: http://127.0.0.1:<port>/client/v4`, allowed for loopback) and it forwards
// every request to the real API base, keeping each exchange, redacted (scripts/lib/live-fixtures.ts),
// under the name of the suite's step, for the counts and the fixtures.
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { RecordedExchange, Redactor } from './live-fixtures.ts';

const PREFIX = '/client/v4';
/** Request headers passed on; anything else (host, connection, proxy headers) is the proxy's own. */
const FORWARDED_REQUEST = ['authorization', 'x-auth-email', 'x-auth-key', 'content-type', 'accept', 'user-agent'];
/** Response headers passed back: what the action reads (rate limits, retries) and the emulator's mark. */
const FORWARDED_RESPONSE = ['content-type', 'retry-after', 'ratelimit', 'ratelimit-policy', 'x-turnstile-emulator'];

/** The named headers that have a value. */
function pick(names: string[], get: (name: string) => unknown): Record<string, string> {
  const values = names.map((name): [string, unknown] => [name, get(name)]);
  return Object.fromEntries(values.filter((entry): entry is [string, string] => typeof entry[1] === 'string'));
}

const parse = (text: string): unknown => {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return text;
  }
};

export async function startRecordingProxy(upstream: string, redactor: Redactor) {
  const base = upstream.replace(/\/+$/, '');
  const exchanges: RecordedExchange[] = [];
  let step = 'setup';
  let sawEmulator = false;

  const server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const path = url.pathname.startsWith(PREFIX) ? url.pathname.slice(PREFIX.length) : url.pathname;
    const request = {
      method: req.method ?? 'GET',
      path: redactor.path(path),
      query: Object.fromEntries(url.searchParams),
    };
    const forward = async () => {
      const raw = Buffer.concat((await req.toArray()) as Buffer[]).toString('utf8');
      const response = await fetch(`${base}${path}${url.search}`, {
        method: req.method,
        headers: pick(FORWARDED_REQUEST, (name) => req.headers[name]),
        body: raw.length > 0 ? raw : undefined,
        redirect: 'manual',
        signal: AbortSignal.timeout(120_000),
      });
      const text = await response.text();
      if (response.headers.has('x-turnstile-emulator')) sawEmulator = true;
      exchanges.push({
        step,
        ...request,
        ...(raw.length > 0 ? { body: redactor.value(parse(raw)) } : {}),
        status: response.status,
        response: redactor.value(parse(text)),
      });
      res
        .writeHead(
          response.status,
          pick(FORWARDED_RESPONSE, (name) => response.headers.get(name)),
        )
        .end(text);
    };
    forward().catch((error: Error) => {
      // A network failure upstream: the action sees a connection reset, as it would without the proxy.
      exchanges.push({ step, ...request, status: 0, response: `network error: ${error.message}` });
      res.socket?.destroy();
    });
  });

  await new Promise<void>((resolve, reject) => server.once('error', reject).listen(0, '127.0.0.1', resolve));
  return {
    /** The base URL to give the action as `api-url`. */
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}${PREFIX}`,
    /** Every exchange so far, redacted, in order. */
    exchanges,
    /** Whether an answer carried the emulator's header (then the recording is marked as the emulator's). */
    get sawEmulator() {
      return sawEmulator;
    },
    /** Requests from now on are recorded under this step's name. */
    setStep: (name: string) => void (step = name),
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
