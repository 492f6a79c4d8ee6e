// A recording proxy on 127.0.0.1 for the live suite (scripts/lib/live-suite.ts): the action is
// pointed at it (`api-url: http://127.0.0.1:<port>/client/v4`, which the action allows for
// loopback) and it forwards every request to the real API base, counting the requests of each step
// and keeping each exchange, redacted (scripts/lib/live-fixtures.ts), for the fixtures.
import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { RecordedExchange, Redactor } from './live-fixtures.ts';

const PREFIX = '/client/v4';
/** Request headers passed on; anything else (host, connection, proxy headers) is the proxy's own. */
const FORWARDED_REQUEST = ['authorization', 'x-auth-email', 'x-auth-key', 'content-type', 'accept', 'user-agent'];
/** Response headers passed back: what the action reads (rate limits, retries) and the emulator's mark. */
const FORWARDED_RESPONSE = ['content-type', 'retry-after', 'ratelimit', 'ratelimit-policy', 'x-turnstile-emulator'];

export interface RecordingProxy {
  /** The base URL to give the action as `api-url`. */
  url: string;
  /** Every exchange so far, redacted, in order. */
  exchanges: RecordedExchange[];
  /** Whether any answer carried the emulator's header (then the recording is marked as the emulator's). */
  readonly sawEmulator: boolean;
  /** Requests made in each step are recorded under that step's name. */
  setStep(name: string): void;
  close(): Promise<void>;
}

export async function startRecordingProxy(upstream: string, redactor: Redactor): Promise<RecordingProxy> {
  const base = upstream.replace(/\/+$/, '');
  const exchanges: RecordedExchange[] = [];
  let step = 'setup';
  let sawEmulator = false;

  const server = createServer((req, res) => {
    forward(req)
      .then(({ status, headers, text }) => res.writeHead(status, headers).end(text))
      .catch((error: Error) => {
        // A network failure upstream: the action sees a connection reset, as it would without the proxy.
        exchanges.push({ step, ...request(req), status: 0, response: `network error: ${error.message}` });
        res.socket?.destroy();
      });
  });

  function request(req: IncomingMessage) {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const path = url.pathname.startsWith(PREFIX) ? url.pathname.slice(PREFIX.length) : url.pathname;
    return {
      method: req.method ?? 'GET',
      path: redactor.path(path),
      query: Object.fromEntries(url.searchParams),
    };
  }

  async function forward(req: IncomingMessage) {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const raw = Buffer.concat(chunks).toString('utf8');
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const below = url.pathname.startsWith(PREFIX) ? url.pathname.slice(PREFIX.length) : url.pathname;
    const headers: Record<string, string> = {};
    for (const name of FORWARDED_REQUEST) {
      const value = req.headers[name];
      if (typeof value === 'string') headers[name] = value;
    }
    const response = await fetch(`${base}${below}${url.search}`, {
      method: req.method,
      headers,
      body: raw.length > 0 ? raw : undefined,
      redirect: 'manual',
      signal: AbortSignal.timeout(120_000),
    });
    const text = await response.text();
    if (response.headers.has('x-turnstile-emulator')) sawEmulator = true;
    exchanges.push({
      step,
      ...request(req),
      ...(raw.length > 0 ? { body: redactor.value(parse(raw)) } : {}),
      status: response.status,
      response: redactor.value(parse(text)),
    });
    const back: Record<string, string> = {};
    for (const name of FORWARDED_RESPONSE) {
      const value = response.headers.get(name);
      if (value !== null) back[name] = value;
    }
    return { status: response.status, headers: back, text };
  }

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}${PREFIX}`,
    exchanges,
    get sawEmulator() {
      return sawEmulator;
    },
    setStep(name) {
      step = name;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

function parse(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return text;
  }
}
