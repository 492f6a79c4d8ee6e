// npm run bench [-- --full | --record]: the bundled action, started as the runner starts it, beside
// bench/floor.mjs (the same HTTP calls, no framework), in turn against the emulator on 127.0.0.1 at 0
// and 50 ms of latency: wall-time medians, the median of the paired runs' ratios, requests and
// connections; dist/'s size and load time; prune against a one-at-a-time loop at 50 ms. A short run
// by default (3 runs per cell, prune over 100 widgets); --full is BENCHMARKS.md's (7 runs, prune over
// 100, 500 and 2000), --record a full run written to bench/results.json (else build/bench/).
// BENCH_RUNS and BENCH_PRUNE (sizes; 0 for none) override the mode.
import { spawnSync } from 'node:child_process';
import { mkdirSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { startEmulator, type Emulator } from '../emulator/server.ts';
import { runAction } from './lib/run-action.ts';

const args = process.argv.slice(2);
if (args.some((arg) => !['--full', '--record'].includes(arg))) {
  console.error('usage: npm run bench [-- --full | --record]  (BENCH_RUNS=N, BENCH_PRUNE=100,500)');
  process.exit(2);
}
const RECORD = args.includes('--record');
const FULL = RECORD || args.includes('--full');
const root = resolve(import.meta.dirname, '..');
const RUNS = Number(process.env.BENCH_RUNS ?? (FULL ? 7 : 3));
const PRUNE_SIZES = (process.env.BENCH_PRUNE ?? (FULL ? '100,500,2000' : '100')).split(',').map(Number).filter(Boolean);
const RESULTS = join(root, RECORD ? 'bench' : 'build/bench', 'results.json');
const FLOOR = join(root, 'bench', 'floor.mjs');

const median = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
};
const range = (values: number[]) => `${Math.min(...values)}-${Math.max(...values)}`;
const round = (value: number, places: number) => Math.round(value * 10 ** places) / 10 ** places;
const progress = (what: string) => process.stderr.write(`[bench] ${what}\n`);

const DOMAINS = 'pr-1.example.com';
const seeded = (emulator: Emulator, name: string) => emulator.seed([{ name, domains: [DOMAINS] }])[0]!.sitekey;
const random = () => Math.random().toString(36).slice(2);
/** Each operation: the fewest requests that can do it, and the inputs of run `i` (seeding what it acts on). */
const scenarios: [string, number, (emulator: Emulator, i: number) => Record<string, string>][] = [
  ['ensure (unchanged)', 2, () => ({ operation: 'ensure', name: 'bench-existing', domains: DOMAINS })], // list, read the secret
  // list, create; the action also re-lists, so that parallel runs converge on one widget
  ['ensure (creates)', 2, (_e, i) => ({ operation: 'ensure', name: `bench-new-${i}-${random()}`, domains: DOMAINS })],
  ['create', 1, (_e, i) => ({ operation: 'create', name: `bench-create-${i}`, domains: DOMAINS })],
  ['get (sitekey)', 1, (e) => ({ operation: 'get', sitekey: seeded(e, 'bench-get') })],
  ['delete (sitekey)', 1, (e) => ({ operation: 'delete', sitekey: seeded(e, 'bench-delete') })],
];

/** One run of the action (or, with `entry`, of the floor): wall ms, requests and connections. */
async function measure(emulator: Emulator, inputs: Record<string, string>, entry?: string) {
  emulator.resetRecords();
  const result = await runAction({
    entry,
    timeoutMs: 900_000,
    inputs: { 'api-token': emulator.apiToken, 'account-id': emulator.accountId, 'api-url': emulator.url, ...inputs },
  });
  if (result.code !== 0)
    throw new Error(`${inputs.operation} (${entry ?? 'action'}) failed:\n${result.stdout}${result.stderr}`);
  return { ms: result.durationMs, requests: emulator.requests.length, connections: emulator.connections };
}
type Measured = Awaited<ReturnType<typeof measure>>;

/** Wall ms of `node <args>`, median (min-max) of RUNS runs. */
function timeNode(nodeArgs: string[]) {
  const times = Array.from({ length: RUNS }, () => {
    const started = performance.now();
    spawnSync(process.execPath, nodeArgs, { cwd: root, env: { PATH: process.env.PATH ?? '' }, stdio: 'ignore' });
    return Math.round(performance.now() - started);
  });
  return { median: median(times), range: range(times) };
}

