import * as core from '@actions/core';
import { redact } from './secrets.ts';

/** What the operations and the API client need to report progress; tests pass a recorder. */
export interface Logger {
  debug(message: string): void;
  info(message: string): void;
  notice(message: string, title?: string): void;
  warning(message: string, title?: string): void;
}

/** The runner's logger, with every line passed through `redact()` first. */
export const actionsLogger: Logger = {
  debug: (message) => core.debug(redact(message)),
  info: (message) => core.info(redact(message)),
  notice: (message, title) => core.notice(redact(message), title ? { title } : {}),
  warning: (message, title) => core.warning(redact(message), title ? { title } : {}),
};
