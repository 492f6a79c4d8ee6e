import type { Runner } from './runner.ts';
import type { SecretRegistry } from './secrets.ts';

// The runner reads stdout line by line (\n, \r\n, a bare \r) and runs `::name …::data` at a line's
// start after .NET white space, and `##[name …]data` anywhere (actions/runner ActionCommand.TryParse,
// TryParseV2). Every line break (also those a log viewer breaks at), control character, bidi override
// and the backslash become visible escapes: a message is one line that cannot read as another.
// eslint-disable-next-line no-control-regex -- control characters are what it finds
const UNPRINTABLE = /[\u0000-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069\\]/g;
const NAMED_ESCAPES: Record<string, string> = { '\n': '\\n', '\r': '\\r', '\t': '\\t', '\\': '\\\\' };
const escapeChar = (char: string) => NAMED_ESCAPES[char] ?? `\\u${char.charCodeAt(0).toString(16).padStart(4, '0')}`;
// .NET white space that escaping leaves, then the `::` that would start a command.
const COMMAND_START = /^([ \u00a0\u1680\u2000-\u200a\u202f\u205f\u3000]*:):/;
// A zero-width space is no .NET whitespace: `:\u200b:` and `##\u200b[` read the same, run nothing.
const ZWSP = '\u200b';

/**
 * Text made safe for the runner: one line (line breaks and control characters become `\n`,
 * `\u2028`…), with `::` at its start and every `##[` broken, so the runner executes nothing in it.
 * Every log line, group title, annotation and summary cell passes through it whole, so the values
 * in a message (names, sitekeys, API messages, inputs) need no escaping where it is written.
 */
export function escapeUntrusted(text: string): string {
  return text.replace(UNPRINTABLE, escapeChar).replaceAll('##[', `##${ZWSP}[`).replace(COMMAND_START, `$1${ZWSP}:`);
}

/** A message for the runner (a log line, group title, annotation or summary cell): redacted, then escaped. */
export function forRunner(message: string, secrets: SecretRegistry): string {
  return escapeUntrusted(secrets.redact(message));
}

/** What the operations and the API client need to report progress; tests pass a recorder. */
export type Logger = ReturnType<typeof runnerLogger>;

/** The runner's log, every message redacted and escaped. */
export function runnerLogger(runner: Runner, secrets: SecretRegistry) {
  return {
    debug: (message: string) => runner.debug(forRunner(message, secrets)),
    info: (message: string) => runner.info(forRunner(message, secrets)),
    notice: (message: string, title?: string) => runner.notice(forRunner(message, secrets), title),
    warning: (message: string, title?: string) => runner.warning(forRunner(message, secrets), title),
  };
}
