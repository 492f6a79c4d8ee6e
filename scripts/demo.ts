// npm run demo: the bundled action (dist/index.js), started as the Actions runner starts it
// (INPUT_* variables, a GITHUB_OUTPUT file), through a widget's life against the local Turnstile API
// emulator on 127.0.0.1; each run's job log, outputs, summary and API calls. No account needed.
import { startEmulator } from '../emulator/server.ts';
import { runAction } from './lib/run-action.ts';
import { mask, maskedValues, renderRunnerLog, renderSummary } from './lib/runner-log.ts';

const emulator = await startEmulator();
const auth = { 'api-token': emulator.apiToken, 'account-id': emulator.accountId, 'api-url': emulator.url };
const failures: string[] = [];

async function step(title: string, inputs: Record<string, string>): Promise<Record<string, string>> {
  const before = emulator.requests.length;
  const result = await runAction({ inputs: { ...auth, ...inputs } });
  const calls = emulator.requests
    .slice(before)
    .map((r) => `${r.method} ${r.path.replace(/.*\/widgets/, '/widgets')} -> ${r.status}`);
  const secrets = maskedValues(result.stdout);
  const outputs = Object.entries(result.outputs).map(([name, value]) => `  ${name} = ${mask(value, secrets)}`);
  console.log(`\n━━ ${title} ━━  (exit code ${result.code}, ${result.durationMs} ms)\nwith: ${JSON.stringify(inputs)}`);
  console.log(`\n[job log]\n${renderRunnerLog(result.stdout)}`);
  if (result.stderr.trim()) console.log(`[stderr]\n${mask(result.stderr, secrets)}`);
  console.log(`\n[outputs]\n${outputs.join('\n')}`);
  if (result.summary.trim()) console.log(`\n[job summary]\n${mask(renderSummary(result.summary), secrets)}`);
  console.log(`\n[Cloudflare API calls: ${calls.length}]\n  ${calls.join('\n  ')}`);
  if (result.code !== 0) failures.push(title);
  return result.outputs;
}

try {
  const domains = 'pr-42.preview.example.com';
  const first = await step('1. ensure: the preview is new, so the widget is created', { domains });
  await step('2. ensure again (the next push): nothing changes, no write call', { domains });
  const third = await step('3. ensure with another domain: updated in place, same sitekey', {
    domains: `${domains}, https://pr-42.staging.example.com/login`,
  });
  if (third.sitekey !== first.sitekey) failures.push('sitekey changed on update');
  await step('4. get by sitekey (how another job reads the secret)', {
    operation: 'get',
    sitekey: first.sitekey ?? '',
  });
  await step('5. delete (the pull request closed)', { operation: 'delete' });
  console.log(`\nWidgets left in the emulator: ${emulator.widgets().length}`);
} finally {
  await emulator.close();
}
if (failures.length > 0) {
  console.error(`\nDemo failed: ${failures.join('; ')}`);
  process.exit(1);
}
console.log('\nDemo passed: created, unchanged, updated (same sitekey), read and deleted one widget.');
