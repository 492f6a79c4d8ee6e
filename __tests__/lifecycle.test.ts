// get, delete, rotate-secret and prune, driven directly against the emulator, and run in-process for what
// the user reads (log lines, outputs, summary).
import { describe, expect, it } from 'vitest';
import { runDelete } from '../src/operations/delete.ts';
import { runGet } from '../src/operations/get.ts';
import { PRUNE_CONCURRENCY, runPrune } from '../src/operations/prune.ts';
import { runRotateSecret } from '../src/operations/rotate.ts';
import { shown, useEmulator, writes, type ActionRun } from './helpers/e2e.ts';
import { calls, emulatorContext } from './helpers/operations.ts';
import { virtualClock } from './helpers/runner.ts';
import { settings } from './helpers/settings.ts';

const t = useEmulator();
const DAY = 86_400_000;
const ref = ({ sitekey, name }: { sitekey: string; name: string }) => ({ sitekey, name });
const lines = (run: ActionRun) => run.stdout.split('\n');
const errorLines = (run: ActionRun) => lines(run).filter((line) => line.startsWith('::error'));

const A = '0x4AAAAAAAaaaaaaaaaaaaaa';
const B = '0x4AAAAAAAbbbbbbbbbbbbbb';
const C = '0x4AAAAAAAcccccccccccccc';
const SAME_TIME = '2026-01-01T00:00:00Z';

/** Three widgets named "dup", created in the same second: the order is by sitekey, whatever the listing's. */
function seedDuplicates() {
  return t.emulator.seed([
    { name: 'dup', domains: ['a.example.com'], created_on: SAME_TIME, sitekey: B },
    { name: 'dup', domains: ['a.example.com'], created_on: SAME_TIME, sitekey: A },
    { name: 'dup', domains: ['a.example.com'], created_on: SAME_TIME, sitekey: C },
  ]);
}

