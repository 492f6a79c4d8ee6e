import { describe, expect, it } from 'vitest';
import { runDelete } from '../src/operations/delete.ts';
import { runGet } from '../src/operations/get.ts';
import { runPrune } from '../src/operations/prune.ts';
import { runRotateSecret } from '../src/operations/rotate.ts';
import { fail, listOf, mockApi, ok, widget } from './helpers/mock-api.ts';
import { settings } from './helpers/settings.ts';

const DAY = 86_400_000;
const paths = (api: ReturnType<typeof mockApi>) =>
  api.requests.map((r) => `${r.method} ${r.path.split('?')[0]!.replace(/.*\/widgets/, '') || '/'}`);

describe('get', () => {
  it('by sitekey: one GET', async () => {
    const api = mockApi();
    const w = widget();
    api.on('GET', `/${w.sitekey}`, ok(w));
    const result = await runGet(settings({ operation: 'get', sitekey: w.sitekey }), api.context());
    expect(result).toMatchObject({ outcome: 'read', created: false, updated: false });
    expect(result.widget?.secret).toBe(w.secret);
    expect(paths(api)).toEqual([`GET /${w.sitekey}`]);
  });

  it('by exact name: the oldest widget of that name', async () => {
    const api = mockApi();
    const newer = widget({ name: 'app-pr-1', created_on: '2026-03-01T00:00:00Z' });
    const oldest = widget({ name: 'app-pr-1', created_on: '2026-01-01T00:00:00Z' });
    api.on('GET', '', listOf([widget({ name: 'APP-PR-1' }), newer, oldest]));
    api.on('GET', `/${oldest.sitekey}`, ok(oldest));
    const result = await runGet(settings({ operation: 'get' }), api.context());
    expect(result.widget?.sitekey).toBe(oldest.sitekey);
  });

  it('fails clearly when no widget has the name', async () => {
    const api = mockApi();
    api.on('GET', '', listOf([]));
    await expect(runGet(settings({ operation: 'get' }), api.context())).rejects.toThrow(
      /No Turnstile widget named "app-pr-1" exists/,
    );
  });
});

describe('delete', () => {
  it('deletes every widget with the exact name', async () => {
    const api = mockApi();
    const a = widget();
    const b = widget();
    api.on('GET', '', listOf([a, b, widget({ name: 'app-pr-10' })]));
    api.on('DELETE', `/${a.sitekey}`, ok(a));
    api.on('DELETE', `/${b.sitekey}`, ok(b));
    const result = await runDelete(settings({ operation: 'delete' }), api.context());
    expect(result).toMatchObject({
      outcome: 'deleted',
      deleted: [a, b].map(({ sitekey, name }) => ({ sitekey, name })),
    });
  });

  it('is idempotent: nothing to delete (or already gone) is success with deleted=[]', async () => {
    const api = mockApi();
    api.on('GET', '', listOf([]));
    expect(await runDelete(settings({ operation: 'delete' }), api.context())).toMatchObject({
      outcome: 'nothing to delete',
      deleted: [],
    });
    api.on('DELETE', '/0x4AAAAAAAgone', fail(404, 10404, 'Not Found'));
    expect(await runDelete(settings({ operation: 'delete', sitekey: '0x4AAAAAAAgone' }), api.context())).toMatchObject({
      deleted: [],
    });
  });

  it('dry run lists what it would delete and deletes nothing', async () => {
    const api = mockApi();
    const a = widget();
    api.on('GET', '', listOf([a]));
    const result = await runDelete(settings({ operation: 'delete', dryRun: true }), api.context());
    expect(result).toMatchObject({ outcome: 'would delete', deleted: [{ sitekey: a.sitekey, name: a.name }] });
    expect(api.requests.every((r) => r.method === 'GET')).toBe(true);
  });
});

