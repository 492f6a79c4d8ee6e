// npm run emulator -- [--port N] [--latency MS] [--seed N] [--seed-prefix P] [--widget-limit N]
//   [--hostname-limit N] [--any-hostname]
// (or node emulator/cli.ts ... on Node 22.18 or later). Starts the local Turnstile API emulator on
// 127.0.0.1 and prints one JSON line with its URL and development credentials (fixed defaults, not
// secrets). Runs until SIGINT/SIGTERM.
import { parseArgs } from 'node:util';
import { startEmulator } from './server.ts';

const USAGE =
  'usage: npm run emulator -- [--port N] [--latency MS] [--seed N] [--seed-prefix P] [--widget-limit N] [--hostname-limit N] [--any-hostname]';

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
      },
    }).values;
  } catch (error) {
    console.error(`${(error as Error).message}\n${USAGE}`);
    process.exit(2);
  }
}

const values = parse();
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
emulator.seed(
  Array.from({ length: count }, (_, i) => ({
    name: `${values['seed-prefix']}${i + 1}`,
    domains: [`pr-${i + 1}.example.com`],
  })),
);
console.log(JSON.stringify({ url: emulator.url, accountId: emulator.accountId, apiToken: emulator.apiToken }));

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    void emulator.close().then(() => process.exit(0));
  });
}
