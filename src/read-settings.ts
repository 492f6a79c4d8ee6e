import type { z } from 'zod';
import { InputError, InputErrors } from './errors.ts';
import { readGitHubContext, type GitHubContext } from './github-context.ts';
import { INPUT_NAMES, readInputs } from './inputs.ts';
import { quoteUntrusted, type Logger } from './log.ts';
import type { SecretRegistry } from './secrets.ts';
import {
  authSchema,
  commonSchema,
  operationNameSchema,
  operationSchema,
  type HostRefusal,
  type Settings,
  type SettingsContext,
} from './settings.ts';

/**
 * Reads and validates every input, and throws every problem at once (InputErrors) before anything
 * touches the network. Credentials are masked before anything else can print them.
 */
export function readSettings(
  env: NodeJS.ProcessEnv,
  secrets: SecretRegistry,
  logger: Logger,
  refuseHost: HostRefusal,
  github: GitHubContext = readGitHubContext(env),
): Settings {
  const { raw, unknown } = readInputs(env);
  secrets.add(raw['api-token']);
  secrets.add(raw['api-key']);
  secrets.add(raw['github-token']);

  // The runner only warns about inputs action.yml does not declare, and a job-level
  // `env: INPUT_X` reaches every step: a warning, not a failure.
  for (const { given, closest } of unknown) {
    logger.warning(
      `Input ${quoteUntrusted(given)} is not an input of this action and is ignored${closest ? `; did you mean "${closest}"?` : '.'} Inputs: ${INPUT_NAMES.join(', ')}.`,
      'Unexpected input',
    );
  }

  const context: SettingsContext = { github, refuseHost, secrets, notices: [] };
  const errors: InputError[] = [];
  const collect = <T>(result: z.ZodSafeParseResult<T>): T | undefined => {
    if (result.success) return result.data;
    for (const issue of result.error.issues) {
      const input = String(issue.path[0] ?? 'operation');
      const typo = unknown.find((u) => u.closest === input && /^is required/.test(issue.message));
      const hint = typo
        ? ` The step passes ${quoteUntrusted(typo.given)}, which is not an input: did you mean "${input}"?`
        : '';
      errors.push(new InputError(input, issue.message + hint));
    }
    return undefined;
  };
  const operation = collect(operationNameSchema.safeParse(raw));
  const common = collect(commonSchema().safeParse(raw));
  const credentials = collect(authSchema(context).safeParse(raw));
  const specific = operation && collect(operationSchema(context).safeParse(raw));
  if (errors.length > 0 || !common || !credentials || !specific) throw new InputErrors(errors);

  for (const notice of context.notices) logger.notice(notice, 'Input domains');
  const settings: Settings = { ...common, ...credentials, ...specific };
  logger.debug(describe(settings, context.github));
  return settings;
}

/** The resolved settings for the debug log: never a credential. */
function describe(settings: Settings, github: GitHubContext): string {
  const shown = JSON.stringify(settings, (key, value: unknown) =>
    key === 'auth' || key === 'githubToken' ? undefined : value,
  );
  return `Settings: ${shown} (auth: ${settings.auth.kind}; repository: ${github.repository ?? 'none'})`;
}