describe('rotate-secret', () => {
  it('posts invalidate_immediately and returns the new secret', async () => {
    const api = mockApi();
    const w = widget();
    const rotated = { ...w, secret: '0x4AAAAAAAnew-secret' };
    api.on('GET', `/${w.sitekey}`, ok(w));
    api.on('POST', `/${w.sitekey}/rotate_secret`, ok(rotated));
    const result = await runRotateSecret(
      settings({ operation: 'rotate-secret', sitekey: w.sitekey, invalidateImmediately: true }),
      api.context(),
    );
    expect(result).toMatchObject({ outcome: 'rotated', updated: true });
    expect(result.widget?.secret).toBe('0x4AAAAAAAnew-secret');
    expect(api.requests[1]!.body).toEqual({ invalidate_immediately: true });
  });
});

describe('prune', () => {
  const now = Date.parse('2026-11-25T00:00:00Z');
  const ago = (days: number) => new Date(now - days * DAY).toISOString();

  it('deletes old widgets with the prefix, keeps new ones, other names and open pull requests', async () => {
    const api = mockApi();
    const old1 = widget({ name: 'app-pr-1', created_on: ago(30) });
    const old2 = widget({ name: 'app-pr-2', created_on: ago(8) });
    const openPr = widget({ name: 'app-pr-3', created_on: ago(30) });
    const fresh = widget({ name: 'app-pr-4', created_on: ago(1) });
    const otherCase = widget({ name: 'APP-pr-5', created_on: ago(30) }); // the filter is case-insensitive; the prefix is not
    const notPrefix = widget({ name: 'my-app-pr-6', created_on: ago(30) }); // substring match, not a prefix
    api.on('GET', '', listOf([old1, old2, openPr, fresh, otherCase, notPrefix]));
    api.on('DELETE', `/${old1.sitekey}`, ok(old1));
    api.on('DELETE', `/${old2.sitekey}`, ok(old2));
    const result = await runPrune(
      settings({ operation: 'prune', namePrefix: 'app-pr-' }),
      api.context({ openPullRequests: async () => new Set([3]) }),
    );
    expect(result.deleted?.map((w) => w.sitekey)).toEqual([old1.sitekey, old2.sitekey]);
    expect(result.kept?.map((k) => [k.widget.name, k.reason])).toEqual([
      ['app-pr-3', 'pull request #3 is still open'],
      ['app-pr-4', expect.stringMatching(/newer than older-than/)],
    ]);
    expect(api.requests[0]!.path).toContain('filter=name%3Aapp-pr-');
  });

  it('runs deletes concurrently, bounded', async () => {
    const api = mockApi();
    const old = Array.from({ length: 25 }, (_, i) => widget({ name: `app-pr-${i}`, created_on: ago(30) }));
    api.on('GET', '', listOf(old));
    let inFlight = 0;
    let peak = 0;
    for (const w of old) {
      api.on('DELETE', `/${w.sitekey}`, () => ok(w));
    }
    const client = api.client();
    const original = client.delete.bind(client);
    client.delete = async (sitekey) => {
      inFlight++;
      peak = Math.max(peak, inFlight);
      await new Promise((resolve) => setTimeout(resolve, 5));
      try {
        return await original(sitekey);
      } finally {
        inFlight--;
      }
    };
    const result = await runPrune(settings({ operation: 'prune', namePrefix: 'app-pr-' }), api.context({ client }));
    expect(result.deleted).toHaveLength(25);
    expect(peak).toBe(10);
  });

  it('dry run deletes nothing', async () => {
    const api = mockApi();
    const old = widget({ name: 'app-pr-1', created_on: ago(30) });
    api.on('GET', '', listOf([old]));
    const result = await runPrune(settings({ operation: 'prune', namePrefix: 'app-pr-', dryRun: true }), api.context());
    expect(result).toMatchObject({ outcome: 'would prune', deleted: [{ sitekey: old.sitekey, name: old.name }] });
    expect(api.requests).toHaveLength(1);
  });
});
