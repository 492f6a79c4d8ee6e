// Global setup: builds the bundle from src/ once, into a temporary directory, the way `npm run
// build` does. dist.test.ts compares it with the committed dist/; smoke.test.ts runs it as the
// runner would, so the smoke tests never exercise a stale dist/.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestProject } from 'vitest/node';
import { buildBundle, type BundleModule } from '../../scripts/lib/bundle.ts';

declare module 'vitest' {
  export interface ProvidedContext {
    bundleDir: string;
    /** ncc's stats of that build: the modules in the bundle. */
    bundleModules: BundleModule[];
  }
}

export default function setup(project: TestProject): () => void {
  const out = mkdtempSync(join(tmpdir(), 'bundle-'));
  project.provide('bundleModules', buildBundle(out, { stdio: 'pipe' }));
  project.provide('bundleDir', out);
  return () => rmSync(out, { recursive: true, force: true });
}
