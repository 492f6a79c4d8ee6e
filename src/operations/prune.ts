import type { WidgetSummary } from '../cloudflare/schemas.ts';
import { branchPreviewName, repositoryName } from '../github/context.ts';
import { deleteAll, widgetRef } from './delete.ts';
import { previewNames } from '../github/previews.ts';
import { resultOf, type OperationContext, type Run } from './context.ts';
import { listed } from './widgets.ts';

/** Deletes in flight at once during prune: fast for hundreds of widgets, far below burst limits. */
export const PRUNE_CONCURRENCY = 10;

/**
 * operation: prune — delete widgets whose name starts with `name-prefix`, that are older than
 * `older-than` and that are provably stale. `created_on` does not change when a preview is ensured
 * again, so age alone cannot tell a live preview from a dead one; GitHub is asked:
 * - this repository's pull-request previews are kept while the pull request is open;
 * - its branch previews (`<repo>-<branch>`) are kept while the branch exists;
 * - its default branch's widget, widgets named like another repository's pull-request preview, and
 *   widgets whose `created_on` cannot be read are always kept.
 * Without a github-token, age decides the rest; when GitHub cannot be asked, what might be live is
 * kept (fail safe).
 */
export const runPrune: Run<'prune'> = async (settings, context) => {
  const { client, logger, clock, github } = context;
  const prefix = settings.namePrefix;
  // filter is a case-insensitive substring match; the prefix test itself is exact.
  const candidates = (await client.listAll(`name:${prefix}`)).filter((w) => w.name.startsWith(prefix));
  const { kindOf } = previewNames(github, prefix);
  const { keep, oldPreviews, undated } = judgeByNameAndAge(candidates, kindOf, clock.now() - settings.olderThanMs);
  if (undated.length > 0) {
    logger.warning(
      `Kept ${undated.length} widget(s) whose created_on cannot be read, whatever older-than says${listed(undated)}.`,
      'Unreadable creation date',
    );
  }
  const unasked =
    (context.openPullRequests ? 0 : oldPreviews.pullRequests.length) +
    (context.branches ? 0 : oldPreviews.branches.length);
  if (unasked > 0) {
    logger.notice(
      `${settings.githubToken ? 'No repository to ask GitHub about' : 'No github-token'}: age alone decided for ${unasked} preview widget(s) older than older-than; GitHub was not asked whether their pull requests are open or their branches exist.`,
    );
  }
  await keepLivePreviews(oldPreviews, keep, context);

  const kept = candidates.filter((w) => keep.has(w)).map((widget) => ({ widget, reason: keep.get(widget)! }));
  const doomed = candidates.filter((w) => !keep.has(w));

  const what = `named "${prefix}*"`;
  if (settings.dryRun) {
    logger.info(
      `Dry run: would delete ${doomed.length} of ${candidates.length} widget(s) ${what}${listed(doomed)}; keeping ${kept.length}.`,
    );
    return resultOf(settings, 'would prune', { kept, deleted: doomed.map(widgetRef) });
  }
  const deleted = await deleteAll(client, doomed, PRUNE_CONCURRENCY);
  logger.info(
    `Pruned ${deleted.length} of ${candidates.length} widget(s) ${what}${listed(deleted)}; kept ${kept.length}.`,
  );
  return resultOf(settings, deleted.length ? 'pruned' : 'nothing to prune', { kept, deleted });
};

/** What the names and dates decide alone: the widgets kept (and why), and the old previews left to ask about. */
function judgeByNameAndAge(
  candidates: WidgetSummary[],
  kindOf: ReturnType<typeof previewNames>['kindOf'],
  cutoff: number,
) {
  const keep = new Map<WidgetSummary, string>();
  // Old previews of this repository, which only GitHub can tell live from stale.
  const oldPreviews = {
    pullRequests: [] as { widget: WidgetSummary; number: number }[],
    branches: [] as WidgetSummary[],
  };
  const undated: WidgetSummary[] = [];
  for (const widget of candidates) {
    const created = Date.parse(widget.created_on);
    const kind = kindOf(widget.name);
    if (Number.isNaN(created)) {
      undated.push(widget);
      keep.set(widget, `its created_on "${widget.created_on}" cannot be read`);
    } else if (kind.kind === 'default branch') keep.set(widget, `the widget of the default branch "${kind.branch}"`);
    else if (created > cutoff) keep.set(widget, `created ${widget.created_on}, newer than older-than`);
    else if (kind.kind === 'pull request') oldPreviews.pullRequests.push({ widget, number: kind.number });
    else if (kind.kind === "another repository's pull request")
      keep.set(widget, "named like another repository's pull-request preview: not this repository's to check");
    else if (kind.kind === 'branch') oldPreviews.branches.push(widget);
  }
  return { keep, oldPreviews, undated };
}

/**
 * Adds to `keep` the old previews GitHub says are live (an open pull request, an existing branch), or
 * all it would have judged once it cannot be asked: it is then not asked again (one warning, one time bound).
 */
async function keepLivePreviews(
  { pullRequests, branches }: ReturnType<typeof judgeByNameAndAge>['oldPreviews'],
  keep: Map<WidgetSummary, string>,
  { openPullRequests, branches: listBranches, github, logger }: OperationContext,
): Promise<void> {
  let failure: string | undefined;
  /** The answer, or undefined once GitHub could not be asked. */
  const ask = async <T>(list: () => Promise<T>): Promise<T | undefined> => {
    if (failure !== undefined) return undefined;
    return list().catch((error: unknown) => {
      failure = error instanceof Error ? error.message : String(error);
      return undefined;
    });
  };
  const unsure: WidgetSummary[] = [];
  if (pullRequests.length > 0 && openPullRequests) {
    const open = await ask(openPullRequests);
    for (const { widget, number } of pullRequests) {
      if (!open) unsure.push(widget);
      else if (open.has(number)) keep.set(widget, `pull request #${number} is still open`);
    }
  }
  if (branches.length > 0 && listBranches) {
    const existing = await ask(listBranches);
    const repo = repositoryName(github)!;
    const live = new Map([...(existing ?? [])].map((b) => [branchPreviewName(repo, b), b]));
    for (const widget of branches) {
      if (!existing) unsure.push(widget);
      else if (live.has(widget.name)) keep.set(widget, `branch "${live.get(widget.name)!}" still exists`);
    }
  }
  for (const widget of unsure) keep.set(widget, 'it may still be live (GitHub could not be asked)');
  if (failure !== undefined) {
    logger.warning(
      `${failure} Keeping ${unsure.length} widget(s) of this repository's pull requests or branches, since any of them may still be live.`,
      'GitHub API error',
    );
  }
}
