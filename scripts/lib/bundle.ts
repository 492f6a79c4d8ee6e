// The build (`npm run build`, and the tests' global setup): ncc bundles src/ into one index.js, with
// licenses.txt (ncc's own: each bundled package's name, licence and text).
import { spawn } from 'node:child_process';
import { readFileSync, rmSync } from 'node:fs';
import { join, resolve } from 'node:path';

const ROOT = resolve(import.meta.dirname, '..', '..');
const NCC = join(ROOT, 'node_modules', '@vercel', 'ncc', 'dist', 'ncc', 'cli.js');

/** A module of ncc's (webpack's) stats; concatenated modules list their parts in `modules`. */
export interface BundleModule {
  name?: string;
  size?: number;
  modules?: BundleModule[];
}

/** Bundles src/index.ts into `outDir` (emptied first); returns ncc's stats of the bundle's modules. */
export async function buildBundle(outDir: string, stdio: 'inherit' | 'pipe' = 'pipe') {
  rmSync(outDir, { recursive: true, force: true });
  const stats = join(outDir, 'stats.json');
  const args = [NCC, 'build', 'src/index.ts', '-o', outDir, '--license', 'licenses.txt', '--stats-out', stats];
  const child = spawn(process.execPath, [...args, '--quiet'], { cwd: ROOT, stdio: ['ignore', stdio, stdio] });
  let errors = '';
  child.stderr?.setEncoding('utf8').on('data', (chunk: string) => (errors += chunk));
  const code = await new Promise<number | null>((done) => child.on('close', done));
  if (code !== 0) throw new Error(`ncc exited with ${code}: ${errors.trim()}`);
  const { modules } = JSON.parse(readFileSync(stats, 'utf8')) as { modules: BundleModule[] };
  rmSync(stats);
  return modules;
}
