import { describe, expect, it } from 'vitest';
import { runEnsure } from '../src/operations/ensure.ts';
import { runCreate } from '../src/operations/create.ts';
import { listOf, mockApi, ok, widget } from './helpers/mock-api.ts';
import { settings } from './helpers/settings.ts';

const methods = (api: ReturnType<typeof mockApi>) =>
  api.requests.map((r) => `${r.method} ${r.path.split('?')[0]!.replace(/.*\/widgets/, '') || '/'}`);

describe('ensure', () => {
  it('creates the widget when none has the name, then re-lists to settle races', async () => {
    const api = mockApi();
    const made = widget({ name: 'app-pr-1' });
    api.on('GET', '', listOf([widget({ name: 'app-pr-10' })])); // substring match, not exact: ignored
    api.on('POST', '', ok(made));
    api.on('GET', '', listOf([made]));
    const result = await runEnsure(settings(), api.context());
    expect(result).toMatchObject({ outcome: 'created', created: true, updated: false });
    expect(result.widget?.secret).toBe(made.secret);
    expect(methods(api)).toEqual(['GET /', 'POST /', 'GET /']);
    expect(api.requests[0]!.path).toContain('filter=name%3Aapp-pr-1');
    expect(api.requests[1]!.body).toEqual({ name: 'app-pr-1', domains: ['pr-1.example.com'], mode: 'managed' });
  });

  it('changes nothing when the widget matches: the list, then the read of its secret', async () => {
    const api = mockApi();
    const existing = widget({ domains: ['b.example.com', 'a.example.com'] });
    api.on('GET', '', listOf([existing]));
    api.on('GET', `/${existing.sitekey}`, ok(existing));
    const result = await runEnsure(settings({}, { domains: ['a.example.com', 'b.example.com'] }), api.context());
    expect(result).toMatchObject({ outcome: 'unchanged', created: false, updated: false, changes: [] });
    expect(methods(api)).toEqual(['GET /', `GET /${existing.sitekey}`]);
  });

  it('updates the same sitekey in place with a full PUT when domains differ', async () => {
    const api = mockApi();
    const existing = widget({ clearance_level: 'interactive', bot_fight_mode: true });
    api.on('GET', '', listOf([existing]));
    api.on('PUT', `/${existing.sitekey}`, (request) => ok({ ...existing, ...(request.body as object) }));
    const result = await runEnsure(settings({}, { domains: ['pr-1.example.com', 'new.example.com'] }), api.context());
    expect(result).toMatchObject({ outcome: 'updated', updated: true, changes: ['domains: +new.example.com'] });
    expect(result.widget?.sitekey).toBe(existing.sitekey);
    // PUT replaces the widget: fields the user did not give keep their current values.
    expect(api.requests[1]!.body).toEqual({
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
    const api = mockApi();
    const existing = widget({ offlabel: true });
    api.on('GET', '', listOf([existing]));
    api.on('PUT', `/${existing.sitekey}`, (request) => ok({ ...existing, ...(request.body as object) }));
    const result = await runEnsure(settings({}, { mode: 'invisible', clearance_level: 'managed' }), api.context());
    expect(result.changes).toEqual(['mode: managed -> invisible', 'clearance_level: no_clearance -> managed']);
    expect((api.requests[1]!.body as { offlabel: boolean }).offlabel).toBe(true);
  });

  it('uses the oldest of several widgets with the name and warns, naming the others', async () => {
    const api = mockApi();
    const newer = widget({ created_on: '2026-02-01T00:00:00.000000Z' });
    const oldest = widget({ created_on: '2026-01-01T00:00:00.000000Z' });
    api.on('GET', '', listOf([newer, oldest]));
    api.on('GET', `/${oldest.sitekey}`, ok(oldest));
    const result = await runEnsure(settings(), api.context());
    expect(result.widget?.sitekey).toBe(oldest.sitekey);
    const warning = api.logger.lines.find((l) => l.level === 'warning');
    expect(warning?.message).toContain(newer.sitekey);
  });

  it('refuses to change the region of an existing widget', async () => {
    const api = mockApi();
    api.on('GET', '', listOf([widget()]));
    await expect(runEnsure(settings({}, { region: 'china' }), api.context())).rejects.toThrow(
      /Input "region".*cannot change a widget's region/,
    );
    expect(api.requests).toHaveLength(1);
  });

  it('converges on the oldest widget when a parallel run created the same name', async () => {
    const api = mockApi();
    const theirs = widget({ created_on: '2026-01-01T00:00:00.000000Z' });
    const ours = widget({ created_on: '2026-01-01T00:00:01.000000Z' });
    api.on('GET', '', listOf([]));
    api.on('POST', '', ok(ours));
    api.on('GET', '', listOf([ours, theirs]));
    api.on('DELETE', `/${ours.sitekey}`, ok(ours));
    api.on('GET', `/${theirs.sitekey}`, ok(theirs));
    const result = await runEnsure(settings(), api.context());
    expect(result).toMatchObject({ created: false, outcome: 'unchanged' });
    expect(result.widget?.sitekey).toBe(theirs.sitekey);
    expect(methods(api)).toEqual(['GET /', 'POST /', 'GET /', `DELETE /${ours.sitekey}`, `GET /${theirs.sitekey}`]);
  });

  it('adopts the widget of a create whose response was lost instead of creating another', async () => {
    const api = mockApi();
    const made = widget();
    api.on('GET', '', listOf([]));
    api.networkError('POST', '');
    api.on('GET', '', listOf([made])); // recovery lookup
    api.on('GET', `/${made.sitekey}`, ok(made));
    api.on('GET', '', listOf([made])); // convergence check
    const result = await runEnsure(settings(), api.context());
    expect(result).toMatchObject({ created: true });
    expect(result.widget?.sitekey).toBe(made.sitekey);
    expect(methods(api).filter((m) => m === 'POST /')).toHaveLength(0);
  });

  it('with sitekey and another name, renames that widget', async () => {
    const api = mockApi();
    const existing = widget({ name: 'old-name' });
    api.on('GET', `/${existing.sitekey}`, ok(existing));
    api.on('PUT', `/${existing.sitekey}`, (request) => ok({ ...existing, ...(request.body as object) }));
    const result = await runEnsure(settings({ sitekey: existing.sitekey, name: 'app-pr-1' }), api.context());
    expect(result).toMatchObject({ outcome: 'updated', changes: ['name: old-name -> app-pr-1'] });
    expect((api.requests[1]!.body as { name: string }).name).toBe('app-pr-1');
  });

  it("with sitekey and no name, keeps the widget's name", async () => {
    const api = mockApi();
    const existing = widget({ name: 'hand-made', domains: ['old.example.com'] });
    api.on('GET', `/${existing.sitekey}`, ok(existing));
    api.on('PUT', `/${existing.sitekey}`, (request) => ok({ ...existing, ...(request.body as object) }));
    const result = await runEnsure(settings({ sitekey: existing.sitekey }), api.context());
    expect(result).toMatchObject({ outcome: 'updated', changes: ['domains: +pr-1.example.com -old.example.com'] });
    expect((api.requests[1]!.body as { name: string }).name).toBe('hand-made');
  });

  it('with sitekey, reads that widget instead of looking it up by name', async () => {
    const api = mockApi();
    const existing = widget();
    api.on('GET', `/${existing.sitekey}`, ok(existing));
    const result = await runEnsure(settings({ sitekey: existing.sitekey }), api.context());
    expect(result.outcome).toBe('unchanged');
    expect(methods(api)).toEqual([`GET /${existing.sitekey}`]);
  });

  it('dry run: reports the plan and sends no write', async () => {
    const api = mockApi();
    api.on('GET', '', listOf([]));
    const planned = await runEnsure(settings({ dryRun: true }), api.context());
    expect(planned).toMatchObject({ outcome: 'would create', created: false, widget: undefined });
    const existing = widget();
    api.on('GET', '', listOf([existing]));
    api.on('GET', `/${existing.sitekey}`, ok(existing));
    const update = await runEnsure(settings({ dryRun: true }, { mode: 'invisible' }), api.context());
    expect(update).toMatchObject({ outcome: 'would update', updated: false, changes: ['mode: managed -> invisible'] });
    expect(api.requests.every((r) => r.method === 'GET')).toBe(true);
  });
});

describe('create', () => {
  it('sends one POST with the optional fields that were given', async () => {
    const api = mockApi();
    const made = widget();
    api.on('POST', '', ok(made));
    const result = await runCreate(
      settings({ operation: 'create' }, { region: 'china', ephemeral_id: true }),
      api.context(),
    );
    expect(result).toMatchObject({ outcome: 'created', created: true });
    expect(api.requests).toHaveLength(1);
    expect(api.requests[0]!.body).toEqual({
      name: 'app-pr-1',
      domains: ['pr-1.example.com'],
      mode: 'managed',
      ephemeral_id: true,
      region: 'china',
    });
  });
});
