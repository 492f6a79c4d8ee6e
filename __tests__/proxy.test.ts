// Behind a proxy: HTTP_PROXY / HTTPS_PROXY / NO_PROXY from the step's environment, for the Cloudflare
// requests and the GitHub API ones (prune). The proxy is a real forwarding proxy on 127.0.0.1:
// plain-http requests (absolute form, or inside a CONNECT tunnel) are forwarded with node:http and
// recorded one by one; TLS inside a CONNECT tunnel is piped through unread. Everything runs in-process (t.run passes the env to run()), on loopback only.
import { once } from 'node:events';
import {
  createServer,
  request as httpRequest,
  type IncomingHttpHeaders,
  type IncomingMessage,
  type OutgoingHttpHeaders,
  type Server,
  type ServerResponse,
} from 'node:http';
import { connect, createServer as createNetServer, type AddressInfo, type Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { useEmulator } from './helpers/e2e.ts';
import { closedPort } from './helpers/ports.ts';

const t = useEmulator();

const LOOPBACK = new Set(['127.0.0.1', 'localhost', '[::1]']);
// Hop-by-hop headers (RFC 9110 7.6.1) and the proxy's own: never passed on.
const HOP_BY_HOP = [
  'connection',
  'keep-alive',
  'proxy-connection',
  'proxy-authorization',
  'te',
  'trailer',
  'transfer-encoding',
  'upgrade',
];

interface Seen {
  method: string;
  /** The absolute URL of a forwarded request, host:port of a CONNECT. */
  target: string;
  headers: IncomingHttpHeaders;
  /** A forwarded request read inside a CONNECT tunnel (not sent to the proxy in absolute form). */
  tunnelled?: boolean;
}

interface Proxy {
  url: string;
  port: number;
  seen: Seen[];
  /** Plain-http requests forwarded: in absolute form, or read inside a CONNECT tunnel. */
  forwarded(): Seen[];
  /** CONNECT tunnels opened. */
  tunnels(): Seen[];
  close: () => Promise<void>;
}

function withoutHopByHop(headers: IncomingHttpHeaders): OutgoingHttpHeaders {
  const copy: OutgoingHttpHeaders = { ...headers };
  for (const name of HOP_BY_HOP) delete copy[name];
  return copy;
}

/** `names`: host names only the proxy resolves (to 127.0.0.1), as behind a corporate proxy. */
async function startProxy(names: string[] = []): Promise<Proxy> {
  const seen: Seen[] = [];
  const address = (host: string) =>
    LOOPBACK.has(host) ? host.replace(/^\[(.*)\]$/, '$1') : names.includes(host) ? '127.0.0.1' : undefined;
  const sockets = new Set<Socket>();
  const track = (socket: Socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  };
  /** Forwards one plain-http request to `origin` (loopback or `names` only), recording it. */
  const forward = (origin: string | undefined, request: IncomingMessage, response: ServerResponse) => {
    const target = origin ? `${origin}${request.url ?? ''}` : (request.url ?? '');
    seen.push({ method: request.method ?? '', target, headers: request.headers, tunnelled: origin !== undefined });
    const url = URL.canParse(target) ? new URL(target) : undefined;
    const host = url && address(url.hostname);
    if (!url || url.protocol !== 'http:' || !host) {
      response.writeHead(url ? 403 : 400).end('this proxy forwards http:// requests to loopback only');
      return;
    }
    const upstream = httpRequest(
      {
        host,
        port: Number(url.port || 80),
        method: request.method,
        path: url.pathname + url.search,
        headers: withoutHopByHop(request.headers),
        agent: false,
      },
      (answer) => {
        response.writeHead(answer.statusCode ?? 502, withoutHopByHop(answer.headers));
        answer.pipe(response);
      },
    );
    upstream.on('error', () => response.destroy());
    request.pipe(upstream);
  };
  // Absolute-form requests (`GET http://host/path`).
  const server = createServer((request, response) => forward(undefined, request, response));
  // Plain http inside a CONNECT tunnel (undici 6 tunnels every proxied request): served here, so
  // each request is still seen; TLS inside a tunnel is piped through unread.
  const tunnelled = new WeakMap<Socket, string>();
  const inner = createServer((request, response) => forward(tunnelled.get(request.socket), request, response));
  server.on('connect', (request, client: Socket, head: Buffer) => {
    seen.push({ method: 'CONNECT', target: request.url ?? '', headers: request.headers });
    const match = /^(.+):(\d+)$/.exec(request.url ?? '');
    const host = match && address(match[1]!);
    if (!match || !host) {
      client.end('HTTP/1.1 403 Forbidden\r\n\r\n');
      return;
    }
    client.on('error', () => client.destroy());
    client.write('HTTP/1.1 200 Connection Established\r\n\r\n');
    const route = (first: Buffer) => {
      client.pause();
      client.unshift(first);
      if (first[0] !== 0x16) {
        tunnelled.set(client, `http://${request.url}`);
        inner.emit('connection', client);
        client.resume();
        return;
      }
      const upstream = connect(Number(match[2]), host, () => {
        upstream.pipe(client);
        client.pipe(upstream);
        client.resume();
      });
      track(upstream);
      upstream.on('error', () => client.destroy());
    };
    if (head.length) route(head);
    else client.once('data', route);
  });
  server.on('connection', track);
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    seen,
    forwarded: () => seen.filter((s) => s.method !== 'CONNECT'),
    tunnels: () => seen.filter((s) => s.method === 'CONNECT'),
    close: () => closeServer(server, sockets),
  };
}

