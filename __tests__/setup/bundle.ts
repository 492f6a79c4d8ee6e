// Global setup: builds the bundle from src/ once, into a temporary directory, the way `npm run
// build` does. dist.test.ts compares it with the committed dist/; smoke.test.ts runs it as the
// runner would, so the smoke tests never exercise a stale dist/.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { TestProject } from 'vitest/node';

declare module 'vitest' {
  export interface ProvidedContext {
    bundleDir: string;
  }
}

export default function setup(project: TestProject): () => void {
  const root = resolve(import.meta.dirname, '..', '..');
  const out = mkdtempSync(join(tmpdir(), 'bundle-'));
  execFileSync(process.execPath, [join(root, 'scripts', 'build.ts'), out], { cwd: root, stdio: 'pipe' });
  project.provide('bundleDir', out);
  return () => rmSync(out, { recursive: true, force: true });
}
