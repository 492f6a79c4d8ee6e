// The one escaping function, which every message passes through whole (log/logger.ts), checked against
// a parser written from the runner's rules (helpers/runner-commands.ts), not against @actions/core's.
import { describe, expect, it } from 'vitest';
import { escapeUntrusted, runnerLogger } from '../src/log/logger.ts';
import { SecretRegistry } from '../src/log/secrets.ts';
import { z } from 'zod';
import { run } from '../src/main.ts';
import { inputVariables } from '../scripts/lib/action-inputs.ts';
import { useEmulator } from './helpers/e2e.ts';
import { foreignCommands, REGISTERED_COMMANDS, runnerCommands } from './helpers/runner-commands.ts';
import { recordingRunner, runnerEnv, virtualClock } from './helpers/runner.ts';

// char.IsWhiteSpace in .NET; JavaScript's \s differs (it has U+FEFF, lacks U+0085).
const DOTNET_WHITESPACE = [
  ...'\t\n\v\f\r \u0085\u00a0\u1680\u202f\u205f\u3000\u2028\u2029',
  ...Array.from({ length: 11 }, (_, i) => String.fromCharCode(0x2000 + i)),
];
const LINE_BREAKS = ['\n', '\r', '\r\n', '\u0085', '\u2028', '\u2029'];

/** Each registered command in both syntaxes, with properties, in lower and upper case. */
const COMMANDS = REGISTERED_COMMANDS.flatMap((name) =>
  [name, name.toUpperCase()].flatMap((spelled) => [
    `::${spelled} name=x,title=y::PWNED`,
    `##[${spelled} name=x;title=y]PWNED`,
  ]),
);

/** A command after every kind of line break and .NET white space, and `##[` after text. */
const PAYLOADS = [
  ...COMMANDS,
  ...COMMANDS.map((command) => `text ${command}`),
  ...LINE_BREAKS.flatMap((br) => COMMANDS.map((command) => `text${br}${command}`)),
  ...DOTNET_WHITESPACE.flatMap((ws) => [`${ws}::warning::PWNED`, `text\n${ws}${ws}::error::PWNED`]),
  // stop-commands, then the action's own commands after it would be ignored; and its resume token.
  '::stop-commands::PWNED',
  'x\n::stop-commands::pwned\n::PWNED::',
];

describe('the runner parser of the tests', () => {
  it('reads both syntaxes, any case, after .NET white space, and stop-commands with its token', () => {
    const stdout = [
      'plain line',
      '::warning title=a%2Cb::data%0Anext',
      'text ##[set-output name=x]value',
      '\u0085\u00a0 ::ADD-MASK::secret',
      '\ufeff::error::not a command: U+FEFF is no .NET white space',
      '::unknown::not registered',
      '::stop-commands::tok',
      '::error::ignored while stopped',
      '##[TOK]',
      '::debug::processed again',
    ].join('\n');
    expect(runnerCommands(stdout).map((c) => [c.syntax, c.command, c.properties, c.data])).toEqual([
      ['::', 'warning', { title: 'a,b' }, 'data\nnext'],
      ['##[', 'set-output', { name: 'x' }, 'value'],
      ['::', 'add-mask', {}, 'secret'],
      ['::', 'stop-commands', {}, 'tok'],
      ['##[', 'tok', {}, ''],
      ['::', 'debug', {}, 'processed again'],
    ]);
    // A bare \r ends a line for the runner.
    expect(runnerCommands('Updated widget x\r::warning::PWNED\n').map((c) => c.command)).toEqual(['warning']);
  });

  it('tells the commands @actions/core writes from foreign ones', () => {
    const stdout = [
      '::add-mask::s',
      '::group::Turnstile ensure: "x"',
      'text ##[add-mask]x',
      '  ::notice::indented',
      'line\r::error::after a carriage return',
      '::echo::on',
      '::warning title=PWNED::x',
      '::error::PWNED',
      '::warning title=Duplicate widget names::2 widgets are named "PWNED"',
      '::endgroup::',
    ].join('\n');
    expect(foreignCommands(stdout).map((c) => c.line)).toEqual([
      'text ##[add-mask]x',
      '  ::notice::indented',
      '::error::after a carriage return',
      '::echo::on',
      '::warning title=PWNED::x',
      '::error::PWNED',
    ]);
  });
});

