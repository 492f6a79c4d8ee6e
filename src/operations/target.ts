import type { TurnstileClient } from '../cloudflare/client.ts';
import type { Logger } from '../log/logger.ts';
import type { Target } from '../inputs/settings.ts';
import { findByName } from './widgets.ts';

/** No widget matches the given sitekey or name. */
export class WidgetNotFoundError extends Error {
  constructor(what: string) {
    super(
      `No Turnstile widget ${what} exists in this account. Check the name/sitekey and account-id, or create it with operation: ensure.`,
    );
    this.name = 'WidgetNotFoundError';
  }
}

/**
 * The one widget that get and rotate-secret act on: by `sitekey` when given (no lookup needed),
 * else the oldest widget named exactly `name`.
 */
export async function resolveTarget(client: TurnstileClient, target: Target, logger: Logger): Promise<string> {
  if ('sitekey' in target) return target.sitekey;
  const matches = await findByName(client, target.name);
  const [oldest] = matches;
  if (!oldest) throw new WidgetNotFoundError(`named "${target.name}"`);
  if (matches.length > 1) {
    logger.warning(
      `${matches.length} widgets are named "${target.name}"; using the oldest (${oldest.sitekey}), as ensure does.`,
      'Duplicate widget names',
    );
  }
  return oldest.sitekey;
}
