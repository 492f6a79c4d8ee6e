// The vitest configuration of `npm run test:mutation` (stryker.config.json): the in-process tests of src/,
// without those of the bundle (the dist/ check, the smoke, command-channel and live-suite tests, and the
// licences, which need a build of every mutant) and without the tests of the tooling and of the emulator
// (release, workflows, the emulator and its contract), which never run src/.
import { defineConfig, mergeConfig } from 'vitest/config';
import base from './vitest.config.ts';

export default mergeConfig(
  { ...base, test: { ...base.test, globalSetup: [], reporters: ['default'] } },
  defineConfig({
    test: {
      exclude: [
        '__tests__/dist.test.ts',
        '__tests__/smoke.test.ts',
        '__tests__/licenses.test.ts',
        '__tests__/channel.test.ts',
        '__tests__/live.test.ts',
        '__tests__/emulator.test.ts',
        '__tests__/contract.emulator.test.ts',
        '__tests__/release.test.ts',
        '__tests__/workflows.test.ts',
      ],
    },
  }),
);
