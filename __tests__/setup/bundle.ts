// Global setup (of the root config, so once for both projects): builds the bundle from src/ the way
// `npm run build` does, into a temporary directory, while the tests run (the build is the slowest
// part of the suite). dist.test.ts compares it with the committed dist/, smoke.test.ts and
// channel.test.ts run it as the runner would (so they never exercise a stale dist/), and so does
// tooling/live.test.ts; tooling/licenses.test.ts checks its licences. Each awaits it with builtBundle()
// from helpers/bundle.ts, and vitest.config.ts runs those files last.
import { mkdtempSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestProject } from 'vitest/node';
import { buildBundle } from '../../scripts/lib/bundle.ts';

declare module 'vitest' {
  export interface ProvidedContext {
    /** Where the bundle is built; `<bundleRoot>/done.json` says when, and how it went. */
    bundleRoot: string;
  }
}

export default function setup(project: TestProject): () => void {
  const root = mkdtempSync(join(tmpdir(), 'bundle-'));
  // Written whole, then renamed: builtBundle() polls for done.json and must never read half of it.
  const done = (result: object) => {
    writeFileSync(join(root, 'done.json.partial'), JSON.stringify(result));
    renameSync(join(root, 'done.json.partial'), join(root, 'done.json'));
  };
  buildBundle(join(root, 'dist')).then(
    (modules) => done({ modules }),
    (error: unknown) => done({ error: error instanceof Error ? error.message : String(error) }),
  );
  project.provide('bundleRoot', root);
  return () => rmSync(root, { recursive: true, force: true });
}
