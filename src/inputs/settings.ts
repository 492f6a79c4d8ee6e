import { z } from 'zod';
import { CLOUDFLARE_API_URL, type Auth } from '../cloudflare/client.ts';
import { CLEARANCE_LEVELS, MODES, REGIONS } from '../cloudflare/schemas.ts';
import { defaultWidgetName, type GitHubContext } from '../github/context.ts';
import { parseDomains, publicSuffixRefusal } from './hostnames.ts';
import { ActionError } from '../log/runner.ts';
import { looksLikeWidgetSecret } from '../log/secrets.ts';
import { closest, INPUT_NAMES, type InputName, type StepInputs } from './declared.ts';

// The action's settings: the schema of each input's value, then zod schemas for what every
// operation shares and one per operation (a discriminated union on `operation`); the settings
// types are inferred from them. Each issue's message is what follows `Input "<name>" ` in the
// error. Masking and logging happen in read-settings.ts.

/** A problem with one of the action's inputs (parseSettings throws them all at once, in an AggregateError). */
export class InputError extends ActionError {
  readonly input: string;
  constructor(input: string, problem: string) {
    super(`Invalid input: ${input}`, `Input "${input}" ${problem}`);
    this.name = 'InputError';
    this.input = input;
  }
}

const quote = (raw: string) => `"${raw.length > 80 ? `${raw.slice(0, 77)}...` : raw}"`;
const is = (value: string, expected: string) => `is ${quote(value)}: ${expected}`;
const saying = (expected: string) => (issue: { input?: unknown }) => is(String(issue.input), expected);

/** Parses one raw input with `schema`, moving its issues onto the input being parsed. */
function check<T>(schema: z.ZodType<T, string>, raw: string, ctx: z.RefinementCtx): T {
  const parsed = schema.safeParse(raw);
  if (parsed.success) return parsed.data;
  for (const issue of parsed.error.issues) ctx.issues.push({ code: 'custom', message: issue.message, input: raw });
  return z.NEVER;
}

/** Adds an issue (on `input` when given, else on the input being parsed) and gives up on the value. */
function refuse(ctx: z.RefinementCtx, message: string, input?: InputName): never {
  ctx.issues.push({ code: 'custom', message, input: '', ...(input ? { path: [input] } : {}) });
  return z.NEVER;
}

/** An input that may be empty: '' is undefined, anything else must pass `schema`. */
const optional = <T>(schema: z.ZodType<T, string>) =>
  z.string().transform((raw, ctx) => (raw === '' ? undefined : check(schema, raw, ctx)));

/** An input that must be given (`why` tells what to give). */
const required = <T>(schema: z.ZodType<T, string>, why: string) =>
  z.string().transform((raw, ctx) => (raw !== '' ? check(schema, raw, ctx) : refuse(ctx, `is required${why}`)));

const oneOf = <const T extends readonly [string, ...string[]]>(values: T) =>
  z.enum(values, { error: saying(`allowed values are ${values.join(', ')}.`) });

// YAML 1.2 core-schema booleans, as the runner passes them (the set core.getBooleanInput accepts).
const boolean = z
  .enum(['true', 'True', 'TRUE', 'false', 'False', 'FALSE'], { error: saying('allowed values are true or false.') })
  .transform((value) => value.toLowerCase() === 'true');

const wholeNumber = (min: number, max: number) => {
  const expected = saying(`expected a whole number from ${min} to ${max}.`);
  return z
    .string()
    .regex(/^\d+$/, { error: expected })
    .transform(Number)
    .pipe(z.number().min(min, { error: expected }).max(max, { error: expected }));
};

const DURATION_UNITS_MS = { s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000 } as const;
const duration = z
  .string()
  .regex(/^\d+\s*[smhd]$/, {
    error: saying('expected a whole number followed by s, m, h or d (e.g. "7d", "12h", "30m").'),
  })
  .transform((raw) => Number(raw.slice(0, -1).trim()) * DURATION_UNITS_MS[raw.slice(-1) as 's' | 'm' | 'h' | 'd']);

const ACCOUNT_ID_EXPECTED =
  'expected a Cloudflare account id: 32 hexadecimal characters, shown in the dashboard URL and on the account overview.';
const accountId = z
  .string()
  .regex(/^[0-9a-fA-F]{32}$/, {
    // A UUID (8-4-4-4-12) is the same 32 characters with dashes.
    error: (issue) =>
      saying(
        /^[0-9a-f]{32}$/i.test(String(issue.input).replace(/-/g, ''))
          ? `${ACCOUNT_ID_EXPECTED} Remove the dashes.`
          : ACCOUNT_ID_EXPECTED,
      )(issue),
  })
  .transform((value) => value.toLowerCase());

