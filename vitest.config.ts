import { defineConfig } from 'vitest/config';
import type { Reporter, TestModule } from 'vitest/node';

/** Ends the run with a plain `Tests: N passed, N failed, N skipped` line that any CI can read. */
const plainSummary: Reporter = {
  onTestRunEnd(testModules: ReadonlyArray<TestModule>) {
    const count = (state: 'passed' | 'failed' | 'skipped') =>
      testModules.reduce((sum, module) => sum + [...module.children.allTests(state)].length, 0);
    process.stdout.write(
      `\nTests: ${count('passed')} passed, ${count('failed')} failed, ${count('skipped')} skipped\n`,
    );
  },
};

export default defineConfig({
  test: {
    include: ['__tests__/**/*.test.ts'],
    reporters: ['default', plainSummary],
    // End-to-end tests start the bundled action as child processes against the local emulator.
    testTimeout: 30_000,
    hookTimeout: 30_000,
    // Inline @actions/github so vi.resetModules() re-creates its context (read once per process), and
    // @actions/workflow-parser, whose JSON imports lack the import attribute Node requires.
    server: { deps: { inline: ['@actions/github', '@actions/workflow-parser'] } },
  },
});
