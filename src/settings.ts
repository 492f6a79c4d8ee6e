import { z } from 'zod';
import { CLEARANCE_LEVELS, MODES, REGIONS } from './api/schemas.ts';
import { CLOUDFLARE_API_URL } from './defaults.ts';
import { parseDomains } from './domains.ts';
import { InputError, InputErrors } from './errors.ts';
import { defaultWidgetName, type GitHubContext } from './github-context.ts';
import { closest, INPUT_NAMES, type InputName, type StepInputs } from './inputs.ts';
import { plain } from './log.ts';
import { publicSuffixRefusal } from './public-suffix.ts';
import { looksLikeWidgetSecret } from './secrets.ts';

// The action's settings: one zod schema for what every operation shares and one per operation (a
// discriminated union on `operation`); the types the operations receive are inferred from them.
// The schemas only read: masking and logging happen in read-settings.ts, on their result. Each
// issue's message is what follows `Input "<name>" ` in the error the user sees.

export const OPERATIONS = ['ensure', 'create', 'get', 'delete', 'rotate-secret', 'prune'] as const;
export type Operation = (typeof OPERATIONS)[number];

const quote = (raw: string) => `"${plain(raw.length > 80 ? `${raw.slice(0, 77)}...` : raw)}"`;
const saying = (expected: string) => (issue: { input?: unknown }) => `is ${quote(String(issue.input))}: ${expected}`;

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

const accountId = z
  .string()
  .regex(/^[0-9a-fA-F]{32}$/, {
    error: saying(
      'expected a Cloudflare account id: 32 hexadecimal characters, shown in the dashboard URL and on the account overview.',
    ),
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
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return refuse(ctx, saying(`expected an absolute URL such as ${CLOUDFLARE_API_URL}.`)({ input: raw }));
  }
  const loopback = ['localhost', '[::1]'].includes(url.hostname) || url.hostname.startsWith('127.');
  // The token travels in a header: only loopback (the local emulator) may be spoken to in clear text.
  if (url.protocol !== 'https:' && !(url.protocol === 'http:' && loopback)) {
    return refuse(
      ctx,
      saying(
        'it must use https:// (plain http:// is allowed only for 127.0.0.1, localhost or [::1]), so the API token is never sent in clear text.',
      )({ input: raw }),
    );
  }
  if (url.username || url.password || url.search || url.hash) {
    return refuse(ctx, `must be a plain base URL without credentials, query or fragment, e.g. ${CLOUDFLARE_API_URL}.`);
  }
  if (/\/accounts(\/|$)/.test(url.pathname)) {
    return refuse(
      ctx,
      saying(
        `expected the API's base URL, which the action extends with /accounts/<account-id>/challenges/widgets itself: e.g. ${CLOUDFLARE_API_URL}.`,
      )({ input: raw }),
    );
  }
  const base = url.href.replace(/\/+$/, '');
  // Only Cloudflare's own host is known to need /client/v4; gateways and emulators have their own paths.
  if (url.hostname === new URL(CLOUDFLARE_API_URL).hostname && base !== CLOUDFLARE_API_URL) {
    return refuse(
      ctx,
      saying(`Cloudflare's API base URL is ${CLOUDFLARE_API_URL}: use it, or leave api-url unset (it is the default).`)(
        {
          input: raw,
        },
      ),
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
  if (!raw.startsWith('0x') && name.safeParse(raw).success) {
    return refuse(
      ctx,
      saying(
        `a sitekey starts with "0x" (e.g. ${SITEKEY_EXAMPLE}). To find the widget by its name, give it as \`name: ${quote(raw)}\` instead of sitekey.`,
      )({ input: raw }),
    );
  }
  if (raw.length > 32 || !/^[A-Za-z0-9_-]+$/.test(raw)) {
    return refuse(
      ctx,
      saying(
        `expected a widget sitekey such as ${SITEKEY_EXAMPLE} (letters, digits, "-" or "_", at most 32 characters).`,
      )({ input: raw }),
    );
  }
  return raw;
});

/** The `domains` input as a list of hostnames; undefined when it names none (blank or only separators). */
const hostnames = z.string().transform((raw, ctx) => {
  const parsed = parseDomains(raw, publicSuffixRefusal);
  for (const message of parsed.problems) ctx.issues.push({ code: 'custom', message, input: raw });
  return parsed.domains.length > 0 ? parsed.domains : undefined;
});
const DOMAINS_REQUIRED = (operation: Operation) =>
  `is required for operation "${operation}": give one or more hostnames or IP addresses, separated by commas, newlines or spaces.`;

/** The `operation` input, checked first: it decides which schema reads the other inputs. */
export const operationNameSchema = z.object({
  operation: z.enum(OPERATIONS, {
    error: (issue) => {
      const meant = closest(String(issue.input), OPERATIONS);
      return `is "${plain(String(issue.input))}": allowed values are ${OPERATIONS.join(', ')}.${meant ? ` Did you mean "${meant}"?` : ''}`;
    },
  }),
});

/** Inputs every operation shares: where to call the API, and how patiently. */
export const commonSchema = z
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

export type Auth = { kind: 'token'; token: string } | { kind: 'key'; email: string; key: string };

/** The credentials: an API token, or the legacy email + Global API key. */
export function authSchema(github: GitHubContext) {
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
          ? 'is empty: this run was triggered by a pull request from a fork, and GitHub does not pass repository secrets to such workflows. Run preview deploys only for branches of this repository (e.g. `if: github.event.pull_request.head.repo.full_name == github.repository`), or use a trusted workflow (such as `workflow_run`) that has access to secrets.'
          : 'is required: pass a Cloudflare API token with the "Turnstile Sites Write" permission, e.g. `api-token: ${{ secrets.CLOUDFLARE_API_TOKEN }}` (or api-email + api-key for legacy authentication).',
        'api-token',
      );
    });
}