describe('escapeUntrusted', () => {
  it(`leaves no command in any of ${PAYLOADS.length} hostile values, alone or in a sentence`, () => {
    for (const value of PAYLOADS) {
      for (const line of [escapeUntrusted(value), escapeUntrusted(`Created widget "${value}" (${value}).`)]) {
        expect(runnerCommands(`${line}\n`), JSON.stringify(value)).toEqual([]);
        expect(line).not.toMatch(/[\r\n\u0085\u2028\u2029]/);
      }
    }
  });

  it('keeps ordinary text as it is, and shows what it escapes', () => {
    expect(escapeUntrusted('preview-app-pr-42 (0x4AAAAAAA_b-1)')).toBe('preview-app-pr-42 (0x4AAAAAAA_b-1)');
    expect(escapeUntrusted('a\nb\rc\td\\e\u2028f\u0085g\u202eh')).toBe('a\\nb\\rc\\td\\\\e\\u2028f\\u0085g\\u202eh');
    // `::` inside a line means nothing to the runner, so an IPv6 address keeps it.
    expect(escapeUntrusted('http://[::1]:8787')).toBe('http://[::1]:8787');
    expect(escapeUntrusted('::warning::x')).toBe(':\u200b:warning::x');
    expect(escapeUntrusted('\u00a0::x')).toBe('\u00a0:\u200b:x');
    expect(escapeUntrusted('a ##[add-mask]b')).toBe('a ##\u200b[add-mask]b');
  });
});

describe('the runner logger, which escapes every message whole', () => {
  it('lets no line of a message start a command, whatever the message, in every kind of line', () => {
    const runner = recordingRunner();
    const logger = runnerLogger(runner, new SecretRegistry(runner));
    for (const payload of PAYLOADS) {
      const message = `Updated widget x (0x4AA): name: ${payload} -> new`;
      logger.info(message);
      logger.debug(message);
      logger.notice(message, 'Manual change overwritten');
      logger.warning(message, 'Duplicate widget names');
    }
    expect(foreignCommands(runner.stdout)).toEqual([]);
    expect(runner.stdout).toContain('PWNED');
  });

  it('keeps every kind of line break visible in one line, NEL and the separators included', () => {
    const runner = recordingRunner();
    const logger = runnerLogger(runner, new SecretRegistry(runner));
    for (const br of LINE_BREAKS) logger.info(`old${br}::warning::PWNED${br}\u00a0::error::PWNED`);
    const shown = ['\\n', '\\r', '\\r\\n', '\\u0085', '\\u2028', '\\u2029'];
    expect(runner.stdout).toBe(shown.map((br) => `old${br}::warning::PWNED${br}\u00a0::error::PWNED\n`).join(''));
  });

  it('reads runs of 32,000 line breaks or spaces in one pass, and breaks the command after them', () => {
    const runner = recordingRunner();
    const logger = runnerLogger(runner, new SecretRegistry(runner));
    const runs = ['\n'.repeat(32_000), `${'\u3000'.repeat(32_000)}::x`, '\r\n ::x'.repeat(16_000)];
    for (const text of runs) logger.info(text);
    expect(runner.stdout).toBe(
      `${'\\n'.repeat(32_000)}\n${'\u3000'.repeat(32_000)}:\u200b:x\n${'\\r\\n ::x'.repeat(16_000)}\n`,
    );
  });

  it('redacts before it escapes: a secret shaped value after a line break is still found', () => {
    const runner = recordingRunner();
    const secret = `0x4AAAAAAA${'s'.repeat(30)}`;
    runnerLogger(runner, new SecretRegistry(runner)).info(`Updated widget "x": name: old\r${secret} -> new`);
    expect(runnerCommands(runner.stdout)).toEqual([]);
    expect(runner.stdout).toBe('Updated widget "x": name: old\\r*** -> new\n');
  });
});

