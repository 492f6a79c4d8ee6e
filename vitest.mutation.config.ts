// The vitest configuration of `npm run test:mutation` (stryker.config.json): the product project's
// in-process tests of src/, without the tooling project (which never runs src/, or runs it only as the
// bundle) and without the product tests of the bundle (the dist/ check, the smoke and command-channel
// tests), which need a build of every mutant.
import { configDefaults, defineConfig } from 'vitest/config';
import { product } from './vitest.config.ts';

export default defineConfig({
  ...product,
  test: {
    ...product.test,
    // Stryker runs its own workers side by side (stryker.config.json's concurrency): one file at a time in each.
    maxWorkers: 1,
    exclude: [
      ...configDefaults.exclude,
      '__tests__/dist.test.ts',
      '__tests__/smoke.test.ts',
      '__tests__/channel.test.ts',
    ],
  },
});
