import { z } from 'zod';
import type { Auth } from '../cloudflare/client.ts';
import { CLEARANCE_LEVELS, MODES, REGIONS } from '../cloudflare/schemas.ts';
import { InputError } from './errors.ts';
import { defaultWidgetName, type GitHubContext } from '../github/context.ts';
import {
  accountId,
  apiUrl,
  boolean,
  check,
  duration,
  hostnames,
  name,
  oneOf,
  optional,
  refuse,
  required,
  sitekey,
  wholeNumber,
} from './values.ts';
import { closest, INPUT_NAMES, type InputName, type StepInputs } from './declared.ts';

// The action's settings: zod schemas for what every operation shares and one per operation (a
// discriminated union on `operation`), built from each input's value schema (values.ts); the
// settings types are inferred from them. Masking and logging happen in read-settings.ts.

const OPERATIONS = ['ensure', 'create', 'get', 'delete', 'rotate-secret', 'prune'] as const;
export type Operation = (typeof OPERATIONS)[number];

const DOMAINS_REQUIRED = (operation: Operation) =>
  `is required for operation "${operation}": give one or more hostnames or IP addresses, separated by commas, newlines or spaces.`;

/** The `operation` input, checked first: it decides which schema reads the other inputs. */
const operationNameSchema = z.object({
  operation: z.enum(OPERATIONS, {
    error: (issue) => {
      const meant = closest(String(issue.input), OPERATIONS);
      return `is "${String(issue.input)}": allowed values are ${OPERATIONS.join(', ')}.${meant ? ` Did you mean "${meant}"?` : ''}`;
    },
  }),
});

/** Inputs every operation shares: where to call the API, and how patiently. */
const commonSchema = z
  .object({
    'api-url': apiUrl,
    'account-id': required(
      accountId,
      ': expected a Cloudflare account id, 32 hexadecimal characters (dashboard URL or account overview).',
    ),
    'request-timeout': wholeNumber(1, 600),
    'max-retries': wholeNumber(0, 10),
    'dry-run': boolean,
  })
  .transform((inputs) => ({
    apiUrl: inputs['api-url'],
    accountId: inputs['account-id'],
    requestTimeoutMs: inputs['request-timeout'] * 1000,
    maxRetries: inputs['max-retries'],
    dryRun: inputs['dry-run'],
  }));

/**
 * No Cloudflare credential is shorter (legacy Global API keys have 37 characters, legacy tokens 40,
 * newer ones a `cfut_`, `cfat_` or `cfk_` prefix and 40 more): a shorter value is a placeholder.
 */
export const MIN_CREDENTIAL_LENGTH = 16;

/** Credentials that cannot be right, by their length or prefix; never quoted, they are secrets. */
function credentialProblems(token: string, key: string): [InputName, string][] {
  const placeholder = (value: string, input: InputName, secret: string) =>
    value !== '' &&
    value.length < MIN_CREDENTIAL_LENGTH &&
    `is shorter than ${MIN_CREDENTIAL_LENGTH} characters, so it is no Cloudflare credential (a placeholder?): pass the secret that holds it, e.g. \`${input}: \${{ secrets.${secret} }}\`.`;
  const problems: [InputName, string | false][] = [
    ['api-token', placeholder(token, 'api-token', 'CLOUDFLARE_API_TOKEN')],
    ['api-key', placeholder(key, 'api-key', 'CLOUDFLARE_API_KEY')],
    [
      'api-token',
      token.startsWith('cfk_') &&
        'holds a Global API key (it starts with "cfk_"), not an API token: pass it as api-key, with api-email, or use an API token.',
    ],
    [
      'api-key',
      /^cf[ua]t_/.test(key) &&
        `holds an API token (it starts with "${key.slice(0, 5)}"), not a Global API key: pass it as api-token.`,
    ],
  ];
  return problems.filter((problem): problem is [InputName, string] => problem[1] !== false);
}

