import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['__tests__/**/*.test.ts'],
    // End-to-end tests start the bundled action as child processes against the local emulator.
    testTimeout: 30_000,
    hookTimeout: 30_000,
    // Inline @actions/github so vi.resetModules() re-creates its context (read once per process), and
    // @actions/workflow-parser, whose JSON imports lack the import attribute Node requires.
    server: { deps: { inline: ['@actions/github', '@actions/workflow-parser'] } },
  },
});