/** The widget's settings from the inputs (all but the name); undefined keeps the widget's value. */
const widgetInputs = {
  domains: hostnames,
  mode: optional(oneOf(MODES)),
  'clearance-level': optional(oneOf(CLEARANCE_LEVELS)),
  'bot-fight-mode': optional(boolean),
  'ephemeral-id': optional(boolean),
  offlabel: optional(boolean),
  region: optional(oneOf(REGIONS)),
};

type WidgetInputs = z.output<z.ZodObject<typeof widgetInputs>>;
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
export type WidgetFields = ReturnType<typeof fieldsOf>;
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

/** The inputs of each operation, and the settings each operation receives. */
export function operationSchema(github: GitHubContext) {
  /** The widget named by `name`, or by the name derived from the GitHub context. */
  const nameOrDefault = (given: string | undefined, ctx: z.RefinementCtx): string => {
    if (given !== undefined) return given;
    const derived = defaultWidgetName(github);
    return 'name' in derived ? derived.name : refuse(ctx, `is required ${derived.missing}.`, 'name');
  };
  /** get, delete, rotate-secret: the widget by `sitekey`, else by `name` (or the default name). */
  const targetOf = (inputs: { sitekey?: string; name?: string }, ctx: z.RefinementCtx): Target =>
    inputs.sitekey !== undefined ? { sitekey: inputs.sitekey } : { name: nameOrDefault(inputs.name, ctx) };
  const targetInputs = { name: optional(name), sitekey: optional(sitekey) };
  const exportEnv = { 'export-env': boolean };

  return z.discriminatedUnion('operation', [
    z
      .object({ operation: z.literal('ensure'), ...targetInputs, ...widgetInputs, ...recycling, ...exportEnv })
      .transform((inputs, ctx): EnsureSettings => {
        const base = { operation: inputs.operation, ...recyclingOf(inputs), exportEnv: inputs['export-env'] };
        const fields = fieldsOf(inputs);
        // By sitekey, the widget keeps its name unless `name` is given, its hostnames unless `domains` is.
        if (inputs.sitekey !== undefined)
          return { ...base, target: { sitekey: inputs.sitekey }, name: inputs.name, fields };
        // By name, ensure may create the widget, which needs hostnames.
        const name = nameOrDefault(inputs.name, ctx);
        const domains = fields.domains ?? refuse(ctx, DOMAINS_REQUIRED('ensure'), 'domains');
        return { ...base, target: { name }, name, fields: { ...fields, domains } };
      }),
    z
      .object({
        operation: z.literal('create'),
        name: optional(name),
        ...widgetInputs,
        domains: z
          .string()
          .transform((raw, ctx) => check(hostnames, raw, ctx) ?? refuse(ctx, DOMAINS_REQUIRED('create'))),
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

export type CommonSettings = z.output<typeof commonSchema> & z.output<ReturnType<typeof authSchema>>;
export type OperationSettings = z.output<ReturnType<typeof operationSchema>>;
export type Settings = CommonSettings & OperationSettings;
/** The settings one operation receives. */
export type SettingsOf<O extends Operation> = CommonSettings & Extract<OperationSettings, { operation: O }>;
/** ensure by name: the settings of an ensure that may create the widget. */
export type EnsureByName = Extract<SettingsOf<'ensure'>, { target: { name: string } }>;

/** What the inputs of a step ask for, read without side effects. */
export interface ParsedSettings {
  settings: Settings;
  /** Values that were rewritten (a URL reduced to its hostname, …), for a notice each. */
  notices: string[];
  /** Inputs the step sets that this operation does not use, for a warning each. */
  ignored: string[];
}

/**
 * Checks every input and throws every problem at once (InputErrors), before any request. The
 * caller masks the credentials first: an error may be printed as soon as this throws.
 */
export function parseSettings(inputs: StepInputs, github: GitHubContext): ParsedSettings {
  const { raw, given, undeclared } = inputs;
  const errors: InputError[] = [];
  const collect = <T>(result: z.ZodSafeParseResult<T>): T | undefined => {
    if (result.success) return result.data;
    for (const issue of result.error.issues) {
      const input = String(issue.path[0] ?? 'operation');
      // The runner warns about undeclared inputs; saying which one was probably meant adds to that.
      const typo = undeclared.find((variable) => closest(variable, INPUT_NAMES) === input);
      const hint =
        typo && /^is required/.test(issue.message)
          ? ` The step passes "${plain(typo)}", which is not an input: did you mean "${input}"?`
          : '';
      errors.push(new InputError(input, issue.message + hint));
    }
    return undefined;
  };
  const operation = collect(operationNameSchema.safeParse(raw));
  const common = collect(commonSchema.safeParse(raw));
  const credentials = collect(authSchema(github).safeParse(raw));
  const specific = operation && collect(operationSchema(github).safeParse(raw));
  if (errors.length > 0 || !common || !credentials || !specific) throw new InputErrors(errors);

  const settings: Settings = { ...common, ...credentials, ...specific };
  // Parsing again is cheap, and keeps the schema's output to the settings themselves.
  const notices = 'fields' in settings && raw.domains ? parseDomains(raw.domains).notices : [];
  return { settings, notices, ignored: ignoredInputs(given, settings) };
}

/** What each operation reads besides the credentials and the inputs of commonSchema. */
const READS: Record<Operation, readonly InputName[]> = {
  ensure: ['name', 'sitekey', 'domains', ...(Object.keys(widgetInputs) as InputName[]), 'name-prefix'],
  create: ['name', 'domains', ...(Object.keys(widgetInputs) as InputName[]), 'name-prefix'],
  get: ['name', 'sitekey'],
  delete: ['name', 'sitekey'],
  'rotate-secret': ['name', 'sitekey'],
  prune: ['name-prefix'],
};

/**
 * A warning for each input the step sets that this run does not use. Only inputs without an
 * action.yml default can be told apart from "not set" (INPUTS in inputs.ts), so only they warn.
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
