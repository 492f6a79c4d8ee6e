import type { TurnstileClient } from '../cloudflare/client.ts';
import { CloudflareApiError } from '../cloudflare/errors.ts';
import { resultOf, type WidgetRef, type Run } from './context.ts';
import { findByName, listed } from './widgets.ts';

/**
 * operation: delete — by sitekey, or every widget named exactly `name`. Idempotent: when nothing
 * matches (already deleted, e.g. a re-run of the pull request's "closed" job) it succeeds.
 */
export const runDelete: Run<'delete'> = async (settings, { client, logger }) => {
  const { target } = settings;
  const what = 'sitekey' in target ? `with sitekey ${target.sitekey}` : `named "${target.name}"`;
  if (settings.dryRun) {
    const matches =
      'sitekey' in target ? await bySitekey(client, target.sitekey) : await findByName(client, target.name);
    logger.info(
      matches.length
        ? `Dry run: would delete ${matches.length} widget(s) ${what}: ${matches.map((w) => w.sitekey).join(', ')}.`
        : `Dry run: no widget ${what}; nothing to delete.`,
    );
    return resultOf(settings, 'would delete', { deleted: matches.map(widgetRef) });
  }
  // By sitekey the DELETE alone suffices: its answer names the widget.
  const deleted = await deleteAll(client, 'sitekey' in target ? [target] : await findByName(client, target.name));
  logger.info(
    deleted.length
      ? `Deleted ${deleted.length} widget(s) ${what}${listed(deleted)}.`
      : `No widget ${what}; nothing to delete.`,
  );
  return resultOf(settings, deleted.length ? 'deleted' : 'nothing to delete', { deleted });
};

/** A widget as the `deleted` output and the logs name it: sitekey and name, nothing else. */
export const widgetRef = ({ sitekey, name }: WidgetRef): WidgetRef => ({ sitekey, name });

/** The widget with this sitekey, as a list of one, or none (the filter is exact for sitekeys). */
async function bySitekey(client: TurnstileClient, sitekey: string): Promise<WidgetRef[]> {
  return (await client.listAll(`sitekey:${sitekey}`)).filter((widget) => widget.sitekey === sitekey);
}

/**
 * DELETEs the widgets, at most `concurrency` at once, treating "already gone" (404) as done; returns
 * what these calls removed, in the order given.
 */
export async function deleteAll(
  client: TurnstileClient,
  widgets: readonly { sitekey: string }[],
  concurrency = 1,
): Promise<WidgetRef[]> {
  const removed = await mapConcurrently(widgets, concurrency, async ({ sitekey }) => {
    try {
      return widgetRef(await client.delete(sitekey));
    } catch (error) {
      if (error instanceof CloudflareApiError && error.status === 404) return undefined;
      throw error;
    }
  });
  return removed.filter((gone): gone is WidgetRef => gone !== undefined);
}

/** Runs `task` over `items` with at most `limit` in flight; results keep the input order. */
async function mapConcurrently<T, R>(items: readonly T[], limit: number, task: (item: T) => Promise<R>): Promise<R[]> {
  const results: R[] = [];
  let next = 0;
  const worker = async (): Promise<void> => {
    for (let index = next++; index < items.length; index = next++) {
      const item = items[index];
      if (item !== undefined) results[index] = await task(item);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return results;
}