const NAME_EXPECTED = 'expected a widget name, 1 to 254 characters on one line.';
const name = z
  .string()
  .max(254, { error: saying(NAME_EXPECTED) })
  .refine((value) => !/\p{Cc}/u.test(value), {
    error: `contains a control character (such as a line break): ${NAME_EXPECTED}`,
  });

const apiUrl = z.string().transform((raw, ctx) => {
  // Credentials in the URL (user:pass@) are never echoed: messages quote it with them replaced.
  const refuseAs = (expected: string) =>
    refuse(ctx, is(raw.replace(/^([a-z][a-z\d+.-]*:\/\/)?.*@/is, '$1***@'), expected));
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return refuseAs(`expected an absolute URL such as ${CLOUDFLARE_API_URL}.`);
  }
  // Plain http only to this machine: an IPv4 literal in 127.0.0.0/8, [::1] or localhost. The URL
  // parser writes every IPv4 literal (127.1, 0x7f.0.0.1) as four decimal parts and refuses a host
  // whose last label is a number but no address, so four numbers are an address; a name that only
  // starts with "127." (127.0.0.1.nip.io) can resolve anywhere.
  const loopback = ['localhost', '[::1]'].includes(url.hostname) || /^127(\.\d+){3}$/.test(url.hostname);
  // The token travels in a header: only loopback (the local emulator) may be spoken to in clear text.
  if (url.protocol !== 'https:' && !(url.protocol === 'http:' && loopback)) {
    return refuseAs(
      'it must use https:// (plain http:// is allowed only for 127.0.0.1, localhost or [::1]), so the API token is never sent in clear text.',
    );
  }
  if (url.username || url.password || url.search || url.hash) {
    return refuse(ctx, `must be a plain base URL without credentials, query or fragment, e.g. ${CLOUDFLARE_API_URL}.`);
  }
  if (/\/accounts(\/|$)/.test(url.pathname)) {
    return refuseAs(
      `expected the API's base URL, which the action extends with /accounts/<account-id>/challenges/widgets itself: e.g. ${CLOUDFLARE_API_URL}.`,
    );
  }
  const base = url.href.replace(/\/+$/, '');
  // Only Cloudflare's own host is known to need /client/v4; gateways and emulators have their own paths.
  if (url.hostname === new URL(CLOUDFLARE_API_URL).hostname && base !== CLOUDFLARE_API_URL) {
    return refuseAs(
      `Cloudflare's API base URL is ${CLOUDFLARE_API_URL}: use it, or leave api-url unset (it is the default).`,
    );
  }
  return base;
});

const SITEKEY_EXAMPLE = '"0x4AAAAAAAC3DHQFLr1GavRN"';
const sitekey = z.string().transform((raw, ctx) => {
  if (looksLikeWidgetSecret(raw)) {
    // Never quoted: a secret pasted into the wrong input is still a secret (read-settings masks it).
    return refuse(
      ctx,
      "looks like a widget secret (0x… with more than 32 characters), not a sitekey: pass the widget's sitekey (public, about 24 characters), and keep the secret in a secret. It has been masked in this log.",
    );
  }
  if (!raw.startsWith('0x') && !raw.includes('://') && name.safeParse(raw).success) {
    const asName = `To find the widget by its name, give it as \`name: ${quote(raw)}\` instead of sitekey.`;
    return refuse(ctx, is(raw, `a sitekey starts with "0x" (e.g. ${SITEKEY_EXAMPLE}). ${asName}`));
  }
  if (raw.length > 32 || !/^[A-Za-z0-9_-]+$/.test(raw)) {
    const expected = `expected a widget sitekey such as ${SITEKEY_EXAMPLE} (letters, digits, "-" or "_", at most 32 characters).`;
    return refuse(ctx, is(raw, expected));
  }
  return raw;
});

/** The `domains` input as a list of hostnames (undefined when it names none), each rewrite a notice. */
const hostnames = (notices: string[]) =>
  z.string().transform((raw, ctx) => {
    const parsed = parseDomains(raw, publicSuffixRefusal);
    notices.push(...parsed.notices);
    for (const message of parsed.problems) ctx.issues.push({ code: 'custom', message, input: raw });
    return parsed.domains.length > 0 ? parsed.domains : undefined;
  });

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

