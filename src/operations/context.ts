import type { TurnstileClient } from '../cloudflare/client.ts';
import type { Clock } from '../http/clock.ts';
import type { ListBranches, ListOpenPullRequests } from '../github/api.ts';
import type { GitHubContext } from '../github/context.ts';
import type { Logger } from '../log/logger.ts';
import type { Operation, SettingsOf } from '../inputs/settings.ts';
import type { OperationResult } from './result.ts';

/** What every operation works with besides its settings. */
export interface OperationContext {
  client: TurnstileClient;
  logger: Logger;
  clock: Clock;
  github: GitHubContext;
  /** How a workflow names this action (`owner/repo@ref`), when the runner says; for messages. */
  action?: string;
  /** Undefined when no github-token is available. */
  openPullRequests: ListOpenPullRequests | undefined;
  /** Undefined when no github-token is available (only prune asks). */
  branches?: ListBranches;
}

/** An operation: what it did (or, in a dry run, would do) with its settings. */
export type Run<O extends Operation> = (settings: SettingsOf<O>, context: OperationContext) => Promise<OperationResult>;
