// node emulator/cli.ts [--port N] [--latency MS] [--seed N] [--seed-prefix P]
// Starts the local Turnstile API emulator on 127.0.0.1 and prints one JSON line with its URL and
// development credentials (fixed defaults, not secrets). Stops on SIGINT/SIGTERM.
import { parseArgs } from 'node:util';
import { startEmulator } from './server.ts';

const { values } = parseArgs({
  options: {
    port: { type: 'string', default: '8787' },
    latency: { type: 'string', default: '0' },
    seed: { type: 'string', default: '0' },
    'seed-prefix': { type: 'string', default: 'seeded-pr-' },
  },
});

const emulator = await startEmulator({ port: Number(values.port), latencyMs: Number(values.latency) });
const count = Number(values.seed);
if (count > 0) {
  emulator.seed(
    Array.from({ length: count }, (_, i) => ({
      name: `${values['seed-prefix']}${i + 1}`,
      domains: [`pr-${i + 1}.example.com`],
    })),
  );
}
console.log(JSON.stringify({ url: emulator.url, accountId: emulator.accountId, apiToken: emulator.apiToken }));

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, () => {
    void emulator.close().then(() => process.exit(0));
  });
}
