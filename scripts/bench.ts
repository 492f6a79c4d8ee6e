// npm run bench: what the action costs, side by side with a floor, in one run.
// - The bundled action as the runner starts it vs bench/floor.mjs (the same HTTP calls, no
//   framework), per operation, at 0 ms and 50 ms of injected latency: medians, min-max, ratios.
// - Requests and TCP connections per run, against the minimum each operation needs.
// - dist/ size, its load time, and (with --full) what each dependency contributes.
// - prune against a one-at-a-time loop at 50 ms.
// The default is a short run (3 runs per cell, prune over 100 widgets, under a minute); --full is the
// run BENCHMARKS.md records. Progress goes to stderr. Figures go to build/bench/results.json
// (git-ignored); --record writes them to bench/results.json instead, which is tracked.
// Everything runs on 127.0.0.1. --help: the knobs.
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir, totalmem } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { startEmulator, type Emulator } from '../emulator/server.ts';
import { buildBundle, moduleWeights } from './lib/bundle.ts';
import { runAction } from './lib/run-action.ts';

const args = process.argv.slice(2);
if (args.includes('--help') || args.includes('-h')) {
  console.log(`Usage: npm run bench [-- --full] [-- --record]
Measures dist/ against bench/floor.mjs on 127.0.0.1 (build first: npm run build).
  (default)   a short run: 3 runs per cell, prune over 100 widgets; under a minute
  --full      the full run: 7 runs per cell, prune over 100, 500 and 2000 widgets (~6 minutes,
              2000 waits for the rate limit's window), and each dependency's weight (a build)
  --record    a full run whose figures replace bench/results.json (the file BENCHMARKS.md cites)
Without --record the figures go to build/bench/results.json (git-ignored).
  BENCH_RUNS=N             runs per cell (overrides the mode's)
  BENCH_PRUNE=100,500      prune sizes (BENCH_PRUNE=0: none)`);
  process.exit(0);
}
const unknown = args.filter((arg) => !['--full', '--record'].includes(arg));
if (unknown.length > 0) {
  console.error(`bench: unknown argument ${unknown.join(' ')}; see npm run bench -- --help`);
  process.exit(1);
}
const RECORD = args.includes('--record');
const FULL = RECORD || args.includes('--full');

const root = resolve(import.meta.dirname, '..');
const RUNS = Number(process.env.BENCH_RUNS ?? (FULL ? 7 : 3));
const PRUNE_SIZES = (process.env.BENCH_PRUNE ?? (FULL ? '100,500,2000' : '100')).split(',').map(Number).filter(Boolean);
const RESULTS = RECORD ? join(root, 'bench', 'results.json') : join(root, 'build', 'bench', 'results.json');
const FLOOR = join(root, 'bench', 'floor.mjs');

const median = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
};
const stats = (values: number[]) => ({ median: median(values), min: Math.min(...values), max: Math.max(...values) });

interface Scenario {
  name: string;
  /** The fewest requests that can do this operation. */
  minimum: number;
  /** Prepares the emulator for run `i` and returns the inputs. */
  setup: (emulator: Emulator, i: number) => Record<string, string>;
}

const DOMAINS = 'pr-1.example.com';
const seedOne = (emulator: Emulator, name: string) => emulator.seed([{ name, domains: [DOMAINS] }])[0]!;
const scenarios: Scenario[] = [
  {
    name: 'ensure (unchanged)',
    minimum: 2, // list by name + read the secret
    setup: (e) => {
      if (!e.widgets().some((w) => w.name === 'bench-existing')) seedOne(e, 'bench-existing');
      return { operation: 'ensure', name: 'bench-existing', domains: DOMAINS };
    },
  },
  {
    name: 'ensure (creates)',
    minimum: 2, // list by name + create (the action adds a re-list so parallel runs converge)
    setup: (_e, i) => ({
      operation: 'ensure',
      name: `bench-new-${i}-${Math.random().toString(36).slice(2)}`,
      domains: DOMAINS,
    }),
  },
  {
    name: 'create',
    minimum: 1,
    setup: (_e, i) => ({ operation: 'create', name: `bench-create-${i}`, domains: DOMAINS }),
  },
  {
    name: 'get (sitekey)',
    minimum: 1,
    setup: (e) => ({ operation: 'get', sitekey: seedOne(e, 'bench-get').sitekey }),
  },
  {
    name: 'delete (sitekey)',
    minimum: 1,
    setup: (e) => ({ operation: 'delete', sitekey: seedOne(e, 'bench-delete').sitekey }),
  },
];

const LATENCIES = [0, 50];

/**
 * Progress on stderr: the cell being measured, the runs left and an estimate of the time left (from
 * the average run so far). A prune run counts as one run per 25 widgets, roughly its cost at 50 ms.
 * On a terminal the line is rewritten in place; in a log, each cell gets one line.
 */
class Progress {
  private done = 0;
  private readonly started = performance.now();
  private cell = '';
  private logged = '';
  private readonly total: number;
  constructor(total: number) {
    this.total = total;
  }

  start(cell: string): void {
    this.cell = cell;
    this.show();
  }