/** Inputs every operation shares: where to call the API and how patiently, and what it may write or ask. */
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
    'export-env': boolean,
    'github-token': z.string(),
  })
  .transform((inputs) => ({
    apiUrl: inputs['api-url'],
    accountId: inputs['account-id'],
    requestTimeoutMs: inputs['request-timeout'] * 1000,
    maxRetries: inputs['max-retries'],
    dryRun: inputs['dry-run'],
    exportEnv: inputs['export-env'],
    githubToken: inputs['github-token'] || undefined,
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

/** The widget's settings from the inputs (all but the name and domains); undefined keeps the widget's value. */
export const widgetInputs = {
  mode: optional(oneOf(MODES)),
  'clearance-level': optional(oneOf(CLEARANCE_LEVELS)),
  'bot-fight-mode': optional(boolean),
  'ephemeral-id': optional(boolean),
  offlabel: optional(boolean),
  region: optional(oneOf(REGIONS)),
};

type WidgetInputs = z.output<z.ZodObject<{ domains: ReturnType<typeof hostnames> } & typeof widgetInputs>>;
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
type EnsureSettings = { operation: 'ensure'; namePrefix: string | undefined } & (
  | { target: { sitekey: string }; name: string | undefined; fields: WidgetFields }
  | { target: { name: string }; name: string; fields: WidgetFields & { domains: string[] } }
);

/** ensure, create: at the widget limit, the widgets of closed pull requests named like this are recycled. */
const recycling = { 'name-prefix': optional(name) };

/** The inputs of each operation, and the settings each operation receives; `notices` gets the rewrites of domains. */
function operationSchema(github: GitHubContext, notices: string[]) {
  const widget = { domains: hostnames(notices), ...widgetInputs };
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
  const byTarget = <O extends 'get' | 'delete'>(operation: O) =>
    z
      .object({ operation: z.literal(operation), ...targetInputs })
      .transform((inputs, ctx) => ({ operation: inputs.operation, target: targetOf(inputs, ctx) }));

  return z.discriminatedUnion('operation', [
    z
      .object({ operation: z.literal('ensure'), ...targetInputs, ...widget, ...recycling })
      .transform((inputs, ctx): EnsureSettings => {
        const base = { operation: inputs.operation, namePrefix: inputs['name-prefix'] };
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
      })
      .transform((inputs, ctx) => ({
        operation: inputs.operation,
        name: nameOrDefault(inputs.name, ctx),
        fields: { ...fieldsOf(inputs), domains: inputs.domains },
        namePrefix: inputs['name-prefix'],
      })),
    byTarget('get'),
    byTarget('delete'),
    z
      .object({ operation: z.literal('rotate-secret'), ...targetInputs, 'invalidate-immediately': boolean })
      .transform((inputs, ctx) => ({
        operation: inputs.operation,
        target: targetOf(inputs, ctx),
        invalidateImmediately: inputs['invalidate-immediately'],
      })),
    z
      .object({
        operation: z.literal('prune'),
        'name-prefix': required(
          name,
          ' for operation "prune", so that a typo can never delete every widget of the account (e.g. name-prefix: "my-app-pr-").',
        ),
        'older-than': duration,
      })
      .transform((inputs) => ({
        operation: inputs.operation,
        namePrefix: inputs['name-prefix'],
        olderThanMs: inputs['older-than'],
      })),
  ]);
}

type CommonSettings = z.output<typeof commonSchema> & z.output<ReturnType<typeof authSchema>>;
type OperationSettings = z.output<ReturnType<typeof operationSchema>>;
export type Settings = CommonSettings & OperationSettings;
export type SettingsOf<O extends Operation> = CommonSettings & Extract<OperationSettings, { operation: O }>;

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
  .object({ 'test-keys': z.enum(TEST_KEYS), mode: widgetInputs.mode, 'export-env': boolean })
  .transform((inputs, ctx) =>
    inputs['test-keys'] === 'force-interactive' && inputs.mode === 'invisible'
      ? refuse(
          ctx,
          'is "force-interactive", but mode is "invisible": Cloudflare has no invisible test key that forces an interactive challenge. Use another mode, or always-pass or always-fail.',
          'test-keys',
        )
      : { testKeys: inputs['test-keys'], mode: inputs.mode ?? 'managed', exportEnv: inputs['export-env'] },
  );
export type TestKeySettings = { operation: Operation } & z.output<typeof testKeySettingsSchema>;

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