/** The credentials: an API token, or the legacy email + Global API key. */
function authSchema(github: GitHubContext) {
  return z
    .object({ 'api-token': z.string(), 'api-email': z.string(), 'api-key': z.string() })
    .transform(({ 'api-token': token, 'api-email': email, 'api-key': key }, ctx): { auth: Auth } => {
      if (/^bearer\s/i.test(token)) {
        return refuse(
          ctx,
          'starts with "Bearer ": give the token alone. The action sends the "Authorization: Bearer" header itself, so the prefix would be sent twice.',
          'api-token',
        );
      }
      const misplaced = credentialProblems(token, key);
      for (const [input, message] of misplaced) refuse(ctx, message, input);
      if (misplaced.length > 0) return z.NEVER;
      if (token) return { auth: { kind: 'token', token } };
      if (email && key) return { auth: { kind: 'key', email, key } };
      if (email || key) {
        return refuse(
          ctx,
          'is required: legacy authentication needs both api-email and api-key (or use api-token instead).',
          email ? 'api-key' : 'api-email',
        );
      }
      return refuse(
        ctx,
        github.fromFork
          ? "is empty: this run was triggered by a pull request from a fork, and GitHub does not pass repository secrets to such workflows. Give such previews Cloudflare's test keys (`test-keys: ${{ github.event.pull_request.head.repo.fork && 'always-pass' || '' }}`), run preview deploys only for branches of this repository (e.g. `if: github.event.pull_request.head.repo.full_name == github.repository`), or deploy from a trusted `workflow_run` workflow, which has the secrets: GitHub lists no pull request from a fork in its payload, so there pass the name, e.g. `name: my-app-pr-${{ steps.pr.outputs.number }}` with the number looked up from `github.event.workflow_run.head_branch` (README: \"Pull requests from forks\")."
          : 'is required: pass a Cloudflare API token with the "Turnstile Sites Write" permission, e.g. `api-token: ${{ secrets.CLOUDFLARE_API_TOKEN }}` (or api-email + api-key for legacy authentication).',
        'api-token',
      );
    });
}

/** The widget's settings from the inputs (all but the name); undefined keeps the widget's value. */
export const widgetInputs = (notices: string[]) => ({
  domains: hostnames(notices),
  mode: optional(oneOf(MODES)),
  'clearance-level': optional(oneOf(CLEARANCE_LEVELS)),
  'bot-fight-mode': optional(boolean),
  'ephemeral-id': optional(boolean),
  offlabel: optional(boolean),
  region: optional(oneOf(REGIONS)),
});

type WidgetInputs = z.output<z.ZodObject<ReturnType<typeof widgetInputs>>>;
const fieldsOf = (inputs: WidgetInputs) => ({
  domains: inputs.domains,
  mode: inputs.mode,
  clearance_level: inputs['clearance-level'],
  bot_fight_mode: inputs['bot-fight-mode'],
  ephemeral_id: inputs['ephemeral-id'],
  offlabel: inputs.offlabel,
  region: inputs.region,
});

/** What the inputs ask of a widget's settings; an undefined field keeps the widget's value. */
type WidgetFields = ReturnType<typeof fieldsOf>;
/** What ensure and create make a new widget look like: it needs a name and hostnames. */
export type NewWidget = WidgetFields & { name: string; domains: string[] };
/** What ensure asks of an existing widget; undefined fields keep its values. */
export type WidgetChange = WidgetFields & { name: string };

export type Target = { sitekey: string } | { name: string };

/** ensure by sitekey updates that widget; ensure by name may create it, so it has hostnames. */
type EnsureSettings = {
  operation: 'ensure';
  namePrefix: string | undefined;
  githubToken: string | undefined;
  exportEnv: boolean;
} & (
  | { target: { sitekey: string }; name: string | undefined; fields: WidgetFields }
  | { target: { name: string }; name: string; fields: WidgetFields & { domains: string[] } }
);

/** ensure, create: at the widget limit, the widgets of closed pull requests named like this are recycled. */
const recycling = { 'name-prefix': optional(name), 'github-token': z.string() };
const recyclingOf = (inputs: { 'name-prefix'?: string; 'github-token': string }) => ({
  namePrefix: inputs['name-prefix'],
  githubToken: inputs['github-token'] || undefined,
});

