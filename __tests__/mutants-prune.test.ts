// Tests written for mutants that survived `npm run test:mutation -- operations` in prune: what the
// user reads when a widget goes away under the run, and when nothing is old enough, run in-process
// against the emulator.
import { describe, expect, it } from 'vitest';
import { runPrune } from '../src/operations/prune.ts';
import { useEmulator } from './helpers/e2e.ts';
import { emulatorContext } from './helpers/operations.ts';
import { settings } from './helpers/settings.ts';

const t = useEmulator();

const shown = (stdout: string) =>
  stdout.split('\n').filter((line) => line && !/^::(debug|add-mask|group|endgroup)::/.test(line));

const OLD = '2020-01-01T00:00:00Z';
const A = '0x4AAAAAAAaaaaaaaaaaaaaa';
const B = '0x4AAAAAAAbbbbbbbbbbbbbb';

describe('prune', () => {
  it('a widget deleted by someone else meanwhile is not reported as pruned by this run', async () => {
    t.emulator.seed([
      { name: 'tmp-1', domains: ['a.example.com'], sitekey: A, created_on: OLD },
      { name: 'tmp-2', domains: ['a.example.com'], sitekey: B, created_on: OLD },
    ]);
    t.emulator.injectFault({ kind: 'status', status: 404, method: 'DELETE', path: new RegExp(B) });
    const run = await t.run({ operation: 'prune', 'name-prefix': 'tmp-', 'older-than': '1d', 'github-token': '' });
    expect(run.code).toBe(0);
    expect(shown(run.stdout)).toContain(`Pruned 1 of 2 widget(s) named "tmp-*": "tmp-1" (${A}); kept 0.`);
    expect(run.outputs.deleted).toBe(JSON.stringify([A]));
    expect(run.summary).toContain('<tr><td>Result</td><td>pruned</td></tr>');
  });

  it('with nothing old enough, says so and deletes nothing', async () => {
    t.emulator.seed([{ name: 'tmp-1', domains: ['a.example.com'], sitekey: A }]);
    const run = await t.run({ operation: 'prune', 'name-prefix': 'tmp-', 'older-than': '1d', 'github-token': '' });
    expect(run.code).toBe(0);
    expect(shown(run.stdout)).toContain('Pruned 0 of 1 widget(s) named "tmp-*"; kept 1.');
    expect(run.summary).toContain('<tr><td>Result</td><td>nothing to prune</td></tr>');
    expect(t.emulator.widgets()).toHaveLength(1);
  });

  it('names every widget whose creation date cannot be read, and keeps them', async () => {
    t.emulator.seed([
      { name: 'tmp-1', domains: ['a.example.com'], sitekey: A, created_on: 'yesterday' },
      { name: 'tmp-2', domains: ['a.example.com'], sitekey: B, created_on: '' },
    ]);
    const run = await t.run({ operation: 'prune', 'name-prefix': 'tmp-', 'older-than': '1d', 'github-token': '' });
    expect(run.code).toBe(0);
    expect(shown(run.stdout)).toContain(
      `::warning title=Unreadable creation date::Kept 2 widget(s) whose created_on cannot be read, whatever older-than says: "tmp-1" (${A}), "tmp-2" (${B}).`,
    );
    expect(t.emulator.widgets()).toHaveLength(2);
  });

  it.each([
    ['pull requests', { openPullRequests: async () => new Set([9]) }],
    ['branches', { branches: async () => new Set(['main']) }],
  ])('only GitHub asked about %s: the notice counts the previews age alone decided', async (_asked, lists) => {
    t.emulator.seed([
      { name: 'app-pr-1', sitekey: A, created_on: OLD },
      { name: 'app-feature', sitekey: B, created_on: OLD },
    ]);
    const { context, logger } = emulatorContext(t.emulator, lists);
    await runPrune(settings({ operation: 'prune', namePrefix: 'app-', dryRun: true }), context);
    expect(logger.lines.filter((line) => line.level === 'notice')).toEqual([
      {
        level: 'notice',
        message: `No github-token: age alone decided for 1 preview widget(s) older than older-than; GitHub was not asked whether their pull requests are open or their branches exist.`,
      },
    ]);
  });
});
