import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { inject } from 'vitest';
import type { BundleModule } from '../../scripts/lib/bundle.ts';

export interface BuiltBundle {
  /** The built dist/ directory. */
  dir: string;
  /** ncc's stats: the modules in the bundle. */
  modules: BundleModule[];
}

/** The bundle the global setup builds from src/ (setup/bundle.ts), once it is ready. */
export async function builtBundle(timeoutMs = 120_000): Promise<BuiltBundle> {
  const root = inject('bundleRoot');
  const marker = join(root, 'done.json');
  for (const started = Date.now(); !existsSync(marker);) {
    if (Date.now() - started > timeoutMs) throw new Error(`the bundle was not built within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  const result = JSON.parse(readFileSync(marker, 'utf8')) as { modules?: BundleModule[]; error?: string };
  if (!result.modules) throw new Error(`building the bundle failed: ${result.error}`);
  return { dir: join(root, 'dist'), modules: result.modules };
}
