import type { Operation, Settings } from '../inputs/settings.ts';
import { runCreate } from './create.ts';
import { runDelete } from './delete.ts';
import { runEnsure } from './ensure.ts';
import { runGet } from './get.ts';
import { runPrune } from './prune.ts';
import type { OperationContext, OperationResult, Run } from './context.ts';
import { runRotateSecret } from './rotate.ts';

const RUN: { [O in Operation]: Run<O> } = {
  ensure: runEnsure,
  create: runCreate,
  get: runGet,
  delete: runDelete,
  'rotate-secret': runRotateSecret,
  prune: runPrune,
};

export function runOperation(settings: Settings, context: OperationContext): Promise<OperationResult> {
  // RUN[o] takes the settings of operation o, and these are they.
  return (RUN[settings.operation] as Run<Operation>)(settings, context);
}
