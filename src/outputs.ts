import type { OperationResult } from './operations/result.ts';
import { withoutSecret } from './operations/widgets.ts';
import type { Runner } from './runner.ts';
import type { SecretRegistry } from './secrets.ts';

/**
 * Sets the step outputs. The secret is masked first, before any output, log line or summary can
 * carry it; `widget` is the API's widget minus the secret.
 */
export function writeOutputs(
  runner: Runner,
  secrets: SecretRegistry,
  result: OperationResult,
  exportEnv: boolean,
): void {
  const widget = result.widget;
  if (widget) {
    secrets.add(widget.secret);
    runner.setOutput('sitekey', widget.sitekey);
    runner.setOutput('secret', widget.secret);
    runner.setOutput('name', widget.name);
    runner.setOutput('mode', widget.mode);
    runner.setOutput('domains', JSON.stringify(widget.domains));
    runner.setOutput('widget', secrets.redact(JSON.stringify(withoutSecret(widget))));
    if (exportEnv) {
      runner.exportVariable('TURNSTILE_SITEKEY', widget.sitekey);
      runner.exportVariable('TURNSTILE_SECRET', widget.secret);
    }
  }
  runner.setOutput('created', String(result.created));
  runner.setOutput('updated', String(result.updated));
  if (result.deleted) runner.setOutput('deleted', JSON.stringify(result.deleted.map((w) => w.sitekey)));
}
