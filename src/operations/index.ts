import type { Settings } from '../inputs/settings.ts';
import type { OperationContext } from './context.ts';
import { runCreate } from './create.ts';
import { runDelete } from './delete.ts';
import { runEnsure } from './ensure.ts';
import { runGet } from './get.ts';
import { runPrune } from './prune.ts';
import type { OperationResult } from './result.ts';
import { runRotateSecret } from './rotate.ts';

/** Runs the operation the `operation` input names, with exactly its settings. */
export function runOperation(settings: Settings, context: OperationContext): Promise<OperationResult> {
  switch (settings.operation) {
    case 'ensure':
      return runEnsure(settings, context);
    case 'create':
      return runCreate(settings, context);
    case 'get':
      return runGet(settings, context);
    case 'delete':
      return runDelete(settings, context);
    case 'rotate-secret':
      return runRotateSecret(settings, context);
    case 'prune':
      return runPrune(settings, context);
  }
}
