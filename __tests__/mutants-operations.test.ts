// Tests written for mutants that survived `npm run test:mutation -- operations`: what each operation
// tells the user (its log lines, outputs and summary) in the cases no other test pinned down, run
// in-process against the emulator.
import { describe, expect, it } from 'vitest';
import { useEmulator, writes } from './helpers/e2e.ts';

const t = useEmulator();

/** The lines a user reads in the log: no debug lines, masks or groups. */
const shown = (stdout: string) =>
  stdout.split('\n').filter((line) => line && !/^::(debug|add-mask|group|endgroup)::/.test(line));

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

describe('delete', () => {
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

  it('a request that never reached Cloudflare is sent again, not answered with the old secret', async () => {
    const [widget] = t.emulator.seed([{ name: 'one', domains: ['a.example.com'], sitekey: A }]);
    t.emulator.injectFault({ kind: 'reset', method: 'POST', path: /rotate_secret/ });
    const run = await t.run({ operation: 'rotate-secret', sitekey: A });
    expect(run.code).toBe(0);
    expect(run.outputs.secret).not.toBe(widget!.secret);
    expect(run.outputs.secret).toBe(t.emulator.widgets()[0]!.secret);
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

describe('create', () => {
  it('a dry run names every hostname and creates nothing', async () => {
    const run = await t.run({
      operation: 'create',
      name: 'new',
      domains: 'x.example.com,y.example.com',
      'dry-run': 'true',
    });
    expect(shown(run.stdout)).toEqual(['Dry run: would create widget "new" for x.example.com, y.example.com.']);
    expect(run.outputs).toEqual({ created: 'false', updated: 'false' });
    expect(t.emulator.requests).toEqual([]);
  });

  it('creates, says so, and outputs the widget', async () => {
    const run = await t.run({ operation: 'create', name: 'new', domains: 'x.example.com' });
    const [widget] = t.emulator.widgets();
    expect(shown(run.stdout)).toEqual([`Created widget "new" (${widget!.sitekey}).`]);
    expect(run.outputs).toMatchObject({ sitekey: widget!.sitekey, created: 'true', updated: 'false' });
    expect(run.outputs.deleted).toBeUndefined();
  });
});

describe('ensure', () => {
  it('a dry run of a new widget names it and its hostnames', async () => {
    const run = await t.run({ name: 'new', domains: 'x.example.com,y.example.com', 'dry-run': 'true' });
    expect(shown(run.stdout)).toEqual([
      'Dry run: no widget is named "new"; would create it for x.example.com, y.example.com.',
    ]);
  });

  it('creates, updates, and a dry run of an update lists every change', async () => {
    const created = await t.run({ name: 'new', domains: 'x.example.com' });
    const [widget] = t.emulator.widgets();
    expect(shown(created.stdout)).toEqual([`Created widget "new" (${widget!.sitekey}).`]);
    expect(created.outputs).toMatchObject({ created: 'true', updated: 'false' });
    expect(created.summary).not.toContain('Changes');

    const planned = await t.run({ name: 'new', domains: 'y.example.com', mode: 'invisible', 'dry-run': 'true' });
    expect(shown(planned.stdout)).toEqual([
      `Dry run: would update widget "new" (${widget!.sitekey}): domains: +y.example.com -x.example.com; mode: managed -> invisible.`,
    ]);
    expect(planned.outputs).toMatchObject({ created: 'false', updated: 'false' });

    const updated = await t.run({ name: 'new', domains: 'y.example.com', mode: 'invisible' });
    expect(shown(updated.stdout)).toEqual([
      `Updated widget "new" (${widget!.sitekey}): domains: +y.example.com -x.example.com; mode: managed -> invisible.`,
    ]);
    expect(updated.outputs).toMatchObject({ created: 'false', updated: 'true' });
  });

  it('a widget that already has the asked mode, flags and region is up to date', async () => {
    t.emulator.seed([{ name: 'one', domains: ['a.example.com'], sitekey: A }]);
    const run = await t.run({
      name: 'one',
      domains: 'a.example.com',
      mode: 'managed',
      region: 'world',
      'bot-fight-mode': 'false',
    });
    expect(run.code).toBe(0);
    expect(shown(run.stdout)).toEqual([`Widget "one" (${A}) is up to date.`]);
    expect(writes(t.emulator)).toEqual([]);
  });

  it('a hostname only removed is a change', async () => {
    t.emulator.seed([{ name: 'one', domains: ['a.example.com', 'b.example.com'], sitekey: A }]);
    const run = await t.run({ name: 'one', domains: 'a.example.com' });
    expect(shown(run.stdout)).toEqual([`Updated widget "one" (${A}): domains: -b.example.com.`]);
    expect(t.emulator.widgets()[0]!.domains).toEqual(['a.example.com']);
  });
});
