// The live suite (npm run test:live, scripts/live.ts): the bundled action (dist/index.js as a child
// process, as the runner starts it) through the whole lifecycle against the API at `apiUrl`, on
// widgets named with a unique run prefix, through a recording proxy on 127.0.0.1 that counts each
// step's requests and records them, redacted, as fixtures. Whatever happens, a final clean-up
// deletes every widget whose name starts with the run prefix, and no other unless asked.
import { randomBytes } from 'node:crypto';
import { runAction, type ActionResult } from './run-action.ts';
import { FIXTURES_DIR, redactor, writeRecording, type Recording } from './live-fixtures.ts';
import { startRecordingProxy } from './recording-proxy.ts';

/** Hostnames in the update step: the most the Free plan allows (10), so it passes on every account. */
export const UPDATE_HOSTNAMES = 10;
/** A sitekey no account has (24 characters, like real ones), for the not-found probe. */
export const MISSING_SITEKEY = '0x4AAAAAAAlivesuiteNone0';

export interface LiveOptions {
  apiUrl: string;
  apiToken: string;
  accountId: string;
  /** Where the recording goes (a file `lifecycle.json`); __tests__/fixtures/live/ by default. */
  fixturesDir?: string;
  /** Names start with it; unique per run by default (`live-<time>-<random>-`). */
  runPrefix?: string;
  /** The bundle to run (dist/index.js by default). */
  entry?: string;
  /** Per action run. */
  timeoutMs?: number;
  /** Also delete the widgets of earlier runs killed before their clean-up (the scheduled run's --delete-stale). */
  deleteStale?: boolean;
}

/** A step's outcome; requests the proxy forwarded (writes: not GET), and the action's own count of them. */
type Outcome = { result: 'passed' | 'failed' | 'not run'; detail: string; actionCount?: number | undefined };
type StepResult = Outcome & { step: string; requests: number; writes: number };

export type LiveResult = Awaited<ReturnType<typeof runLiveSuite>>;

export type StaleWidget = { name: string; sitekey: string; created_on: string; deleted?: boolean };

type State = { sitekey: string; secret: string };

interface Step {
  name: string;
  /** Inputs of an action run; a probe makes its own requests instead. */
  inputs?: (state: State) => Record<string, string>;
  probe?: (call: ApiCall, state: State) => Promise<string>;
  /** Throws when the run is not what the step expects; returns what it checked. */
  check?: (run: ActionResult, state: State, writes: number) => string;
}

type ApiCall = (method: string, path: string, body?: unknown) => Promise<{ status: number; json: ApiEnvelope }>;
type ApiEnvelope = { success?: boolean; errors?: { code: number; message: string }[]; result?: unknown };

function expect(condition: boolean, message: string): void {
  if (!condition) throw new Error(message);
}
const sameWidget = (run: ActionResult, state: State) =>
  expect(run.outputs.sitekey === state.sitekey, `sitekey ${run.outputs.sitekey}, expected ${state.sitekey}`);
const noWrite = (writes: number) => expect(writes === 0, `${writes} write request(s), expected none`);
const flag = (run: ActionResult, name: 'created' | 'updated') =>
  expect(run.outputs[name] === 'true', `${name} is "${run.outputs[name]}", expected "true"`);

function defaultRunPrefix(now = new Date()): string {
  const time = now.toISOString().replace(/[-:]/g, '').replace(/\..*$/, '').toLowerCase();
  return `live-${time}-${randomBytes(3).toString('hex')}-`;
}

