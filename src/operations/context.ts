import type { TurnstileClient } from '../cloudflare/client.ts';
import type { Clock } from '../http/clock.ts';
import type { GitHubApi } from '../github/api.ts';
import type { GitHubContext } from '../github/context.ts';
import type { Logger } from '../log/logger.ts';

/** What every operation works with besides its settings. */
export interface OperationContext {
  client: TurnstileClient;
  logger: Logger;
  clock: Clock;
  github: GitHubContext;
  /** How a workflow names this action (`owner/repo@ref`), when the runner says; for messages. */
  action?: string;
  /** Undefined when no github-token is available. */
  openPullRequests: GitHubApi['openPullRequests'] | undefined;
  /** Undefined when no github-token is available (only prune asks). */
  branches?: GitHubApi['branches'];
}
