import type { Target } from '../inputs/settings.ts';
import type { OperationContext } from './context.ts';
import { oldestNamed } from './widgets.ts';

/** No widget matches the given sitekey or name. */
export class WidgetNotFoundError extends Error {
  constructor(what: string) {
    super(
      `No Turnstile widget ${what} exists in this account. Check the name/sitekey and account-id, or create it with operation: ensure.`,
    );
    this.name = 'WidgetNotFoundError';
  }
}

/** The widget get and rotate-secret act on: by `sitekey` (no lookup needed), else the oldest named `name`. */
export async function resolveTarget(
  context: Pick<OperationContext, 'client' | 'logger'>,
  target: Target,
): Promise<string> {
  if ('sitekey' in target) return target.sitekey;
  const oldest = await oldestNamed(context, target.name);
  if (!oldest) throw new WidgetNotFoundError(`named "${target.name}"`);
  return oldest.sitekey;
}