async function closeServer(server: Server, sockets: Set<Socket> = new Set()): Promise<void> {
  const closed = new Promise<void>((resolve) => server.close(() => resolve()));
  server.closeAllConnections();
  for (const socket of sockets) socket.destroy();
  await closed;
}

/** GitHub's API on loopback: the open pull requests of octo-org/preview-app are #3. */
async function startGitHub(): Promise<{ url: string; requests: string[]; close: () => Promise<void> }> {
  const requests: string[] = [];
  const server = createServer((request, response) => {
    requests.push(`${request.method} ${request.url}`);
    if (request.method === 'GET' && request.url?.startsWith('/repos/octo-org/preview-app/pulls')) {
      response.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify([{ number: 3 }]));
    } else {
      response.writeHead(404, { 'content-type': 'application/json' }).end('{"message":"Not Found"}');
    }
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    requests,
    close: () => closeServer(server),
  };
}

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});
async function proxy(names?: string[]): Promise<Proxy> {
  const started = await startProxy(names);
  cleanups.push(started.close);
  return started;
}
async function github() {
  const started = await startGitHub();
  cleanups.push(started.close);
  return started;
}

const emulatorOrigin = () => new URL(t.emulator.url).origin;
const emulatorHost = () => new URL(t.emulator.url).host;
const errorLines = (stdout: string) => stdout.split('\n').filter((line) => line.startsWith('::error'));