/** The inputs of each operation, and the settings each operation receives; `notices` gets the rewrites of domains. */
function operationSchema(github: GitHubContext, notices: string[]) {
  const widget = widgetInputs(notices);
  /**
   * The widget named by `name`, or by the name derived from the GitHub context; without one, the
   * error says what to set instead (`sitekey` too, where the operation takes one).
   */
  const nameOrDefault = (given: string | undefined, ctx: z.RefinementCtx, orSitekey = false): string => {
    if (given !== undefined) return given;
    const derived = defaultWidgetName(github);
    if ('name' in derived) return derived.name;
    const set = `Set \`name\`${orSitekey ? ' (or `sitekey`)' : ''} to the widget this run is for, e.g. \`name: my-app-pr-42\` for pull request #42's preview.`;
    return refuse(ctx, `is required ${derived.missing}. ${set}`, 'name');
  };
  /** get, delete, rotate-secret: the widget by `sitekey`, else by `name` (or the default name). */
  const targetOf = (inputs: { sitekey?: string; name?: string }, ctx: z.RefinementCtx): Target =>
    inputs.sitekey !== undefined ? { sitekey: inputs.sitekey } : { name: nameOrDefault(inputs.name, ctx, true) };
  const targetInputs = { name: optional(name), sitekey: optional(sitekey) };
  const exportEnv = { 'export-env': boolean };

  return z.discriminatedUnion('operation', [
    z
      .object({ operation: z.literal('ensure'), ...targetInputs, ...widget, ...recycling, ...exportEnv })
      .transform((inputs, ctx): EnsureSettings => {
        const base = { operation: inputs.operation, ...recyclingOf(inputs), exportEnv: inputs['export-env'] };
        const fields = fieldsOf(inputs);
        // By sitekey, the widget keeps its name unless `name` is given, its hostnames unless `domains` is.
        if (inputs.sitekey !== undefined)
          return { ...base, target: { sitekey: inputs.sitekey }, name: inputs.name, fields };
        // By name, ensure may create the widget, which needs hostnames.
        const name = nameOrDefault(inputs.name, ctx, true);
        const domains = fields.domains ?? refuse(ctx, DOMAINS_REQUIRED('ensure'), 'domains');
        return { ...base, target: { name }, name, fields: { ...fields, domains } };
      }),
    z
      .object({
        operation: z.literal('create'),
        name: optional(name),
        ...widget,
        domains: z
          .string()
          .transform((raw, ctx) => check(widget.domains, raw, ctx) ?? refuse(ctx, DOMAINS_REQUIRED('create'))),
        ...recycling,
        ...exportEnv,
      })
      .transform((inputs, ctx) => ({
        operation: inputs.operation,
        name: nameOrDefault(inputs.name, ctx),
        fields: { ...fieldsOf(inputs), domains: inputs.domains },
        ...recyclingOf(inputs),
        exportEnv: inputs['export-env'],
      })),
    z.object({ operation: z.literal('get'), ...targetInputs, ...exportEnv }).transform((inputs, ctx) => ({
      operation: inputs.operation,
      target: targetOf(inputs, ctx),
      exportEnv: inputs['export-env'],
    })),
    z
      .object({ operation: z.literal('delete'), ...targetInputs })
      .transform((inputs, ctx) => ({ operation: inputs.operation, target: targetOf(inputs, ctx) })),
    z
      .object({
        operation: z.literal('rotate-secret'),
        ...targetInputs,
        'invalidate-immediately': boolean,
        ...exportEnv,
      })
      .transform((inputs, ctx) => ({
        operation: inputs.operation,
        target: targetOf(inputs, ctx),
        invalidateImmediately: inputs['invalidate-immediately'],
        exportEnv: inputs['export-env'],
      })),
    z
      .object({
        operation: z.literal('prune'),
        'name-prefix': required(
          name,
          ' for operation "prune", so that a typo can never delete every widget of the account (e.g. name-prefix: "my-app-pr-").',
        ),
        'older-than': duration,
        'github-token': z.string(),
      })
      .transform((inputs) => ({
        operation: inputs.operation,
        namePrefix: inputs['name-prefix'],
        olderThanMs: inputs['older-than'],
        githubToken: inputs['github-token'] || undefined,
      })),
  ]);
}

type CommonSettings = z.output<typeof commonSchema> & z.output<ReturnType<typeof authSchema>>;
type OperationSettings = z.output<ReturnType<typeof operationSchema>>;
export type Settings = CommonSettings & OperationSettings;
/** The settings one operation receives. */
export type SettingsOf<O extends Operation> = CommonSettings & Extract<OperationSettings, { operation: O }>;
/** ensure by name: the settings of an ensure that may create the widget. */
export type EnsureByName = Extract<SettingsOf<'ensure'>, { target: { name: string } }>;

