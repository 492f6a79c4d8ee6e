import type { TurnstileClient } from '../api/client.ts';
import type { Settings } from '../inputs.ts';
import type { Logger } from '../log.ts';
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
export async function resolveTarget(client: TurnstileClient, settings: Settings, logger: Logger): Promise<string> {
  if (settings.sitekey) return settings.sitekey;
  const name = settings.name as string;
  const matches = await findByName(client, name);
  const [oldest] = matches;
  if (!oldest) throw new WidgetNotFoundError(`named "${name}"`);
  if (matches.length > 1) {
    logger.warning(
      `${matches.length} widgets are named "${name}"; using the oldest (${oldest.sitekey}), as ensure does.`,
      'Duplicate widget names',
    );
  }
  return oldest.sitekey;
}

/** Runs `task` over `items` with at most `limit` in flight; results keep the input order. */
export async function mapConcurrently<T, R>(
  items: readonly T[],
  limit: number,
  task: (item: T) => Promise<R>,
): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const index = next++;
      results[index] = await task(items[index] as T);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return results;
}
