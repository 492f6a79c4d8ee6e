// Whether node_modules holds what package-lock.json says: npm writes what it installed to
// node_modules/.package-lock.json. The dist check asks this first, so that an install that drifted
// (`npm install` after a dependency published a release) is named as such instead of blamed on src/.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

interface Lock {
  packages: Record<string, { version?: string; optional?: boolean; link?: boolean }>;
}

/** `path: installed X, lockfile Y` for every package whose installed version is not the locked one. */
export function installDrift(root: string): string[] {
  const hidden = join(root, 'node_modules', '.package-lock.json');
  if (!existsSync(hidden)) return ['node_modules/.package-lock.json is missing (nothing installed?)'];
  const locked = (JSON.parse(readFileSync(join(root, 'package-lock.json'), 'utf8')) as Lock).packages;
  const installed = (JSON.parse(readFileSync(hidden, 'utf8')) as Lock).packages;
  const drift: string[] = [];
  for (const [path, entry] of Object.entries(installed)) {
    if (locked[path]?.version !== entry.version) {
      drift.push(`${path}: installed ${entry.version ?? 'a link'}, lockfile ${locked[path]?.version ?? 'none'}`);
    }
  }
  for (const [path, entry] of Object.entries(locked)) {
    if (path !== '' && !entry.optional && !entry.link && !(path in installed)) {
      drift.push(`${path}: lockfile ${entry.version}, not installed`);
    }
  }
  return drift;
}
