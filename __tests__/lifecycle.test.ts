// get, delete, rotate-secret and prune, driven directly against the emulator.
import { describe, expect, it } from 'vitest';
import { runDelete } from '../src/operations/delete.ts';
import { runGet } from '../src/operations/get.ts';
import { runPrune } from '../src/operations/prune.ts';
import { runRotateSecret } from '../src/operations/rotate.ts';
import { useEmulator } from './helpers/e2e.ts';
import { calls, emulatorContext } from './helpers/operations.ts';
import { settings } from './helpers/settings.ts';

const t = useEmulator();
const DAY = 86_400_000;
const ref = ({ sitekey, name }: { sitekey: string; name: string }) => ({ sitekey, name });

describe('get', () => {
  it('by sitekey: one GET', async () => {
    const [w] = t.emulator.seed([{ name: 'app-pr-1' }]);
    const result = await runGet(
      settings({ operation: 'get', sitekey: w!.sitekey }),
      emulatorContext(t.emulator).context,
    );
    expect(result).toMatchObject({ outcome: 'read', created: false, updated: false });
    expect(result.widget?.secret).toBe(w!.secret);
    expect(calls(t.emulator)).toEqual([`GET /${w!.sitekey}`]);
  });

  it('by exact name: the oldest widget of that name', async () => {
    const [, , oldest] = t.emulator.seed([
      { name: 'APP-PR-1', created_on: '2025-12-01T00:00:00Z' },
      { name: 'app-pr-1', created_on: '2026-03-01T00:00:00Z' },
      { name: 'app-pr-1', created_on: '2026-01-01T00:00:00Z' },
    ]);
    const result = await runGet(settings({ operation: 'get' }), emulatorContext(t.emulator).context);
    expect(result.widget?.sitekey).toBe(oldest!.sitekey);
  });

  it('fails clearly when no widget has the name', async () => {
    await expect(runGet(settings({ operation: 'get' }), emulatorContext(t.emulator).context)).rejects.toThrow(
      /No Turnstile widget named "app-pr-1" exists/,
    );
  });
});

describe('delete', () => {
  it('deletes every widget with the exact name', async () => {
    const [a, b, other] = t.emulator.seed([{ name: 'app-pr-1' }, { name: 'app-pr-1' }, { name: 'app-pr-10' }]);
    const result = await runDelete(settings({ operation: 'delete' }), emulatorContext(t.emulator).context);
    expect(result.outcome).toBe('deleted');
    const bySitekey = (x: { sitekey: string }, y: { sitekey: string }) => x.sitekey.localeCompare(y.sitekey);
    expect(result.deleted?.toSorted(bySitekey)).toEqual([ref(a!), ref(b!)].toSorted(bySitekey));
    expect(t.emulator.widgets().map(ref)).toEqual([ref(other!)]);
  });

  it('is idempotent: nothing to delete (or already gone) is success with deleted=[]', async () => {
    const { context } = emulatorContext(t.emulator);
    expect(await runDelete(settings({ operation: 'delete' }), context)).toMatchObject({
      outcome: 'nothing to delete',
      deleted: [],
    });
    const gone = '0x4AAAAAAAgone';
    expect(await runDelete(settings({ operation: 'delete', sitekey: gone }), context)).toMatchObject({
      outcome: 'nothing to delete',
      deleted: [],
    });
    expect(t.emulator.requests.at(-1)).toMatchObject({ method: 'DELETE', status: 404 });
  });

  it('rethrows a failed DELETE other than "already gone"', async () => {
    const [w] = t.emulator.seed([{ name: 'app-pr-1' }]);
    t.emulator.injectFault({ kind: 'status', status: 403, method: 'DELETE' });
    await expect(
      runDelete(settings({ operation: 'delete', sitekey: w!.sitekey }), emulatorContext(t.emulator).context),
    ).rejects.toThrow(/HTTP 403/);
    expect(t.emulator.widgets()).toHaveLength(1);
  });

  it('dry run lists what it would delete and deletes nothing', async () => {
    const [a] = t.emulator.seed([{ name: 'app-pr-1' }]);
    const result = await runDelete(
      settings({ operation: 'delete', dryRun: true }),
      emulatorContext(t.emulator).context,
    );
    expect(result).toMatchObject({ outcome: 'would delete', deleted: [ref(a!)] });
    expect(t.emulator.requests.every((r) => r.method === 'GET')).toBe(true);
  });

  it('dry run by sitekey finds the widget through the exact sitekey filter, or says there is none', async () => {
    const [a] = t.emulator.seed([{ name: 'app-pr-1' }, { name: 'app-pr-2' }]);
    const { context, logger } = emulatorContext(t.emulator);
    const found = await runDelete(settings({ operation: 'delete', sitekey: a!.sitekey, dryRun: true }), context);
    expect(found).toMatchObject({ outcome: 'would delete', deleted: [ref(a!)] });
    const none = await runDelete(settings({ operation: 'delete', sitekey: '0x4AAAAAAAgone', dryRun: true }), context);
    expect(none).toMatchObject({ outcome: 'would delete', deleted: [] });
    expect(t.emulator.requests.map((r) => [r.method, r.query.filter])).toEqual([
      ['GET', `sitekey:${a!.sitekey}`],
      ['GET', 'sitekey:0x4AAAAAAAgone'],
    ]);
    expect(logger.lines.filter((l) => l.level === 'info').map((l) => l.message)).toEqual([
      `Dry run: would delete 1 widget(s) with sitekey ${a!.sitekey}: ${a!.sitekey}.`,
      'Dry run: no widget with sitekey 0x4AAAAAAAgone; nothing to delete.',
    ]);
    expect(t.emulator.widgets()).toHaveLength(2);
  });
});

