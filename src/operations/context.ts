import type { TurnstileClient } from '../api/client.ts';
import type { Clock } from '../api/clock.ts';
import type { GitHubContext } from '../github-context.ts';
import type { Logger } from '../log.ts';

/** The open pull request numbers of this repository (GitHub's API). */
export type ListOpenPullRequests = () => Promise<Set<number>>;

/** What every operation works with besides its settings. */
export interface OperationContext {
  client: TurnstileClient;
  logger: Logger;
  clock: Clock;
  github: GitHubContext;
  /** Undefined when no github-token is available. */
  openPullRequests: ListOpenPullRequests | undefined;
}
