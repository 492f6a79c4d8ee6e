import * as core from '@actions/core';
import { TurnstileClient } from './api/client.ts';
import { CloudflareApiError } from './api/errors.ts';
import { InputError } from './errors.ts';
import { readSettings } from './inputs.ts';
import { actionsLogger } from './log.ts';
import { runOperation } from './operations/index.ts';
import { PRUNE_CONCURRENCY } from './operations/prune.ts';
import { WidgetNotFoundError } from './operations/target.ts';
import { writeOutputs } from './outputs.ts';
import { registerSecret, redact } from './secrets.ts';
import { writeSummary } from './summary.ts';

/** The action: inputs → Cloudflare → outputs. Every failure ends as one annotated error line. */
export async function run(): Promise<void> {
  try {
    const settings = await readSettings();
    const client = new TurnstileClient({
      apiUrl: settings.apiUrl,
      accountId: settings.accountId,
      auth: settings.auth,
      logger: actionsLogger,
      requestTimeoutMs: settings.requestTimeoutMs,
      retry: { maxRetries: settings.maxRetries },
      onSecret: registerSecret,
      connections: settings.operation === 'prune' ? PRUNE_CONCURRENCY : 1,
    });
    try {
      const what = settings.sitekey ?? settings.name ?? `${settings.namePrefix}*`;
      const result = await core.group(`Turnstile ${settings.operation}: ${what}`, () =>
        runOperation(client, settings, actionsLogger),
      );
      writeOutputs(result, settings.exportEnv);
      await writeSummary(result);
      core.debug(`Cloudflare API requests: ${client.requestCount}`);
    } finally {
      await client.close();
    }
  } catch (error) {
    core.error(redact(error instanceof Error ? error.message : String(error)), { title: titleFor(error) });
    process.exitCode = 1;
  }
}

function titleFor(error: unknown): string {
  if (error instanceof InputError) return `Invalid input: ${error.input}`;
  if (error instanceof CloudflareApiError) return 'Cloudflare API error';
  if (error instanceof WidgetNotFoundError) return 'Widget not found';
  return 'Turnstile action failed';
}