  advance(units = 1): void {
    this.done += units;
    this.show();
  }

  end(): void {
    if (process.stderr.isTTY) process.stderr.write('\r\x1b[K');
    process.stderr.write(`[bench] done in ${Math.round((performance.now() - this.started) / 1000)} s\n`);
  }

  private show(): void {
    const left = this.total - this.done;
    const perRun = this.done > 0 ? (performance.now() - this.started) / this.done : undefined;
    const estimate = perRun === undefined ? '' : `, ~${Math.ceil((left * perRun) / 1000)} s left`;
    const line = `[bench] ${this.cell}: ${left} of ${this.total} runs left${estimate}`;
    if (process.stderr.isTTY) process.stderr.write(`\r\x1b[K${line}`);
    else if (this.logged !== this.cell) {
      process.stderr.write(`${line}\n`);
      this.logged = this.cell;
    }
  }
}
const pruneUnits = (size: number) => Math.ceil(size / 25);
const progress = new Progress(
  scenarios.length * LATENCIES.length * (2 * RUNS + 1) +
    2 * RUNS +
    PRUNE_SIZES.reduce((sum, size) => sum + 2 * pruneUnits(size), 0),
);

interface Measured {
  ms: number[];
  requests: number[];
  connections: number[];
}

async function measure(
  emulator: Emulator,
  scenario: Scenario,
  entry: string | undefined,
  i: number,
): Promise<[number, number, number]> {
  const inputs = scenario.setup(emulator, i);
  emulator.resetRecords();
  const result = await runAction({
    entry,
    inputs: { 'api-token': emulator.apiToken, 'account-id': emulator.accountId, 'api-url': emulator.url, ...inputs },
  });
  if (result.code !== 0)
    throw new Error(`${scenario.name} (${entry ?? 'action'}) failed:\n${result.stdout}${result.stderr}`);
  return [result.durationMs, emulator.requests.length, emulator.connections];
}

/** The ten largest contributors to a fresh build of src/ (the build `npm run build` makes). */
function dependencyWeights(): Record<string, number> {
  const out = mkdtempSync(join(tmpdir(), 'bench-build-'));
  try {
    const weights = moduleWeights(buildBundle(out, { stdio: 'pipe' }));
    return Object.fromEntries([...weights].sort((a, b) => b[1] - a[1]).slice(0, 10));
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
}

function timeCommand(args: string[], runs: number): number[] {
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    const started = performance.now();
    spawnSync(process.execPath, args, { cwd: root, env: { PATH: process.env.PATH ?? '' }, stdio: 'ignore' });
    times.push(Math.round(performance.now() - started));
  }
  return times;
}

type Stats = ReturnType<typeof stats>;
interface OperationRow {
  latencyMs: number;
  operation: string;
  actionMs: Stats;
  floorMs: Stats;
  ratio: number;
  extraMs: number;
  requests: number;
  minimumRequests: number;
  connections: number;
}
interface PruneRun {
  ms: number;
  requests: number;
  connections: number;
  left: number;
}
interface PruneRow {
  widgets: number;
  action: PruneRun;
  oneAtATime: PruneRun;
  speedup: number;
}
interface BundleInfo {
  distIndexBytes: number;
  /** Every file of dist/ (index.js is loaded at start; chunks only when needed). */
  distFiles: Record<string, number>;
  nodeStartMs: Stats;
  loadAndExitMs: Stats;
  loadOverheadMs: number;
  largestModulesBytes: Record<string, number>;
}

const results = {
  machine: {
    cpus: cpus().length,
    cpu: cpus()[0]?.model,
    memoryGiB: Math.round(totalmem() / 2 ** 30),
    node: process.version,
    platform: process.platform,
  },
  date: new Date().toISOString(),
  runs: RUNS,
  operations: [] as OperationRow[],
  bundle: undefined as BundleInfo | undefined,
  prune: [] as PruneRow[],
};

