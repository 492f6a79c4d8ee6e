import type { TurnstileClient } from '../cloudflare/client.ts';
import type { Widget, WidgetSummary } from '../cloudflare/schemas.ts';
import type { Clock } from '../http/clock.ts';
import type { gitHubApi } from '../github/api.ts';
import type { GitHubContext } from '../github/context.ts';
import type { Logger } from '../log/logger.ts';
import type { Operation, SettingsOf } from '../inputs/settings.ts';

type GitHubApi = NonNullable<ReturnType<typeof gitHubApi>>;

/** What every operation works with besides its settings. */
export interface OperationContext {
  client: TurnstileClient;
  logger: Logger;
  clock: Clock;
  github: GitHubContext;
  /** How a workflow names this action (`owner/repo@ref`), when the runner says; for messages. */
  action?: string;
  /** Undefined when no github-token is available (only prune asks for branches). */
  openPullRequests: GitHubApi['openPullRequests'] | undefined;
  branches?: GitHubApi['branches'];
}

/** An operation: what it did (or, in a dry run, would do) with its settings. */
export type Run<O extends Operation> = (settings: SettingsOf<O>, context: OperationContext) => Promise<OperationResult>;

/** A widget named in a result (deleted, or that a dry run would delete). */
export type WidgetRef = Pick<WidgetSummary, 'sitekey' | 'name'>;

/** What an operation did (or, in a dry run, would do), for the outputs and the job summary. */
export interface OperationResult {
  operation: Operation;
  /** A word or two for the summary: created, updated, unchanged, deleted, rotated, read, "would …". */
  outcome: string;
  /** The widget the outputs describe; undefined when there is none (a dry-run create, a delete). */
  widget: Widget | undefined;
  /** Without a widget to show (a dry run): the name and domains the run is about. */
  planned?: { name: string; domains?: readonly string[] };
  created: boolean;
  updated: boolean;
  dryRun: boolean;
  /** Human-readable changes, e.g. "domains: +a.example.com". */
  changes: string[];
  /** delete, prune, and a create that recycled stale previews: what was deleted (or would be). */
  deleted?: WidgetRef[];
  /** prune: widgets with the prefix that were kept, and why. */
  kept?: { widget: WidgetSummary; reason: string }[];
  /** Cloudflare's test keys (test-keys): `widget` holds them, and no widget exists. */
  testKeys?: boolean;
}

/** The result of `outcome`: whether the widget was created or updated follows from it. */
export function resultOf(
  { operation, dryRun }: { operation: Operation; dryRun: boolean },
  outcome: string,
  more: Partial<OperationResult> = {},
): OperationResult {
  const [created, updated] = [outcome === 'created', outcome === 'updated' || outcome === 'rotated'];
  return { operation, outcome, dryRun, widget: undefined, created, updated, changes: [], ...more };
}
