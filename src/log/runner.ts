import * as core from '@actions/core';

/** What the action needs of the Actions runner: @actions/core here (actionsRunner), a recorder in tests. */
export interface Runner {
  setSecret(value: string): void;
  setOutput(name: string, value: string): void;
  exportVariable(name: string, value: string): void;
  debug(message: string): void;
  info(message: string): void;
  notice(message: string, title?: string): void;
  warning(message: string, title?: string): void;
  error(message: string, title?: string): void;
  startGroup(title: string): void;
  endGroup(): void;
  /** Appends HTML to the job summary (no-op where there is none). */
  appendSummary(html: string): Promise<void>;
}

/** A failure the user can act on: its message is the error annotation, `title` the annotation's title. */
export class ActionError extends Error {
  readonly title: string;
  constructor(title: string, message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'ActionError';
    this.title = title;
  }
}

export const actionsRunner: Runner = {
  setSecret: (value) => core.setSecret(value),
  setOutput: (name, value) => core.setOutput(name, value),
  exportVariable: (name, value) => core.exportVariable(name, value),
  debug: (message) => core.debug(message),
  info: (message) => core.info(message),
  notice: (message, title) => core.notice(message, title ? { title } : {}),
  warning: (message, title) => core.warning(message, title ? { title } : {}),
  error: (message, title) => core.error(message, title ? { title } : {}),
  startGroup: (title) => core.startGroup(title),
  endGroup: () => core.endGroup(),
  appendSummary: async (html) => {
    if (!process.env.GITHUB_STEP_SUMMARY) return;
    await core.summary.addRaw(html, true).write();
  },
};