function steps(prefix: string, hostnames = UPDATE_HOSTNAMES): Step[] {
  const site = `${prefix.replace(/-+$/, '')}.example.com`;
  const widget = { name: `${prefix}widget`, mode: 'managed' };
  const one = { ...widget, domains: site };
  const many = Array.from({ length: hostnames }, (_, i) => (i === 0 ? site : `h${i}.${site}`));
  return [
    {
      name: 'ensure (create)',
      inputs: () => one,
      check: (run, state) => {
        flag(run, 'created');
        expect(Boolean(run.outputs.sitekey) && Boolean(run.outputs.secret), 'no sitekey or secret output');
        state.sitekey = run.outputs.sitekey!;
        state.secret = run.outputs.secret!;
        return `created ${state.sitekey}`;
      },
    },
    {
      name: 'ensure again (no change)',
      inputs: () => one,
      check: (run, state, writes) => {
        sameWidget(run, state);
        expect(run.outputs.created === 'false' && run.outputs.updated === 'false', 'created or updated is not false');
        noWrite(writes);
        return 'found, unchanged, no write';
      },
    },
    {
      name: `ensure ${hostnames} hostnames`,
      inputs: () => ({ ...widget, domains: many.join(', ') }),
      check: (run, state) => {
        const domains = JSON.parse(run.outputs.domains ?? '[]') as string[];
        sameWidget(run, state);
        flag(run, 'updated');
        expect(domains.length === hostnames, `${domains.length} hostnames in the output, expected ${hostnames}`);
        return `updated to ${hostnames} hostnames`;
      },
    },
    {
      name: 'get',
      inputs: (state) => ({ operation: 'get', sitekey: state.sitekey }),
      check: (run, state, writes) => {
        sameWidget(run, state);
        expect(run.outputs.secret === state.secret, "the secret output is not the widget's secret");
        noWrite(writes);
        return 'sitekey and secret as created';
      },
    },
    {
      // Straight to the API, recorded for the fixtures: answers the action must read right.
      name: 'probe: unknown sitekey, PATCH',
      probe: async (call, state) => {
        const missing = await call('GET', `/challenges/widgets/${MISSING_SITEKEY}`);
        const patch = await call('PATCH', `/challenges/widgets/${state.sitekey}`, { mode: 'invisible' });
        const code = (answer: { json: ApiEnvelope }) => answer.json.errors?.[0]?.code ?? '-';
        expect(missing.status >= 400 && missing.status < 500, `unknown sitekey answered ${missing.status}`);
        expect(patch.status >= 400 && patch.status < 500, `PATCH answered ${patch.status}`);
        return `unknown sitekey ${missing.status} code ${code(missing)}; PATCH ${patch.status} code ${code(patch)}`;
      },
    },
    {
      name: 'rotate-secret',
      inputs: (state) => ({ operation: 'rotate-secret', sitekey: state.sitekey, 'invalidate-immediately': 'true' }),
      check: (run, state) => {
        flag(run, 'updated');
        expect(Boolean(run.outputs.secret) && run.outputs.secret !== state.secret, 'the secret did not change');
        return 'new secret, old one invalidated';
      },
    },
    {
      name: 'prune (dry run)',
      inputs: () => ({ operation: 'prune', 'name-prefix': prefix, 'older-than': '0s', 'dry-run': 'true' }),
      check: (run, state, writes) => {
        const listed = JSON.parse(run.outputs.deleted ?? '[]') as string[];
        expect(listed.includes(state.sitekey), `would delete ${run.outputs.deleted}, expected ${state.sitekey}`);
        noWrite(writes);
        return `would delete ${listed.length}, deleted none`;
      },
    },
    {
      name: 'delete',
      inputs: (state) => ({ operation: 'delete', sitekey: state.sitekey }),
      check: (run, state) => {
        expect((run.outputs.deleted ?? '').includes(state.sitekey), `deleted ${run.outputs.deleted}`);
        return `deleted ${state.sitekey}`;
      },
    },
  ];
}

