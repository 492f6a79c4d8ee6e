// Tests written for mutants that survived `npm run test:mutation` in src/log/logger.ts: behaviours a user
// would notice that no other test pinned down.
import { describe, expect, it } from 'vitest';
import { runnerLogger } from '../src/log/logger.ts';
import { SecretRegistry } from '../src/log/secrets.ts';
import { foreignCommands } from './helpers/runner-commands.ts';
import { recordingRunner } from './helpers/runner.ts';

describe('the runner logger', () => {
  it('escapes every line break in one message, not only the first', () => {
    const runner = recordingRunner();
    // Two renamed widgets in one line: each old name, from the API, starts a line of its own.
    runnerLogger(runner, new SecretRegistry(runner)).info('a\n::warning::ONE\n::error::TWO\r::notice::THREE');
    expect(foreignCommands(runner.stdout)).toEqual([]);
    expect(runner.stdout).toBe('a\\n::warning::ONE\\n::error::TWO\\r::notice::THREE\n');
  });
});
