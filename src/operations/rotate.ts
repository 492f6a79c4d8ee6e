import type { TurnstileClient } from '../api/client.ts';
import type { Settings } from '../inputs.ts';
import type { Logger } from '../log.ts';
import type { OperationResult } from './result.ts';
import { resolveTarget } from './target.ts';

/**
 * operation: rotate-secret. Unless invalidate-immediately is true, Cloudflare keeps accepting the
 * previous secret for two hours, so running deployments keep working while they are redeployed.
 */
export async function runRotateSecret(
  client: TurnstileClient,
  settings: Settings,
  logger: Logger,
): Promise<OperationResult> {
  const sitekey = await resolveTarget(client, settings, logger);
  const base = { operation: 'rotate-secret' as const, created: false, dryRun: settings.dryRun };
  const grace = settings.invalidateImmediately
    ? 'the old secret stops working now'
    : 'the old secret keeps working for two hours';
  if (settings.dryRun) {
    logger.info(`Dry run: would rotate the secret of widget ${sitekey} (${grace}).`);
    return { ...base, outcome: 'would rotate', widget: undefined, updated: false, changes: [] };
  }
  const widget = await client.rotateSecret(sitekey, settings.invalidateImmediately);
  logger.info(`Rotated the secret of widget "${widget.name}" (${widget.sitekey}); ${grace}.`);
  return { ...base, outcome: 'rotated', widget, updated: true, changes: ['secret: rotated'] };
}
