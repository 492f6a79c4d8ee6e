// The runner's command channel: hostile values arriving through the `name` input, through the names
// and sitekeys the API returns, and through the API's error messages, in every operation that prints
// them. Every combination runs in-process: run() with the recording runner of helpers/runner.ts, which
// writes stdout as @actions/core does (runner.test.ts compares the two on these very shapes). A few runs
// of the bundle, started as the runner starts it, carry several shapes each through the real
// @actions/core. Stdout is read with the runner's own rules (helpers/runner-commands.ts): no command may
// reach the runner that the action did not issue itself.
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { escapeUntrusted } from '../src/log/logger.ts';
import { runAction, type ActionResult } from '../scripts/lib/run-action.ts';
import { builtBundle } from './helpers/bundle.ts';
import { useEmulator, type ActionRun } from './helpers/e2e.ts';
import { closedPort } from './helpers/ports.ts';
import { foreignCommands, runnerCommands } from './helpers/runner-commands.ts';

const t = useEmulator();
const withDefaults = (inputs: Record<string, string>) => ({
  'api-token': t.emulator.apiToken,
  'account-id': t.emulator.accountId,
  'api-url': t.emulator.url,
  'max-retries': '0',
  ...inputs,
});
/** One step in-process. */
const step = (inputs: Record<string, string>) => t.run(withDefaults(inputs));
let entry = '';
/** One step of the bundle, in a child process (entry is set by the bundle tests' beforeAll). */
const bundle = (inputs: Record<string, string>) => runAction({ entry, inputs: withDefaults(inputs) });

const OLD = '2026-01-01T00:00:00Z';

/** An error answer whose every text tries a command. */
const HOSTILE_ERRORS = {
  success: false,
  errors: [
    { code: 1000, message: 'Bad\n::error::PWNED\r::stop-commands::PWNED ##[set-output name=sitekey]PWNED' },
    { code: 1001, message: '\u00a0::warning::PWNED' },
  ],
  messages: [{ code: 1, message: '##[add-mask]PWNED' }],
  result: null,
};
const DAY = 86_400_000;
const daysAgo = (days: number) => new Date(Date.now() - days * DAY).toISOString();
const lines = (run: ActionRun) => run.stdout.split('\n');
const errorLines = (run: ActionRun) => lines(run).filter((line) => line.startsWith('::error'));

/** Every run's foreign commands, as "line" strings, so a failure shows what got through. */
function foreign(runs: { stdout: string }[]): string[] {
  return runs.flatMap((run) => foreignCommands(run.stdout).map((command) => JSON.stringify(command.line)));
}

