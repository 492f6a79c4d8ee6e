// How the GitHub Actions runner reads a step's stdout, written from its rules (actions/runner:
// ProcessInvoker reads lines with .NET StreamReader.ReadLine; ActionCommandManager.TryProcessCommand
// tries ActionCommand.TryParseV2, then ActionCommand.TryParse), independently of the action's own
// escaping, so the tests can count the commands a run makes the runner execute.

/** Every command the runner registers (names match case-insensitively). */
export const REGISTERED_COMMANDS = [
  'add-mask',
  'add-path',
  'set-env',
  'set-output',
  'save-state',
  'add-matcher',
  'remove-matcher',
  'echo',
  'debug',
  'notice',
  'warning',
  'error',
  'group',
  'endgroup',
  'stop-commands',
  // Registered only while a runner plugin runs; counted anyway, to err on the strict side.
  'internal-set-repo-path',
] as const;

export interface RunnerCommand {
  syntax: '::' | '##[';
  /** Lower-cased. */
  command: string;
  properties: Record<string, string>;
  data: string;
  /** The line as the runner read it. */
  line: string;
  /** Where the line starts in stdout. */
  offset: number;
}

/** The lines the runner reads: StreamReader.ReadLine ends a line at \n, \r\n or a bare \r. */
export function runnerLines(stdout: string): { line: string; offset: number }[] {
  const lines: { line: string; offset: number }[] = [];
  const breaks = /\r\n|\r|\n/g;
  let start = 0;
  for (let match = breaks.exec(stdout); match; match = breaks.exec(stdout)) {
    lines.push({ line: stdout.slice(start, match.index), offset: start });
    start = match.index + match[0].length;
  }
  if (start < stdout.length) lines.push({ line: stdout.slice(start), offset: start });
  return lines;
}

// .NET char.IsWhiteSpace is Unicode's White_Space property (Zs, Zl, Zp, U+0009-U+000D, U+0085).
const LEADING_WHITESPACE = /^\p{White_Space}*/u;

const unescapeWith = (text: string, pairs: [string, string][]) =>
  pairs.reduce((result, [escaped, char]) => result.split(escaped).join(char), text);
const V2_DATA: [string, string][] = [
  ['%0D', '\r'],
  ['%0A', '\n'],
  ['%25', '%'],
];
const V2_PROPERTY: [string, string][] = [
  ['%0D', '\r'],
  ['%0A', '\n'],
  ['%3A', ':'],
  ['%2C', ','],
  ['%25', '%'],
];
const V1_ANY: [string, string][] = [
  ['%3B', ';'],
  ['%0D', '\r'],
  ['%0A', '\n'],
  ['%5D', ']'],
  ['%25', '%'],
];

function nameAndProperties(
  info: string,
  registered: Set<string>,
  separator: string,
  unescape: [string, string][],
): { command: string; properties: Record<string, string> } | undefined {
  const space = info.indexOf(' ');
  const command = (space < 0 ? info : info.slice(0, space)).toLowerCase();
  if (!registered.has(command)) return undefined;
  const properties: Record<string, string> = {};
  if (space > 0) {
    for (const pair of info.slice(space + 1).split(separator)) {
      const at = pair.indexOf('=');
      if (at > 0 && at < pair.length - 1)
        properties[pair.slice(0, at).trim()] = unescapeWith(pair.slice(at + 1), unescape);
    }
  }
  return { command, properties };
}

/** `::name k=v,…::data` once leading white space is trimmed. */
function parseV2(line: string, registered: Set<string>): Omit<RunnerCommand, 'line' | 'offset'> | undefined {
  const message = line.replace(LEADING_WHITESPACE, '');
  if (!message.startsWith('::')) return undefined;
  const end = message.indexOf('::', 2);
  if (end < 0) return undefined;
  const parsed = nameAndProperties(message.slice(2, end), registered, ',', V2_PROPERTY);
  return parsed && { syntax: '::', ...parsed, data: unescapeWith(message.slice(end + 2), V2_DATA) };
}

/** `##[name k=v;…]data` at the first `##[` of the line, wherever it is. */
function parseV1(line: string, registered: Set<string>): Omit<RunnerCommand, 'line' | 'offset'> | undefined {
  const start = line.indexOf('##[');
  if (start < 0) return undefined;
  const end = line.indexOf(']', start);
  if (end < 0) return undefined;
  const parsed = nameAndProperties(line.slice(start + 3, end), registered, ';', V1_ANY);
  return parsed && { syntax: '##[', ...parsed, data: unescapeWith(line.slice(end + 1), V1_ANY) };
}

/**
 * The commands the runner would process in `stdout`, in order. While `stop-commands` is in force
 * only its resume token (`::<token>::`) is processed.
 */
export function runnerCommands(stdout: string): RunnerCommand[] {
  const registered = new Set<string>(REGISTERED_COMMANDS);
  let stopToken: string | undefined;
  const processed: RunnerCommand[] = [];
  for (const { line, offset } of runnerLines(stdout)) {
    const parsed = parseV2(line, registered) ?? parseV1(line, registered);
    if (!parsed) continue;
    const command = { ...parsed, line, offset };
    if (stopToken !== undefined) {
      if (command.command !== stopToken) continue;
      registered.delete(stopToken);
      stopToken = undefined;
    } else if (command.command === 'stop-commands') {
      stopToken = command.data.toLowerCase();
      registered.add(stopToken);
    }
    processed.push(command);
  }
  return processed;
}

/** The commands the action issues through @actions/core (outputs go to GITHUB_OUTPUT files). */
const ISSUED = new Set(['add-mask', 'debug', 'notice', 'warning', 'error', 'group', 'endgroup']);

/**
 * The commands in `stdout` that the action did not issue. @actions/core writes each command as
 * one `::name …::data` line at the start of a `\n`-terminated write, so anything else is foreign:
 * the `##[` syntax, a command after white space or after a line break inside a write, a command
 * the action never uses, or one that carries `marker` (which the hostile test values carry) in
 * its properties or at the start of its data, where the action's own text stands.
 */
export function foreignCommands(stdout: string, marker = 'PWNED'): RunnerCommand[] {
  const writeStarts = new Set([0, ...[...stdout.matchAll(/\n/g)].map((match) => match.index + 1)]);
  return runnerCommands(stdout).filter(
    (command) =>
      command.syntax === '##[' ||
      !command.line.startsWith('::') ||
      !writeStarts.has(command.offset) ||
      !ISSUED.has(command.command) ||
      Object.entries(command.properties).some(([key, value]) => `${key}=${value}`.includes(marker)) ||
      command.data.startsWith(marker),
  );
}
