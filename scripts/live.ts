// npm run test:live [-- --delete-stale]: the bundled action through its whole lifecycle against
// Cloudflare's API (scripts/lib/live-suite.ts). Opt-in, and the one test that leaves loopback: never
// in npm test or .ci/run. Needs CLOUDFLARE_API_TOKEN (Account › Turnstile › Edit) and
// CLOUDFLARE_ACCOUNT_ID; CLOUDFLARE_API_URL points it elsewhere (e.g. the emulator). Prints one row
// per step, lists the widgets of earlier runs killed before their clean-up (--delete-stale deletes
// them too), writes the redacted recording to __tests__/fixtures/live/lifecycle.json
// (LIVE_FIXTURES_DIR to put it elsewhere); exits 1 when a step failed or a widget of the run is
// left, 2 on a missing variable or an unknown argument.
import { resultTable, runLiveSuite } from './lib/live-suite.ts';

const CLOUDFLARE_API_URL = 'https://api.cloudflare.com/client/v4';

const args = process.argv.slice(2);
const apiToken = process.env.CLOUDFLARE_API_TOKEN ?? '';
const accountId = process.env.CLOUDFLARE_ACCOUNT_ID ?? '';
const apiUrl = process.env.CLOUDFLARE_API_URL || CLOUDFLARE_API_URL;
const missing = [
  ...(apiToken ? [] : ['  CLOUDFLARE_API_TOKEN (an API token with Account › Turnstile › Edit)']),
  ...(accountId ? [] : ['  CLOUDFLARE_ACCOUNT_ID (the 32-character id of the account to test in)']),
];
const refusal = args.some((arg) => arg !== '--delete-stale')
  ? 'usage: npm run test:live [-- --delete-stale].'
  : missing.length > 0
    ? `npm run test:live runs the action against the Cloudflare API and needs:\n${missing.join('\n')}\n` +
      `Set them in the environment (CLOUDFLARE_API_URL is optional, default ${CLOUDFLARE_API_URL}).`
    : undefined;
if (refusal) {
  console.error(`${refusal} Nothing was run.`);
  process.exit(2);
}

console.log(`Live suite against ${new URL(apiUrl).origin} (the bundled action, dist/index.js)`);
const [fixturesDir, deleteStale] = [process.env.LIVE_FIXTURES_DIR || undefined, args.includes('--delete-stale')];
const result = await runLiveSuite({ apiUrl, apiToken, accountId, deleteStale, fixturesDir });
console.log(`\n${resultTable(result)}\n`);
if (result.cleanup.stale.length > 0) console.log('Widgets of earlier runs killed before their clean-up:');
for (const { name, sitekey, created_on, deleted } of result.cleanup.stale) {
  console.log(`  ${name} (${sitekey}), created ${created_on}: ${deleted ? 'deleted' : 'kept'}`);
}
const { exchanges, source } = result.recording;
console.log(`Recorded ${exchanges.length} exchanges (${source}) to ${result.fixture}`);
process.exit(result.ok ? 0 : 1);
