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

  it("an ensure's whole summary: the heading, then one table of adjacent rows, values escaped", async () => {
    const run = await t.run({ domains: 'pr-42.example.com', name: 'a&b' });
    expect(run.code, run.stdout).toBe(0);
    expect(run.summary).toBe(
      '<h3>Cloudflare Turnstile</h3>\n' +
        `<table>${HEADER}<tr><td>Operation</td><td>ensure</td></tr><tr><td>Result</td><td>created</td></tr>` +
        `<tr><td>Name</td><td>a&amp;b</td></tr><tr><td>Sitekey</td><td>${run.outputs.sitekey}</td></tr>` +
        '<tr><td>Mode</td><td>managed</td></tr><tr><td>Domains</td><td>pr-42.example.com</td></tr></table>\n',
    );
    expect(Object.keys(run.outputs)).not.toContain('deleted');
  });

  it('an update lists its changes in one Changes row, separated by "; "', async () => {
    t.emulator.seed([{ name: 'shop', domains: ['a.example.com'], mode: 'managed' }]);
    const run = await t.run({ name: 'shop', domains: 'b.example.com', mode: 'invisible' });
    expect(run.code, run.stdout).toBe(0);
    expect(run.summary).toContain(
      '<tr><td>Changes</td><td>domains: +b.example.com -a.example.com; mode: managed -&gt; invisible</td></tr></table>',
    );
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

  it('prune with nothing old enough: "none" deleted; a dry run: "Would delete"', async () => {
    const [seeded] = t.emulator.seed([{ name: 'app-pr-1', created_on: daysAgo(30) }]);
    const young = await t.run({ operation: 'prune', 'name-prefix': 'app-pr-', 'older-than': '60d' });
    expect(young.summary).toContain('<tr><td>Deleted</td><td>none</td></tr>');
    const dry = await t.run({ operation: 'prune', 'name-prefix': 'app-pr-', 'dry-run': 'true' });
    expect(dry.summary).toContain(`<tr><td>Would delete</td><td>app-pr-1 (${seeded!.sitekey})</td></tr>`);
    expect(t.emulator.widgets()).toHaveLength(1);
  });

  it('prune that deletes every candidate lists no kept widgets; one that keeps two gives each its reason', async () => {
    const seeded = t.emulator.seed([
      { name: 'tmp-1', created_on: 'yesterday' },
      { name: 'tmp-2', created_on: '' },
      { name: 'tmp-3', created_on: daysAgo(30) },
    ]);
    const [undated, blank, old] = seeded;
    const keeping = await t.run({ operation: 'prune', 'name-prefix': 'tmp-', 'older-than': '1d', 'github-token': '' });
    expect(keeping.summary).toBe(
      '<h3>Cloudflare Turnstile</h3>\n' +
        `<table>${HEADER}<tr><td>Operation</td><td>prune</td></tr><tr><td>Result</td><td>pruned</td></tr>` +
        `<tr><td>Deleted</td><td>tmp-3 (${old!.sitekey})</td></tr></table>\n` +
        `<details><summary>Kept 2 widget(s)</summary>tmp-1 (${undated!.sitekey}): its created_on &quot;yesterday&quot; cannot be read` +
        `<br>tmp-2 (${blank!.sitekey}): its created_on &quot;&quot; cannot be read</details>\n`,
    );
    t.emulator.seed([{ name: 'all-1', created_on: daysAgo(30) }]);
    const all = await t.run({ operation: 'prune', 'name-prefix': 'all-', 'older-than': '1d', 'github-token': '' });
    expect(all.code, all.stdout).toBe(0);
    expect(all.summary).toContain('<tr><td>Deleted</td><td>all-1 (');
    expect(all.summary).not.toContain('<details>');
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

  it('an unpaired backtick in an API message stays a character, not the start of <code>', async () => {
    t.emulator.injectFault({
      kind: 'status',
      status: 400,
      body: { success: false, errors: [{ code: 1000, message: 'bad `token' }], messages: [], result: null },
    });
    const run = await t.run({ operation: 'get', name: 'x' });
    expect(run.code).toBe(1);
    expect(run.summary).toMatch(
      /<tr><td>Error<\/td><td>Cloudflare API GET \S+ failed \(HTTP 400\): \[1000\] bad &#96;token\.<\/td><\/tr>/,
    );
    expect(run.summary).not.toContain('<code>');
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
    expect(run.outputs).toStrictEqual({ created: 'false', updated: 'false' });
    const create = await t.run({ operation: 'create', name: 'x', domains: 'pr-42.example.com', 'dry-run': 'true' });
    expect(create.summary).not.toContain('Would delete');
    expect(Object.keys(create.outputs)).not.toContain('deleted');
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
