// ensure and create, driven directly against the emulator (a write whose answer is lost included), and
// run in-process for what the user reads (log lines, outputs).
import { describe, expect, it } from 'vitest';
import { runEnsure } from '../src/operations/ensure.ts';
import { runCreate } from '../src/operations/create.ts';
import { shown, useEmulator, writes, type ActionRun } from './helpers/e2e.ts';
import { calls, emulatorContext } from './helpers/operations.ts';
import { virtualClock } from './helpers/runner.ts';
import { settings } from './helpers/settings.ts';

const t = useEmulator();
const posts = () => t.emulator.requests.filter((r) => r.method === 'POST');
const lines = (run: ActionRun) => run.stdout.split('\n');
const A = '0x4AAAAAAAaaaaaaaaaaaaaa';
const B = '0x4AAAAAAAbbbbbbbbbbbbbb';

/** A listing envelope of these widgets, as Cloudflare sends it. */
const listing = (result: object[]) => ({
  success: true,
  errors: [],
  messages: [],
  result,
  result_info: { page: 1, per_page: 1000, count: result.length, total_count: result.length },
});

const unreadable: [string, string | object][] = [
  ['a body that is not JSON', '<html>OK</html>'],
  ['JSON that is not an envelope', { created: true }],
  [
    'an envelope whose result has an unexpected shape',
    { success: true, errors: [], messages: [], result: { id: 7, label: 'app-pr-1' } },
  ],
  ['an envelope without a result', { success: true, errors: [], messages: [] }],
];
/** The create happens; its 200 answer is unreadable. */
const unreadableCreate = (body: string | object) =>
  t.emulator.injectFault({ kind: 'replaced-response', method: 'POST', status: 200, body });

