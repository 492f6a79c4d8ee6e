import type { Runner } from './runner.ts';
import type { SecretRegistry } from './secrets.ts';

/** What the operations and the API client need to report progress; tests pass a recorder. */
export interface Logger {
  debug(message: string): void;
  info(message: string): void;
  notice(message: string, title?: string): void;
  warning(message: string, title?: string): void;
}

/**
 * A value that came from the user or the API (a name, a domain, an error text), quoted for a log
 * line: control characters are escaped, so it can never end the line and start a workflow
 * command (`::stop-commands::`, a fake annotation) on the next.
 */
export function show(value: string): string {
  return JSON.stringify(value);
}

/** The same without quotes, for values inside a sentence. */
export function plain(value: string): string {
  return show(value).slice(1, -1);
}

// The runner executes any stdout line that starts with "::" (after spaces). Plain log lines are
// printed as they are, so a line of ours that would start so is defused; annotations and debug
// lines are escaped by @actions/core itself.
const COMMAND_LINE = /^(\s*)::/gm;
const defuse = (text: string) => text.replace(COMMAND_LINE, '$1:\u200b:');

/** The runner's log, with every line redacted first and plain lines defused. */
export function runnerLogger(runner: Runner, secrets: SecretRegistry): Logger {
  return {
    debug: (message) => runner.debug(secrets.redact(message)),
    info: (message) => runner.info(defuse(secrets.redact(message))),
    notice: (message, title) => runner.notice(secrets.redact(message), title),
    warning: (message, title) => runner.warning(secrets.redact(message), title),
  };
}
