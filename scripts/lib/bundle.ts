// The build (`npm run build`, and the tests' global setup): ncc bundles src/ into a directory
// (index.js, and a chunk with @actions/github that only prune and recycling load), and licenses.txt
// lists every package in the bundle. ncc's own --license lists only one chunk's packages, so the
// list is made from ncc's stats of every module.
import { spawn } from 'node:child_process';
import { readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

const ROOT = resolve(import.meta.dirname, '..', '..');
const NCC = join(ROOT, 'node_modules', '@vercel', 'ncc', 'dist', 'ncc', 'cli.js');

/** A module of ncc's (webpack's) stats; concatenated modules list their parts in `modules`. */
export interface BundleModule {
  name?: string;
  size?: number;
  modules?: BundleModule[];
}

/** Bundles src/index.ts into `outDir` (emptied first) with its licenses.txt; returns the bundle's modules. */
export async function buildBundle(outDir: string, stdio: 'inherit' | 'pipe' = 'pipe') {
  rmSync(outDir, { recursive: true, force: true });
  const stats = join(outDir, 'stats.json');
  const args = [NCC, 'build', 'src/index.ts', '-o', outDir, '--stats-out', stats, '--quiet'];
  const child = spawn(process.execPath, args, { cwd: ROOT, stdio: ['ignore', stdio, stdio] });
  let errors = '';
  child.stderr?.setEncoding('utf8').on('data', (chunk: string) => (errors += chunk));
  const code = await new Promise<number | null>((done) => child.on('close', done));
  if (code !== 0) throw new Error(`ncc exited with ${code}: ${errors.trim()}`);
  const { modules } = JSON.parse(readFileSync(stats, 'utf8')) as { modules: BundleModule[] };
  rmSync(stats);
  writeFileSync(join(outDir, 'licenses.txt'), licenses(modules));
  return modules;
}

/** `name@version`, the manifest's licence and the package's licence text, for each package version with a module in the bundle. */
function licenses(modules: BundleModule[]): string {
  const packages = new Map<string, string>(); // node_modules directory → name
  const visit = (module: BundleModule): void => {
    module.modules?.forEach(visit);
    const match = /^(.*node_modules\/((?:@[^/]+\/)?[^/]+))\//.exec((module.name ?? '').replace(/^\.\//, ''));
    if (match) packages.set(match[1]!, match[2]!);
  };
  modules.forEach(visit);
  const sections = new Map<string, string>();
  for (const [dir, name] of [...packages].sort((a, b) => a[1].localeCompare(b[1]) || a[0].localeCompare(b[0]))) {
    const { version, license } = JSON.parse(readFileSync(join(ROOT, dir, 'package.json'), 'utf8')) as {
      version: string;
      license?: string;
    };
    const file = readdirSync(join(ROOT, dir)).find((entry) => /^(licen[cs]e|copying)(\.|$)/i.test(entry));
    const text = file ? readFileSync(join(ROOT, dir, file), 'utf8').trim() : '';
    sections.set(`${name}@${version}`, `${name}@${version}\n${license ?? 'UNKNOWN'}\n${text}`);
  }
  return `${[...sections.values()].join('\n\n')}\n`;
}
