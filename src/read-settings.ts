import { readGitHubContext, type GitHubContext } from './github-context.ts';
import { readInputs, type RawInputs } from './inputs.ts';
import type { Logger } from './log.ts';
import { looksLikeWidgetSecret, type SecretRegistry } from './secrets.ts';
import { parseSettings, type Settings } from './settings.ts';

/**
 * Reads and checks every input (settings.ts), then acts on the result: notices for rewritten
 * hostnames, warnings for inputs the operation ignores. Throws every problem at once (InputErrors)
 * before anything touches the network; secrets are masked before anything can print them.
 */
export function readSettings(
  env: NodeJS.ProcessEnv,
  secrets: SecretRegistry,
  logger: Logger,
  github: GitHubContext = readGitHubContext(env),
): Settings {
  const inputs = readInputs(env);
  maskSecrets(inputs.raw, secrets);
  const { settings, notices, ignored } = parseSettings(inputs, github);
  for (const notice of notices) logger.notice(notice, 'Input domains');
  for (const warning of ignored) logger.warning(warning, 'Ignored input');
  logger.debug(describe(settings, github));
  return settings;
}

/** The credentials, and a widget secret pasted where the sitekey belongs (it is refused, never quoted). */
function maskSecrets(raw: RawInputs, secrets: SecretRegistry): void {
  secrets.add(raw['api-token']);
  // A token given as "Bearer <token>" is refused; the token inside is a secret all the same.
  secrets.add(raw['api-token'].replace(/^bearer\s+/i, ''));
  secrets.add(raw['api-key']);
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
