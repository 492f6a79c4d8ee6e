import { CloudflareApiError } from '../api/errors.ts';
import type { WidgetSummary } from '../api/schemas.ts';
import { FREE_PLAN } from '../defaults.ts';
import { repositoryName } from '../github-context.ts';
import { escapeUntrusted, quoteUntrusted } from '../log.ts';
import type { OperationContext } from './context.ts';
import { deleteIfPresent, ref } from './delete.ts';
import type { WidgetRef } from './result.ts';
import { oldestFirst } from './widgets.ts';

const DAY_MS = 86_400_000;

/** How this repository names its preview widgets: `<repo>-pr-<N>`, or `<name-prefix><N>`. */
export function previewPattern(context: OperationContext, namePrefix: string | undefined): RegExp | undefined {
  const prefix = namePrefix ?? (repositoryName(context.github) && `${repositoryName(context.github)}-pr-`);
  if (!prefix) return undefined;
  return new RegExp(`^${prefix.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}(\\d+)$`);
}

/** The widgets of this repository's previews whose pull request is closed, oldest first. */
async function closedPreviews(
  context: OperationContext,
  widgets: WidgetSummary[],
  pattern: RegExp,
): Promise<WidgetSummary[]> {
  const list = context.openPullRequests;
  if (!list) return [];
  const open = await list();
  return widgets
    .filter((widget) => {
      const number = pattern.exec(widget.name)?.[1];
      return number !== undefined && !open.has(Number(number));
    })
    .sort(oldestFirst);
}

/**
 * Runs `create`; when Cloudflare refuses it because the account is at its widget limit, deletes the
 * widgets of this repository's closed pull requests (never one of an open pull request, never one
 * whose name does not match) and tries once more. In a dry run nothing is created, so it only
 * reports what a create at the limit would recycle.
 */
export async function createRecyclingAtLimit<T>(
  context: OperationContext,
  namePrefix: string | undefined,
  create: () => Promise<T>,
): Promise<{ created: T; recycled: WidgetRef[] }> {
  try {
    return { created: await create(), recycled: [] };
  } catch (error) {
    if (!(error instanceof CloudflareApiError) || !error.isWidgetLimit) throw error;
    const widgets = await context.client.listAll();
    const pattern = previewPattern(context, namePrefix);
    const why = !pattern
      ? 'no repository is known to name its previews after'
      : !context.openPullRequests
        ? '`github-token` is empty, so the open pull requests cannot be listed'
        : undefined;
    // A failure to list pull requests ends the run here, before anything is deleted.
    const stale = why || !pattern ? [] : await closedPreviews(context, widgets, pattern);
    if (stale.length === 0)
      throw limitError(
        context,
        widgets,
        why ?? `no widget named ${quoteUntrusted(String(pattern))} belongs to a closed pull request`,
      );
    const recycled: WidgetRef[] = [];
    for (const widget of stale) {
      const gone = await deleteIfPresent(context.client, widget.sitekey);
      if (gone) recycled.push(gone);
    }
    context.logger.warning(
      `The account is at its widget limit (${widgets.length} widgets); deleted ${recycled.length} widget(s) of closed pull requests to make room: ${recycled.map((w) => `${quoteUntrusted(w.name)} (${escapeUntrusted(w.sitekey)})`).join(', ')}.`,
      'Widget limit: recycled closed previews',
    );
    return { created: await create(), recycled };
  }
}

/** What a create at the limit would recycle, for a dry run (judged against the Free plan's limit). */
export async function plannedRecycling(
  context: OperationContext,
  namePrefix: string | undefined,
): Promise<WidgetRef[]> {
  const pattern = previewPattern(context, namePrefix);
  if (!pattern || !context.openPullRequests) return [];
  const widgets = await context.client.listAll();
  if (widgets.length < FREE_PLAN.widgetsPerAccount) return [];
  const stale = await closedPreviews(context, widgets, pattern);
  if (stale.length > 0) {
    context.logger.info(
      `Dry run: the account holds ${widgets.length} widgets; if Cloudflare refuses the create at its widget limit, ${stale.length} widget(s) of closed pull requests would be deleted first: ${stale.map((w) => quoteUntrusted(w.name)).join(', ')}.`,
    );
  }
  return stale.map(ref);
}

/** The account is at its widget limit and nothing could be recycled. */
export class WidgetLimitError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'WidgetLimitError';
  }
}

/** Nothing can be recycled: say what the account holds, what looks stale, and the step to add. */
function limitError(context: OperationContext, widgets: WidgetSummary[], why: string): WidgetLimitError {
  const now = context.clock.now();
  const previews = widgets
    .filter((widget) => /-pr-\d+$/.test(widget.name))
    .sort(oldestFirst)
    .map(
      (widget) =>
        `${quoteUntrusted(widget.name)} (${Math.floor((now - Date.parse(widget.created_on)) / DAY_MS)} days old)`,
    );
  const repo = repositoryName(context.github) ?? '<repo>';
  return new WidgetLimitError(
    `Cloudflare refused the create: the account is at its Turnstile widget limit and holds ${widgets.length} widgets (${FREE_PLAN.widgetsPerAccount} on the Free plan). None could be recycled: ${why}. ` +
      (previews.length
        ? `Widgets that look like previews: ${previews.slice(0, 10).join(', ')}${previews.length > 10 ? `, and ${previews.length - 10} more` : ''}. `
        : 'No widget looks like a preview (named …-pr-<N>). ') +
      `Delete unused widgets, or add a nightly cleanup step: \`- uses: <owner>/turnstile-widget-action@v1\` with \`operation: prune\`, \`name-prefix: ${repo}-pr-\`, \`older-than: 7d\`, and the same api-token and account-id (it keeps widgets of open pull requests).`,
  );
}