describe('rotate-secret', () => {
  it('posts invalidate_immediately and returns the new secret', async () => {
    const [w] = t.emulator.seed([{ name: 'app-pr-1' }]);
    const result = await runRotateSecret(
      settings({ operation: 'rotate-secret', sitekey: w!.sitekey, invalidateImmediately: true }),
      emulatorContext(t.emulator).context,
    );
    expect(result).toMatchObject({ outcome: 'rotated', updated: true });
    const [now] = t.emulator.widgets();
    expect(now!.secret).not.toBe(w!.secret);
    expect(result.widget?.secret).toBe(now!.secret);
    expect(t.emulator.requests[1]!.body).toEqual({ invalidate_immediately: true });
  });

  it('dry run: reads the widget, says what it would do and rotates nothing', async () => {
    const [w] = t.emulator.seed([{ name: 'app-pr-1' }]);
    const { context, logger } = emulatorContext(t.emulator);
    const result = await runRotateSecret(
      settings({ operation: 'rotate-secret', sitekey: w!.sitekey, dryRun: true }),
      context,
    );
    expect(result).toMatchObject({
      outcome: 'would rotate',
      updated: false,
      widget: undefined,
      planned: { name: 'app-pr-1' },
    });
    expect(logger.lines.map((l) => l.message)).toContainEqual(
      `Dry run: would rotate the secret of widget "app-pr-1" (${w!.sitekey}); the old secret keeps working for two hours.`,
    );
    expect(t.emulator.widgets()[0]!.secret).toBe(w!.secret);
    expect(t.emulator.requests.every((r) => r.method === 'GET')).toBe(true);
  });
});

describe('prune', () => {
  const ago = (days: number) => new Date(Date.now() - days * DAY).toISOString();

  it('deletes old widgets with the prefix, keeps new ones, other names and open pull requests', async () => {
    const [old1, old2] = t.emulator.seed([
      { name: 'app-pr-1', created_on: ago(30) },
      { name: 'app-pr-2', created_on: ago(8) },
      { name: 'app-pr-3', created_on: ago(30) },
      { name: 'app-pr-4', created_on: ago(1) },
      { name: 'APP-pr-5', created_on: ago(30) }, // the filter is case-insensitive; the prefix is not
      { name: 'my-app-pr-6', created_on: ago(30) }, // substring match, not a prefix
    ]);
    const result = await runPrune(
      settings({ operation: 'prune', namePrefix: 'app-pr-' }),
      emulatorContext(t.emulator, { openPullRequests: async () => new Set([3]) }).context,
    );
    expect(result.deleted?.map((w) => w.sitekey)).toEqual([old1!.sitekey, old2!.sitekey]);
    expect(result.kept?.map((k) => [k.widget.name, k.reason])).toEqual([
      ['app-pr-3', 'pull request #3 is still open'],
      ['app-pr-4', expect.stringMatching(/newer than older-than/)],
    ]);
    expect(t.emulator.requests[0]!.query.filter).toBe('name:app-pr-');
  });

  it('runs deletes concurrently, bounded', async () => {
    t.emulator.seed(Array.from({ length: 25 }, (_, i) => ({ name: `app-pr-${i}`, created_on: ago(30) })));
    const { context, client } = emulatorContext(t.emulator);
    let inFlight = 0;
    let peak = 0;
    const original = client.delete.bind(client);
    client.delete = async (sitekey) => {
      inFlight++;
      peak = Math.max(peak, inFlight);
      try {
        return await original(sitekey);
      } finally {
        inFlight--;
      }
    };
    const result = await runPrune(settings({ operation: 'prune', namePrefix: 'app-pr-' }), context);
    expect(result.deleted).toHaveLength(25);
    expect(peak).toBe(10);
    expect(t.emulator.widgets()).toEqual([]);
  });

  it('dry run deletes nothing', async () => {
    const [old] = t.emulator.seed([{ name: 'app-pr-1', created_on: ago(30) }]);
    const result = await runPrune(
      settings({ operation: 'prune', namePrefix: 'app-pr-', dryRun: true }),
      emulatorContext(t.emulator).context,
    );
    expect(result).toMatchObject({ outcome: 'would prune', deleted: [ref(old!)] });
    expect(t.emulator.requests).toHaveLength(1);
  });
});
