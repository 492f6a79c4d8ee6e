// How many hostnames a widget may have is Cloudflare's to decide (Free 10, Enterprise up to 200):
// the action sends every valid hostname it was given, and explains Cloudflare's refusal.
import { beforeEach, describe, expect, it } from 'vitest';
import { useEmulator } from './helpers/e2e.ts';

const t = useEmulator();
const OLD = '2026-01-01T00:00:00.000000Z';
const hosts = (count: number) => Array.from({ length: count }, (_, i) => `h${i}.example.com`);
const errorLines = (stdout: string) => stdout.split('\n').filter((line) => line.startsWith('::error'));
const writes = () => t.emulator.requests.filter((r) => r.method !== 'GET');

beforeEach(() => {
  t.emulator.setHostnameLimit(10); // the Free plan's documented limit, the emulator's default
});

describe('hostnames per widget: no local count, Cloudflare decides', () => {
  it('10 hostnames are accepted and sent, all of them', async () => {
    const count = 10;
    const run = await t.run({ domains: hosts(count).join('\n') });
    expect(run.code, run.stdout).toBe(0);
    const creates = t.emulator.requests.filter((r) => r.method === 'POST');
    expect(creates).toHaveLength(1);
    expect((creates[0]!.body as { domains: string[] }).domains).toEqual(hosts(count));
    expect(t.emulator.widgets()[0]!.domains).toHaveLength(count);
  });

  it('an update to 10 hostnames is sent in full', async () => {
    const made = await t.run({ domains: hosts(2).join(',') });
    expect(made.code).toBe(0);
    const run = await t.run({ sitekey: made.outputs.sitekey!, domains: hosts(10).join(',') });
    expect(run.code, run.stdout).toBe(0);
    const update = t.emulator.requests.find((r) => r.method === 'PUT');
    expect((update!.body as { domains: string[] }).domains).toEqual(hosts(10));
  });

  it("an 11th: Cloudflare's refusal verbatim with a hint naming the documented limits; nothing deleted", async () => {
    // A full account with closed previews: nothing about this refusal may be taken for the widget limit.
    t.emulator.seed([
      { name: 'preview-app-pr-1', created_on: OLD },
      ...Array.from({ length: 19 }, (_, i) => ({ name: `site-${i}`, created_on: OLD })),
    ]);
    const run = await t.run({ domains: hosts(11).join(','), 'github-token': '' });
    expect(run.code).toBe(1);
    expect(errorLines(run.stdout)).toEqual([
      expect.stringMatching(
        /^::error title=Cloudflare API error::Cloudflare API POST \S+ failed \(HTTP 400\): \[10002\] invalid value for `domains`, too many values \(max: 10\)\. Hint: the request sent 11 hostnames, and Cloudflare allows 10 per widget on the Free plan \(up to 200 on Enterprise\)/,
      ),
    ]);
    expect(writes().map((r) => r.method)).toEqual(['POST']);
    expect(t.emulator.widgets()).toHaveLength(20);
  });

  it('an 11th in an update: the same hint, the widget unchanged', async () => {
    const made = await t.run({ domains: hosts(10).join(',') });
    const run = await t.run({ sitekey: made.outputs.sitekey!, domains: hosts(11).join(',') });
    expect(run.code).toBe(1);
    expect(errorLines(run.stdout)).toEqual([
      expect.stringMatching(/\(HTTP 400\): .*Hint: the request sent 11 hostnames, and Cloudflare allows 10 per widget/),
    ]);
    expect(t.emulator.widgets()[0]!.domains).toHaveLength(10);
  });

  it('on a plan that allows more (Enterprise, up to 200), 11 are created', async () => {
    t.emulator.setHostnameLimit(200);
    const run = await t.run({ domains: hosts(11).join(',') });
    expect(run.code, run.stdout).toBe(0);
    expect(t.emulator.widgets()[0]!.domains).toHaveLength(11);
  });
});