// test-keys (issue 25): Cloudflare's dummy keys instead of a widget. The run then talks to nobody,
// so it reads no credential and none of the inputs only Cloudflare would use.
const TEST_KEYS = ['always-pass', 'always-fail', 'force-interactive'] as const;
const testKeysInput = z.object({
  'test-keys': optional(
    z.enum(TEST_KEYS, {
      error: (issue) =>
        `is "${String(issue.input)}": allowed values are ${TEST_KEYS.join(', ')}, or empty for a real widget. To use them on some runs only, give an expression that is '' on the others, e.g. \`test-keys: \${{ github.event.pull_request.head.repo.fork && 'always-pass' || '' }}\`.`,
    }),
  ),
});
const testKeySettingsSchema = z
  .object({ 'test-keys': z.enum(TEST_KEYS), mode: optional(oneOf(MODES)), 'export-env': boolean })
  .transform((inputs, ctx) =>
    inputs['test-keys'] === 'force-interactive' && inputs.mode === 'invisible'
      ? refuse(
          ctx,
          'is "force-interactive", but mode is "invisible": Cloudflare has no invisible test key that forces an interactive challenge. Use another mode, or always-pass or always-fail.',
          'test-keys',
        )
      : { testKeys: inputs['test-keys'], mode: inputs.mode ?? 'managed', exportEnv: inputs['export-env'] },
  );
type TestKeySettings = { operation: Operation } & z.output<typeof testKeySettingsSchema>;

/** What the inputs of a step ask for, read without side effects. */
export type ParsedSettings = Settings | TestKeySettings;

/**
 * The settings the inputs ask for, and the values rewritten (a URL reduced to its hostname, …) for a
 * notice each. Checks every input and throws every problem at once (an AggregateError), before any
 * request; the caller masks the credentials first, since an error may be printed as soon as this
 * throws. `meant` is the did-you-mean search (a test counts its calls).
 */
export function parseSettings(
  inputs: StepInputs,
  github: GitHubContext,
  meant = closest,
): { settings: ParsedSettings; notices: string[] } {
  const { raw, undeclared } = inputs;
  const errors: InputError[] = [];
  // The runner warns about undeclared inputs; saying which one was probably meant adds to that.
  // Searched only for a missing input: the search is the costly part of a run with many problems.
  const typoHint = (input: string) => {
    const typo = undeclared.find((variable) => meant(variable, INPUT_NAMES) === input);
    return typo ? ` The step passes "${typo}", which is not an input: did you mean "${input}"?` : '';
  };
  const collect = <T>(result: z.ZodSafeParseResult<T>): T | undefined => {
    if (result.success) return result.data;
    for (const issue of result.error.issues) {
      const input = String(issue.path[0] ?? 'operation');
      const hint = /^is required/.test(issue.message) ? typoHint(input) : '';
      errors.push(new InputError(input, issue.message + hint));
    }
    return undefined;
  };
  const operation = collect(operationNameSchema.safeParse(raw));
  if (collect(testKeysInput.safeParse(raw))?.['test-keys']) {
    const keys = collect(testKeySettingsSchema.safeParse(raw));
    if (errors.length > 0 || !operation || !keys) throw firstOfEach(errors);
    return { settings: { ...operation, ...keys }, notices: [] };
  }
  const common = collect(commonSchema.safeParse(raw));
  const credentials = collect(authSchema(github).safeParse(raw));
  const notices: string[] = [];
  const specific = operation && collect(operationSchema(github, notices).safeParse(raw));
  if (errors.length > 0 || !common || !credentials || !specific) throw firstOfEach(errors);

  return { settings: { ...common, ...credentials, ...specific }, notices };
}

/** Problems listed per input: each is an annotation, and GitHub shows ten per step. */
const PROBLEMS_SHOWN_PER_INPUT = 5;

/** The first problems of each input, then one line saying how many more that input has. */
function firstOfEach(errors: InputError[]): AggregateError {
  const shown = [...new Set(errors.map((error) => error.input))].flatMap((input) => {
    const own = errors.filter((error) => error.input === input);
    const more = own.length - PROBLEMS_SHOWN_PER_INPUT;
    const rest = `has ${more} more problem(s), not listed: fix the ones above and run again to see them.`;
    return [...own.slice(0, PROBLEMS_SHOWN_PER_INPUT), ...(more > 0 ? [new InputError(input, rest)] : [])];
  });
  return new AggregateError(shown, shown.map((error) => error.message).join('\n'));
}
