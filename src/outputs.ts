import * as core from '@actions/core';
import type { OperationResult } from './operations/result.ts';
import { withoutSecret } from './operations/widgets.ts';
import { registerSecret } from './secrets.ts';

/**
 * Sets the step outputs. The secret is masked first, before any output, log line or summary can
 * carry it; `widget` is the API's widget minus the secret.
 */
export function writeOutputs(result: OperationResult, exportEnv: boolean): void {
  const widget = result.widget;
  registerSecret(widget?.secret);
  if (widget) {
    core.setOutput('sitekey', widget.sitekey);
    core.setOutput('secret', widget.secret);
    core.setOutput('name', widget.name);
    core.setOutput('mode', widget.mode);
    core.setOutput('domains', JSON.stringify(widget.domains));
    core.setOutput('widget', JSON.stringify(withoutSecret(widget)));
    if (exportEnv) {
      core.exportVariable('TURNSTILE_SITEKEY', widget.sitekey);
      core.exportVariable('TURNSTILE_SECRET', widget.secret);
    }
  }
  core.setOutput('created', String(result.created));
  core.setOutput('updated', String(result.updated));
  if (result.deleted) core.setOutput('deleted', JSON.stringify(result.deleted));
}
