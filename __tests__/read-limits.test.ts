// A hostile or broken API must not exhaust the runner: one response is read up to 50 MB, one
// listing up to 100,000 widgets and 100 MiB; past any, the run ends with an error naming the limit. The
// hostile API is a loopback server written here (the emulator serves only honest answers).
import { once } from 'node:events';
import { createServer, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Agent } from 'undici';
import { afterEach, describe, expect, it } from 'vitest';
import { TurnstileClient } from '../src/cloudflare/client.ts';
import { runInProcess, virtualClock } from './helpers/runner.ts';

const ACCOUNT = '0123456789abcdef0123456789abcdef';
const closers: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const close of closers.splice(0)) await close();
});

/** A loopback API whose every answer comes from `answer`. */
async function hostileApi(answer: (response: ServerResponse, path: string) => void): Promise<string> {
  const server = createServer((request, response) => answer(response, request.url ?? ''));
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  closers.push(async () => {
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}/client/v4`;
}

async function run(apiUrl: string) {
  // request-timeout 600 s (60 s on the virtual clock): the limits end the run, not the timeout.
  const inputs = {
    'api-token': 'cf-test-token-0123456789',
    'account-id': ACCOUNT,
    'api-url': apiUrl,
    domains: 'pr-42.example.com',
    'request-timeout': '600',
  };
  const result = await runInProcess(inputs);
  return { ...result, errors: result.stdout.split('\n').filter((line) => line.startsWith('::error')) };
}

/** A page of 1000 widgets that always says more follow; `nameLength` sets its size. */
function endlessPage(nameLength: number): string {
  const widgets = Array.from({ length: 1000 }, (_, i) => ({
    sitekey: `0x4AAAAAAA${String(i).padStart(14, '0')}`,
    name: `other-${i}-`.padEnd(nameLength, 'x'),
    domains: ['example.com'],
    mode: 'managed',
    created_on: '2026-01-01T00:00:00Z',
  }));
  const result_info = { per_page: 1000, total_count: 1_000_000_000 };
  return JSON.stringify({ success: true, errors: [], messages: [], result: widgets, result_info });
}

describe('read limits', () => {
  it('a response larger than 50 MB: refused, with the limit named, the rest left unread', async () => {
    let sent = 0;
    let requests = 0;
    const url = await hostileApi((response) => {
      requests++;
      response.writeHead(200, { 'content-type': 'application/json' });
      const chunk = Buffer.alloc(1024 * 1024, 0x20); // JSON whitespace, without end
      const write = () => {
        while (!response.destroyed && sent < 1024 * 1024 * 1024) {
          sent += chunk.length;
          if (!response.write(chunk)) return void response.once('drain', write);
        }
      };
      response.on('close', () => response.destroy());
      write();
    });
    const result = await run(url);
    expect(result.code).toBe(1);
    expect(result.errors).toEqual([
      expect.stringMatching(/failed \(HTTP 200\): the response is larger than 50 MB, the most the action reads/),
    ]);
    expect(requests).toBe(1);
    // Refused at the limit, not at the end of the stream (1 GB): a few MB in socket buffers at most.
    expect(sent).toBeLessThan(60 * 1024 * 1024);
  });

  it('a listing that never ends: refused after 100,000 widgets, with the limit named', async () => {
    let pages = 0;
    const page = endlessPage(0);
    const url = await hostileApi((response) => {
      pages++;
      response.writeHead(200, { 'content-type': 'application/json' }).end(page);
    });
    const result = await run(url);
    expect(result.code).toBe(1);
    expect(result.errors).toEqual([
      expect.stringMatching(/the listing goes on beyond 100,000 widgets \(100 pages\), the most the action reads/),
    ]);
    expect(pages).toBe(100);
  }, 60_000); // 100 pages of 1000 widgets, parsed and checked: a few seconds on a loaded machine

  it('a listing of large pages that never ends: refused once its answers pass the listing bound', async () => {
    // At full size: pages of 1000 widgets of 40 KB (40 MB, under the 50 MB an answer), bound 100 MiB.
    // Here pages of about 410 KB and a bound of 1 MiB: three pages, not the hundred of the count bound.
    let pages = 0;
    const page = endlessPage(300);
    const url = await hostileApi((response) => {
      pages++;
      response.writeHead(200, { 'content-type': 'application/json' }).end(page);
    });
    const agent = new Agent();
    closers.push(() => agent.close());
    const client = new TurnstileClient({
      apiUrl: url,
      accountId: ACCOUNT,
      auth: { kind: 'token', token: 't0ken' },
      logger: { debug: () => {}, info: () => {} },
      dispatcher: agent,
      requestTimeoutMs: 600_000,
      maxRetries: 0,
      clock: virtualClock(),
      readLimits: { listingBytes: 1024 * 1024 },
    });
    const expected = Math.ceil((1024 * 1024) / Buffer.byteLength(page));
    expect(expected).toBe(3);
    await expect(client.listAll()).rejects.toThrow(
      /^Cloudflare API GET \S+ failed \(HTTP 200\): the listing goes on beyond 1 MiB of answers \(3 pages\), the most the action reads in one listing/,
    );
    expect(pages).toBe(3);
  });
});