describe('get', () => {
  it('by sitekey: one GET, and says which widget it read', async () => {
    const [w] = t.emulator.seed([{ name: 'app-pr-1' }]);
    const { context, logger } = emulatorContext(t.emulator);
    const result = await runGet(settings({ operation: 'get', sitekey: w!.sitekey }), context);
    expect(result).toMatchObject({ outcome: 'read', created: false, updated: false });
    expect(result.widget?.secret).toBe(w!.secret);
    expect(calls(t.emulator)).toEqual([`GET /${w!.sitekey}`]);
    expect(logger.lines.filter((l) => l.level === 'info')).toEqual([
      { level: 'info', message: `Read widget "app-pr-1" (${w!.sitekey}).` },
    ]);
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

  it('a dry run by sitekey names the widget, or says there is none', async () => {
    seedDuplicates();
    const found = await t.run({ operation: 'delete', sitekey: B, 'dry-run': 'true' });
    expect(shown(found.stdout)).toEqual([`Dry run: would delete 1 widget(s) with sitekey ${B}: ${B}.`]);
    expect(found.outputs).toEqual({ created: 'false', updated: 'false', deleted: JSON.stringify([B]) });
    const missing = await t.run({ operation: 'delete', sitekey: '0x4AAAAAAAdddddddddddddd', 'dry-run': 'true' });
    expect(shown(missing.stdout)).toEqual([
      'Dry run: no widget with sitekey 0x4AAAAAAAdddddddddddddd; nothing to delete.',
    ]);
    expect(writes(t.emulator)).toEqual([]);
  });

  it('a dry run by sitekey names only that widget, should the filter also match longer sitekeys', async () => {
    // The API reference calls the sitekey filter a substring match (the emulator's is exact).
    t.emulator.seed([
      { name: 'app-pr-1', sitekey: A },
      { name: 'app-pr-2', sitekey: `${A}x` },
    ]);
    const both = t.emulator.widgets().map(({ secret: _secret, ...widget }) => widget);
    t.emulator.injectFault({
      kind: 'status',
      status: 200,
      method: 'GET',
      body: { success: true, errors: [], messages: [], result: both, result_info: { count: 2, total_count: 2 } },
    });
    const run = await t.run({ operation: 'delete', sitekey: A, 'dry-run': 'true' });
    expect(shown(run.stdout)).toEqual([`Dry run: would delete 1 widget(s) with sitekey ${A}: ${A}.`]);
    expect(run.outputs.deleted).toBe(JSON.stringify([A]));
  });

  it('a dry run by name lists every sitekey, oldest first', async () => {
    seedDuplicates();
    const run = await t.run({ operation: 'delete', name: 'dup', 'dry-run': 'true' });
    expect(shown(run.stdout)).toEqual([`Dry run: would delete 3 widget(s) named "dup": ${A}, ${B}, ${C}.`]);
  });

  it('by name deletes every widget and lists each with its name', async () => {
    seedDuplicates();
    const run = await t.run({ operation: 'delete', name: 'dup' });
    expect(shown(run.stdout)).toEqual([`Deleted 3 widget(s) named "dup": "dup" (${A}), "dup" (${B}), "dup" (${C}).`]);
    expect(run.outputs).toEqual({ created: 'false', updated: 'false', deleted: JSON.stringify([A, B, C]) });
    expect(run.summary).not.toContain('Changes');
  });

  it('a refused DELETE other than 404 fails the step, it is not taken for "already gone"', async () => {
    seedDuplicates();
    t.emulator.injectFault({ kind: 'status', status: 403, method: 'DELETE' });
    const run = await t.run({ operation: 'delete', sitekey: A });
    expect(run.code).toBe(1);
    expect(run.stdout).not.toContain('Deleted');
    expect(t.emulator.widgets().map((w) => w.sitekey)).toContain(A);
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

  it('a dry run says which widget and what happens to the old secret, and rotates nothing', async () => {
    t.emulator.seed([{ name: 'one', domains: ['a.example.com'], sitekey: A }]);
    for (const [invalidate, grace] of [
      ['false', 'the old secret keeps working for two hours'],
      ['true', 'the old secret stops working now'],
    ]) {
      const run = await t.run({
        operation: 'rotate-secret',
        name: 'one',
        'dry-run': 'true',
        'invalidate-immediately': invalidate!,
      });
      expect(shown(run.stdout)).toEqual([`Dry run: would rotate the secret of widget "one" (${A}); ${grace}.`]);
      expect(run.outputs).toEqual({ created: 'false', updated: 'false' });
    }
    expect(writes(t.emulator)).toEqual([]);
  });

  it('rotates, says so, and reports the change', async () => {
    const [widget] = t.emulator.seed([{ name: 'one', domains: ['a.example.com'], sitekey: A }]);
    const run = await t.run({ operation: 'rotate-secret', name: 'one', 'invalidate-immediately': 'true' });
    expect(shown(run.stdout)).toEqual([`Rotated the secret of widget "one" (${A}); the old secret stops working now.`]);
    expect(run.outputs).toMatchObject({ created: 'false', updated: 'true' });
    expect(run.outputs.secret).not.toBe(widget!.secret);
    expect(run.summary).toContain('secret: rotated');
  });

  // invalidate-immediately false: a re-sent POST would also be refused (the grace period).
  it('rotate-secret whose response is lost after the rotation: adopts the new secret, rotates once', async () => {
    const [seeded] = t.emulator.seed([{ name: 'preview-app-pr-42', domains: ['pr-42.example.com'] }]);
    t.emulator.injectFault({ kind: 'lost-response', method: 'POST', path: /\/rotate_secret$/ });
    const run = await t.run({ operation: 'rotate-secret', 'invalidate-immediately': 'false' });
    expect(run.code, run.stdout).toBe(0);
    const [now] = t.emulator.widgets();
    expect(now!.secret).not.toBe(seeded!.secret);
    expect(run.outputs.secret).toBe(now!.secret);
    expect(run.outputs).toMatchObject({ sitekey: seeded!.sitekey, updated: 'true' });
    // One rotation: a re-sent POST would be recorded (and, in the grace period, refused with 400).
    expect(writes(t.emulator)).toEqual([
      `POST /accounts/${t.emulator.accountId}/challenges/widgets/${seeded!.sitekey}/rotate_secret`,
    ]);
    expect(t.emulator.requests.filter((r) => r.status >= 400)).toEqual([]);
    // A plain log line: nothing for the user to act on, so no annotation.
    expect(lines(run)).toContainEqual(expect.stringMatching(/^The rotate_secret response was lost.*has a new secret/));
    expect(lines(run).filter((line) => line.startsWith('::warning'))).toEqual([]);
    expect(errorLines(run)).toEqual([]);
  });

  it('rotate-secret refused on the network before it acted: the widget still has its secret, so it rotates again, once', async () => {
    const [seeded] = t.emulator.seed([{ name: 'preview-app-pr-42' }]);
    t.emulator.injectFault({ kind: 'reset', method: 'POST', path: /\/rotate_secret$/ });
    const run = await t.run({ operation: 'rotate-secret' });
    expect(run.code, run.stdout).toBe(0);
    const [now] = t.emulator.widgets();
    expect(now!.secret).not.toBe(seeded!.secret);
    expect(run.outputs.secret).toBe(now!.secret);
    const rotate = `POST /accounts/${t.emulator.accountId}/challenges/widgets/${seeded!.sitekey}/rotate_secret`;
    expect(writes(t.emulator)).toEqual([rotate, rotate]);
    expect(t.emulator.requests.filter((r) => r.method === 'POST').map((r) => r.status)).toEqual([0, 200]);
    expect(lines(run)).toContainEqual(expect.stringMatching(/rotate_secret: no usable answer; checking in \d+\.\d s/));
  });
});

describe('a refused rotation', () => {
  it.each([
    [30, 'the widget last changed 30 min ago'],
    [180, undefined],
  ])('of a widget changed %i min ago: the grace-period hint only within two hours', async (minutes, hint) => {
    const modified = new Date(Date.now() - minutes * 60_000).toISOString();
    t.emulator.seed([{ name: 'one', domains: ['a.example.com'], sitekey: A, modified_on: modified }]);
    t.emulator.injectFault({ kind: 'status', status: 400, method: 'POST', path: /rotate_secret/ });
    const run = await t.run({ operation: 'rotate-secret', sitekey: A });
    expect(run.code).toBe(1);
    const error = run.stdout.split('\n').find((line) => line.startsWith('::error'))!;
    if (hint) expect(error).toContain(hint);
    else expect(error).not.toContain('previous one');
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

  it('a widget created exactly older-than ago is old enough; one a millisecond younger is kept', async () => {
    const start = Date.parse('2026-06-08T00:00:00.000Z');
    const [exactly] = t.emulator.seed([
      { name: 'app-pr-1', created_on: new Date(start - 7 * DAY).toISOString() },
      { name: 'app-pr-2', created_on: new Date(start - 7 * DAY + 1).toISOString() },
    ]);
    const result = await runPrune(
      settings({ operation: 'prune', namePrefix: 'app-pr-' }),
      emulatorContext(t.emulator, { clock: virtualClock(start) }).context,
    );
    expect(result.deleted).toEqual([ref(exactly!)]);
    expect(result.kept?.map((k) => [k.widget.name, k.reason])).toEqual([
      ['app-pr-2', 'created 2026-06-01T00:00:00.001Z, newer than older-than'],
    ]);
  });

  it('when GitHub cannot be asked, keeps every old pull-request preview and says why for each', async () => {
    t.emulator.seed([
      { name: 'app-pr-1', created_on: ago(30) },
      { name: 'app-pr-2', created_on: ago(30) },
    ]);
    const unreachable = async (): Promise<Set<number>> => {
      throw new Error('GitHub API: listing the open pull requests of octo-org/app failed (HTTP 503).');
    };
    const result = await runPrune(
      settings({ operation: 'prune', namePrefix: 'app-pr-' }),
      emulatorContext(t.emulator, { openPullRequests: unreachable }).context,
    );
    expect(result.deleted).toEqual([]);
    expect(result.kept?.map((k) => [k.widget.name, k.reason])).toEqual([
      ['app-pr-1', 'it may still be live (GitHub could not be asked)'],
      ['app-pr-2', 'it may still be live (GitHub could not be asked)'],
    ]);
    expect(writes(t.emulator)).toEqual([]);
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

  it('a run deletes over several connections at once', async () => {
    t.emulator.seed(Array.from({ length: 12 }, (_, i) => ({ name: `app-pr-${i}`, created_on: ago(30) })));
    const run = await t.run({ operation: 'prune', 'name-prefix': 'app-pr-' });
    expect(run.code, run.stdout).toBe(0);
    expect(t.emulator.widgets()).toEqual([]);
    expect(t.emulator.connections).toBeGreaterThan(1);
  });

  it('when a DELETE is refused, the run fails once the DELETEs in flight are answered', async () => {
    const [refused, ...others] = t.emulator.seed(
      Array.from({ length: 11 }, (_, i) => ({ name: `app-pr-${i}`, created_on: ago(30 + i) })),
    );
    t.emulator.injectFault({ kind: 'status', status: 403, method: 'DELETE', path: new RegExp(refused!.sitekey) });
    // The others answer after the refusal: the run ends while they are still in flight.
    t.emulator.injectFault({ kind: 'delay', ms: 20, method: 'DELETE', times: 10 });
    const run = await t.run({ operation: 'prune', 'name-prefix': 'app-pr-' });
    expect(run.code).toBe(1);
    expect(errorLines(run)).toHaveLength(1);
    // The DELETEs in flight were answered before the run ended; at most the one widget no worker had
    // reached yet is left beside the refused one (the others would be deleted only after the run ended).
    const left = t.emulator.widgets().map((w) => w.sitekey);
    expect(left).toContain(refused!.sitekey);
    expect(left.length).toBeLessThanOrEqual(1 + others.length - (PRUNE_CONCURRENCY - 1));
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

describe('widgets with one name, created in the same second', () => {
  it.each(['get', 'rotate-secret'])(
    '%s uses the lowest sitekey and names the others, as ensure does',
    async (operation) => {
      seedDuplicates();
      const run = await t.run({ operation, name: 'dup', 'dry-run': 'true' });
      expect(run.code).toBe(0);
      expect(shown(run.stdout)[0]).toBe(
        `::warning title=Duplicate widget names::3 widgets are named "dup"; using the oldest (${A}). The others (${B}, ${C}) are not used by this step: delete them with operation: delete and their sitekey.`,
      );
      expect(run.summary).not.toContain('Changes');
    },
  );

  it('ensure uses the lowest sitekey and names the others', async () => {
    seedDuplicates();
    const run = await t.run({ name: 'dup', domains: 'a.example.com' });
    expect(shown(run.stdout)).toEqual([
      `::warning title=Duplicate widget names::3 widgets are named "dup"; using the oldest (${A}). The others (${B}, ${C}) are not used by this step: delete them with operation: delete and their sitekey.`,
      `Widget "dup" (${A}) is up to date.`,
    ]);
    expect(run.outputs).toMatchObject({ sitekey: A, created: 'false', updated: 'false' });
  });

  it('one widget of that name gets no warning', async () => {
    t.emulator.seed([{ name: 'one', domains: ['a.example.com'], sitekey: A }]);
    const inputs: Record<string, string>[] = [
      { operation: 'get', name: 'one' },
      { name: 'one', domains: 'a.example.com' },
    ];
    for (const input of inputs) {
      const run = await t.run(input);
      expect(run.stdout).not.toContain('::warning');
    }
  });
});
