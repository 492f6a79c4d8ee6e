// A local emulator of Cloudflare's Turnstile widget API on 127.0.0.1, for the tests, the demo, local
// runs and the benchmark. It follows spec/turnstile-widgets.2026.openapi.json and what Cloudflare
// documents beyond it (spec/README.md), and its answers also fit the 2024 extract beside it
// (spec/turnstile-widgets.openapi.json); it is never bundled into
// dist/ and imports nothing from src/ (it stands in for Cloudflare, not for the action).
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { CODES, failure } from './errors.ts';
import { faultResponse, FaultQueue, type Fault, type StatusFault } from './faults.ts';
import { handle, INVALID_JSON, type Credentials } from './routes.ts';
import { WidgetStore, type WidgetRecord } from './store.ts';

export type { Fault } from './faults.ts';
export type { WidgetRecord } from './store.ts';
export { CODES, MESSAGES } from './errors.ts';

/**
 * Every response of the emulator carries this header (Cloudflare's never do), so a script can tell
 * the emulator from another local server on the same port, e.g. `wrangler dev` on 8787.
 */
export const EMULATOR_HEADER = 'x-turnstile-emulator';
export const EMULATOR_HEADER_VALUE = 'turnstile-widgets-emulator';

export interface EmulatorOptions {
  accountId?: string;
  apiToken?: string;
  apiEmail?: string;
  apiKey?: string;
  /** A create beyond this many widgets fails, as on Cloudflare (20 on the Free plan, the default). */
  widgetLimit?: number;
  /** Most hostnames per widget: 10 (the Free plan) by default; Enterprise allows up to 200. */
  hostnameLimit?: number;
  /** Enterprise "any hostname": widgets may have no hostname (a create or update with `domains: []`). */
  anyHostname?: boolean;
  /** Delay before every response, to stand in for the round trip to Cloudflare. */
  latencyMs?: number;
  /** 0 (the default) picks a free port. The host is always 127.0.0.1. */
  port?: number;
  /** A larger request body is answered with 413 unread, before authentication (1 MiB by default). */
  maxBodyBytes?: number;
  /** The request log keeps the bodies and responses of its newest records within this many bytes (32 MiB). */
  logBodyBytes?: number;
  /** Called once per request, when its answer is sent or the connection ends without one. */
  onRequest?: (request: RecordedRequest) => void;
}

/** No real widget body comes near this (a name of 254 characters and a few hundred hostnames). */
export const MAX_BODY_BYTES = 1024 * 1024;
const LOG_BODY_BYTES = 32 * 1024 * 1024;

export interface RecordedRequest {
  method: string;
  /** Below /client/v4 (the whole path when the URL is not below it). */
  path: string;
  query: Record<string, string>;
  /** Parsed JSON; the raw text when it did not parse; undefined when there was none. */
  body: unknown;
  /** 0 when no response was sent (reset, hang, lost response). */
  status: number;
  /** The JSON body sent back (undefined when none was sent, or it was not JSON). */
  response?: unknown;
  /** Set when body and response were dropped to keep the log within its byte budget (older records go first). */
  dropped?: true;
}

export interface Emulator {
  /** The API base, like https://api.cloudflare.com/client/v4. */
  url: string;
  accountId: string;
  apiToken: string;
  apiEmail: string;
  apiKey: string;
  /** Every request received, in order; credentials are never recorded. */
  requests: RecordedRequest[];
  /** TCP connections accepted since start (or the last resetRecords()). */
  readonly connections: number;
  /** All widgets, secrets included, as deep copies. */
  widgets(): WidgetRecord[];
  /** Inserts widgets directly (no validation, no limit); created_on may lie in the past. */
  seed(partials: Partial<WidgetRecord>[]): WidgetRecord[];
  setLatency(ms: number): void;
  setWidgetLimit(limit: number): void;
  setHostnameLimit(limit: number): void;
  setAnyHostname(allowed: boolean): void;
  injectFault(fault: Fault): void;
  clearFaults(): void;
  /** Forgets the recorded requests and the connection count (the widgets stay). */
  resetRecords(): void;
  /** Stops listening and destroys every socket, idle, active or hung. */
  close(): Promise<void>;
}

export const DEFAULT_CREDENTIALS: Readonly<Credentials> = {
  accountId: '0123456789abcdef0123456789abcdef',
  apiToken: 'emulator-api-token',
  apiEmail: 'dev@example.com',
  apiKey: 'emulator-global-api-key',
};

const PREFIX = '/client/v4';

