import type { TurnstileClient } from '../api/client.ts';
import type { Settings } from '../inputs.ts';
import type { Logger } from '../log.ts';
import type { OperationResult } from './result.ts';
import { resolveTarget } from './target.ts';

/** operation: get — read a widget, secret included (how a later job obtains the secret). */
export async function runGet(client: TurnstileClient, settings: Settings, logger: Logger): Promise<OperationResult> {
  const sitekey = await resolveTarget(client, settings, logger);
  const widget = await client.get(sitekey);
  logger.info(`Read widget "${widget.name}" (${widget.sitekey}).`);
  return {
    operation: 'get',
    outcome: 'read',
    widget,
    created: false,
    updated: false,
    dryRun: settings.dryRun,
    changes: [],
  };
}
