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
    exclude: [
      ...configDefaults.exclude,
      '__tests__/dist.test.ts',
      '__tests__/smoke.test.ts',
      '__tests__/channel.test.ts',
    ],
  },
});
