// npm run build: bundles src/ with ncc into dist/ (index.js, plus a chunk that is loaded only when
// the GitHub context is needed), then writes dist/licenses.txt for every package in the bundle.
// ncc's own --license lists only the last chunk's packages, so the list comes from its stats.
// Usage: node scripts/build.ts [outDir]   (the dist test builds into a temporary directory)
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

const root = resolve(import.meta.dirname, '..');
const outDir = resolve(root, process.argv[2] ?? 'dist');
const statsDir = mkdtempSync(join(tmpdir(), 'ncc-stats-'));
const statsFile = join(statsDir, 'stats.json');
try {
  rmSync(outDir, { recursive: true, force: true });
  const ncc = join(root, 'node_modules', '@vercel', 'ncc', 'dist', 'ncc', 'cli.js');
  execFileSync(process.execPath, [ncc, 'build', 'src/index.ts', '-o', outDir, '--stats-out', statsFile, '--quiet'], {
    cwd: root,
    stdio: 'inherit',
  });
  writeFileSync(join(outDir, 'licenses.txt'), licenses(bundledPackages(statsFile)));
} finally {
  rmSync(statsDir, { recursive: true, force: true });
}

interface Module {
  name?: string;
  modules?: Module[];
}

/** node_modules directories of every package with a module in the bundle, sorted by name. */
function bundledPackages(file: string): Map<string, string> {
  const { modules } = JSON.parse(readFileSync(file, 'utf8')) as { modules: Module[] };
  const packages = new Map<string, string>();
  const visit = (module: Module): void => {
    module.modules?.forEach(visit);
    const match = /^(.*node_modules\/((?:@[^/]+\/)?[^/]+))\//.exec((module.name ?? '').replace(/^\.\//, ''));
    if (match) packages.set(match[1]!, match[2]!);
  };
  modules.forEach(visit);
  return new Map([...packages].sort((a, b) => a[1].localeCompare(b[1]) || a[0].localeCompare(b[0])));
}

function licenses(packages: Map<string, string>): string {
  const seen = new Set<string>();
  const sections: string[] = [];
  for (const [dir, name] of packages) {
    const manifest = JSON.parse(readFileSync(join(root, dir, 'package.json'), 'utf8')) as {
      version: string;
      license?: string;
    };
    const key = `${name}@${manifest.version}`;
    if (seen.has(key)) continue;
    seen.add(key);
    const file = readdirSync(join(root, dir)).find((entry) => /^(licen[cs]e|copying)(\.|$)/i.test(entry));
    const text = file && existsSync(join(root, dir, file)) ? readFileSync(join(root, dir, file), 'utf8').trim() : '';
    sections.push(`${key}\n${manifest.license ?? 'UNKNOWN'}\n${text}`);
  }
  return `${sections.join('\n\n')}\n`;
}