describe('ensure', () => {
  it('creates the widget when none has the name, then re-lists to settle races', async () => {
    t.emulator.seed([{ name: 'app-pr-10' }]); // substring match, not exact: ignored
    const result = await runEnsure(settings(), emulatorContext(t.emulator).context);
    expect(result).toMatchObject({ outcome: 'created', created: true, updated: false });
    const made = t.emulator.widgets().find((w) => w.name === 'app-pr-1')!;
    expect(result.widget?.secret).toBe(made.secret);
    expect(calls(t.emulator)).toEqual(['GET /', 'POST /', 'GET /']);
    expect(t.emulator.requests[0]!.query.filter).toBe('name:app-pr-1');
    expect(t.emulator.requests[1]!.body).toEqual({
      name: 'app-pr-1',
      domains: ['pr-1.example.com'],
      mode: 'managed',
    });
  });

  it('changes nothing when the widget matches: the list, then the read of its secret', async () => {
    const [existing] = t.emulator.seed([{ name: 'app-pr-1', domains: ['a.example.com', 'b.example.com'] }]);
    const result = await runEnsure(
      settings({}, { domains: ['b.example.com', 'a.example.com'] }),
      emulatorContext(t.emulator).context,
    );
    expect(result).toMatchObject({ outcome: 'unchanged', created: false, updated: false, changes: [] });
    expect(calls(t.emulator)).toEqual(['GET /', `GET /${existing!.sitekey}`]);
  });

  it('updates the same sitekey in place with a full PUT when domains differ', async () => {
    const [existing] = t.emulator.seed([
      { name: 'app-pr-1', domains: ['pr-1.example.com'], clearance_level: 'interactive', bot_fight_mode: true },
    ]);
    const result = await runEnsure(
      settings({}, { domains: ['pr-1.example.com', 'new.example.com'] }),
      emulatorContext(t.emulator).context,
    );
    expect(result).toMatchObject({ outcome: 'updated', updated: true, changes: ['domains: +new.example.com'] });
    expect(result.widget?.sitekey).toBe(existing!.sitekey);
    // PUT replaces the widget: fields the user did not give keep their current values.
    expect(t.emulator.requests[1]).toMatchObject({ method: 'PUT' });
    expect(t.emulator.requests[1]!.body).toEqual({
      name: 'app-pr-1',
      domains: ['pr-1.example.com', 'new.example.com'],
      mode: 'managed',
      clearance_level: 'interactive',
      bot_fight_mode: true,
      offlabel: false,
      ephemeral_id: false,
      region: 'world',
    });
  });

  it('updates when an optional field that was given differs, ignores those not given', async () => {
    t.emulator.seed([{ name: 'app-pr-1', domains: ['pr-1.example.com'], offlabel: true }]);
    const result = await runEnsure(
      settings({}, { mode: 'invisible', clearance_level: 'managed' }),
      emulatorContext(t.emulator).context,
    );
    expect(result.changes).toEqual(['mode: managed -> invisible', 'clearance_level: no_clearance -> managed']);
    expect((t.emulator.requests[1]!.body as { offlabel: boolean }).offlabel).toBe(true);
  });

  it('a widget with a mode and clearance level newer than the action: updated, both sent back as read', async () => {
    // As a newer API would return them: values outside the action's (and the emulator's) lists.
    const [existing] = t.emulator.seed([
      { name: 'app-pr-1', domains: ['pr-1.example.com'], mode: 'adaptive', clearance_level: 'jschallenge_v2' },
    ]);
    const run = await t.run({ name: 'app-pr-1', domains: 'pr-1.example.com, new.example.com' });
    expect(run.code, run.stdout).toBe(0);
    expect(run.outputs).toMatchObject({ sitekey: existing!.sitekey, updated: 'true', mode: 'adaptive' });
    const put = t.emulator.requests.find((r) => r.method === 'PUT')!;
    expect(put.body).toMatchObject({ mode: 'adaptive', clearance_level: 'jschallenge_v2' });
    expect(t.emulator.widgets()[0]).toMatchObject({
      domains: ['new.example.com', 'pr-1.example.com'],
      mode: 'adaptive',
      clearance_level: 'jschallenge_v2',
    });
    // What the user asks for is still checked strictly, and replaces the newer value.
    const asked = await t.run({ name: 'app-pr-1', domains: 'pr-1.example.com', mode: 'invisible' });
    expect(asked.code, asked.stdout).toBe(0);
    expect(t.emulator.widgets()[0]).toMatchObject({ mode: 'invisible', clearance_level: 'jschallenge_v2' });
    expect((await t.run({ name: 'app-pr-1', domains: 'pr-1.example.com', mode: 'adaptive' })).code).toBe(1);
  });

  it('uses the oldest of several widgets with the name and warns, naming the others', async () => {
    const [newer, oldest] = t.emulator.seed([
      { name: 'app-pr-1', domains: ['pr-1.example.com'], created_on: '2026-02-01T00:00:00.000000Z' },
      { name: 'app-pr-1', domains: ['pr-1.example.com'], created_on: '2026-01-01T00:00:00.000000Z' },
    ]);
    const { context, logger } = emulatorContext(t.emulator);
    const result = await runEnsure(settings(), context);
    expect(result.widget?.sitekey).toBe(oldest!.sitekey);
    const warning = logger.lines.find((l) => l.level === 'warning');
    expect(warning?.message).toContain(newer!.sitekey);
  });

  it('a widget listed without a region (null) is not refused for region: world', async () => {
    t.emulator.seed([{ name: 'app-pr-1', domains: ['pr-1.example.com'], region: null as unknown as string }]);
    const result = await runEnsure(settings({}, { region: 'world' }), emulatorContext(t.emulator).context);
    expect(result).toMatchObject({ outcome: 'unchanged', changes: [] });
  });

  it('refuses to change the region of an existing widget', async () => {
    t.emulator.seed([{ name: 'app-pr-1', domains: ['pr-1.example.com'] }]);
    await expect(runEnsure(settings({}, { region: 'china' }), emulatorContext(t.emulator).context)).rejects.toThrow(
      /Input "region".*cannot change a widget's region/,
    );
    expect(t.emulator.requests).toHaveLength(1);
  });

  it('converges on the oldest widget when a parallel run created the same name', async () => {
    const [theirs] = t.emulator.seed([
      { name: 'app-pr-1', domains: ['pr-1.example.com'], created_on: '2026-01-01T00:00:00.000000Z' },
    ]);
    // The first list was answered before the parallel run's widget showed up.
    t.emulator.injectFault({ kind: 'status', status: 200, method: 'GET', body: listing([]) });
    const { context, logger } = emulatorContext(t.emulator);
    const result = await runEnsure(settings(), context);
    expect(result).toMatchObject({ created: false, outcome: 'unchanged' });
    expect(result.widget?.sitekey).toBe(theirs!.sitekey);
    const ours = t.emulator.requests[1]!.response as { result: { sitekey: string } };
    expect(logger.lines.filter((l) => l.level === 'warning')).toEqual([
      {
        level: 'warning',
        message: `Another run created widget "app-pr-1" at the same time (${theirs!.sitekey}); using it and deleting the duplicate this run created (${ours.result.sitekey}).`,
      },
    ]);
    expect(calls(t.emulator)).toEqual([
      'GET /',
      'POST /',
      'GET /',
      `DELETE /${ours.result.sitekey}`,
      `GET /${theirs!.sitekey}`,
    ]);
    expect(t.emulator.widgets().map((w) => w.sitekey)).toEqual([theirs!.sitekey]);
  });

  it('keeps its own widget when the re-list does not show it yet, whatever else it shows', async () => {
    // The first list predates every widget; the re-list shows another run's (later) widget, not ours.
    t.emulator.injectFault({ kind: 'status', status: 200, method: 'GET', body: listing([]) });
    const theirs = { sitekey: B, name: 'app-pr-1', domains: ['pr-1.example.com'], mode: 'managed' };
    t.emulator.injectFault({
      kind: 'status',
      status: 200,
      method: 'GET',
      body: listing([{ ...theirs, created_on: '2099-01-01T00:00:00.000000Z' }]),
    });
    const result = await runEnsure(settings(), emulatorContext(t.emulator).context);
    const [ours] = t.emulator.widgets();
    expect(result).toMatchObject({ outcome: 'created', created: true });
    expect(result.widget?.sitekey).toBe(ours!.sitekey);
    expect(calls(t.emulator)).toEqual(['GET /', 'POST /', 'GET /']);
  });

  it('adopts the widget of a create whose response was lost instead of creating another', async () => {
    t.emulator.injectFault({ kind: 'lost-response', method: 'POST' });
    const result = await runEnsure(settings(), emulatorContext(t.emulator).context);
    expect(result).toMatchObject({ created: true });
    const [made] = t.emulator.widgets();
    expect(result.widget?.sitekey).toBe(made!.sitekey);
    expect(t.emulator.widgets()).toHaveLength(1);
    // The recovery lookup, the read of the adopted widget, the convergence check; no second POST.
    expect(calls(t.emulator)).toEqual(['GET /', 'POST /', 'GET /', `GET /${made!.sitekey}`, 'GET /']);
  });

  it("adopts a lost create even when the runner's clock runs minutes ahead of Cloudflare's", async () => {
    // ensure found the name free, so any widget of that name is this run's, whatever its created_on.
    const clock = virtualClock(Date.now() + 10 * 60_000);
    t.emulator.injectFault({ kind: 'lost-response', method: 'POST' });
    const result = await runEnsure(settings(), emulatorContext(t.emulator, { clock }, { clock }).context);
    expect(result).toMatchObject({ outcome: 'created', created: true });
    expect(t.emulator.widgets()).toHaveLength(1);
    expect(posts()).toHaveLength(1);
  });

  it('a create answered 408 (it may have acted) is looked up before anything else; one POST', async () => {
    t.emulator.injectFault({ kind: 'replaced-response', method: 'POST', status: 408 });
    const result = await runEnsure(settings(), emulatorContext(t.emulator).context);
    const [made] = t.emulator.widgets();
    expect(result).toMatchObject({ outcome: 'created', created: true });
    expect(result.widget?.sitekey).toBe(made!.sitekey);
    expect(calls(t.emulator)).toEqual(['GET /', 'POST /', 'GET /', `GET /${made!.sitekey}`, 'GET /']);
  });

  it('with sitekey and another name, renames that widget', async () => {
    const [existing] = t.emulator.seed([{ name: 'old-name', domains: ['pr-1.example.com'] }]);
    const result = await runEnsure(
      settings({ sitekey: existing!.sitekey, name: 'app-pr-1' }),
      emulatorContext(t.emulator).context,
    );
    expect(result).toMatchObject({ outcome: 'updated', changes: ['name: old-name -> app-pr-1'] });
    expect((t.emulator.requests[1]!.body as { name: string }).name).toBe('app-pr-1');
  });

  it("with sitekey and no name, keeps the widget's name", async () => {
    const [existing] = t.emulator.seed([{ name: 'hand-made', domains: ['old.example.com'] }]);
    const result = await runEnsure(settings({ sitekey: existing!.sitekey }), emulatorContext(t.emulator).context);
    expect(result).toMatchObject({ outcome: 'updated', changes: ['domains: +pr-1.example.com -old.example.com'] });
    expect((t.emulator.requests[1]!.body as { name: string }).name).toBe('hand-made');
  });

  it('with sitekey, reads that widget instead of looking it up by name', async () => {
    const [existing] = t.emulator.seed([{ name: 'app-pr-1', domains: ['pr-1.example.com'] }]);
    const result = await runEnsure(settings({ sitekey: existing!.sitekey }), emulatorContext(t.emulator).context);
    expect(result.outcome).toBe('unchanged');
    expect(calls(t.emulator)).toEqual([`GET /${existing!.sitekey}`]);
  });

  it('dry run: reports the plan and sends no write', async () => {
    const planned = await runEnsure(settings({ dryRun: true }), emulatorContext(t.emulator).context);
    expect(planned).toMatchObject({ outcome: 'would create', created: false, widget: undefined });
    t.emulator.seed([{ name: 'app-pr-1', domains: ['pr-1.example.com'] }]);
    const update = await runEnsure(
      settings({ dryRun: true }, { mode: 'invisible' }),
      emulatorContext(t.emulator).context,
    );
    expect(update).toMatchObject({ outcome: 'would update', updated: false, changes: ['mode: managed -> invisible'] });
    expect(t.emulator.requests.every((r) => r.method === 'GET')).toBe(true);
  });

  it.each(unreadable)('operation ensure: a 200 with %s is recovered through the list (one POST)', async (_, body) => {
    unreadableCreate(body);
    const result = await runEnsure(settings(), emulatorContext(t.emulator).context);
    const [made] = t.emulator.widgets();
    expect(result).toMatchObject({ outcome: 'created', created: true });
    expect(result.widget?.sitekey).toBe(made!.sitekey);
    expect(t.emulator.widgets()).toHaveLength(1);
    expect(calls(t.emulator)).toEqual(['GET /', 'POST /', 'GET /', `GET /${made!.sitekey}`, 'GET /']);
  });

  it.each([
    ['dashboard', true],
    ['api', false],
  ])('updating a widget last modified via %s: notice "Manual change overwritten" = %s', async (via, notice) => {
    t.emulator.seed([
      { name: 'preview-app-pr-42', domains: ['old.example.com'], last_modified_via: via as 'dashboard' | 'api' },
    ]);
    const run = await t.run({ domains: 'pr-42.example.com', mode: 'invisible' });
    expect(run.code, run.stdout).toBe(0);
    expect(run.outputs.updated).toBe('true');
    const notices = lines(run).filter((line) => line.startsWith('::notice title=Manual change overwritten::'));
    expect(notices).toHaveLength(notice ? 1 : 0);
    if (notice) {
      expect(notices[0]).toMatch(
        /last changed in the Cloudflare dashboard; this run overwrites that change \(domains: \+pr-42\.example\.com -old\.example\.com; mode: managed -> invisible\)\./,
      );
    }
  });

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

describe('create', () => {
  it('sends one POST with the optional fields that were given', async () => {
    const result = await runCreate(
      settings({ operation: 'create' }, { region: 'china', ephemeral_id: true }),
      emulatorContext(t.emulator).context,
    );
    expect(result).toMatchObject({ outcome: 'created', created: true });
    expect(posts()).toHaveLength(1);
    expect(t.emulator.requests).toHaveLength(1);
    expect(t.emulator.requests[0]!.body).toEqual({
      name: 'app-pr-1',
      domains: ['pr-1.example.com'],
      mode: 'managed',
      ephemeral_id: true,
      region: 'china',
    });
  });

  it('dry run: says what it would create and sends nothing', async () => {
    const { context, logger } = emulatorContext(t.emulator);
    const result = await runCreate(settings({ operation: 'create', dryRun: true }), context);
    expect(result).toMatchObject({ outcome: 'would create', created: false, widget: undefined });
    expect(logger.lines).toContainEqual({
      level: 'info',
      message: 'Dry run: would create widget "app-pr-1" for pr-1.example.com.',
    });
    expect(t.emulator.requests.filter((r) => r.method !== 'GET')).toEqual([]);
  });

  it('operation create: a POST lost on the network is recovered through the list, without a second POST', async () => {
    t.emulator.injectFault({ kind: 'lost-response', method: 'POST' });
    const { context, logger } = emulatorContext(t.emulator);
    const result = await runCreate(settings({ operation: 'create' }), context);
    const [made] = t.emulator.widgets();
    expect(result).toMatchObject({ outcome: 'created', created: true });
    expect(result.widget?.sitekey).toBe(made!.sitekey);
    expect(result.widget?.secret).toBe(made!.secret);
    expect(calls(t.emulator)).toEqual(['POST /', 'GET /', `GET /${made!.sitekey}`]);
    expect(t.emulator.widgets()).toHaveLength(1);
    expect(logger.lines).toContainEqual({
      level: 'info',
      message: expect.stringMatching(/response was lost, but widget "app-pr-1" exists/),
    });
  });

  it.each(unreadable)('operation create: a 200 with %s is recovered through the list (one POST)', async (_, body) => {
    unreadableCreate(body);
    const result = await runCreate(settings({ operation: 'create' }), emulatorContext(t.emulator).context);
    const [made] = t.emulator.widgets();
    expect(result).toMatchObject({ outcome: 'created', created: true });
    expect(result.widget?.sitekey).toBe(made!.sitekey);
    expect(t.emulator.widgets()).toHaveLength(1);
    expect(calls(t.emulator)).toEqual(['POST /', 'GET /', `GET /${made!.sitekey}`]);
  });

  it('operation create: a lost POST next to an older widget of the name adopts the new widget, not the older one', async () => {
    const [older] = t.emulator.seed([{ name: 'app-pr-1', created_on: '2026-01-01T00:00:00.000000Z' }]);
    t.emulator.injectFault({ kind: 'lost-response', method: 'POST' });
    const result = await runCreate(settings({ operation: 'create' }), emulatorContext(t.emulator).context);
    const made = t.emulator.widgets().find((w) => w.sitekey !== older!.sitekey)!;
    expect(result).toMatchObject({ outcome: 'created', created: true });
    expect(result.widget?.sitekey).toBe(made.sitekey);
    expect(posts()).toHaveLength(1);
  });

  it('operation create: after a POST without an answer, a widget of the name from up to 2 min (clock skew) before it is its own', async () => {
    const start = Date.parse('2026-06-01T12:00:00.000Z');
    const before = (ms: number) => new Date(start - ms).toISOString();
    const [, edge] = t.emulator.seed([
      { name: 'app-pr-1', created_on: before(120_001) },
      { name: 'app-pr-1', created_on: before(120_000) },
    ]);
    t.emulator.injectFault({ kind: 'reset', method: 'POST' });
    const clock = virtualClock(start);
    const result = await runCreate(
      settings({ operation: 'create' }),
      emulatorContext(t.emulator, { clock }, { clock }).context,
    );
    expect(result.widget?.sitekey).toBe(edge!.sitekey);
    expect(posts()).toHaveLength(1);
    expect(t.emulator.widgets()).toHaveLength(2);
  });

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

describe('ensure by sitekey without name', () => {
  it("keeps the widget's own name: nothing else differs, so nothing is written", async () => {
    const [seeded] = t.emulator.seed([{ name: 'hand-made', domains: ['pr-42.example.com'] }]);
    const run = await t.run({ sitekey: seeded!.sitekey, domains: 'pr-42.example.com' });
    expect(run.code, run.stdout).toBe(0);
    expect(run.outputs).toMatchObject({ name: 'hand-made', created: 'false', updated: 'false' });
    expect(writes(t.emulator)).toEqual([]);
    expect(t.emulator.widgets().map((w) => w.name)).toEqual(['hand-made']);
  });

  it("without domains either: keeps the widget's hostnames too, and writes nothing", async () => {
    const [seeded] = t.emulator.seed([{ name: 'hand-made', domains: ['a.example.com', 'b.example.com'] }]);
    const run = await t.run({ sitekey: seeded!.sitekey });
    expect(run.code, run.stdout).toBe(0);
    expect(shown(run.stdout)).toEqual([`Widget "hand-made" (${seeded!.sitekey}) is up to date.`]);
    expect(writes(t.emulator)).toEqual([]);
  });

  it("keeps the widget's own name when its domains change", async () => {
    const [seeded] = t.emulator.seed([{ name: 'hand-made', domains: ['old.example.com'] }]);
    const run = await t.run({ sitekey: seeded!.sitekey, domains: 'pr-42.example.com' });
    expect(run.code, run.stdout).toBe(0);
    expect(run.outputs).toMatchObject({ name: 'hand-made', updated: 'true', domains: '["pr-42.example.com"]' });
    const put = t.emulator.requests.find((r) => r.method === 'PUT');
    expect(put?.body).toMatchObject({ name: 'hand-made' });
    expect(t.emulator.widgets().map((w) => w.name)).toEqual(['hand-made']);
  });
});