export async function runLiveSuite(options: LiveOptions) {
  const prefix = options.runPrefix ?? defaultRunPrefix();
  const proxy = await startRecordingProxy(options.apiUrl, redactor(options.accountId, [options.apiToken]));
  const call = apiCall(proxy.url, options);
  const state: State = { sitekey: '', secret: '' };
  const results: StepResult[] = [];
  // This run's widgets deleted, earlier killed runs' (`stale`), and how many of this run's are left.
  let cleanup: { requests: number; deleted: string[]; stale: StaleWidget[]; left: number; error?: string };
  try {
    let failed = false;
    for (const step of steps(prefix)) {
      if (failed) {
        results.push({ step: step.name, result: 'not run', detail: 'an earlier step failed', requests: 0, writes: 0 });
        continue;
      }
      proxy.setStep(step.name);
      const before = proxy.exchanges.length;
      const writes = () => proxy.exchanges.slice(before).filter((exchange) => exchange.method !== 'GET').length;
      const outcome = await runStep(step, state, call, { ...options, apiUrl: proxy.url }, writes);
      results.push({ step: step.name, ...outcome, requests: proxy.exchanges.length - before, writes: writes() });
      failed = outcome.result === 'failed';
    }
  } finally {
    proxy.setStep('cleanup');
    const before = proxy.exchanges.length;
    const failure = (error: Error) => ({ deleted: [], stale: [], left: -1, error: error.message });
    const outcome = await cleanUp(call, prefix, options.deleteStale ?? false).catch(failure);
    cleanup = { ...outcome, requests: proxy.exchanges.length - before };
    await proxy.close();
  }
  const cloudflare = options.apiUrl.startsWith('https://api.cloudflare.com/');
  const recording: Recording = {
    source: proxy.sawEmulator ? 'emulator' : cloudflare ? 'cloudflare' : 'other',
    origin: new URL(options.apiUrl).origin,
    recordedAt: new Date().toISOString(),
    note: proxy.sawEmulator
      ? "Recorded from this repository's emulator, not from Cloudflare: it checks the recording and the replay. Replace it with a recording of the real API (npm run test:live with CLOUDFLARE_API_TOKEN and CLOUDFLARE_ACCOUNT_ID set)."
      : 'Recorded by npm run test:live; credentials, the account id and widget secrets are redacted.',
    exchanges: proxy.exchanges,
  };
  const fixture = writeRecording(options.fixturesDir ?? FIXTURES_DIR, 'lifecycle', recording);
  const ok = results.every((step) => step.result === 'passed') && cleanup.left === 0 && !cleanup.error;
  return { ok, prefix, steps: results, cleanup, requests: proxy.exchanges.length, recording, fixture };
}

async function runStep(
  step: Step,
  state: State,
  call: ApiCall,
  options: LiveOptions,
  writes: () => number,
): Promise<Outcome> {
  try {
    if (step.probe) return { result: 'passed', detail: await step.probe(call, state) };
    const run = await runAction({
      inputs: {
        'api-token': options.apiToken,
        'account-id': options.accountId,
        'api-url': options.apiUrl, // the recording proxy
        'github-token': '', // nothing here asks GitHub: prune decides by age alone
        ...step.inputs!(state),
      },
      env: { RUNNER_DEBUG: '1' },
      ...(options.entry ? { entry: options.entry } : {}),
      timeoutMs: options.timeoutMs ?? 120_000,
    });
    const count = /^::debug::Cloudflare API requests: (\d+)$/m.exec(run.stdout)?.[1];
    const actionCount = count === undefined ? undefined : Number(count);
    if (run.code !== 0) {
      // The action's own error lines (masked by the action; the secret is never in them).
      const errors = [...run.stdout.matchAll(/^::error[^:]*::(.*)$/gm)].map(([, text]) => text!.replace(/%0A/g, ' '));
      const detail = `exit code ${run.code}: ${errors.join(' | ') || run.stderr.trim()}`;
      return { result: 'failed', detail, actionCount };
    }
    return { result: 'passed', detail: step.check!(run, state, writes()), actionCount };
  } catch (error) {
    // A check that did not hold, or the step could not run at all (a network error in a probe).
    return { result: 'failed', detail: error instanceof Error ? error.message : String(error) };
  }
}