describe("a run's log group", () => {
  const t = useEmulator();
  const A = '0x4AAAAAAAaaaaaaaaaaaaaa';
  /** The lines from the group's start to the line after its end, without the requests' debug lines and masks. */
  const grouped = (stdout: string) => {
    const lines = stdout.split('\n').filter((line) => !/^::(debug::(GET|POST) |add-mask::)/.test(line));
    const start = lines.findIndex((line) => line.startsWith('::group::'));
    const end = lines.indexOf('::endgroup::');
    return end < start ? [] : lines.slice(start, end + 2);
  };

  it('is titled with the operation and the widget, or the prefix, it is about', async () => {
    t.emulator.seed([{ name: 'one', domains: ['a.example.com'], sitekey: A }]);
    const titles: string[] = [];
    for (const inputs of [
      {} as Record<string, string>,
      { operation: 'ensure', sitekey: A, domains: 'a.example.com' },
      { operation: 'get', sitekey: A },
      { operation: 'prune', 'name-prefix': 'preview-app-pr-' },
    ]) {
      const run = await t.run({ domains: 'pr-42.example.com', ...inputs });
      expect(run.code, run.stdout).toBe(0);
      titles.push(...run.stdout.split('\n').filter((line) => line.startsWith('::group::')));
    }
    expect(titles).toEqual([
      '::group::Turnstile ensure: "preview-app-pr-42"',
      `::group::Turnstile ensure: "${A}"`,
      `::group::Turnstile get: "${A}"`,
      '::group::Turnstile prune: "preview-app-pr-*"',
    ]);
  });

  it("closes after the operation's lines, before the request count, and before the error of a failed run", async () => {
    const created = await t.run({ domains: 'pr-42.example.com' });
    expect(grouped(created.stdout)).toEqual([
      '::group::Turnstile ensure: "preview-app-pr-42"',
      expect.stringMatching(/^Created widget "preview-app-pr-42"/),
      '::endgroup::',
      `::debug::Cloudflare API requests: ${t.emulator.requests.length}`,
    ]);
    const failed = await t.run({ operation: 'get', name: 'app-pr-1' });
    expect(failed.code).toBe(1);
    expect(grouped(failed.stdout)).toEqual([
      '::group::Turnstile get: "app-pr-1"',
      '::endgroup::',
      expect.stringMatching(/^::error title=Widget not found::/),
    ]);
  });
});

describe('what a run that hits a bug logs', () => {
  const t = useEmulator();
  /** An ensure whose outputs cannot be written: writing them throws `failure`. */
  async function failingWith(failure: () => unknown) {
    const runner = recordingRunner();
    runner.setOutput = () => {
      throw failure();
    };
    const inputs = { 'api-token': t.emulator.apiToken, 'account-id': t.emulator.accountId, 'api-url': t.emulator.url };
    const env = { ...runnerEnv(), ...inputVariables({ ...inputs, domains: 'pr-42.example.com' }) };
    expect(await run({ runner, env, clock: virtualClock() })).toBe(1);
    const lines = runner.stdout.split('\n');
    const errors = lines.filter((line) => line.startsWith('::error'));
    // The stack follows the error line.
    const stack = lines.slice(lines.indexOf(errors[0]!) + 1).filter((line) => line.startsWith('::debug::'));
    return { errors, stack };
  }

  it('a schema failure deep in the data names the path of each field', async () => {
    const { errors } = await failingWith(() => {
      try {
        z.object({ widget: z.object({ mode: z.enum(['managed']) }) }).parse({ widget: { mode: 'adaptive' } });
      } catch (error) {
        return error;
      }
    });
    expect(errors).toEqual([
      '::error title=Turnstile action failed::unexpected data (a bug in the action): widget.mode: Invalid input: expected "managed"',
    ]);
  });

  it('the stack at debug level carries each cause once, and stops after ten of a cause that never ends', async () => {
    const once = await failingWith(() => new Error('disk full', { cause: new Error('EIO: i/o error') }));
    expect(once.stack).toHaveLength(1);
    expect(once.stack[0]!.match(/Caused by: /g)).toEqual(['Caused by: ']);
    const cyclic = await failingWith(() => {
      const error = new Error('loop');
      error.cause = error;
      return error;
    });
    expect(cyclic.stack[0]!.match(/Caused by: Error: loop/g)).toHaveLength(9);
  });

  it('an error without a stack shows its name and message', async () => {
    const { stack } = await failingWith(() => Object.assign(new TypeError('no stack here'), { stack: undefined }));
    expect(stack).toEqual(['::debug::TypeError: no stack here']);
  });
});