describe('no command reaches the runner that the action did not issue (in-process)', () => {
  it('through the name input, in ensure, get, rotate-secret, dry runs and delete', async () => {
    // The input refuses control characters, so these are the shapes a name can take: `##[` anywhere,
    // and line or paragraph separators and other .NET white space before `::`.
    const names = [
      'pr-7 ##[set-output name=deploy_url]https://evil.example/',
      '##[stop-commands]PWNED',
      'x ##[add-mask]0x4',
      '\u2028::warning title=PWNED::PWNED \u00a0##[SET-ENV name=NODE_OPTIONS]PWNED',
      '\u3000::stop-commands::PWNED\u2029\u205f::error::PWNED',
    ];
    const runs: ActionRun[] = [];
    for (const name of names) {
      runs.push(await step({ name, domains: 'pr-7.example.com', 'dry-run': 'true' }));
      runs.push(await step({ name, domains: 'pr-7.example.com' }));
      if (name === names[0]) {
        runs.push(await step({ operation: 'get', name }));
        runs.push(await step({ operation: 'rotate-secret', name }));
      }
      runs.push(await step({ operation: 'delete', name }));
    }
    // A name the input refuses is quoted in the error.
    runs.push(await step({ name: 'x\n::error::PWNED\r##[add-mask]PWNED', domains: 'pr-7.example.com' }));

    expect(foreign(runs)).toEqual([]);
    expect(runs.map((run) => run.code)).toEqual([...runs.slice(0, -1).map(() => 0), 1]);
    const stdout = runs.map((run) => run.stdout).join('\n');
    expect(stdout).toContain('set-output name=deploy_url]https://evil.example/'); // it was printed
    expect(t.emulator.widgets()).toEqual([]);
  });

  it('through names and sitekeys the API returns, in every operation that prints them', async () => {
    const hostile = t.emulator.seed([
      { name: 'app-pr-1\n::warning title=PWNED::PWNED', created_on: OLD },
      { name: 'app-pr-2\r::stop-commands::PWNED', created_on: OLD },
      { name: 'app-pr-3\r\n\u00a0::set-output name=sitekey::PWNED', created_on: OLD },
      { name: 'app-pr-4\u0085::error::PWNED\u2028::notice::PWNED', created_on: OLD },
      { name: 'app-pr-5 ##[add-mask]PWNED', created_on: OLD, domains: ['old.example.com'] },
      { name: 'app-pr-6\v\f::echo::on\r##[endgroup]PWNED', created_on: OLD },
    ]);
    // Listed widgets with odd sitekeys are data: printed escaped, never failing the run.
    t.emulator.seed([
      { name: 'app-pr-7', sitekey: '0x4AAA##[set-output name=sitekey]PWNED', created_on: OLD },
      { name: 'app-pr-8', sitekey: '0x4BBB\r::error::PWNED', created_on: OLD },
    ]);
    // Two widgets with one name: the warning lists the other's sitekey.
    const [dupe] = t.emulator.seed([
      { name: 'dupe ##[add-mask]PWNED', created_on: OLD },
      { name: 'dupe ##[add-mask]PWNED', sitekey: '0x4CCC\n::warning::PWNED' },
    ]);

    const runs: ActionRun[] = [];
    runs.push(await step({ operation: 'prune', 'name-prefix': 'app-pr-', 'older-than': '1d', 'dry-run': 'true' }));
    for (const widget of hostile) {
      // A rename: the old name from the API goes into "Updated widget … name: old -> new".
      runs.push(await step({ sitekey: widget.sitekey, name: `renamed-${widget.sitekey}`, domains: 'new.example.com' }));
    }
    runs.push(await step({ operation: 'get', sitekey: hostile[0]!.sitekey }));
    runs.push(await step({ sitekey: hostile[1]!.sitekey, domains: 'new.example.com', 'dry-run': 'true' }));
    runs.push(await step({ name: 'dupe ##[add-mask]PWNED', domains: 'dupe.example.com' }));
    runs.push(await step({ operation: 'rotate-secret', sitekey: dupe!.sitekey }));
    runs.push(await step({ operation: 'delete', name: 'dupe ##[add-mask]PWNED', 'dry-run': 'true' }));
    runs.push(await step({ operation: 'delete', name: 'dupe ##[add-mask]PWNED' }));
    runs.push(await step({ operation: 'prune', 'name-prefix': 'renamed-', 'older-than': '0s' }));
    const last = t.emulator.seed([
      { name: 'app-pr-9\n::warning title=PWNED::PWNED', created_on: OLD },
      { name: 'app-pr-10\r::stop-commands::PWNED', created_on: OLD },
    ]);
    runs.push(await step({ operation: 'prune', 'name-prefix': 'app-pr-', 'older-than': '1d', 'github-token': '' }));

    expect(foreign(runs)).toEqual([]);
    for (const run of runs) expect(run.code, run.stdout).toBe(0);
    const stdout = runs.map((run) => run.stdout).join('\n');
    expect(stdout).toContain('name: app-pr-2\\r::stop-commands::PWNED -> renamed-'); // the old name, escaped
    expect(stdout).toContain('0x4AAA##'); // the odd sitekeys were printed
    expect(stdout).toContain('0x4CCC\\n::warning::PWNED');
    // The odd sitekeys were deleted too, but reach no output.
    expect(JSON.parse(runs.at(-1)!.outputs.deleted!)).toEqual(last.map((widget) => widget.sitekey));
    expect(runs.at(-1)!.stdout).toMatch(/Pruned 4 of 4 widget\(s\)/);
  });

  it('the sitekey of the widget whose outputs the run writes must look like one, else no output', async () => {
    const [odd] = t.emulator.seed([{ name: 'odd', sitekey: '0x4DDD ##[set-output name=sitekey]PWNED' }]);
    const run = await step({ operation: 'get', name: 'odd' });
    expect(run.code).toBe(1);
    expect(run.outputs).toEqual({});
    expect(run.env).toEqual({});
    expect(foreignCommands(run.stdout)).toEqual([]);
    const errors = runnerCommands(run.stdout).filter((command) => command.command === 'error');
    expect(errors.map((command) => [command.properties.title, command.data])).toEqual([
      [
        'Cloudflare API error',
        expect.stringMatching(/^The API returned the sitekey "0x4DDD ##\u200b\[set-output .*no output was written\.$/),
      ],
    ]);
    expect(odd!.sitekey).toContain('##[');
  });

  it.each(['ensure', 'create', 'get', 'delete', 'rotate-secret', 'prune'])(
    "through the API's error messages: %s",
    async (operation) => {
      t.emulator.seed([{ name: 'app-pr-1', created_on: OLD }]);
      t.emulator.injectFault({
        kind: 'status',
        status: 400,
        times: 5,
        body: HOSTILE_ERRORS,
      });
      const run = await step({
        operation,
        name: 'app-pr-1',
        domains: 'pr-1.example.com',
        'name-prefix': 'app-pr-',
        'older-than': '1d',
        'github-token': '',
      });
      expect(run.code).toBe(1);
      expect(foreignCommands(run.stdout)).toEqual([]);
      expect(run.stdout).toContain('Bad\\n::error::PWNED');
    },
  );

  it('a dry-run ensure that would create writes no sitekey, and an injected set-output stays text', async () => {
    const run = await step({
      name: 'pr-1 ##[set-output name=sitekey]0x4EVIL',
      'dry-run': 'true',
      domains: 'a.example.com',
    });
    expect(run.code).toBe(0);
    expect(runnerCommands(run.stdout).filter((command) => command.command === 'set-output')).toEqual([]);
    expect(foreignCommands(run.stdout)).toEqual([]);
    expect(run.outputs.sitekey).toBeUndefined();
    expect(run.outputs).toEqual({ created: 'false', updated: 'false' });
    expect(run.stdout).toContain('set-output name=sitekey]0x4EVIL');
  });
});

describe('values from the API that reach outputs and the summary (in-process)', () => {
  it('a widget whose name or mode has a control character fails the run before any output', async () => {
    const widgets = t.emulator.seed([
      { name: 'app\r\nINJECTED=1' },
      { name: 'app-2', mode: 'managed\nNODE_OPTIONS=--require=./evil.js' },
      { name: 'app-3', mode: 'managed\u0085' },
    ]);
    const refused = [
      'name "app\\r\\nINJECTED=1"',
      'mode "managed\\nNODE_OPTIONS=--require=./evil.js"',
      'mode "managed\\u0085"',
    ];
    for (const [i, widget] of widgets.entries()) {
      const run = await t.run({ operation: 'get', sitekey: widget.sitekey, 'export-env': 'true' });
      expect(run.code).toBe(1);
      expect(run.outputs).toEqual({});
      expect(run.env).toEqual({});
      const errors = runnerCommands(run.stdout).filter((command) => command.command === 'error');
      expect(errors.map((command) => [command.properties.title, command.data])).toEqual([
        [
          'Cloudflare API error',
          `The API returned the ${refused[i]}, which contains a control character (such as a line break); no output was written.`,
        ],
      ]);
    }
  });

  it("prune's kept reasons show created_on escaped (Date.parse reads past a comment with a bidi override)", async () => {
    t.emulator.seed([{ name: 'app-pr-1', created_on: 'Jan 1 2099 (\u202eexe.gnp)' }]);
    const run = await t.run({ operation: 'prune', 'name-prefix': 'app-pr-', 'older-than': '1d', 'github-token': '' });
    expect(run.code).toBe(0);
    expect(run.summary).toContain('app-pr-1 (');
    expect(run.summary).toContain('created Jan 1 2099 (\\u202eexe.gnp), newer than older-than');
    expect(run.summary).not.toContain('\u202e');
  });

  it('a sitekey from the API that does not look like one: no output at all, the secret masked', async () => {
    const [seeded] = t.emulator.seed([{ name: 'app-pr-1', sitekey: 'x; echo pwned' }]);
    const run = await t.run({ operation: 'get', name: 'app-pr-1' });
    expect(run.code).toBe(1);
    expect(run.outputs).toEqual({});
    expect(errorLines(run)).toEqual([
      expect.stringMatching(
        /^::error title=Cloudflare API error::The API returned the sitekey "x; echo pwned", which does not look like a sitekey/,
      ),
    ]);
    expect(lines(run)).toContain(`::add-mask::${seeded!.secret}`);
  });
});

describe('workflow-command injection (in-process)', () => {
  /** The commands the runner would process that the action did not issue (helpers/runner-commands.ts). */
  const foreign = (stdout: string) => foreignCommands(stdout, 'injected').map((command) => command.line);

  it('widget names carrying workflow commands never start a command line, in any operation', async () => {
    const old = daysAgo(30);
    const [warning, stop, spaced] = t.emulator.seed([
      { name: 'app-pr-1\n::warning title=injected::pwned', created_on: old },
      { name: 'app-pr-2\n::stop-commands::x', created_on: old },
      { name: 'app-pr-3\r\n   ::notice::spaced', created_on: old },
    ]);
    const runs: ActionRun[] = [];
    runs.push(await t.run({ operation: 'prune', 'name-prefix': 'app-pr-', 'dry-run': 'true' }));
    for (const seeded of [warning!, stop!, spaced!]) {
      runs.push(await t.run({ operation: 'get', sitekey: seeded.sitekey }));
      runs.push(await t.run({ sitekey: seeded.sitekey, domains: 'example.com' }));
    }
    runs.push(await t.run({ sitekey: warning!.sitekey, domains: 'pr-1.example.com' })); // an update
    runs.push(await t.run({ operation: 'rotate-secret', sitekey: stop!.sitekey }));
    runs.push(await t.run({ operation: 'delete', sitekey: spaced!.sitekey }));
    runs.push(await t.run({ operation: 'prune', 'name-prefix': 'app-pr-' }));
    // Each run that would write one of these names to an output fails instead: get, ensure, rotate-secret.
    const codes = [0, 1, 1, 1, 1, 1, 1, 1, 1, 0, 0];
    for (const [i, run] of runs.entries()) {
      expect(run.code, run.stdout).toBe(codes[i]);
      expect(foreign(run.stdout)).toEqual([]);
      expect(run.stdout).not.toMatch(/^\s*::warning title=injected/m);
      expect(run.stdout).not.toMatch(/^\s*::stop-commands::/m);
    }
    // The names did reach the log (escaped), so the checks above had something to catch.
    const all = runs.map((run) => run.stdout).join('\n');
    expect(all).toContain('\\n::warning title=injected::pwned');
    expect(all).toContain('\\n::stop-commands::x');
    expect(t.emulator.widgets()).toEqual([]);
  });

  it.each([
    ['400 (not retried)', 400, '0'],
    ['503 (retried until retries run out)', 503, '1'],
  ])(
    'a Cloudflare error text with a line break and ::error:: stays in one error line: %s',
    async (_, status, retries) => {
      t.emulator.injectFault({
        kind: 'status',
        status,
        times: 5,
        body: {
          success: false,
          errors: [{ code: 1000, message: 'Bad request\n::error::injected\r\n::stop-commands::token' }],
          messages: [{ code: 1, message: 'note\n::warning::also injected' }],
          result: null,
        },
      });
      const run = await t.run({ domains: 'pr-42.example.com', 'max-retries': retries });
      expect(run.code).toBe(1);
      expect(errorLines(run)).toHaveLength(1);
      expect(errorLines(run)[0]).toMatch(/^::error title=Cloudflare API error::.*Bad request\\n::error::injected/);
      expect(foreign(run.stdout)).toEqual([]);
      expect(run.stdout).not.toMatch(/^\s*::(error::injected|stop-commands::|warning::also)/m);
    },
  );
});

describe('through the bundle, as the runner starts it: several hostile shapes in each run', () => {
  beforeAll(async () => {
    entry = join((await builtBundle()).dir, 'index.js');
  }, 120_000);

  it('the name input, in the debug, group, info, notice and warning lines of an ensure that updates', async () => {
    // Five shapes in one name (the input refuses control characters and trims white space): `##[`
    // anywhere, and line and paragraph separators and other .NET white space before `::`.
    const name =
      'pr-7 ##[set-output name=deploy_url]https://evil.example/ ##[stop-commands]PWNED\u2028::warning title=PWNED::PWNED \u00a0##[SET-ENV name=NODE_OPTIONS]PWNED x ##[add-mask]0x4\u3000::stop-commands::PWNED\u2029\u205f::error::PWNED';
    // Two widgets with that name: the warning names the other's sitekey; the older was changed in the dashboard.
    const [used] = t.emulator.seed([
      { name, domains: ['old.example.com'], created_on: OLD, last_modified_via: 'dashboard' },
      { name, sitekey: '0x4CCC\n::warning::PWNED' },
    ]);
    const run = await bundle({ name, domains: 'pr-7.example.com' });
    expect(run.code, run.stdout).toBe(0);
    expect(foreign([run])).toEqual([]);
    expect(run.outputs).toMatchObject({ sitekey: used!.sitekey, name, updated: 'true' });
    // The name was printed in every kind of line, so the check above had something to catch.
    const marker = 'set-output name=deploy_url]https://evil.example/';
    const carrying = runnerCommands(run.stdout).filter((command) => command.data.includes(marker));
    expect(new Set(carrying.map((command) => command.command))).toEqual(
      new Set(['debug', 'group', 'notice', 'warning']),
    );
    expect(lines(run).filter((line) => line.startsWith('Updated widget ') && line.includes(marker))).toHaveLength(1);
    expect(run.stdout).toContain('0x4CCC\\n::warning::PWNED');
  });

  it('names and sitekeys the API returns, in the info and warning lines of a prune', async () => {
    const hostile = t.emulator.seed([
      { name: 'app-pr-1\n::warning title=PWNED::PWNED', created_on: OLD },
      { name: 'app-pr-2\r::stop-commands::PWNED', created_on: OLD },
      { name: 'app-pr-3\r\n\u00a0::set-output name=sitekey::PWNED', created_on: OLD },
      { name: 'app-pr-4\u0085::error::PWNED\u2028::notice::PWNED', created_on: OLD },
      { name: 'app-pr-5 ##[add-mask]PWNED', created_on: OLD },
      { name: 'app-pr-6\v\f::echo::on\r##[endgroup]PWNED', created_on: OLD },
      { name: 'app-pr-7', sitekey: '0x4AAA##[set-output name=sitekey]PWNED', created_on: OLD },
      { name: 'app-pr-8', sitekey: '0x4BBB\r::error::PWNED', created_on: OLD },
    ]);
    t.emulator.seed([{ name: 'app-pr-9\n::error::PWNED', created_on: 'yesterday\r::warning::PWNED' }]);
    const run = await bundle({ operation: 'prune', 'name-prefix': 'app-pr-', 'older-than': '1d', 'github-token': '' });
    expect(run.code, run.stdout).toBe(0);
    expect(foreign([run])).toEqual([]);
    // The odd sitekeys were deleted too, but reach no output.
    expect(JSON.parse(run.outputs.deleted!)).toEqual(hostile.slice(0, 6).map((widget) => widget.sitekey));
    expect(t.emulator.widgets().map((widget) => widget.name)).toEqual(['app-pr-9\n::error::PWNED']);
    expect(lines(run)).toContainEqual(
      expect.stringMatching(/^Pruned 8 of 9 widget\(s\) .*app-pr-2\\r::stop-commands::PWNED/),
    );
    expect(run.stdout).toMatch(/^::warning title=Unreadable creation date::.*app-pr-9\\n::error::PWNED/m);
    expect(run.stdout).toContain('0x4AAA##'); // the odd sitekeys were printed
  });

  it("the API's error messages, in the error line and the summary of an ensure", async () => {
    t.emulator.injectFault({
      kind: 'status',
      status: 400,
      times: 5,
      body: HOSTILE_ERRORS,
    });
    const run = await bundle({ name: 'app-pr-1', domains: 'pr-1.example.com' });
    expect(run.code).toBe(1);
    expect(foreign([run])).toEqual([]);
    expect(errorLines(run)).toEqual([
      expect.stringMatching(/^::error title=Cloudflare API error::.*Bad\\n::error::PWNED/),
    ]);
    expect(run.summary).toContain('Bad\\n::error::PWNED');
  });

  describe('a secret that the escaping rewrites is redacted all the same', () => {
    /** What a person can read of a run: all but the ::add-mask:: lines, which the runner consumes. */
    const readable = (run: ActionResult) =>
      `${run.stdout}\n${run.stderr}`
        .split('\n')
        .filter((line) => !line.startsWith('::add-mask::'))
        .concat(run.summary)
        .join('\n');
    /** The secret as it is, escaped, and each piece of it between line breaks. */
    const forms = (secret: string) => [secret, escapeUntrusted(secret), ...secret.split(/\r\n|\r|\n/)];

    it('a github-token with CR LF in a header error, an api-token with a backslash and a TAB echoed by the API', async () => {
      const githubToken = `ghs_part1${'A'.repeat(16)}\r\nX-Evil: ghs_part2${'B'.repeat(16)}`;
      const apiToken = `cf-tok\\en-\t${'C'.repeat(16)}`;
      const common = { 'account-id': t.emulator.accountId, 'api-url': t.emulator.url, 'max-retries': '0' };
      t.emulator.seed([{ name: 'preview-app-pr-7', created_on: '2026-01-01T00:00:00Z' }]);
      // The header is refused before any connection (to a closed port, should one be made).
      const prune = await runAction({
        entry,
        inputs: {
          ...common,
          'api-token': t.emulator.apiToken,
          operation: 'prune',
          'name-prefix': 'preview-app-pr-',
          'older-than': '1d',
          'github-token': githubToken,
        },
        env: { GITHUB_API_URL: `http://127.0.0.1:${await closedPort()}` },
      });
      t.emulator.injectFault({
        kind: 'status',
        status: 403,
        times: 5,
        body: {
          success: false,
          errors: [{ code: 10000, message: `Invalid token ${apiToken}` }],
          messages: [],
          result: null,
        },
      });
      const get = await runAction({ entry, inputs: { ...common, 'api-token': apiToken, operation: 'get', name: 'x' } });

      for (const [run, secret] of [
        [prune, githubToken],
        [get, apiToken],
      ] as const) {
        for (const form of forms(secret)) expect(readable(run), JSON.stringify(form)).not.toContain(form);
      }
      expect([prune.code, get.code]).toEqual([0, 1]);
      // Each error was printed: the GitHub client names the refused header without quoting it (Octokit's
      // fetch quoted it whole); the API's echo of the token is redacted.
      expect(prune.stdout).toMatch(/^::warning title=GitHub API error::.*invalid authorization header/m);
      expect(get.stdout).toMatch(/^::error title=Cloudflare API error::.*Invalid token \*\*\*\. Hint/m);
      expect(get.summary).toContain('Invalid token ***. Hint');
    });
  });
});
