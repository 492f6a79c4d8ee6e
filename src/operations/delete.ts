import type { TurnstileClient } from '../cloudflare/client.ts';
import { CloudflareApiError } from '../cloudflare/errors.ts';
import { resultOf, type WidgetRef, type Run } from './context.ts';
import { findByName } from './widgets.ts';

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
  const sitekeys =
    'sitekey' in target ? [target.sitekey] : (await findByName(client, target.name)).map((w) => w.sitekey);
  const deleted: WidgetRef[] = [];
  for (const sitekey of sitekeys) {
    const gone = await deleteIfPresent(client, sitekey);
    if (gone) deleted.push(gone);
  }
  logger.info(
    deleted.length
      ? `Deleted ${deleted.length} widget(s) ${what}: ${deleted.map((w) => `"${w.name}" (${w.sitekey})`).join(', ')}.`
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

/** DELETE that treats "already gone" (404) as done; returns what this call removed, if anything. */
export async function deleteIfPresent(client: TurnstileClient, sitekey: string): Promise<WidgetRef | undefined> {
  try {
    return widgetRef(await client.delete(sitekey));
  } catch (error) {
    if (error instanceof CloudflareApiError && error.status === 404) return undefined;
    throw error;
  }
}
