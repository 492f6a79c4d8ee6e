import type { TurnstileClient } from '../api/client.ts';
import { openPullRequestNumbers } from '../github-context.ts';
import type { Settings } from '../inputs.ts';
import type { Logger } from '../log.ts';
import { runCreate } from './create.ts';
import { runDelete } from './delete.ts';
import { runEnsure } from './ensure.ts';
import { runGet } from './get.ts';
import { runPrune } from './prune.ts';
import type { OperationResult } from './result.ts';
import { runRotateSecret } from './rotate.ts';

/** Runs the operation the `operation` input names. */
export function runOperation(client: TurnstileClient, settings: Settings, logger: Logger): Promise<OperationResult> {
  switch (settings.operation) {
    case 'ensure':
      return runEnsure(client, settings, logger);
    case 'create':
      return runCreate(client, settings, logger);
    case 'get':
      return runGet(client, settings, logger);
    case 'delete':
      return runDelete(client, settings, logger);
    case 'rotate-secret':
      return runRotateSecret(client, settings, logger);
    case 'prune': {
      const token = settings.githubToken;
      return runPrune(client, settings, logger, {
        openPullRequests: token ? () => openPullRequestNumbers(token) : undefined,
      });
    }
  }
}
