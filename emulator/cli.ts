// npm run emulator -- [options] (or node emulator/cli.ts ... on Node 22.18 or later): the local
// Turnstile API emulator on 127.0.0.1; --help lists the options. Prints one JSON line with its URL
// and development credentials (fixed defaults, not secrets). Runs until SIGINT/SIGTERM.
import { parseArgs } from 'node:util';
import { startEmulator } from './server.ts';
import { timestamp } from './store.ts';

/** How old seeded widgets are: older than prune's default `older-than` (7d), so a prune demo deletes them. */
const SEED_AGE_DAYS = 30;

const USAGE = 'usage: npm run emulator -- [options]   (--help lists them)';
const HELP = `usage: npm run emulator -- [options]   (or: node emulator/cli.ts [options])

Starts a local emulator of Cloudflare's Turnstile widget API on 127.0.0.1 and prints one JSON line,
{"url","accountId","apiToken"}: the api-url and the fixed development credentials (not secrets).
Runs until Ctrl-C.

  --port N             port to listen on (default 8787; 0 picks a free one)
  --latency MS         delay before every response, in milliseconds (default 0)
  --seed N             start with N widgets, <prefix>1 ... <prefix>N, for pr-1.example.com ...,
                       created ${SEED_AGE_DAYS} days ago (so prune's default older-than, 7d, deletes them)
  --seed-prefix P      the seeded widgets' name prefix (default seeded-pr-)
  --widget-limit N     widgets per account (default 20, the Free plan)
  --hostname-limit N   hostnames per widget (default 10, the Free plan; Enterprise allows up to 200)
  --any-hostname       widgets may have no hostname (Enterprise "any hostname")
  --log-requests       print one line per request to stderr: method, path and query, status
  --help               print this help

Example: npm run emulator -- --seed 3 --seed-prefix local-action- --log-requests
then, in another terminal: npm run local-action -- prune   (deletes the three seeded widgets)`;

function wholeNumber(name: string, raw: string, max: number): number {
  const value = Number(raw);
  if (raw.trim() === '' || !Number.isInteger(value) || value < 0 || value > max) {
    console.error(`--${name} must be a whole number from 0 to ${max}, got "${raw}"\n${USAGE}`);
    process.exit(2);
  }
  return value;
}

function parse() {
  try {
    return parseArgs({
      options: {
        // 8787 by default so the README's and the e2e workflow's URLs hold; --port 0 picks a free port.
        port: { type: 'string', default: '8787' },
        latency: { type: 'string', default: '0' },
        seed: { type: 'string', default: '0' },
        'seed-prefix': { type: 'string', default: 'seeded-pr-' },
        // Creates beyond this many widgets fail as on Cloudflare; 20 is the Free plan's limit.
        'widget-limit': { type: 'string', default: '20' },
        // Hostnames per widget: 10 on the Free plan, up to 200 on Enterprise.
        'hostname-limit': { type: 'string', default: '10' },
        // Enterprise "any hostname": widgets may have no hostname.
        'any-hostname': { type: 'boolean', default: false },
        'log-requests': { type: 'boolean', default: false },
        help: { type: 'boolean', short: 'h', default: false },
      },
    }).values;
  } catch (error) {
    console.error(`${(error as Error).message}\n${USAGE}`);
    process.exit(2);
  }
}

const values = parse();
if (values.help) {
  console.log(HELP);
  process.exit(0);
}
const port = wholeNumber('port', values.port, 65_535);
const latencyMs = wholeNumber('latency', values.latency, 600_000);
const widgetLimit = wholeNumber('widget-limit', values['widget-limit'], 1_000_000);
const hostnameLimit = wholeNumber('hostname-limit', values['hostname-limit'], 10_000);
const count = wholeNumber('seed', values.seed, 100_000);
const emulator = await startEmulator({
  port,
  latencyMs,
  widgetLimit,
  hostnameLimit,
  anyHostname: values['any-hostname'],
  ...(values['log-requests']
    ? {
        onRequest: ({ method, path, query, status }) => {
          const search = new URLSearchParams(query).toString();
          console.error(`${method} ${path}${search ? `?${search}` : ''} ${status || 'no answer'}`);
        },
      }
    : {}),
}).catch((error: NodeJS.ErrnoException) => {
  const why =
    error.code === 'EADDRINUSE'
      ? `port ${port} is already in use (--port 0 picks a free one)`
      : error.code === 'EACCES'
        ? `not allowed to listen on port ${port}`
        : error.message;
  console.error(`Cannot start the emulator: ${why}`);
  process.exit(1);
});
// One second apart, in seeding order, so "oldest" is the first.
const seededAt = Date.now() - SEED_AGE_DAYS * 24 * 60 * 60 * 1000;
emulator.seed(
  Array.from({ length: count }, (_, i) => ({
    name: `${values['seed-prefix']}${i + 1}`,
    domains: [`pr-${i + 1}.example.com`],
    created_on: timestamp(BigInt(seededAt + i * 1000) * 1000n),
  })),
);
console.log(JSON.stringify({ url: emulator.url, accountId: emulator.accountId, apiToken: emulator.apiToken }));

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    void emulator.close().then(() => process.exit(0));
  });
}
