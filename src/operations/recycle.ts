import { CloudflareApiError, FREE_PLAN } from '../cloudflare/errors.ts';
import type { WidgetSummary } from '../cloudflare/schemas.ts';
import { deleteAll, widgetRef } from './delete.ts';
import { previewNames, PULL_REQUEST_PREVIEW } from '../github/previews.ts';
import { ActionError } from '../log/runner.ts';
import type { OperationContext, WidgetRef } from './context.ts';
import { listed, oldestFirst } from './widgets.ts';

const DAY_MS = 86_400_000;

/** The widgets of this repository's pull-request previews (as prune judges them) whose pull request is not open, oldest first. */
function closedPreviews(widgets: WidgetSummary[], kindOf: Previews['kindOf'], open: Set<number>): WidgetSummary[] {
  return widgets
    .filter((widget) => {
      const kind = kindOf(widget.name);
      return kind.kind === 'pull request' && !open.has(kind.number);
    })
    .sort(oldestFirst);
}

type Previews = ReturnType<typeof previewNames>;

/**
 * Runs `create`; when Cloudflare refuses it because the account is at its widget limit, deletes the
 * widgets of this repository's closed pull requests (never one of an open pull request, never one
 * whose name does not match) and tries once more. Deleting needs proof that the refusal is the
 * limit (CloudflareApiError.isWidgetLimit): any other refusal is reported as it is.
 */
export async function createRecyclingAtLimit<T>(
  context: OperationContext,
  namePrefix: string | undefined,
  create: () => Promise<T>,
): Promise<{ created: T; recycled: WidgetRef[] }> {
  try {
    return { created: await create(), recycled: [] };
  } catch (refusal) {
    if (!(refusal instanceof CloudflareApiError) || !refusal.mayBeWidgetLimit) throw refusal;
    // A listing that fails proves nothing: the refusal is what the user needs to see.
    const widgets = await context.client.listAll().catch(() => Promise.reject(refusal));
    if (!refusal.isWidgetLimit(widgets.length)) throw refusal;
    const { prefix, kindOf } = previewNames(context.github, namePrefix);
    let why = `no widget named "${prefix}<number>" belongs to a closed pull request`;
    let stale: WidgetSummary[] = [];
    if (!prefix) why = 'no repository is known to name its previews after';
    else if (!context.openPullRequests) why = '`github-token` is empty, so the open pull requests cannot be listed';
    else {
      // Without the open pull requests nothing may be deleted; the limit stays the error's subject.
      try {
        stale = closedPreviews(widgets, kindOf, await context.openPullRequests());
      } catch (error) {
        why = `the open pull requests could not be listed (${error instanceof Error ? error.message : String(error)})`;
      }
    }
    if (stale.length === 0) throw limitError(context, refusal, widgets, prefix, why);
    const recycled = await deleteAll(context.client, stale);
    context.logger.warning(
      `The account is at its widget limit (${widgets.length} widgets); deleted ${recycled.length} widget(s) of closed pull requests to make room${listed(recycled)}.`,
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
  const { prefix, kindOf } = previewNames(context.github, namePrefix);
  if (!prefix || !context.openPullRequests) return [];
  const widgets = await context.client.listAll();
  if (widgets.length < FREE_PLAN.widgetsPerAccount) return [];
  const stale = closedPreviews(widgets, kindOf, await context.openPullRequests());
  if (stale.length > 0) {
    context.logger.info(
      `Dry run: the account holds ${widgets.length} widgets; if Cloudflare refuses the create at its widget limit, ${stale.length} widget(s) of closed pull requests would be deleted first: ${stale.map((w) => `"${w.name}"`).join(', ')}.`,
    );
  }
  return stale.map(widgetRef);
}

/**
 * Nothing can be recycled: the limit and the step that prevents it first, then why nothing could be
 * recycled now, then what the account holds that looks stale.
 */
function limitError(
  context: OperationContext,
  refusal: CloudflareApiError,
  widgets: WidgetSummary[],
  prefix: string | undefined,
  why: string,
): ActionError {
  const now = context.clock.now();
  const previews = widgets
    .filter((widget) => PULL_REQUEST_PREVIEW.test(widget.name))
    .sort(oldestFirst)
    .map((widget) => `"${widget.name}" (${Math.floor((now - Date.parse(widget.created_on)) / DAY_MS)} days old)`);
  const step = context.action ? `\`- uses: ${context.action}\` with ` : 'a step of this action with ';
  return new ActionError(
    'Widget limit reached',
    `The account is at its Turnstile widget limit: it holds ${widgets.length} widgets (${FREE_PLAN.widgetsPerAccount} on the Free plan) and Cloudflare refused the create (${refusal.status === undefined ? '' : `HTTP ${refusal.status}: `}${refusal.answer}). ` +
      `Delete unused widgets, or add a nightly cleanup: ${step}\`operation: prune\`, ${prefix ? `\`name-prefix: ${prefix}\`` : 'a `name-prefix` that your preview widgets share'}, \`older-than: 7d\`, the same api-token and account-id, and \`permissions: pull-requests: read\` (it keeps the widgets of open pull requests). ` +
      `None could be recycled now: ${why}. ` +
      (previews.length
        ? `Widgets that look like previews: ${previews.slice(0, 10).join(', ')}${previews.length > 10 ? `, and ${previews.length - 10} more` : ''}.`
        : 'No widget looks like a preview (a name that ends in -pr- and a number).'),
  );
}
