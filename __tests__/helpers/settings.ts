import { readGitHubContext } from '../../src/github/context.ts';
import { readInputs } from '../../src/inputs/declared.ts';
import { parseSettings, type Operation, type SettingsOf } from '../../src/inputs/settings.ts';
import { inputVariables } from '../../scripts/lib/action-inputs.ts';

// Operations get their client from the context; these only have to pass the input checks.
const API_URL = 'https://api.cloudflare.test/client/v4';
const ACCOUNT = '0123456789abcdef0123456789abcdef';

interface Overrides<O extends Operation> {
  operation?: O;
  name?: string;
  sitekey?: string;
  dryRun?: boolean;
  namePrefix?: string;
  invalidateImmediately?: boolean;
}

/** Widget settings as the API names them; each becomes its input (domains default to pr-1.example.com). */
interface Fields {
  domains?: string[];
  mode?: string;
  clearance_level?: string;
  bot_fight_mode?: boolean;
  ephemeral_id?: boolean;
  offlabel?: boolean;
  region?: string;
}

/**
 * The settings a step with these inputs gets, parsed by the action's own schemas (action.yml
 * defaults applied as the runner applies them), for tests that drive operations directly.
 */
export function settings<O extends Operation = 'ensure'>(
  overrides: Overrides<O> = {},
  fields: Fields = {},
): SettingsOf<O> {
  const operation = overrides.operation ?? 'ensure';
  const bySitekey = overrides.sitekey !== undefined;
  const inputs: Record<string, string> = {
    operation,
    'api-url': API_URL,
    'account-id': ACCOUNT,
    'api-token': 'cf-test-token-0123456789',
    'request-timeout': '1',
    'max-retries': '2',
    'dry-run': String(overrides.dryRun ?? false),
    'invalidate-immediately': String(overrides.invalidateImmediately ?? false),
    name: overrides.name ?? (bySitekey || operation === 'prune' ? '' : 'app-pr-1'),
    sitekey: overrides.sitekey ?? '',
    'name-prefix': operation === 'prune' ? (overrides.namePrefix ?? 'app-pr-') : '',
  };
  if (operation === 'ensure' || operation === 'create') {
    const { domains = ['pr-1.example.com'], ...flags } = fields;
    inputs.domains = domains.join(',');
    for (const [field, value] of Object.entries(flags)) inputs[field.replace(/_/g, '-')] = String(value);
  }
  const { settings: parsed } = parseSettings(readInputs(inputVariables(inputs)), readGitHubContext({}));
  return parsed as SettingsOf<O>;
}
