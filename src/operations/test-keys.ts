import type { GitHubContext } from '../github/context.ts';
import type { TestKeySettings } from '../inputs/settings.ts';
import type { Logger } from '../log/logger.ts';
import { resultOf, type OperationResult } from './context.ts';

// Cloudflare's dummy keys, valid on any hostname (developers.cloudflare.com/turnstile/troubleshooting/testing/).
// No invisible key forces an interactive challenge: settings.ts refuses that pair.
const PASSES = '1x0000000000000000000000000000000AA';
const FAILS = '2x0000000000000000000000000000000AA';
const KEYS: Record<TestKeySettings['testKeys'], { visible: string; invisible: string; secret: string }> = {
  'always-pass': { visible: '1x00000000000000000000AA', invisible: '1x00000000000000000000BB', secret: PASSES },
  'always-fail': { visible: '2x00000000000000000000AB', invisible: '2x00000000000000000000BB', secret: FAILS },
  'force-interactive': { visible: '3x00000000000000000000FF', invisible: '', secret: PASSES },
};
const TITLE = "Cloudflare's test keys";

/** The result of a run with `test-keys`: the keys as a widget no one created, or nothing deleted. */
export function testKeysResult(settings: TestKeySettings, logger: Logger, github: GitHubContext): OperationResult {
  const { operation, testKeys, mode } = settings;
  const result = (outcome: string, more: Partial<OperationResult>) =>
    resultOf({ operation, dryRun: false }, outcome, { ...more, testKeys: true });
  if (operation === 'delete' || operation === 'prune') {
    logger.notice(`test-keys is set: no widget of this run exists, so ${operation} has nothing to delete.`, TITLE);
    return result('nothing to delete (test keys)', { deleted: [] });
  }
  logger.notice(`Cloudflare's test keys (${testKeys}) were used: no widget exists, and no API was called.`, TITLE);
  if (!('pullRequest' in github.subject)) {
    logger.warning(
      `test-keys is set on this ${github.eventName || 'unnamed'} event, which names no pull request: a site deployed with these keys has no bot protection.`,
      'Test keys outside a pull request',
    );
  }
  const { [mode === 'invisible' ? 'invisible' : 'visible']: sitekey, secret } = KEYS[testKeys];
  const widget = { sitekey, secret, mode, name: '', domains: [], created_on: '' };
  return result("Cloudflare's test keys, no widget", { widget });
}
