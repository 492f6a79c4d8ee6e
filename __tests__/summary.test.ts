// The job summary: one HTML table per run, built from what the operation did, with every value from
// the API or the inputs escaped so that it cannot end the table or the block; the action runs in-process
// against the emulator.
import { describe, expect, it } from 'vitest';
import { inputVariables } from '../scripts/lib/action-inputs.ts';
import { run as runAction } from '../src/main.ts';
import { useEmulator } from './helpers/e2e.ts';
import { recordingRunner, runnerEnv, virtualClock } from './helpers/runner.ts';

const t = useEmulator();
const DAY = 86_400_000;
const daysAgo = (days: number) => new Date(Date.now() - days * DAY).toISOString();

describe('job summary', () => {
  const HEADER = '<tr><th>Field</th><th>Value</th></tr>';

  it('has a Field/Value header row', async () => {
    const run = await t.run({ domains: 'pr-42.example.com' });
    expect(run.code).toBe(0);
    expect(run.summary).toContain(`<table>${HEADER}<tr><td>Operation</td><td>ensure</td></tr>`);
  });

  it('delete names the widget: name and sitekey', async () => {
    const [seeded] = t.emulator.seed([{ name: 'preview-app-pr-42' }]);
    const run = await t.run({ operation: 'delete' });
    expect(run.code, run.stdout).toBe(0);
    expect(run.summary).toContain(HEADER);
    expect(run.summary).toContain(`<tr><td>Deleted</td><td>preview-app-pr-42 (${seeded!.sitekey})</td></tr>`);
  });

  it('prune lists the deleted widgets by name', async () => {
    const old = daysAgo(30);
    const seeded = t.emulator.seed([
      { name: 'app-pr-1', created_on: old },
      { name: 'app-pr-2', created_on: old },
    ]);
    const run = await t.run({ operation: 'prune', 'name-prefix': 'app-pr-' });
    expect(run.code, run.stdout).toBe(0);
    const row = /<tr><td>Deleted<\/td><td>([^<]*)<\/td><\/tr>/.exec(run.summary)?.[1];
    expect(row?.split(', ').sort()).toEqual(seeded.map((w) => `${w.name} (${w.sitekey})`).sort());
  });

  it('a dry-run ensure with nothing to find shows the name and the domains', async () => {
    const run = await t.run({ domains: 'pr-42.example.com\nwww.pr-42.example.com', 'dry-run': 'true' });
    expect(run.code, run.stdout).toBe(0);
    expect(run.summary).toContain('<tr><td>Result</td><td>would create (dry run)</td></tr>');
    expect(run.summary).toContain('<tr><td>Name</td><td>preview-app-pr-42</td></tr>');
    const domains = /<tr><td>Domains<\/td><td>([^<]*)<\/td><\/tr>/.exec(run.summary)?.[1];
    expect(domains?.split(', ').sort()).toEqual(['pr-42.example.com', 'www.pr-42.example.com']);
    expect(t.emulator.widgets()).toEqual([]);
  });

  /** The summary is Markdown holding one HTML block per line: no blank line may end a block. */
  function expectBlocksIntact(summary: string) {
    for (const line of summary.split('\n').slice(0, -1)) expect(line).toMatch(/^<(h3|table|details)>.*>$/);
    expect(summary).not.toMatch(/\n\s*\n|[|`]/);
  }

  it('a name from the API cannot end the table or the HTML block: blank line, heading, link, | and `', async () => {
    const name = 'app-pr-1\n\n# Injected heading\n\n[click](https://evil.example) | `code` <b>x</b>\r\n\u2028';
    const [seeded] = t.emulator.seed([{ name, created_on: daysAgo(30) }]);
    // get and the dry run would write the name to an output: they fail, the name in the error cell.
    const refused = [
      await t.run({ operation: 'get', sitekey: seeded!.sitekey }),
      await t.run({ sitekey: seeded!.sitekey, name: 'renamed', domains: 'example.com', 'dry-run': 'true' }),
    ];
    const runs = [
      await t.run({ operation: 'prune', 'name-prefix': 'app-pr-', 'older-than': '60d' }), // kept: too young
      await t.run({ operation: 'prune', 'name-prefix': 'app-pr-' }),
    ];
    for (const run of [...refused, ...runs]) {
      expect(run.code, run.stdout).toBe(refused.includes(run) ? 1 : 0);
      expectBlocksIntact(run.summary);
      expect(run.summary).toContain('app-pr-1\\n\\n# Injected heading\\n\\n[click](https://evil.example) &#124; ');
    }
    for (const run of runs) {
      expect(run.summary).toContain(
        'app-pr-1\\n\\n# Injected heading\\n\\n[click](https://evil.example) &#124; &#96;code&#96; &lt;b&gt;x&lt;/b&gt;\\r\\n\\u2028',
      );
    }
  });

  it("the action's own `code` in an error becomes <code>, with no literal backtick left", async () => {
    t.emulator.injectFault({
      kind: 'status',
      status: 401,
      body: { success: false, errors: [{ code: 10000, message: 'bad `token`' }], messages: [], result: null },
    });
    const run = await t.run({ operation: 'get', name: 'x' });
    expect(run.code).toBe(1);
    expectBlocksIntact(run.summary);
    expect(run.summary).toContain('<tr><td>Operation</td><td>get</td></tr>');
    expect(run.summary).toMatch(/check that <code>api-token<\/code> holds/);
  });

  it('after invalid inputs the summary names the operation asked for (ensure by default)', async () => {
    const byDefault = await t.run({ domains: 'vercel.app' });
    expect(byDefault.code).toBe(1);
    expect(byDefault.summary).toContain('<tr><td>Operation</td><td>ensure</td></tr>');
    const prune = await t.run({ operation: 'prune', 'older-than': 'soon', 'name-prefix': 'x-' });
    expect(prune.code).toBe(1);
    expect(prune.summary).toContain('<tr><td>Operation</td><td>prune</td></tr>');
    expect(prune.summary).toMatch(/<tr><td>Error<\/td><td>[^<]*older-than/);
  });

  it('a dry-run ensure that would create shows no empty "Would delete" row and sets no empty deleted', async () => {
    const run = await t.run({ domains: 'pr-42.example.com', 'dry-run': 'true' });
    expect(run.code, run.stdout).toBe(0);
    expect(run.summary).not.toContain('Would delete');
    expect(run.outputs).toEqual({ created: 'false', updated: 'false' });
    const create = await t.run({ operation: 'create', name: 'x', domains: 'pr-42.example.com', 'dry-run': 'true' });
    expect(create.summary).not.toContain('Would delete');
    expect(create.outputs.deleted).toBeUndefined();
  });

  it('a failed run writes the error, redacted: no token, no secret', async () => {
    const leakedSecret = '0x4AAAAAAAleakedSecretValue0123456789abcd';
    t.emulator.injectFault({
      kind: 'status',
      status: 403,
      body: {
        success: false,
        errors: [{ code: 9109, message: `Token ${t.emulator.apiToken} may not read secret ${leakedSecret}` }],
        messages: [],
        result: null,
      },
    });
    const run = await t.run({ domains: 'pr-42.example.com' });
    expect(run.code).toBe(1);
    expect(run.summary).toContain(HEADER);
    expect(run.summary).toContain('<tr><td>Result</td><td>failed</td></tr>');
    expect(run.summary).toMatch(
      /<tr><td>Error<\/td><td>Cloudflare API GET .*\[9109\] Token \*\*\* may not read secret \*\*\*/,
    );
    for (const text of [run.summary, run.stdout]) {
      expect(text).not.toContain(leakedSecret);
      expect(text.replace(`::add-mask::${t.emulator.apiToken}`, '')).not.toContain(t.emulator.apiToken);
    }
  });

  it('a job summary that cannot be written does not hide the failure', async () => {
    const runner = recordingRunner();
    runner.appendSummary = () => Promise.reject(new Error('summary file is gone'));
    const env = { ...runnerEnv(), ...inputVariables({ operation: 'get', name: 'x', 'api-token': '' }) };
    expect(await runAction({ runner, env, clock: virtualClock() })).toBe(1);
    expect(runner.stdout.split('\n').filter((line) => line.startsWith('::error'))).toEqual([
      expect.stringMatching(/^::error title=Invalid input%3A account-id::/),
      expect.stringMatching(/^::error title=Invalid input%3A api-token::/),
    ]);
  });
});
