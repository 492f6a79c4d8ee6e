// npm run test:mutation [-- <area> …] [-- --force]: Stryker over src/, one area at a time, so a run fits
// a small machine (each area takes minutes on 2 cores, all of src/ close to an hour). Each area keeps
// its own incremental file, so a second run re-tests only the mutants whose code or tests changed
// (--force: all of them), and its own reports: build/mutation/<area>/index.html and mutation.json.
// Incremental runs keep the old status of static mutants (module-level constants, such as a regex):
// after adding tests for one of those, run the area with --force.
// Without an area, every area in turn. stryker.config.json holds what the areas share.
import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

// One area per folder of src/, plus the top (main.ts; index.ts only starts it).
const AREAS: Record<string, string[]> = {
  ...Object.fromEntries(
    ['operations', 'cloudflare', 'github', 'http', 'inputs', 'log', 'report'].map((area) => [
      area,
      [`src/${area}/**/*.ts`],
    ]),
  ),
  main: ['src/main.ts', 'src/node-version.ts'],
};

const args = process.argv.slice(2);
if (args.includes('--help') || args.includes('-h')) {
  console.log(`Usage: npm run test:mutation [-- <area> …] [-- --force]
Areas: ${Object.keys(AREAS).join(', ')} (default: all, in turn).
Reports: build/mutation/<area>/index.html and mutation.json.
  --force   re-test every mutant, not only those whose code or tests changed since the last run`);
  process.exit(0);
}
const unknown = args.filter((arg) => !arg.startsWith('--') && !(arg in AREAS));
if (unknown.length > 0) {
  console.error(`Unknown area: ${unknown.join(', ')}. Areas: ${Object.keys(AREAS).join(', ')}.`);
  process.exit(2);
}
const chosen = args.filter((arg) => arg in AREAS);
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