export async function startEmulator(options: EmulatorOptions = {}): Promise<Emulator> {
  const credentials: Credentials = {
    accountId: options.accountId ?? DEFAULT_CREDENTIALS.accountId,
    apiToken: options.apiToken ?? DEFAULT_CREDENTIALS.apiToken,
    apiEmail: options.apiEmail ?? DEFAULT_CREDENTIALS.apiEmail,
    apiKey: options.apiKey ?? DEFAULT_CREDENTIALS.apiKey,
  };
  const store = new WidgetStore(options.widgetLimit ?? 20, {
    ...(options.hostnameLimit === undefined ? {} : { hostnameLimit: options.hostnameLimit }),
    ...(options.anyHostname === undefined ? {} : { anyHostname: options.anyHostname }),
  });
  const faults = new FaultQueue();
  const requests: RecordedRequest[] = [];
  const maxBodyBytes = options.maxBodyBytes ?? MAX_BODY_BYTES;
  const logBodyBytes = options.logBodyBytes ?? LOG_BODY_BYTES;
  /** The bytes of body and response each record still holds, oldest first. */
  const held = new Map<RecordedRequest, number>();
  let heldBytes = 0;
  const hold = (record: RecordedRequest, bytes: number) => {
    if (bytes === 0) return;
    held.set(record, (held.get(record) ?? 0) + bytes);
    heldBytes += bytes;
    for (const [old, size] of held) {
      if (heldBytes <= logBodyBytes) break;
      Object.assign(old, { body: undefined, response: undefined, dropped: true });
      held.delete(old);
      heldBytes -= size;
    }
  };
  const sockets = new Set<Socket>();
  let latencyMs = options.latencyMs ?? 0;
  let connections = 0;

  const server = createServer((req, res) => {
    serve(req, res).catch(() => res.socket?.destroy());
  });
  server.keepAliveTimeout = 30_000;
  server.on('connection', (socket) => {
    connections++;
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });

  async function serve(req: IncomingMessage, res: ServerResponse): Promise<void> {
    res.setHeader(EMULATOR_HEADER, EMULATOR_HEADER_VALUE); // kept by writeHead, fault answers included
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const below = url.pathname.startsWith(`${PREFIX}/`) ? url.pathname.slice(PREFIX.length) : undefined;
    const method = req.method ?? 'GET';
    const record: RecordedRequest = {
      method,
      path: below ?? url.pathname,
      query: Object.fromEntries(url.searchParams),
      body: undefined,
      status: 0,
    };
    requests.push(record);
    res.once('close', () => options.onRequest?.(record));
    const raw = await readBody(req, maxBodyBytes);
    if (raw === undefined) {
      // The emulator's own answer (Cloudflare documents none); the connection closes, so the rest goes unread.
      const answer = failure(413, CODES.bodyTooLarge, `Request body too large: the limit is ${maxBodyBytes} bytes`);
      record.status = 413;
      record.response = answer.body;
      res.writeHead(413, { 'content-type': 'application/json', connection: 'close' }).end(JSON.stringify(answer.body));
      return;
    }
    hold(record, Buffer.byteLength(raw));
    let body: unknown;
    if (raw.length > 0) {
      try {
        body = JSON.parse(raw);
      } catch {
        body = INVALID_JSON;
      }
    }
    record.body = body === INVALID_JSON ? raw : body;

    const fault = faults.take(method, record.path);
    if (fault?.kind === 'hang') return; // close() destroys the socket
    if (fault?.kind === 'reset') {
      req.socket.destroy();
      return;
    }
    if (fault?.kind === 'delay') await sleep(fault.ms);
    if (latencyMs > 0) await sleep(latencyMs);
    /** A fault's answer in place of the real one. */
    const answerWith = (replacement: StatusFault) => {
      const { type, text, json } = faultResponse(replacement);
      record.status = replacement.status;
      record.response = json;
      hold(record, Buffer.byteLength(text));
      res.writeHead(replacement.status, { 'content-type': type, ...replacement.headers }).end(text);
    };
    if (fault?.kind === 'status') return answerWith(fault);
    const answer = handle(store, credentials, {
      method,
      path: below,
      query: url.searchParams,
      headers: req.headers,
      body,
    });
    if (fault?.kind === 'lost-response') {
      req.socket.destroy(); // the change is made; only the reply is lost
      return;
    }
    if (fault?.kind === 'replaced-response') return answerWith(fault); // the change is made; the reply is not its answer
    const text = JSON.stringify(answer.body);
    record.status = answer.status;
    record.response = answer.body;
    hold(record, Buffer.byteLength(text));
    res.writeHead(answer.status, { 'content-type': 'application/json' }).end(text);
  }

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
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
    setHostnameLimit: (limit) => {
      store.rules.hostnameLimit = limit;
    },
    setAnyHostname: (allowed) => {
      store.rules.anyHostname = allowed;
    },
    injectFault: (fault) => faults.add(fault),
    clearFaults: () => faults.clear(),
    resetRecords: () => {
      requests.length = 0;
      held.clear();
      heldBytes = 0;
      connections = 0;
    },
    close: async () => {
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      for (const socket of sockets) socket.destroy();
      await closed;
    },
  };
}

/** The body as text; undefined, without reading on, once it is over `limit` bytes (declared or sent). */
function readBody(req: IncomingMessage, limit: number): Promise<string | undefined> {
  return new Promise((resolve, reject) => {
    if (Number(req.headers['content-length']) > limit) return resolve(undefined);
    const chunks: Buffer[] = [];
    let size = 0;
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size <= limit) return void chunks.push(chunk);
      req.off('data', onData).pause();
      chunks.length = 0;
      resolve(undefined);
    };
    req.on('data', onData);
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

/** Unref'd: a delayed reply must not keep a finished test process alive after close(). */
function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms).unref());
}
