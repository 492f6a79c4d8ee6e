// api-url: plain http only to this machine, and credentials in it never echoed. The action runs
// in-process with a dispatcher that refuses every connection, so no test reaches the network.
import { MockAgent } from 'undici';
import { afterEach, describe, expect, it } from 'vitest';
import { runInProcess } from './helpers/runner.ts';

const agents: MockAgent[] = [];
afterEach(async () => {
  for (const agent of agents.splice(0)) await agent.close();
});

async function run(apiUrl: string) {
  const agent = new MockAgent();
  agent.disableNetConnect();
  agents.push(agent);
  const inputs = {
    'api-token': 'cf-test-token-0123456789',
    'account-id': '0123456789abcdef0123456789abcdef',
    'api-url': apiUrl,
  };
  const result = await runInProcess(
    { ...inputs, domains: 'pr-42.example.com', 'max-retries': '0' },
    { dispatcher: agent },
  );
  const errors = result.stdout.split('\n').filter((line) => line.startsWith('::error'));
  return { ...result, errors };
}

describe('api-url', () => {
  it.each([
    'http://127.attacker.example/client/v4',
    'http://127.0.0.1.nip.io/client/v4',
    'http://127.0.0.1.example/client/v4',
    'http://localhost.example/client/v4',
    'http://[::2]/client/v4',
    'http://10.0.0.1/client/v4',
  ])('%s: refused before any request, plain http is for loopback only', async (apiUrl) => {
    const result = await run(apiUrl);
    expect(result.code).toBe(1);
    expect(result.errors).toEqual([
      expect.stringMatching(/^::error title=Invalid input%3A api-url::Input "api-url" .*must use https:\/\//),
    ]);
  });

  it.each([
    'http://127.0.0.1:8787/client/v4',
    'http://127.1/client/v4',
    'http://127.255.255.254/client/v4',
    'http://0x7f.0.0.1/client/v4',
    'http://localhost:8787/client/v4',
    'http://[::1]:8787/client/v4',
  ])('%s: accepted (the run gets as far as the network)', async (apiUrl) => {
    const result = await run(apiUrl);
    expect(result.code).toBe(1);
    expect(result.errors).toEqual([expect.stringMatching(/^::error title=Cloudflare API error::/)]);
  });

  it.each([
    'http://user:hunter2-secret@api.example.com/client/v4',
    'https://user:hunter2-secret@api.cloudflare.com/client/v4',
    'http://user:hunter2-secret@127.0.0.1/client/v4',
    'https://:hunter2-secret@api.cloudflare.com/client/v4',
    'https://user:hunter2/secret@api.cloudflare.com/client/v4',
    'user:hunter2-secret@api.cloudflare.com',
  ])('%s: refused without echoing the credentials anywhere', async (apiUrl) => {
    const result = await run(apiUrl);
    expect(result.code).toBe(1);
    expect(result.errors).toEqual([expect.stringMatching(/^::error title=Invalid input%3A api-url::/)]);
    for (const text of [result.stdout, result.summary]) expect(text).not.toMatch(/hunter2/);
  });
});
