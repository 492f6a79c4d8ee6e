// A local emulator of Cloudflare's Turnstile widget API on 127.0.0.1, for the tests, the demo and
// the benchmark. It follows spec/turnstile-widgets.openapi.json; it is never bundled into dist/.
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { FaultQueue, type Fault } from './faults.ts';
import { handle, INVALID_JSON, type Credentials } from './routes.ts';
import { WidgetStore, type WidgetRecord } from './store.ts';

export type { Fault } from './faults.ts';
export type { WidgetRecord } from './store.ts';
export { CODES } from './store.ts';

export interface EmulatorOptions {
  accountId?: string;
  apiToken?: string;
  apiEmail?: string;
  apiKey?: string;
  /** A create beyond this many widgets fails, as on Cloudflare (20 on the Free plan). */
  widgetLimit?: number;
  /** Delay before every response, to stand in for the round trip to Cloudflare. */
  latencyMs?: number;
  port?: number;
}

export interface RecordedRequest {
  method: string;
  path: string;
  query: Record<string, string>;
  body: unknown;
  /** 0 when no response was sent (reset, hang, lost response). */
  status: number;
  /** The JSON body sent back (undefined when none was sent, or it was not JSON). */
  response?: unknown;
}

export interface Emulator {
  url: string;
  accountId: string;
  apiToken: string;
  apiEmail: string;
  apiKey: string;
  requests: RecordedRequest[];
  /** TCP connections accepted since start (or the last resetRecords()). */
  readonly connections: number;
  widgets(): WidgetRecord[];
  seed(partials: Partial<WidgetRecord>[]): WidgetRecord[];
  setLatency(ms: number): void;
  setWidgetLimit(limit: number): void;
  injectFault(fault: Fault): void;
  clearFaults(): void;
  resetRecords(): void;
  close(): Promise<void>;
}

const PREFIX = '/client/v4';

export async function startEmulator(options: EmulatorOptions = {}): Promise<Emulator> {
  const credentials: Credentials = {
    accountId: options.accountId ?? '0123456789abcdef0123456789abcdef',
    apiToken: options.apiToken ?? 'emulator-api-token',
    apiEmail: options.apiEmail ?? 'dev@example.com',
    apiKey: options.apiKey ?? 'emulator-global-api-key',
  };
  const store = new WidgetStore(options.widgetLimit ?? 20);
  const faults = new FaultQueue();
  const requests: RecordedRequest[] = [];
  const sockets = new Set<Socket>();
  let latencyMs = options.latencyMs ?? 0;
  let connections = 0;

  const server = createServer((req, res) => {
    void serve(req, res).catch(() => res.socket?.destroy());
  });
  server.keepAliveTimeout = 30_000;
  server.on('connection', (socket) => {
    connections++;
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });

  async function serve(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const raw = await readBody(req);
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const path = url.pathname.startsWith(PREFIX) ? url.pathname.slice(PREFIX.length) : url.pathname;
    const method = req.method ?? 'GET';
    let body: unknown;
    if (raw.length > 0) {
      try {
        body = JSON.parse(raw);
      } catch {
        body = INVALID_JSON;
      }
    }
    const record: RecordedRequest = {
      method,
      path,
      query: Object.fromEntries(url.searchParams),
      body: body === INVALID_JSON ? raw : body,
      status: 0,
    };
    requests.push(record);
    const fault = faults.take(method, path);
    if (fault?.kind === 'hang') return;
    if (fault?.kind === 'reset') {
      req.socket.destroy();
      return;
    }
    if (fault?.kind === 'delay') await sleep(fault.ms);
    if (latencyMs > 0) await sleep(latencyMs);
    if (fault?.kind === 'status') {
      const text = typeof fault.body === 'string' ? fault.body : JSON.stringify(fault.body ?? {});
      const type = typeof fault.body === 'string' ? 'text/html' : 'application/json';
      record.status = fault.status;
      if (typeof fault.body !== 'string') record.response = fault.body;
      res.writeHead(fault.status, { 'content-type': type, ...fault.headers }).end(text);
      return;
    }
    const answer = url.pathname.startsWith(PREFIX)
      ? handle(store, credentials, { method, path, query: url.searchParams, headers: req.headers, body })
      : {
          status: 404,
          body: {
            success: false,
            errors: [{ code: 7000, message: 'No route for that URI' }],
            messages: [],
            result: null,
          },
        };
    if (fault?.kind === 'lost-response') {
      req.socket.destroy();
      return;
    }
    record.status = answer.status;
    record.response = answer.body;
    res.writeHead(answer.status, { 'content-type': 'application/json' }).end(JSON.stringify(answer.body));
  }

  await new Promise<void>((resolve) => server.listen(options.port ?? 0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;

  return {
    url: `http://127.0.0.1:${port}${PREFIX}`,
    ...credentials,
    requests,
    get connections() {
      return connections;
    },
    widgets: () => store.all().map((widget) => structuredClone(widget)),
    seed: (partials) => store.seed(partials).map((widget) => structuredClone(widget)),
    setLatency: (ms) => {
      latencyMs = ms;
    },
    setWidgetLimit: (limit) => {
      store.widgetLimit = limit;
    },
    injectFault: (fault) => faults.add(fault),
    clearFaults: () => faults.clear(),
    resetRecords: () => {
      requests.length = 0;
      connections = 0;
    },
    close: async () => {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