describe('HTTP_PROXY', () => {
  it.each(['HTTP_PROXY', 'http_proxy'])('with %s every Cloudflare request goes through the proxy', async (variable) => {
    const p = await proxy();
    const result = await t.run({ domains: 'pr-42.example.com' }, { [variable]: p.url });
    expect(result.code, result.stdout).toBe(0);
    expect(result.outputs.created).toBe('true');

    expect(t.emulator.requests.length).toBeGreaterThanOrEqual(2); // list + create (and more)
    expect(p.forwarded()).toHaveLength(t.emulator.requests.length);
    expect(p.forwarded().map((s) => `${s.method} ${new URL(s.target).pathname}`)).toEqual(
      t.emulator.requests.map((r) => `${r.method} /client/v4${r.path}`),
    );
    for (const s of p.forwarded()) expect(s.target.startsWith(`${emulatorOrigin()}/client/v4/`)).toBe(true);
  });

  it('a second run through the proxy changes nothing and still passes every request through it', async () => {
    const p = await proxy();
    const env = { HTTP_PROXY: p.url };
    expect((await t.run({ domains: 'pr-42.example.com' }, env)).code).toBe(0);
    t.emulator.resetRecords();
    p.seen.length = 0;
    const second = await t.run({ domains: 'pr-42.example.com' }, env);
    expect(second.code, second.stdout).toBe(0);
    expect(second.outputs).toMatchObject({ created: 'false', updated: 'false' });
    expect(t.emulator.requests.map((r) => r.method)).toEqual(['GET', 'GET']);
    expect(p.forwarded()).toHaveLength(2);
  });

  it('HTTP_PROXY=host:port without a scheme is read as http://host:port, as @actions/http-client reads it', async () => {
    const p = await proxy();
    const result = await t.run({ domains: 'pr-42.example.com' }, { HTTP_PROXY: `127.0.0.1:${p.port}` });
    expect(result.code, result.stdout).toBe(0);
    expect(t.emulator.requests.length).toBeGreaterThanOrEqual(2);
    expect(p.forwarded()).toHaveLength(t.emulator.requests.length);
  });

  it('plain-http requests go inside a CONNECT tunnel to the API, never to the proxy in absolute form', async () => {
    const p = await proxy();
    const result = await t.run({ domains: 'pr-42.example.com' }, { HTTP_PROXY: p.url });
    expect(result.code, result.stdout).toBe(0);
    expect(p.tunnels().length).toBeGreaterThan(0);
    for (const tunnel of p.tunnels()) expect(tunnel.target).toBe(emulatorHost());
    expect(p.forwarded()).toHaveLength(t.emulator.requests.length);
    expect(p.forwarded().filter((s) => !s.tunnelled)).toEqual([]);
  });

  it('HTTPS_PROXY alone leaves plain-http endpoints alone (HTTP_PROXY is for those)', async () => {
    const p = await proxy();
    const result = await t.run({ domains: 'pr-42.example.com' }, { HTTPS_PROXY: p.url });
    expect(result.code, result.stdout).toBe(0);
    expect(t.emulator.requests.length).toBeGreaterThan(0);
    expect(p.seen).toEqual([]);
  });
});

describe('NO_PROXY', () => {
  it.each([
    ['NO_PROXY', '127.0.0.1'],
    ['NO_PROXY', '*'],
    ['NO_PROXY', 'example.org, 127.0.0.1'],
    ['no_proxy', '127.0.0.1'],
    ['NO_PROXY', 'host:port'],
  ])('%s=%s: the proxy sees nothing and the run succeeds', async (variable, value) => {
    const p = await proxy();
    const noProxy = value === 'host:port' ? emulatorHost() : value;
    const result = await t.run({ domains: 'pr-42.example.com' }, { HTTP_PROXY: p.url, [variable]: noProxy });
    expect(result.code, result.stdout).toBe(0);
    expect(t.emulator.requests.length).toBeGreaterThanOrEqual(2);
    expect(p.seen).toEqual([]);
  });

  it.each(['example.org', '127.0.0.2', '127.0.0.1:1'])(
    'NO_PROXY=%s does not match the emulator: everything still goes through the proxy',
    async (noProxy) => {
      const p = await proxy();
      const result = await t.run({ domains: 'pr-42.example.com' }, { HTTP_PROXY: p.url, NO_PROXY: noProxy });
      expect(result.code, result.stdout).toBe(0);
      expect(p.forwarded()).toHaveLength(t.emulator.requests.length);
      expect(p.forwarded().length).toBeGreaterThan(0);
    },
  );
});

describe('HTTPS through the proxy', () => {
  it('is tunnelled with CONNECT: the proxy sees host:port, never a header carrying the token', async () => {
    const p = await proxy();
    // https:// to the plain-http emulator: the tunnel opens, the TLS handshake then fails.
    const apiUrl = t.emulator.url.replace(/^http:/, 'https:');
    const result = await t.run(
      { domains: 'pr-42.example.com', 'api-url': apiUrl, 'max-retries': '0' },
      { HTTPS_PROXY: p.url },
    );
    expect(result.code).toBe(1);
    expect(p.tunnels().length).toBeGreaterThan(0);
    expect(p.forwarded()).toEqual([]);
    for (const tunnel of p.tunnels()) {
      expect(tunnel.target).toBe(emulatorHost());
      expect(JSON.stringify(tunnel.headers)).not.toContain(t.emulator.apiToken);
      expect(tunnel.headers).not.toHaveProperty('authorization');
    }
    expect(t.emulator.requests).toEqual([]); // nothing readable reached it
  });
});

