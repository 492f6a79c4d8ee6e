import type { Runner } from './runner.ts';
import type { SecretRegistry } from './secrets.ts';

/** What the operations and the API client need to report progress; tests pass a recorder. */
export interface Logger {
  debug(message: string): void;
  info(message: string): void;
  notice(message: string, title?: string): void;
  warning(message: string, title?: string): void;
}

// The runner reads a step's stdout line by line (.NET ReadLine: \n, \r\n and a bare \r end a line)
// and executes two syntaxes of workflow command (actions/runner, ActionCommand.TryParse/TryParseV2):
// `::name …::data` at the start of a line once .NET `char.IsWhiteSpace` is trimmed (wider than
// JavaScript's \s, e.g. U+0085 and U+180E differ), and the older `##[name …]data` anywhere in a line.
// Command names match case-insensitively.
const DOTNET_WHITESPACE = '\\t\\n\\v\\f\\r \\u0085\\u00a0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000';
// One match per place a command could start, so the text is read once (a pattern that retried
// the white space after each line break was quadratic on a run of line breaks): `##[`, or a
// line's start with all the white space after it and the `::` that would follow.
const COMMAND_START = new RegExp(`##\\[|(?:^|[\\r\\n\\u0085\\u2028\\u2029])[${DOTNET_WHITESPACE}]*(?:::)?`, 'g');
// A zero-width space is no .NET whitespace: `:\u200b:` and `##\u200b[` read the same, run nothing.
const ZWSP = '\u200b';

/** Breaks every `##[` and every `::` that starts a line, so the runner sees no command in `text`. */
function breakCommands(text: string): string {
  return text.replace(COMMAND_START, (found) => {
    if (found === '##[') return `##${ZWSP}[`;
    return found.endsWith('::') ? `${found.slice(0, -1)}${ZWSP}:` : found;
  });
}

// Line breaks of every kind (also those a log viewer may break at), other control characters and
// bidirectional overrides, which could make a log line read as something else.
// eslint-disable-next-line no-control-regex -- control characters are what it finds
const UNPRINTABLE = /[\u0000-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069\\]/g;
const NAMED_ESCAPES: Record<string, string> = { '\n': '\\n', '\r': '\\r', '\t': '\\t', '\\': '\\\\' };
const escapeChar = (char: string) => NAMED_ESCAPES[char] ?? `\\u${char.charCodeAt(0).toString(16).padStart(4, '0')}`;

/**
 * Any text the action did not write itself (a name, sitekey, domain, an API message, an input),
 * made safe for the runner: line breaks and control characters become visible escapes (`\n`,
 * `\u2028`), so the text stays on its line; `::` at its start and `##[` anywhere are broken, so
 * the runner executes nothing in it. Every log line, group title, annotation and summary cell
 * carries such values only through this function (or `quoteUntrusted`).
 */
export function escapeUntrusted(text: string): string {
  return breakCommands(text.replace(UNPRINTABLE, escapeChar));
}

/**
 * The forms `text` can take inside a message built with escapeUntrusted or quoteUntrusted (as a
 * whole value, or inside one, quotes escaped or not), `text` itself first. A message is escaped
 * before it is redacted, so the secret registry redacts each form of a secret.
 */
export function escapedForms(text: string): string[] {
  const escaped = text.replace(UNPRINTABLE, escapeChar);
  const forms = [text, escapeUntrusted(text), escaped.split('##[').join(`##${ZWSP}[`)];
  return [...new Set([...forms, ...forms.map((form) => form.replace(/"/g, '\\"'))])];
}

/** `escapeUntrusted` in double quotes (a quote inside is escaped), for a value inside a sentence. */
export function quoteUntrusted(text: string): string {
  return `"${escapeUntrusted(text).replace(/"/g, '\\"')}"`;
}

/**
 * The runner's log, with every message redacted first and, as a second line of defence behind
 * the escaping of each value, no line of it able to start a command.
 */
export function runnerLogger(runner: Runner, secrets: SecretRegistry): Logger {
  const safe = (message: string) => breakCommands(secrets.redact(message));
  return {
    debug: (message) => runner.debug(safe(message)),
    info: (message) => runner.info(safe(message)),
    notice: (message, title) => runner.notice(safe(message), title),
    warning: (message, title) => runner.warning(safe(message), title),
  };
}

/** A group title or an error annotation that main.ts prints itself: redacted, commands broken. */
export function forRunner(message: string, secrets: SecretRegistry): string {
  return breakCommands(secrets.redact(message));
}
