// The vitest configuration of `npm run test:mutation` (stryker.config.json): the tests of src/, without
// the bundle's (the dist/ check, the smoke tests and the licences, which need a build of every mutant)
// and without the tests of the tooling (release, workflows), which never run src/.
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
        '__tests__/release.test.ts',
        '__tests__/workflows.test.ts',
      ],
    },
  }),
);
