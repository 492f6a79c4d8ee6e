import type { TurnstileClient } from '../api/client.ts';
import { CloudflareApiError } from '../api/errors.ts';
import type { Settings } from '../inputs.ts';
import type { Logger } from '../log.ts';
import type { OperationResult } from './result.ts';
import { findByName } from './widgets.ts';

/**
 * operation: delete — by sitekey, or every widget named exactly `name`. Idempotent: when nothing
 * matches (already deleted, e.g. a re-run of the pull request's "closed" job) it succeeds.
 */
export async function runDelete(client: TurnstileClient, settings: Settings, logger: Logger): Promise<OperationResult> {
  const sitekeys = settings.sitekey
    ? [settings.sitekey]
    : (await findByName(client, settings.name as string)).map((w) => w.sitekey);
  const what = settings.sitekey ? `with sitekey ${settings.sitekey}` : `named "${settings.name}"`;
  const base = {
    operation: 'delete' as const,
    widget: undefined,
    created: false,
    updated: false,
    dryRun: settings.dryRun,
    changes: [],
  };
  if (settings.dryRun) {
    logger.info(
      sitekeys.length
        ? `Dry run: would delete ${sitekeys.length} widget(s) ${what}: ${sitekeys.join(', ')}.`
        : `Dry run: no widget ${what}; nothing to delete.`,
    );
    return { ...base, outcome: 'would delete', deleted: sitekeys };
  }
  const deleted: string[] = [];
  for (const sitekey of sitekeys) {
    if (await deleteIfPresent(client, sitekey)) deleted.push(sitekey);
  }
  logger.info(
    deleted.length
      ? `Deleted ${deleted.length} widget(s) ${what}: ${deleted.join(', ')}.`
      : `No widget ${what}; nothing to delete.`,
  );
  return { ...base, outcome: deleted.length ? 'deleted' : 'nothing to delete', deleted };
}

/** DELETE that treats "already gone" (404) as done; returns whether this call removed it. */
export async function deleteIfPresent(client: TurnstileClient, sitekey: string): Promise<boolean> {
  try {
    await client.delete(sitekey);
    return true;
  } catch (error) {
    if (error instanceof CloudflareApiError && error.status === 404) return false;
    throw error;
  }
}
