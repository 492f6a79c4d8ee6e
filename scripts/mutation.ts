// npm run test:mutation [-- <area> …] [-- --force]: Stryker over src/, one area per folder of src/
// (and `top` for the files at its top, index.ts apart), one area at a time so that a run fits a
// small machine; without an area, every area in turn. Each area keeps its own incremental file, so a
// second run re-tests only the mutants whose code or tests changed (--force: all of them; needed
// after adding tests for a static mutant, such as a module-level regex), and its own reports:
// build/mutation/<area>/index.html and mutation.json. stryker.config.json holds what areas share.
import { spawnSync } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const folders = readdirSync('src', { withFileTypes: true }).filter((entry) => entry.isDirectory());
const AREAS: Record<string, string[]> = {
  ...Object.fromEntries(folders.map(({ name }) => [name, [`src/${name}/**/*.ts`]])),
  top: ['src/*.ts', '!src/index.ts'],
};

const args = process.argv.slice(2);
const chosen = args.filter((arg) => arg !== '--force');
const unknown = chosen.filter((arg) => !(arg in AREAS));
if (unknown.length > 0) {
  console.error(`Unknown area: ${unknown.join(', ')}. Areas: ${Object.keys(AREAS).join(', ')}; option: --force.`);
  process.exit(2);
}
const base = JSON.parse(readFileSync('stryker.config.json', 'utf8')) as Record<string, unknown>;

let failed = false;
for (const area of chosen.length > 0 ? chosen : Object.keys(AREAS)) {
  const dir = join('build', 'mutation', area);
  mkdirSync(dir, { recursive: true });
  const config = join(dir, 'stryker.config.json');
  writeFileSync(
    config,
    JSON.stringify({
      ...base,
      $schema: undefined,
      mutate: AREAS[area],
      incremental: true,
      incrementalFile: join(dir, 'incremental.json'),
      force: args.includes('--force'),
      htmlReporter: { fileName: join(dir, 'index.html') },
      jsonReporter: { fileName: join(dir, 'mutation.json') },
    }),
  );
  const started = Date.now();
  console.error(`\n== ${area}: ${AREAS[area]!.join(' ')}`);
  const run = spawnSync('npx', ['stryker', 'run', config], { stdio: 'inherit' });
  console.error(`== ${area}: ${Math.round((Date.now() - started) / 1000)} s`);
  failed ||= run.status !== 0;
}
process.exit(failed ? 1 : 0);
