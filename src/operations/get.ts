import type { SettingsOf } from '../inputs/settings.ts';
import type { OperationContext } from './context.ts';
import { resultOf, type OperationResult } from './result.ts';
import { resolveTarget } from './target.ts';

/** operation: get — read a widget, secret included (how a later job obtains the secret). */
export async function runGet(
  settings: SettingsOf<'get'>,
  { client, logger }: OperationContext,
): Promise<OperationResult> {
  const widget = await client.get(await resolveTarget(client, settings.target, logger));
  logger.info(`Read widget "${widget.name}" (${widget.sitekey}).`);
  return resultOf(settings, 'read', { widget });
}
