import type { OperationResult } from '../operations/context.ts';
import { ActionError, type Runner } from '../log/runner.ts';
import type { SecretRegistry } from '../log/secrets.ts';

// Outputs end up in shells and GITHUB_ENV: a sitekey from the API not shaped like Cloudflare's (at
// most 32 characters), or a name or mode with a control character (a line break), is refused.
const SITEKEY_SHAPE = /^[A-Za-z0-9_-]{1,32}$/;
const CONTROL = /\p{Cc}/u;

/**
 * Sets the step outputs. The secret is masked first, before any output, log line or summary can
 * carry it; `widget` is the API's widget minus the secret. A sitekey that does not look like
 * one, or a name or mode with a control character, fails the run before any output is written.
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
    if (!SITEKEY_SHAPE.test(widget.sitekey)) {
      throw new ActionError(
        'Cloudflare API error',
        `The API returned the sitekey "${widget.sitekey}", which does not look like a sitekey (letters, digits, "-" and "_", at most 32); no output was written.`,
      );
    }
    const unsafe = (['name', 'mode'] as const).find((field) => CONTROL.test(widget[field]));
    if (unsafe) {
      throw new ActionError(
        'Cloudflare API error',
        `The API returned the ${unsafe} "${widget[unsafe]}", which contains a control character (such as a line break); no output was written.`,
      );
    }
    for (const output of ['sitekey', 'secret', 'name', 'mode'] as const) runner.setOutput(output, widget[output]);
    runner.setOutput('domains', JSON.stringify(widget.domains));
    const { secret: _secret, ...shown } = widget;
    runner.setOutput('widget', result.testKeys ? '' : secrets.redact(JSON.stringify(shown)));
    if (exportEnv) {
      runner.exportVariable('TURNSTILE_SITEKEY', widget.sitekey);
      runner.exportVariable('TURNSTILE_SECRET', widget.secret);
    }
  }
  runner.setOutput('created', String(result.created));
  runner.setOutput('updated', String(result.updated));
  // Widgets in a listing are data: one with an odd sitekey fails nothing, and reaches no output.
  const deleted = result.deleted?.map((w) => w.sitekey).filter((sitekey) => SITEKEY_SHAPE.test(sitekey));
  if (deleted) runner.setOutput('deleted', JSON.stringify(deleted));
}
