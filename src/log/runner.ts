import * as core from '@actions/core';

/** A failure the user can act on: its message is the error annotation, `title` the annotation's title. */
export class ActionError extends Error {
  readonly title: string;
  constructor(title: string, message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'ActionError';
    this.title = title;
  }
}

/** What the action needs of the Actions runner: @actions/core here, a recorder in tests. */
export type Runner = typeof actionsRunner;

export const actionsRunner = {
  setSecret: (value: string) => core.setSecret(value),
  setOutput: (name: string, value: string) => core.setOutput(name, value),
  exportVariable: (name: string, value: string) => core.exportVariable(name, value),
  debug: (message: string) => core.debug(message),
  info: (message: string) => core.info(message),
  notice: (message: string, title?: string) => core.notice(message, title ? { title } : {}),
  warning: (message: string, title?: string) => core.warning(message, title ? { title } : {}),
  error: (message: string, title?: string) => core.error(message, title ? { title } : {}),
  startGroup: (title: string) => core.startGroup(title),
  endGroup: () => core.endGroup(),
  /** Appends HTML to the job summary (no-op where there is none). */
  appendSummary: async (html: string): Promise<void> => {
    if (!process.env.GITHUB_STEP_SUMMARY) return;
    await core.summary.addRaw(html, true).write();
  },
};
