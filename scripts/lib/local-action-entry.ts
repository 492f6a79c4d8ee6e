// The entry point `npm run local-action` gives @github/local-action: src/main.ts's run(), with its
// result (1 when the action failed) as the exit code. local-action calls run() and drops what it
// returns; it knows a failure only through core.setFailed, which this action does not call.
import { run as runAction } from '../../src/main.ts';

export async function run(): Promise<void> {
  process.exitCode = await runAction();
}