describe('prune with github-token behind the proxy', () => {
  const old = () => new Date(Date.now() - 30 * 86_400_000).toISOString();
  const prune = {
    operation: 'prune',
    'name-prefix': 'preview-app-pr-',
    'github-token': 'ghs_proxyTestToken0123456789',
  };

  it('lists the pull requests through the proxy too, and keeps the open one', async () => {
    const p = await proxy();
    const gh = await github();
    t.emulator.seed([1, 2, 3, 4].map((n) => ({ name: `preview-app-pr-${n}`, created_on: old() })));
    const result = await t.run(prune, { HTTP_PROXY: p.url, GITHUB_API_URL: gh.url });
    expect(result.code, result.stdout).toBe(0);
    expect(t.emulator.widgets().map((w) => w.name)).toEqual(['preview-app-pr-3']);
    expect(JSON.parse(result.outputs.deleted!)).toHaveLength(3);

    expect(gh.requests).toHaveLength(1);
    const toGitHub = p.forwarded().filter((s) => s.target.startsWith(`${gh.url}/`));
    expect(toGitHub.map((s) => `${s.method} ${new URL(s.target).pathname}`)).toEqual([
      'GET /repos/octo-org/preview-app/pulls',
    ]);
    expect(new URL(toGitHub[0]!.target).searchParams.get('state')).toBe('open');
    // Every request of the run, Cloudflare's and GitHub's, passed through the proxy.
    expect(p.forwarded()).toHaveLength(t.emulator.requests.length + gh.requests.length);
  });

  it('NO_PROXY unset: a GitHub host that only the proxy can resolve is reached through it', async () => {
    const p = await proxy(['github.was']);
    const gh = await github();
    t.emulator.seed([1, 3].map((n) => ({ name: `preview-app-pr-${n}`, created_on: old() })));
    const apiUrl = gh.url.replace('127.0.0.1', 'github.was');
    const result = await t.run(prune, { HTTP_PROXY: p.url, GITHUB_API_URL: apiUrl });
    expect(result.code, result.stdout).toBe(0);
    expect(t.emulator.widgets().map((w) => w.name)).toEqual(['preview-app-pr-3']);
    expect(gh.requests).toHaveLength(1);
    expect(p.forwarded().filter((s) => s.target.startsWith(`${apiUrl}/`))).toHaveLength(1);
  });

  it('NO_PROXY=<emulator host:port>: Cloudflare directly, GitHub through the proxy', async () => {
    const p = await proxy();
    const gh = await github();
    t.emulator.seed([1, 3].map((n) => ({ name: `preview-app-pr-${n}`, created_on: old() })));
    const result = await t.run(prune, { HTTP_PROXY: p.url, NO_PROXY: emulatorHost(), GITHUB_API_URL: gh.url });
    expect(result.code, result.stdout).toBe(0);
    expect(t.emulator.widgets().map((w) => w.name)).toEqual(['preview-app-pr-3']);
    expect(p.forwarded().map((s) => new URL(s.target).origin)).toEqual([gh.url]);
  });
});

