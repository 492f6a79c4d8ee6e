// npm run test:mutation [-- <area> …] [-- --force]: Stryker over src/, one area per folder of src/
// and `top` for the files at its top (index.ts apart), one area after the other (every area without
// one named), so that a run fits a small machine. Each area has its own incremental file, so a rerun
// tests only the mutants whose code or tests changed (--force: all; needed after a test for a static
// mutant, such as a module-level regex), and its reports in build/mutation/<area>/.
import { spawnSync } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const folders = readdirSync('src', { withFileTypes: true }).filter((entry) => entry.isDirectory());
const AREAS = new Map([
  ...folders.map(({ name }): [string, string[]] => [name, [`src/${name}/**/*.ts`]]),
  ['top', ['src/*.ts', '!src/index.ts']],
]);
const chosen = process.argv.slice(2).filter((arg) => arg !== '--force');
const unknown = chosen.filter((area) => !AREAS.has(area));
if (unknown.length > 0) {
  console.error(`Areas: ${[...AREAS.keys()].join(', ')}; option: --force. Not an area: ${unknown.join(' ')}`);
  process.exit(2);
}
const shared = JSON.parse(readFileSync('stryker.config.json', 'utf8')) as Record<string, unknown>;
let failed = false;
for (const area of chosen.length > 0 ? chosen : [...AREAS.keys()]) {
  const dir = join('build', 'mutation', area);
  mkdirSync(dir, { recursive: true });
  const config = join(dir, 'stryker.config.json');
  writeFileSync(
    config,
    JSON.stringify({
      ...shared,
      $schema: undefined,
      mutate: AREAS.get(area),
      incremental: true,
      incrementalFile: join(dir, 'incremental.json'),
      force: process.argv.includes('--force'),
      htmlReporter: { fileName: join(dir, 'index.html') },
      jsonReporter: { fileName: join(dir, 'mutation.json') },
    }),
  );
  const started = Date.now();
  console.error(`\n== ${area}: ${AREAS.get(area)!.join(' ')}`);
  failed ||= spawnSync('npx', ['stryker', 'run', config], { stdio: 'inherit' }).status !== 0;
  console.error(`== ${area}: ${Math.round((Date.now() - started) / 1000)} s`);
}
process.exit(failed ? 1 : 0);