async function operations(emulator: Emulator) {
  const rows = [];
  for (const latencyMs of [0, 50]) {
    emulator.setLatency(latencyMs);
    for (const [operation, minimumRequests, setup] of scenarios) {
      progress(`${operation} at ${latencyMs} ms, ${RUNS} runs`);
      await measure(emulator, setup(emulator, -1)); // warms the file cache
      const action: Measured[] = [];
      const floor: Measured[] = [];
      // Action and floor in turn, so that drift on the machine hits both alike.
      for (let i = 0; i < RUNS; i++) {
        action.push(await measure(emulator, setup(emulator, i)));
        floor.push(await measure(emulator, setup(emulator, i), FLOOR));
      }
      const ms = (runs: Measured[]) => runs.map((run) => run.ms);
      rows.push({
        latencyMs,
        operation,
        actionMs: median(ms(action)),
        actionRange: range(ms(action)),
        floorMs: median(ms(floor)),
        floorRange: range(ms(floor)),
        ratio: round(median(action.map((run, i) => run.ms / floor[i]!.ms)), 2),
        extraMs: median(ms(action)) - median(ms(floor)),
        requests: median(action.map((run) => run.requests)),
        minimumRequests,
        connections: median(action.map((run) => run.connections)),
      });
    }
  }
  return rows;
}

async function prune(emulator: Emulator) {
  emulator.setLatency(50);
  const old = new Date(Date.now() - 30 * 86_400_000).toISOString();
  const rows = [];
  for (const widgets of PRUNE_SIZES) {
    const run = async (operation: string, entry?: string) => {
      progress(`${operation} over ${widgets} widgets`);
      emulator.seed(Array.from({ length: widgets }, (_, i) => ({ name: `bench-prune-${i}`, created_on: old })));
      return measure(emulator, { operation, 'name-prefix': 'bench-prune-', 'older-than': '1d' }, entry);
    };
    const { ms, requests, connections } = await run('prune');
    const left = emulator.widgets().filter((w) => w.name.startsWith('bench-prune-')).length;
    const oneAtATimeMs = (await run('prune-one-at-a-time', FLOOR)).ms;
    rows.push({ widgets, ms, requests, connections, left, oneAtATimeMs, speedup: round(oneAtATimeMs / ms, 1) });
  }
  return rows;
}

const emulator = await startEmulator({ widgetLimit: 1_000_000 });
seeded(emulator, 'bench-existing');
const measured = async () => ({ operations: await operations(emulator), prune: await prune(emulator) });
const { operations: operationRows, prune: pruneRows } = await measured().finally(() => emulator.close());
progress('start-up of dist/index.js');
const dist = join(root, 'dist');
const startup = {
  distBytes: Object.fromEntries(readdirSync(dist).map((file) => [file, statSync(join(dist, file)).size])),
  nodeStartMs: timeNode(['-e', '']),
  loadDistMs: timeNode(['--input-type=module', '-e', "await import('./dist/index.js').catch(() => {})"]),
};
const machine = { cpus: cpus().length, cpu: cpus()[0]?.model, memoryGiB: Math.round(totalmem() / 2 ** 30) };
const about = {
  machine: { ...machine, node: process.version },
  date: new Date().toISOString(),
  runs: RUNS,
  full: FULL,
};

console.log(`\nOperations: wall ms, median of ${RUNS} runs (range); ratio: the median of action / floor per pair`);
console.table(operationRows);
console.log('\nprune at 50 ms latency: the action, and a loop that deletes one widget at a time (oneAtATimeMs)');
console.table(pruneRows);
console.log('\nStart-up: node alone, and node loading dist/index.js (ms); dist/ (bytes):', startup);
mkdirSync(dirname(RESULTS), { recursive: true });
writeFileSync(
  RESULTS,
  `${JSON.stringify({ ...about, operations: operationRows, startup, prune: pruneRows }, null, 2)}\n`,
);
console.log(
  `\nFigures written to ${RESULTS.slice(root.length + 1)}${FULL ? '' : ' (a short run; --full: the recorded one)'}`,
);