describe('a proxy that refuses connections', () => {
  it('fails the run: exit 1, one error whose hint names HTTPS_PROXY and NO_PROXY, no stack trace', async () => {
    const port = await closedPort();
    const result = await t.run({ domains: 'pr-42.example.com' }, { HTTP_PROXY: `http://127.0.0.1:${port}` });
    expect(result.code).toBe(1);
    const errors = errorLines(result.stdout);
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatch(/^::error title=Cloudflare API error::/);
    expect(errors[0]).toMatch(/Hint: .*HTTPS_PROXY.*NO_PROXY/);
    expect(result.stdout).not.toMatch(/^\s+at .+[(:]\d+/m); // no stack frame anywhere
    expect(result.stdout).not.toMatch(/node:internal|node_modules/);
    expect(result.stderr).toBe('');
    expect(t.emulator.requests).toEqual([]);
  });

  /** prune whose Cloudflare requests go direct (NO_PROXY) while GitHub's meet a proxy that refuses. */
  async function pruneWithDeadProxyForGitHub() {
    const port = await closedPort();
    const gh = await github();
    const old = new Date(Date.now() - 30 * 86_400_000).toISOString();
    t.emulator.seed([1, 2].map((n) => ({ name: `preview-app-pr-${n}`, created_on: old })));
    const result = await t.run(
      { operation: 'prune', 'name-prefix': 'preview-app-pr-', 'github-token': 'ghs_proxyTestToken0123456789' },
      { HTTP_PROXY: `http://127.0.0.1:${port}`, NO_PROXY: emulatorHost(), GITHUB_API_URL: gh.url },
    );
    const warnings = result.stdout.split('\n').filter((line) => line.startsWith('::warning title=GitHub API error::'));
    return { result, gh, warnings };
  }

  it('prune: when GitHub cannot be reached through it, keeps every …-pr-N widget and warns once', async () => {
    const { result, gh, warnings } = await pruneWithDeadProxyForGitHub();
    expect(result.code, result.stdout).toBe(0);
    expect(t.emulator.widgets()).toHaveLength(2);
    expect(gh.requests).toEqual([]);
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatch(/ECONNREFUSED/);
    expect(result.stdout).not.toMatch(/^\s+at .+[(:]\d+/m);
  });

  // A request that got no answer has no HTTP status (Octokit reported it as 500, and the hint blamed GitHub).
  it('prune: that warning names no HTTP status and hints at HTTPS_PROXY and NO_PROXY', async () => {
    const { warnings } = await pruneWithDeadProxyForGitHub();
    expect(warnings[0]).not.toMatch(/HTTP 500|server-side/);
    expect(warnings[0]).toMatch(/Hint: .*HTTPS_PROXY and NO_PROXY/);
  });
});

/**
 * A proxy that misbehaves at the CONNECT step: `close` ends every connection as soon as the
 * request arrives (undici 6 reconnected at once, without end: nodejs/undici#3897), `reset` resets
 * it, `silent` accepts it and never answers. Counts the connections it was offered.
 */
async function brokenProxy(
  behaviour: 'close' | 'reset' | 'silent',
): Promise<{ url: string; connections: () => number }> {
  let connections = 0;
  const sockets = new Set<Socket>();
  const server = createNetServer((socket) => {
    connections++;
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => undefined);
    if (behaviour === 'close') socket.once('data', () => socket.end());
    if (behaviour === 'reset') socket.once('data', () => socket.resetAndDestroy());
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  cleanups.push(async () => {
    for (const socket of sockets) socket.destroy();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, connections: () => connections };
}

describe('a proxy that breaks the CONNECT exchange (nodejs/undici#3897)', () => {
  // request-timeout 1 s, max-retries 1: two attempts. Backoff is virtual; the connect timeout
  // (undici's own timer) is real, so the silent case waits about a real second per attempt.
  const inputs = { domains: 'pr-42.example.com', 'request-timeout': '1', 'max-retries': '1' };

  it.each(['close', 'reset', 'silent'] as const)(
    '%s: the run ends with one error after two attempts, a bounded number of connections',
    async (behaviour) => {
      const p = await brokenProxy(behaviour);
      const result = await t.run(inputs, { HTTP_PROXY: p.url });
      expect(result.code).toBe(1);
      const errors = errorLines(result.stdout);
      expect(errors).toEqual([
        expect.stringMatching(
          /^::error title=Cloudflare API error::Cloudflare API GET .* failed: .*\(gave up after 2 attempts.*Hint: no answer from the API.*HTTPS_PROXY/,
        ),
      ]);
      // One connection per attempt (undici 6 opened thousands a second against a resetting proxy).
      expect(p.connections()).toBeGreaterThanOrEqual(1);
      expect(p.connections()).toBeLessThanOrEqual(2);
      expect(result.clock.slept).toHaveLength(1);
      expect(t.emulator.requests).toEqual([]);
    },
  );
});