const emulator = await startEmulator({ widgetLimit: 1_000_000 });
try {
  // 1-3. Operations: action vs floor, same run, interleaved so drift hits both alike.
  const rows = results.operations;
  for (const latency of LATENCIES) {
    emulator.setLatency(latency);
    for (const scenario of scenarios) {
      progress.start(`${scenario.name} at ${latency} ms`);
      const action: Measured = { ms: [], requests: [], connections: [] };
      const floor: Measured = { ms: [], requests: [], connections: [] };
      await measure(emulator, scenario, undefined, -1); // warm the file cache
      progress.advance();
      for (let i = 0; i < RUNS; i++) {
        for (const [target, entry] of [
          [action, undefined],
          [floor, FLOOR],
        ] as const) {
          const [ms, requests, connections] = await measure(emulator, scenario, entry, i);
          target.ms.push(ms);
          target.requests.push(requests);
          target.connections.push(connections);
          progress.advance();
        }
      }
      const a = stats(action.ms);
      const f = stats(floor.ms);
      rows.push({
        latencyMs: latency,
        operation: scenario.name,
        actionMs: a,
        floorMs: f,
        ratio: Math.round((a.median / f.median) * 100) / 100,
        extraMs: a.median - f.median,
        requests: median(action.requests),
        minimumRequests: scenario.minimum,
        connections: median(action.connections),
      });
    }
  }

  // 3. Bundle: size, load time, dependency weights.
  progress.start('start-up of dist/index.js');
  const bare = timeCommand(['-e', ''], RUNS);
  progress.advance(RUNS);
  const load = timeCommand(['--input-type=module', '-e', "await import('./dist/index.js').catch(() => {})"], RUNS);
  progress.advance(RUNS);
  if (FULL) progress.start('dependency weights (a build of src/)');
  results.bundle = {
    distIndexBytes: statSync(join(root, 'dist', 'index.js')).size,
    distFiles: Object.fromEntries(
      readdirSync(join(root, 'dist')).map((file) => [file, statSync(join(root, 'dist', file)).size]),
    ),
    nodeStartMs: stats(bare),
    loadAndExitMs: stats(load),
    loadOverheadMs: median(load) - median(bare),
    largestModulesBytes: FULL ? dependencyWeights() : {},
  };

  // 4. prune at 50 ms latency: bounded concurrency vs a one-at-a-time loop.
  emulator.setLatency(50);
  const pruneRows = results.prune;
  for (const size of PRUNE_SIZES) {
    const runs: Partial<Record<'action' | 'oneAtATime', PruneRun>> = {};
    for (const [label, entry, operation] of [
      ['action', undefined, 'prune'],
      ['oneAtATime', FLOOR, 'prune-one-at-a-time'],
    ] as const) {
      progress.start(`prune over ${size} widgets (${label === 'action' ? 'the action' : 'one at a time'})`);
      const old = new Date(Date.now() - 30 * 86_400_000).toISOString();
      emulator.seed(Array.from({ length: size }, (_, i) => ({ name: `bench-prune-${i}`, created_on: old })));
      emulator.resetRecords();
      const result = await runAction({
        entry,
        timeoutMs: 900_000,
        inputs: {
          'api-token': emulator.apiToken,
          'account-id': emulator.accountId,
          'api-url': emulator.url,
          operation,
          'name-prefix': 'bench-prune-',
          'older-than': '1d',
        },
      });
      if (result.code !== 0) throw new Error(`prune ${label} failed:\n${result.stdout}${result.stderr}`);
      const left = emulator.widgets().filter((w) => w.name.startsWith('bench-prune-')).length;
      runs[label] = {
        ms: result.durationMs,
        requests: emulator.requests.length,
        connections: emulator.connections,
        left,
      };
      progress.advance(pruneUnits(size));
    }
    const action = runs.action!;
    const oneAtATime = runs.oneAtATime!;
    pruneRows.push({ widgets: size, action, oneAtATime, speedup: Math.round((oneAtATime.ms / action.ms) * 10) / 10 });
  }
} finally {
  await emulator.close();
}
progress.end();

// Report.
const ms = (s: { median: number; min: number; max: number }) => `${Math.round(s.median)} (${s.min}-${s.max})`;
console.log(`\nOperations: median ms (min-max) over ${RUNS} runs; ratio = action / floor\n`);
console.table(
  results.operations.map((r) => ({
    latency: `${r.latencyMs} ms`,
    operation: r.operation,
    action: ms(r.actionMs),
    floor: ms(r.floorMs),
    ratio: r.ratio,
    'extra ms': Math.round(r.extraMs),
    requests: `${r.requests} (min ${r.minimumRequests})`,
    connections: r.connections,
  })),
);
const bundle = results.bundle;
if (!bundle) throw new Error('bundle figures missing');
console.log(
  `\ndist/index.js: ${(bundle.distIndexBytes / 1024).toFixed(0)} KiB; node start ${ms(bundle.nodeStartMs)} ms; start + load dist ${ms(bundle.loadAndExitMs)} ms (load overhead ${Math.round(bundle.loadOverheadMs)} ms)`,
);
console.log(
  `dist/: ${Object.entries(bundle.distFiles)
    .map(([file, bytes]) => `${file} ${(bytes / 1024).toFixed(0)} KiB`)
    .join(', ')}`,
);
if (FULL) {
  console.log('Largest contributors (source bytes in the bundle):');
  for (const [name, bytes] of Object.entries(bundle.largestModulesBytes))
    console.log(`  ${name}: ${(bytes / 1024).toFixed(0)} KiB`);
}
console.log('\nprune at 50 ms latency:');
console.table(
  results.prune.map((r) => ({
    widgets: r.widgets,
    'action ms': r.action.ms,
    'action requests': r.action.requests,
    'action connections': r.action.connections,
    'one-at-a-time ms': r.oneAtATime.ms,
    speedup: `${r.speedup}x`,
    'left over': r.action.left,
  })),
);
mkdirSync(dirname(RESULTS), { recursive: true });
writeFileSync(RESULTS, `${JSON.stringify({ ...results, full: FULL }, null, 2)}\n`);
console.log(
  `\nFigures written to ${RESULTS.slice(root.length + 1)}${FULL ? '' : ' (a short run; --full for the recorded one)'}`,
);
