import type { WidgetSummary } from '../api/schemas.ts';
import { mapConcurrently } from '../concurrency.ts';
import { PRUNE_CONCURRENCY } from '../defaults.ts';
import { escapeUntrusted, quoteUntrusted } from '../log.ts';
import type { SettingsOf } from '../settings.ts';
import type { OperationContext } from './context.ts';
import { deleteIfPresent, ref } from './delete.ts';
import type { OperationResult, WidgetRef } from './result.ts';

const PULL_REQUEST_SUFFIX = /-pr-(\d+)$/;

/**
 * operation: prune — delete widgets whose name starts with `name-prefix` and that are older than
 * `older-than`, keeping those of pull requests that are still open. When the pull requests cannot
 * be listed, every `…-pr-<N>` widget is kept (fail safe): it might belong to an open one.
 */
export async function runPrune(settings: SettingsOf<'prune'>, context: OperationContext): Promise<OperationResult> {
  const { client, logger, clock } = context;
  const prefix = settings.namePrefix;
  const cutoff = clock.now() - settings.olderThanMs;
  // filter is a case-insensitive substring match; the prefix test itself is exact.
  const candidates = (await client.listAll({ filter: `name:${prefix}` })).filter((w) => w.name.startsWith(prefix));
  const open = await openPullRequests(context);

  const doomed: WidgetSummary[] = [];
  const kept: { widget: WidgetSummary; reason: string }[] = [];
  for (const widget of candidates) {
    const pr = PULL_REQUEST_SUFFIX.exec(widget.name)?.[1];
    if (Date.parse(widget.created_on) > cutoff)
      kept.push({ widget, reason: `created ${widget.created_on}, newer than older-than` });
    else if (pr && open === 'unknown')
      kept.push({ widget, reason: 'its pull request may be open (pull requests could not be listed)' });
    else if (pr && open instanceof Set && open.has(Number(pr)))
      kept.push({ widget, reason: `pull request #${pr} is still open` });
    else doomed.push(widget);
  }
  const base = {
    operation: 'prune' as const,
    widget: undefined,
    created: false,
    updated: false,
    dryRun: settings.dryRun,
    changes: [],
    kept,
  };
  const what = `named ${quoteUntrusted(`${prefix}*`)}`;
  if (settings.dryRun) {
    logger.info(
      `Dry run: would delete ${doomed.length} of ${candidates.length} widget(s) ${what}${listed(doomed)}; keeping ${kept.length}.`,
    );
    return { ...base, outcome: 'would prune', deleted: doomed.map(ref) };
  }
  const removed = await mapConcurrently(doomed, PRUNE_CONCURRENCY, (w) => deleteIfPresent(client, w.sitekey));
  const deleted = removed.filter((gone): gone is WidgetRef => gone !== undefined);
  logger.info(
    `Pruned ${deleted.length} of ${candidates.length} widget(s) ${what}${listed(deleted)}; kept ${kept.length}.`,
  );
  return { ...base, outcome: deleted.length ? 'pruned' : 'nothing to prune', deleted };
}

/** The widgets by name and sitekey, after a colon; nothing when there are none. */
const listed = (widgets: WidgetRef[]) =>
  widgets.length
    ? `: ${widgets.map((w) => `${quoteUntrusted(w.name)} (${escapeUntrusted(w.sitekey)})`).join(', ')}`
    : '';

/** Open pull requests; undefined without a token (age alone decides), 'unknown' when listing failed. */
async function openPullRequests({
  openPullRequests: list,
  logger,
}: OperationContext): Promise<Set<number> | 'unknown' | undefined> {
  if (!list) return undefined;
  try {
    return await list();
  } catch (error) {
    logger.warning(
      `${error instanceof Error ? error.message : String(error)} Keeping every widget named …-pr-<N>, since any of them may belong to an open pull request.`,
      'GitHub API error',
    );
    return 'unknown';
  }
}
