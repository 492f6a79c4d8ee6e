import type { TurnstileClient } from '../api/client.ts';
import type { WidgetSummary } from '../api/schemas.ts';
import type { Settings } from '../inputs.ts';
import type { Logger } from '../log.ts';
import { deleteIfPresent } from './delete.ts';
import type { OperationResult } from './result.ts';
import { mapConcurrently } from './target.ts';

// Deletes in flight at once: fast enough for hundreds of widgets while far below Cloudflare's
// per-IP burst limits; 429s are retried by the client with Retry-After.
export const PRUNE_CONCURRENCY = 10;

export interface PruneDependencies {
  /** Open pull request numbers of this repository, when a github-token was given. */
  openPullRequests?: () => Promise<Set<number>>;
  now?: () => number;
}

/**
 * operation: prune — delete widgets whose name starts with `name-prefix` and that are older than
 * `older-than`, keeping those of pull requests that are still open.
 */
export async function runPrune(
  client: TurnstileClient,
  settings: Settings,
  logger: Logger,
  deps: PruneDependencies = {},
): Promise<OperationResult> {
  const prefix = settings.namePrefix as string;
  const cutoff = (deps.now ?? Date.now)() - settings.olderThanMs;
  // filter is a case-insensitive substring match; the prefix test itself is exact.
  const candidates = (await client.listAll({ filter: `name:${prefix}` })).filter((w) => w.name.startsWith(prefix));
  const open = deps.openPullRequests ? await deps.openPullRequests() : undefined;

  const doomed: WidgetSummary[] = [];
  const kept: { widget: WidgetSummary; reason: string }[] = [];
  for (const widget of candidates) {
    const pr = /-pr-(\d+)$/.exec(widget.name);
    if (Date.parse(widget.created_on) > cutoff)
      kept.push({ widget, reason: `created ${widget.created_on}, newer than older-than` });
    else if (open && pr && open.has(Number(pr[1])))
      kept.push({ widget, reason: `pull request #${pr[1]} is still open` });
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
  if (settings.dryRun) {
    logger.info(
      `Dry run: would delete ${doomed.length} of ${candidates.length} widget(s) named "${prefix}*"; keeping ${kept.length}.`,
    );
    return { ...base, outcome: 'would prune', deleted: doomed.map((w) => w.sitekey) };
  }
  const removed = await mapConcurrently(doomed, PRUNE_CONCURRENCY, (w) => deleteIfPresent(client, w.sitekey));
  const deleted = doomed.filter((_, index) => removed[index]).map((w) => w.sitekey);
  logger.info(`Pruned ${deleted.length} of ${candidates.length} widget(s) named "${prefix}*"; kept ${kept.length}.`);
  return { ...base, outcome: deleted.length ? 'pruned' : 'nothing to prune', deleted };
}
