// Tests written for mutants that survived `npm run test:mutation -- api` in client.ts: the requests
// the client sends (headers, pages) and what a dropped or silent connection is reported as, run
// in-process against the emulator through a real undici Agent.
import { Agent, type Dispatcher } from 'undici';
import { describe, expect, it } from 'vitest';
import { TurnstileClient } from '../src/cloudflare/client.ts';
import { useEmulator } from './helpers/e2e.ts';
import { closedPort } from './helpers/ports.ts';
import { virtualClock } from './helpers/runner.ts';

const t = useEmulator();
/** The list endpoint's largest page, which the client asks for. */
const MAX_PER_PAGE = 1000;

/** A client on `agent` whose request options are recorded in `sent` before they go out. */
function recordingClient(agent: Agent, options: { apiUrl?: string; requestTimeoutMs?: number } = {}) {
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
  });
  return { client, sent };
}

/** A full page of MAX_PER_PAGE summaries like the emulator's, with `total_count` when given. */
async function fullPage(total?: number) {
  t.emulator.seed([{ name: 'w', domains: ['a.example.com'] }]);
  const agent = new Agent();
  try {
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
  } finally {
    await agent.destroy();
  }
}

describe('requests sent', () => {
  it('every request accepts JSON and names the action; only one with a body says it is JSON', async () => {
    const agent = new Agent();
    try {
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
    } finally {
      await agent.destroy();
    }
  });

  it('a full page that reaches total_count is the last one asked for', async () => {
    const page = await fullPage(MAX_PER_PAGE);
    t.emulator.injectFault({ kind: 'status', status: 200, method: 'GET', body: page });
    const agent = new Agent();
    try {
      const { client, sent } = recordingClient(agent);
      expect(await client.listAll()).toHaveLength(MAX_PER_PAGE);
      expect(sent).toHaveLength(1);
    } finally {
      await agent.destroy();
    }
  });

  it('a full page without total_count is followed by the next page', async () => {
    const page = await fullPage();
    t.emulator.injectFault({ kind: 'status', status: 200, method: 'GET', body: page });
    const agent = new Agent();
    try {
      const { client, sent } = recordingClient(agent);
      // The emulator's own second page is empty: the listing ends there.
      expect(await client.listAll()).toHaveLength(MAX_PER_PAGE);
      expect(sent.map((request) => new URLSearchParams(String(request.path).split('?')[1]).get('page'))).toEqual([
        '1',
        '2',
      ]);
    } finally {
      await agent.destroy();
    }
  });
});

describe('connections that fail', () => {
  it('a refused connection is a network error with its code', async () => {
    const agent = new Agent();
    try {
      // A port this test held a moment ago and closed again: nothing listens there now.
      const port = await closedPort();
      const { client } = recordingClient(agent, { apiUrl: `http://127.0.0.1:${port}` });
      await expect(client.listAll()).rejects.toThrow(
        new RegExp(`network error ECONNREFUSED: connect ECONNREFUSED 127\\.0\\.0\\.1:${port}`),
      );
    } finally {
      await agent.destroy();
    }
  });

  it("undici's own headers timeout is reported as no response in time", async () => {
    t.emulator.injectFault({ kind: 'hang' });
    const agent = new Agent({ headersTimeout: 50 });
    try {
      const { client } = recordingClient(agent, { requestTimeoutMs: 600_000 });
      await expect(client.listAll()).rejects.toThrow(/no response within 600 s/);
    } finally {
      await agent.destroy();
    }
  });
});