/** Requests the suite makes itself (probes, clean-up), through the proxy so they are recorded. */
function apiCall(url: string, options: LiveOptions): ApiCall {
  return async (method, path, body) => {
    const response = await fetch(`${url}/accounts/${options.accountId}${path}`, {
      method,
      headers: { authorization: `Bearer ${options.apiToken}`, 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
      signal: AbortSignal.timeout(60_000),
    });
    // Not JSON: the status says enough.
    const json = (await response.json().catch(() => ({}))) as ApiEnvelope;
    return { status: response.status, json };
  };
}

/** The one widget name a run gives (`${defaultRunPrefix()}widget`), with the time the run started. */
const RUN_WIDGET = /^live-(\d{4})(\d\d)(\d\d)t(\d\d)(\d\d)(\d\d)-[0-9a-f]{6}-widget$/;

/** Whether `widget` is an earlier run's, killed before its clean-up: no run lasts an hour. */
export function isStale({ name, created_on }: StaleWidget, now = Date.now()): boolean {
  const started = RUN_WIDGET.test(name) ? Date.parse(name.replace(RUN_WIDGET, '$1-$2-$3T$4:$5:$6Z')) : NaN;
  return now - started > 3_600_000 && now - Date.parse(created_on) > 3_600_000;
}

/**
 * Deletes every widget whose name starts with the run prefix; lists the widgets of earlier runs
 * killed before their clean-up, deleting them only with `deleteStale` (the account may not be the
 * suite's alone). Then lists again to count what is left of this run.
 */
async function cleanUp(call: ApiCall, prefix: string, deleteStale: boolean) {
  const listed = async (): Promise<StaleWidget[]> => {
    // One listing covers this run and the earlier ones: the filter is a substring match.
    const answer = await call('GET', `/challenges/widgets?per_page=1000&filter=${encodeURIComponent('name:live-')}`);
    if (answer.status !== 200) throw new Error(`listing the live suite's widgets answered ${answer.status}`);
    return answer.json.result as StaleWidget[];
  };
  const remove = async ({ sitekey }: StaleWidget) =>
    (await call('DELETE', `/challenges/widgets/${encodeURIComponent(sitekey)}`)).status === 200;
  const ours = (widget: StaleWidget) => widget.name.startsWith(prefix);
  const widgets = await listed();
  const deleted: string[] = [];
  for (const widget of widgets.filter(ours)) if (await remove(widget)) deleted.push(widget.sitekey);
  const stale: StaleWidget[] = [];
  for (const { name, sitekey, created_on } of widgets.filter((w) => !ours(w) && isStale(w))) {
    stale.push({ name, sitekey, created_on, deleted: deleteStale && (await remove({ name, sitekey, created_on })) });
  }
  return { deleted, stale, left: (await listed()).filter(ours).length };
}

/** The table scripts/live.ts prints: one row per step, then the clean-up and the totals. */
export function resultTable({ steps, cleanup, ok, requests, prefix }: LiveResult): string {
  const staleDeleted = cleanup.stale.filter((widget) => widget.deleted).length;
  const earlier = `; ${cleanup.stale.length} of earlier runs killed before their clean-up, ${staleDeleted} deleted (--delete-stale)`;
  const rows = [
    ['step', 'result', 'requests', 'writes', 'action says', 'detail'],
    ...steps.map((step) => [step.step, step.result, step.requests, step.writes, step.actionCount ?? '-', step.detail]),
    [
      'clean-up',
      cleanup.error || cleanup.left !== 0 ? 'failed' : 'passed',
      cleanup.requests,
      cleanup.deleted.length + staleDeleted,
      '-',
      cleanup.error ??
        `deleted ${cleanup.deleted.length}, ${cleanup.left} left with the prefix${cleanup.stale.length ? earlier : ''}`,
    ],
    ['total', ok ? 'passed' : 'failed', requests, '', '', `prefix ${prefix}`],
  ].map((row) => row.map(String));
  const widths = rows[0]!.map((_, column) => Math.max(...rows.map((row) => row[column]!.length)));
  const pad = (row: string[]) =>
    row.map((cell, column) => (column < row.length - 1 ? cell.padEnd(widths[column]!) : cell));
  return rows.map((row) => pad(row).join('  ')).join('\n');
}
