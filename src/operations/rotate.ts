import { refusedWith } from '../cloudflare/errors.ts';
import type { Widget } from '../cloudflare/schemas.ts';
import { resultOf, type Run } from './context.ts';
import { resolveTarget } from './widgets.ts';

/**
 * operation: rotate-secret. Unless invalidate-immediately is true, Cloudflare keeps accepting the
 * previous secret for two hours, so running deployments keep working while they are redeployed.
 */
export const runRotateSecret: Run<'rotate-secret'> = async (settings, { client, logger, clock }) => {
  const sitekey = await resolveTarget({ client, logger }, settings.target);
  const grace = settings.invalidateImmediately
    ? 'the old secret stops working now'
    : 'the old secret keeps working for two hours';
  // Read first: what the secret was before the attempt is how a lost response is recognised.
  const before = await client.get(sitekey);
  if (settings.dryRun) {
    logger.info(`Dry run: would rotate the secret of widget "${before.name}" (${sitekey}); ${grace}.`);
    return resultOf(settings, 'would rotate', { planned: { name: before.name } });
  }
  // Not idempotent: a second rotation would end the first one's grace period. After a lost
  // answer, the widget's secret tells whether the rotation happened.
  const rotation = client.recoverWrite(
    () => client.rotateSecret(sitekey, settings.invalidateImmediately),
    async (): Promise<Widget | undefined> => {
      const now = await client.get(sitekey);
      if (now.secret === before.secret) return undefined;
      logger.info(
        `The rotate_secret response was lost, but widget "${now.name}" (${sitekey}) has a new secret; using it instead of rotating again (a second rotation would end the old secret's grace period).`,
      );
      return now;
    },
  );
  // How long ago the widget last changed (a rotation changes it), when its timestamp says.
  const changed = Date.parse(before.modified_on ?? '');
  const changedMsAgo = Number.isNaN(changed) ? undefined : Math.max(0, clock.now() - changed);
  const widget = await rotation.catch(refusedWith({ rotation: { changedMsAgo } }));
  logger.info(`Rotated the secret of widget "${widget.name}" (${widget.sitekey}); ${grace}.`);
  return resultOf(settings, 'rotated', { widget, changes: ['secret: rotated'] });
};
