// The build, shared by `npm run build` (scripts/build.ts) and `npm run bench` (its dependency
// weights): ncc bundles src/ into a directory (index.js, plus a chunk that is loaded only when the
// GitHub context is needed), and licenses.txt lists every package in the bundle. ncc's own
// --license lists only the last chunk's packages, so the list comes from its stats.
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

const ROOT = resolve(import.meta.dirname, '..', '..');

/** A module of ncc's (webpack's) stats; concatenated modules list their parts in `modules`. */
export interface BundleModule {
  name?: string;
  size?: number;
  modules?: BundleModule[];
}

export interface BuildOptions {
  /** 'inherit' for the CLI; 'pipe' keeps ncc's output out of the caller's (its errors still throw). */
  stdio?: 'inherit' | 'pipe';
}

const NCC = join(ROOT, 'node_modules', '@vercel', 'ncc', 'dist', 'ncc', 'cli.js');
const nccArguments = (outDir: string, statsFile: string) => [
  NCC,
  'build',
  'src/index.ts',
  '-o',
  outDir,
  '--stats-out',
  statsFile,
  '--quiet',
];

/** After ncc: licenses.txt from its stats, which are returned (the bundle's modules). */
function finish(outDir: string, statsFile: string): BundleModule[] {
  const { modules } = JSON.parse(readFileSync(statsFile, 'utf8')) as { modules: BundleModule[] };
  writeFileSync(join(outDir, 'licenses.txt'), licenses(bundledPackages(modules)));
  return modules;
}

/**
 * Bundles src/index.ts into `outDir` (emptied first) with its licenses.txt; returns ncc's stats of
 * the bundle's modules.
 */
export function buildBundle(outDir: string, options: BuildOptions = {}): BundleModule[] {
  const statsDir = mkdtempSync(join(tmpdir(), 'ncc-stats-'));
  const statsFile = join(statsDir, 'stats.json');
  try {
    rmSync(outDir, { recursive: true, force: true });
    execFileSync(process.execPath, nccArguments(outDir, statsFile), { cwd: ROOT, stdio: options.stdio ?? 'inherit' });
    return finish(outDir, statsFile);
  } finally {
    rmSync(statsDir, { recursive: true, force: true });
  }
}

/** The same build without blocking the caller (the test setup builds while tests run). */
export async function buildBundleInBackground(outDir: string): Promise<BundleModule[]> {
  const statsDir = mkdtempSync(join(tmpdir(), 'ncc-stats-'));
  const statsFile = join(statsDir, 'stats.json');
  try {
    rmSync(outDir, { recursive: true, force: true });
    const child = spawn(process.execPath, nccArguments(outDir, statsFile), {
      cwd: ROOT,
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let errors = '';
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (errors += chunk));
    const code = await new Promise<number | null>((done) => child.on('close', done));
    if (code !== 0) throw new Error(`ncc exited with ${code}: ${errors.trim()}`);
    return finish(outDir, statsFile);
  } finally {
    rmSync(statsDir, { recursive: true, force: true });
  }
}

/** node_modules directories (relative to the project) of every package with a module in the bundle, by name. */
export function bundledPackages(modules: BundleModule[]): Map<string, string> {
  const packages = new Map<string, string>();
  const visit = (module: BundleModule): void => {
    module.modules?.forEach(visit);
    const match = /^(.*node_modules\/((?:@[^/]+\/)?[^/]+))\//.exec((module.name ?? '').replace(/^\.\//, ''));
    if (match) packages.set(match[1]!, match[2]!);
  };
  modules.forEach(visit);
  return new Map([...packages].sort((a, b) => a[1].localeCompare(b[1]) || a[0].localeCompare(b[0])));
}

/** Sections of `name@version`, the manifest's license, and the package's licence text, one per package version. */
export function licenses(packages: Map<string, string>): string {
  const seen = new Set<string>();
  const sections: string[] = [];
  for (const [dir, name] of packages) {
    const manifest = JSON.parse(readFileSync(join(ROOT, dir, 'package.json'), 'utf8')) as {
      version: string;
      license?: string;
    };
    const key = `${name}@${manifest.version}`;
    if (seen.has(key)) continue;
    seen.add(key);
    const file = readdirSync(join(ROOT, dir)).find((entry) => /^(licen[cs]e|copying)(\.|$)/i.test(entry));
    const text = file && existsSync(join(ROOT, dir, file)) ? readFileSync(join(ROOT, dir, file), 'utf8').trim() : '';
    sections.push(`${key}\n${manifest.license ?? 'UNKNOWN'}\n${text}`);
  }
  return `${sections.join('\n\n')}\n`;
}

/** Source bytes in the bundle per package (`a > b` for b nested under a), src/ as "src (this action)". */
export function moduleWeights(modules: BundleModule[]): Map<string, number> {
  const weights = new Map<string, number>();
  const add = (module: BundleModule): void => {
    if (module.modules) return module.modules.forEach(add);
    const name = module.name ?? '';
    const packages = [...name.matchAll(/node_modules\/((?:@[^/]+\/)?[^/]+)/g)].map((m) => m[1]!);
    const key = packages.length ? packages.join(' > ') : name.startsWith('./src') ? 'src (this action)' : 'other';
    weights.set(key, (weights.get(key) ?? 0) + (module.size ?? 0));
  };
  modules.forEach(add);
  return weights;
}
