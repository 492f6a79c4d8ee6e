// npm run local-action [-- <operation>]: runs the action from source (src/main.ts) with
// @github/local-action, the way GitHub documents local debugging, against the local Turnstile API
// emulator, and exits with the action's exit code. Inputs come from .env when present, else from
// .env.example; an operation given on the command line replaces INPUT_OPERATION. local-action's
// output is fitted to 100 columns (lib/local-action-output.ts).
//
// The emulator: when INPUT_API-URL names a loopback address (the default, 127.0.0.1:8787) and the
// server there answers with the emulator's identifying header, that emulator is used (e.g. one
// started with `npm run emulator`). Otherwise (nothing listening, or another server such as
// `wrangler dev`, which also defaults to 8787) the script starts its own emulator on a free port,
// with the credentials of the env file, seeds the widget that get, delete and rotate-secret act on,
// and hands @github/local-action a temporary copy of the env file that points INPUT_API-URL at it.
// An INPUT_API-URL that is not a loopback address (the real API) is used as it is.
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseEnv } from 'node:util';
import { EMULATOR_HEADER, EMULATOR_HEADER_VALUE, startEmulator, type Emulator } from '../emulator/server.ts';
import { fitLocalActionOutput } from './lib/local-action-output.ts';

const ROOT = resolve(import.meta.dirname, '..');
/** src/main.ts's run(), with its result as the exit code (local-action drops it). */
const ENTRY = 'scripts/lib/local-action-entry.ts';
const DEFAULT_URL = 'http://127.0.0.1:8787/client/v4';
const LOOPBACK = new Set(['127.0.0.1', 'localhost', '[::1]']);
/** The operations that need an existing widget: the script's own emulator gets one seeded. */
const NEEDS_WIDGET = new Set(['get', 'delete', 'rotate-secret']);

/** A failure of this script: printed as one line, without a stack trace. */
class Refusal extends Error {}

type Probe = 'emulator' | 'nothing' | 'other';

/** What answers at `apiUrl`; no credentials are sent, in case it is not the emulator. */
async function probe(apiUrl: string): Promise<Probe> {
  try {
    const response = await fetch(`${apiUrl.replace(/\/+$/, '')}/`, {
      redirect: 'manual',
      signal: AbortSignal.timeout(2000),
    });
    await response.body?.cancel();
    return response.headers.get(EMULATOR_HEADER) === EMULATOR_HEADER_VALUE ? 'emulator' : 'other';
  } catch (error) {
    const code = ((error as Error).cause as NodeJS.ErrnoException | undefined)?.code;
    return code === 'ECONNREFUSED' ? 'nothing' : 'other'; // a timeout: something holds the port
  }
}

/** The env file with `changes` applied (later lines win in dotenv, but replacing is clearer). */
function rewrite(text: string, changes: Record<string, string>): string {
  const names = new Set(Object.keys(changes));
  const kept = text.split(/\r?\n/).filter((line) => {
    const name = /^\s*(?:export\s+)?([\w.-]+)\s*=/.exec(line)?.[1];
    return name === undefined || !names.has(name);
  });
  const added = Object.entries(changes).map(([name, value]) => `${name}=${value}`);
  return `${[...kept, ...added].join('\n')}\n`;
}

/** The widget that get, delete and rotate-secret act on: the name (and sitekey) of the inputs. */
function seedFor(emulator: Emulator, env: Record<string, string | undefined>): string {
  const domains = (env.INPUT_DOMAINS ?? '')
    .split(/[\s,]+/)
    .filter((host) => /^[a-z0-9.-]+$/i.test(host) && host.includes('.'));
  const [widget] = emulator.seed([
    {
      name: env.INPUT_NAME || 'local-action-demo',
      ...(env.INPUT_SITEKEY ? { sitekey: env.INPUT_SITEKEY } : {}),
      domains: domains.length > 0 ? domains : ['example.com'],
      ...(env.INPUT_MODE ? { mode: env.INPUT_MODE } : {}),
    },
  ]);
  return `seeded widget "${widget!.name}" (${widget!.sitekey})`;
}

/** For prune: a widget under INPUT_NAME-PREFIX, 30 days old, so that the run has one to delete. */
function seedOldWidget(emulator: Emulator, env: Record<string, string | undefined>): string {
  const created = new Date(Date.now() - 30 * 86_400_000).toISOString();
  const name = `${env['INPUT_NAME-PREFIX'] ?? ''}old`;
  const [widget] = emulator.seed([{ name, domains: ['example.com'], created_on: created }]);
  return `seeded widget "${widget!.name}" (${widget!.sitekey}), created 30 days ago`;
}

/** Whether the (identified) emulator at `apiUrl` has the widget the inputs name; true when unsure. */
async function hasWidget(apiUrl: string, env: Record<string, string | undefined>): Promise<boolean> {
  if (env.INPUT_SITEKEY || !env.INPUT_NAME) return true;
  const headers: Record<string, string> = env['INPUT_API-TOKEN']
    ? { authorization: `Bearer ${env['INPUT_API-TOKEN']}` }
    : { 'x-auth-email': env['INPUT_API-EMAIL'] ?? '', 'x-auth-key': env['INPUT_API-KEY'] ?? '' };
  const query = new URLSearchParams({ per_page: '1000', filter: `name:${env.INPUT_NAME}` });
  try {
    const path = `/accounts/${env['INPUT_ACCOUNT-ID'] ?? ''}/challenges/widgets?${query.toString()}`;
    const response = await fetch(`${apiUrl.replace(/\/+$/, '')}${path}`, {
      headers,
      signal: AbortSignal.timeout(2000),
    });
    const body = (await response.json()) as { result?: { name: string }[] };
    return !Array.isArray(body.result) || body.result.some((widget) => widget.name === env.INPUT_NAME);
  } catch {
    return true; // the action will say what is wrong
  }
}

