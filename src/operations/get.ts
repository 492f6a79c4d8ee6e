import { resultOf, type Run } from './context.ts';
import { resolveTarget } from './widgets.ts';

/** operation: get — a widget, secret included (how a later job obtains the secret). */
export const runGet: Run<'get'> = async (settings, { client, logger }) => {
  const widget = await client.get(await resolveTarget({ client, logger }, settings.target));
  logger.info(`Read widget "${widget.name}" (${widget.sitekey}).`);
  return resultOf(settings, 'read', { widget });
};
