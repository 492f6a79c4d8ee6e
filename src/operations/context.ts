import type { TurnstileClient } from '../api/client.ts';
import type { Clock } from '../api/clock.ts';
import type { GitHubContext } from '../github-context.ts';
import type { Logger } from '../log.ts';

/** The open pull request numbers of this repository (GitHub's API). */
export type ListOpenPullRequests = () => Promise<Set<number>>;
/** The branch names of this repository (GitHub's API). */
export type ListBranches = () => Promise<Set<string>>;

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