/**
 * `local-action run . scripts/lib/local-action-entry.ts <env file>`, started the way its bin starts
 * it (tsx, with TARGET_ACTION_PATH) but without the bin's wrapper, which answers every failed run
 * with a stack trace of its own; the action's failure is its ::error:: line and its exit code.
 */
function runLocalAction(envFile: string): Promise<number> {
  let entry: string;
  let tsx: string;
  try {
    entry = fileURLToPath(import.meta.resolve('@github/local-action'));
    tsx = createRequire(entry).resolve('tsx/cli');
  } catch {
    throw new Refusal('@github/local-action is not installed: install the dev dependencies with npm ci');
  }
  return new Promise((done, fail) => {
    const child = spawn(process.execPath, [tsx, entry, 'run', '.', ENTRY, envFile], {
      cwd: ROOT,
      stdio: ['inherit', 'pipe', 'inherit'],
      env: {
        ...process.env,
        TARGET_ACTION_PATH: ROOT,
        NODE_NO_WARNINGS: '1',
        NODE_PACKAGE_MANAGER: 'npm',
        // Its output is filtered through a pipe; the colours stay when this script writes to a terminal.
        ...(process.stdout.isTTY && !process.env.NO_COLOR ? { FORCE_COLOR: '1' } : {}),
      },
    });
    child.stdout.pipe(fitLocalActionOutput()).pipe(process.stdout);
    // Ctrl+C reaches the child too; wait for it to end so the emulator and the env copy are cleaned up.
    const forward = (signal: NodeJS.Signals) => child.kill(signal);
    process.on('SIGINT', forward).on('SIGTERM', forward);
    child.on('error', (error) => fail(new Refusal(`cannot start @github/local-action: ${error.message}`)));
    child.on('close', (code, signal) => {
      process.off('SIGINT', forward).off('SIGTERM', forward);
      done(code ?? (signal ? 130 : 1));
    });
  });
}

async function main(): Promise<number> {
  const operation = process.argv[2];
  if (process.argv.length > 3 || operation?.startsWith('-')) {
    throw new Refusal('usage: npm run local-action [-- <operation>], e.g. npm run local-action -- get');
  }
  const envName = existsSync(join(ROOT, '.env')) ? '.env' : '.env.example';
  const text = readFileSync(join(ROOT, envName), 'utf8');
  const env: Record<string, string | undefined> = parseEnv(text);
  if (operation) env.INPUT_OPERATION = operation;
  const apiUrl = env['INPUT_API-URL'] || DEFAULT_URL;
  let url: URL;
  try {
    url = new URL(apiUrl);
  } catch {
    throw new Refusal(`INPUT_API-URL in ${envName} is not a URL: "${apiUrl}"`);
  }

  const changes: Record<string, string> = operation ? { INPUT_OPERATION: operation } : {};
  let emulator: Emulator | undefined;
  if (!LOOPBACK.has(url.hostname)) {
    console.log(`INPUT_API-URL in ${envName} is ${apiUrl}: running against that API, without the emulator.`);
  } else {
    const found = await probe(apiUrl);
    if (found === 'emulator') {
      console.log(`Using the Turnstile API emulator already running at ${apiUrl}.`);
      if (NEEDS_WIDGET.has(env.INPUT_OPERATION ?? '') && !(await hasWidget(apiUrl, env))) {
        console.log(
          `It has no widget named "${env.INPUT_NAME}" for ${env.INPUT_OPERATION}: run \`npm run local-action -- ensure\` first, or stop it so that this script starts (and seeds) its own.`,
        );
      }
      if (!env['INPUT_API-URL']) changes['INPUT_API-URL'] = apiUrl;
    } else {
      if (found === 'other') {
        console.log(
          `${url.host} answers, but not as the Turnstile API emulator (\`wrangler dev\` also uses 8787): starting one on a free port instead.`,
        );
      }
      emulator = await startEmulator({
        accountId: env['INPUT_ACCOUNT-ID'] || undefined,
        apiToken: env['INPUT_API-TOKEN'] || undefined,
        apiEmail: env['INPUT_API-EMAIL'] || undefined,
        apiKey: env['INPUT_API-KEY'] || undefined,
      });
      changes['INPUT_API-URL'] = emulator.url;
      const seeded = NEEDS_WIDGET.has(env.INPUT_OPERATION ?? '')
        ? seedFor(emulator, env)
        : env.INPUT_OPERATION === 'prune' && env['INPUT_NAME-PREFIX']
          ? seedOldWidget(emulator, env)
          : '';
      console.log(`Started the Turnstile API emulator at ${emulator.url}${seeded ? `;\n${seeded}` : ''}.`);
    }
  }

  let dir: string | undefined;
  try {
    let envFile = envName;
    if (Object.keys(changes).length > 0) {
      dir = mkdtempSync(join(tmpdir(), 'local-action-env-'));
      envFile = join(dir, 'env');
      writeFileSync(envFile, rewrite(text, changes), { mode: 0o600 }); // it holds the API token
    }
    console.log(`Inputs from ${envName}${dir ? ` (with ${Object.keys(changes).join(', ')} replaced)` : ''}.`);
    return await runLocalAction(envFile);
  } finally {
    if (dir) rmSync(dir, { recursive: true, force: true });
    await emulator?.close();
  }
}

try {
  const code = await main();
  if (code !== 0) console.error(`local-action: the run failed (exit code ${code}); its error is above.`);
  process.exitCode = code;
} catch (error) {
  const message = error instanceof Error ? error.message : String(error);
  console.error(`local-action: ${error instanceof Refusal ? '' : 'unexpected error: '}${message}`);
  process.exitCode = 1;
}
