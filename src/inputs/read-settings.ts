import { readGitHubContext, type GitHubContext } from '../github/context.ts';
import { readInputs, type InputName, type StepInputs } from './declared.ts';
import type { Logger } from '../log/logger.ts';
import { looksLikeWidgetSecret, type SecretRegistry } from '../log/secrets.ts';
import { MIN_CREDENTIAL_LENGTH, parseSettings, widgetInputs, type Operation, type Settings } from './settings.ts';
import type { ParsedSettings } from './settings.ts';

/**
 * Reads and checks every input (parseSettings), secrets masked first, then acts on the result:
 * notices for rewritten hostnames, warnings for inputs the operation ignores.
 */
export function readSettings(
  env: NodeJS.ProcessEnv,
  secrets: SecretRegistry,
  logger: Logger,
  github: GitHubContext = readGitHubContext(env),
): ParsedSettings {
  const inputs = readInputs(env);
  maskSecrets(inputs.raw, secrets);
  const { settings, notices } = parseSettings(inputs, github);
  for (const notice of notices) logger.notice(notice, 'Input domains');
  // With test keys no input is ignored: a fork's job sets the others for its real runs.
  if ('testKeys' in settings) return settings;
  for (const warning of ignoredInputs(inputs.given, settings)) logger.warning(warning, 'Ignored input');
  logger.debug(describe(settings, github));
  return settings;
}

/**
 * The credentials, and a widget secret pasted where the sitekey belongs (it is refused, never
 * quoted). A Cloudflare credential too short to be one is refused unmasked: masking "t" would
 * turn every "t" of the log into ***.
 */
function maskSecrets(raw: StepInputs['raw'], secrets: SecretRegistry): void {
  // A token given as "Bearer <token>" is refused; the token inside is a secret all the same.
  const credentials = [raw['api-token'], raw['api-token'].replace(/^bearer\s+/i, ''), raw['api-key']];
  for (const credential of credentials) if (credential.length >= MIN_CREDENTIAL_LENGTH) secrets.add(credential);
  secrets.add(raw['github-token']);
  if (looksLikeWidgetSecret(raw.sitekey)) secrets.add(raw.sitekey);
}

/** The resolved settings for the debug log: never a credential. */
function describe(settings: Settings, github: GitHubContext): string {
  const shown = JSON.stringify(settings, (key, value: unknown) =>
    key === 'auth' || key === 'githubToken' ? undefined : value,
  );
  return `Settings: ${shown} (auth: ${settings.auth.kind}; repository: ${github.repository ?? 'none'})`;
}

const WIDGET_INPUTS = ['domains', ...Object.keys(widgetInputs)] as InputName[];
/** What each operation reads besides the credentials and the inputs of commonSchema. */
const READS: Record<Operation, readonly InputName[]> = {
  ensure: ['name', 'sitekey', ...WIDGET_INPUTS, 'name-prefix'],
  create: ['name', ...WIDGET_INPUTS, 'name-prefix'],
  get: ['name', 'sitekey'],
  delete: ['name', 'sitekey'],
  'rotate-secret': ['name', 'sitekey'],
  prune: ['name-prefix'],
};

/**
 * A warning for each input the step sets that this run does not use. Only inputs without an
 * action.yml default can be told apart from "not set" (INPUTS in declared.ts), so only they warn.
 */
function ignoredInputs(given: Set<InputName>, settings: Settings): string[] {
  const { operation } = settings;
  const why = new Map<InputName, string>();
  for (const input of given) {
    if (!['api-token', 'api-email', 'api-key', 'account-id', ...READS[operation]].includes(input)) {
      why.set(input, `operation "${operation}" does not use it.`);
    }
  }
  if (settings.auth.kind === 'token') {
    for (const input of ['api-email', 'api-key'] as const) {
      if (given.has(input)) why.set(input, 'api-token is given, and legacy authentication is used only without it.');
    }
  }
  if ('target' in settings && 'sitekey' in settings.target) {
    if (operation !== 'ensure' && given.has('name')) {
      why.set('name', `operation "${operation}" finds the widget by its sitekey when both are given.`);
    }
    if (operation === 'ensure' && given.has('name-prefix')) {
      why.set('name-prefix', 'ensure by sitekey never creates a widget, so it never recycles one.');
    }
  }
  return [...why].map(([input, reason]) => `Input "${input}" is ignored: ${reason}`);
}
