import { z } from 'zod';
import { CLEARANCE_LEVELS, MODES, REGIONS } from './api/schemas.ts';
import { CLOUDFLARE_API_URL } from './defaults.ts';
import { parseDomains } from './domains.ts';
import { defaultWidgetName, type GitHubContext } from './github-context.ts';
import { quoteUntrusted } from './log.ts';
import { looksLikeWidgetSecret, type SecretRegistry } from './secrets.ts';

// The action's settings: one zod schema for what every operation shares and one per operation (a
// discriminated union on `operation`); the types the operations receive are inferred from them.
// Each issue's message is what follows `Input "<name>" ` in the error the user sees.

export const OPERATIONS = ['ensure', 'create', 'get', 'delete', 'rotate-secret', 'prune'] as const;
export type Operation = (typeof OPERATIONS)[number];

export type HostRefusal = (host: string) => string | undefined;

/** What the schemas need beyond the inputs: the run's GitHub context and where to put notices. */
export interface SettingsContext {
  github: GitHubContext;
  /** Why a hostname must not be a widget's (a public suffix), or undefined when it may be. */
  refuseHost: HostRefusal;
  secrets: SecretRegistry;
  /** Filled while parsing: values that were rewritten, for a notice each. */
  notices: string[];
}

const quote = (raw: string) => quoteUntrusted(raw.length > 80 ? `${raw.slice(0, 77)}...` : raw);
const saying = (expected: string) => (issue: { input?: unknown }) => `is ${quote(String(issue.input))}: ${expected}`;

/** Parses one raw input with `schema`, moving its issues onto the input being parsed. */
function check<T>(schema: z.ZodType<T, string>, raw: string, ctx: z.RefinementCtx): T {
  const parsed = schema.safeParse(raw);
  if (parsed.success) return parsed.data;
  for (const issue of parsed.error.issues) ctx.issues.push({ code: 'custom', message: issue.message, input: raw });
  return z.NEVER;
}

/** An input that may be empty: '' is undefined, anything else must pass `schema`. */
const optional = <T>(schema: z.ZodType<T, string>) =>
  z.string().transform((raw, ctx) => (raw === '' ? undefined : check(schema, raw, ctx)));

/** An input that must be given (`why` tells what to give). */
const required = <T>(schema: z.ZodType<T, string>, why: string) =>
  z.string().transform((raw, ctx) => {
    if (raw !== '') return check(schema, raw, ctx);
    ctx.issues.push({ code: 'custom', message: `is required${why}`, input: raw });
    return z.NEVER;
  });

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
  const refuse = (message: string) => {
    ctx.issues.push({ code: 'custom', message, input: raw });
    return z.NEVER;
  };
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return refuse(saying(`expected an absolute URL such as ${CLOUDFLARE_API_URL}.`)({ input: raw }));
  }
  const loopback = ['localhost', '[::1]'].includes(url.hostname) || url.hostname.startsWith('127.');
  // The token travels in a header: only loopback (the local emulator) may be spoken to in clear text.
  if (url.protocol !== 'https:' && !(url.protocol === 'http:' && loopback)) {
    return refuse(
      saying(
        'it must use https:// (plain http:// is allowed only for 127.0.0.1, localhost or [::1]), so the API token is never sent in clear text.',
      )({ input: raw }),
    );
  }
  if (url.username || url.password || url.search || url.hash) {
    return refuse(`must be a plain base URL without credentials, query or fragment, e.g. ${CLOUDFLARE_API_URL}.`);
  }
  if (/\/accounts(\/|$)/.test(url.pathname)) {
    return refuse(
      saying(
        `expected the API's base URL, which the action extends with /accounts/<account-id>/challenges/widgets itself: e.g. ${CLOUDFLARE_API_URL}.`,
      )({ input: raw }),
    );
  }
  return url.href.replace(/\/+$/, '');
});

function sitekey(context: SettingsContext) {
  return z.string().transform((raw, ctx) => {
    if (looksLikeWidgetSecret(raw)) {
      // Masked now, and never quoted: a secret pasted into the wrong input is still a secret.
      context.secrets.add(raw);
      ctx.issues.push({
        code: 'custom',
        input: raw,
        message:
          "looks like a widget secret (0x… with 30 or more characters), not a sitekey: pass the widget's sitekey (public, about 24 characters), and keep the secret in a secret. It has been masked in this log.",
      });
      return z.NEVER;
    }
    if (raw.length > 32 || !/^[A-Za-z0-9_-]+$/.test(raw)) {
      ctx.issues.push({
        code: 'custom',
        input: raw,
        message: saying(
          'expected a widget sitekey such as "0x4AAAAAAAC3DHQFLr1GavRN" (letters, digits, "-" or "_", at most 32 characters).',
        )({ input: raw }),
      });
      return z.NEVER;
    }
    return raw;
  });
}

function domains(context: SettingsContext, operation: Operation) {
  return z.string().transform((raw, ctx) => {
    const parsed = parseDomains(raw, context.refuseHost);
    context.notices.push(...parsed.notices);
    for (const message of parsed.problems) ctx.issues.push({ code: 'custom', message, input: raw });
    if (parsed.domains.length === 0 && parsed.problems.length === 0) {
      ctx.issues.push({
        code: 'custom',
        input: raw,
        message: `is required for operation "${operation}": give one or more hostnames or IP addresses, separated by commas or newlines.`,
      });
    }
    return parsed.domains;
  });
}

/** The `operation` input, checked first: it decides which schema reads the other inputs. */
export const operationNameSchema = z.object({
  operation: z.enum(OPERATIONS, {
    error: (issue) => `is ${quoteUntrusted(String(issue.input))}: allowed values are ${OPERATIONS.join(', ')}.`,
  }),
});

/** Inputs every operation shares: where to call the API, and how patiently. */
export function commonSchema() {
  return z
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
}

/** The credentials: an API token, or the legacy email + Global API key. */
export function authSchema(context: SettingsContext) {
  return z
    .object({ 'api-token': z.string(), 'api-email': z.string(), 'api-key': z.string() })
    .transform((inputs, ctx) => ({ auth: auth(inputs, context, ctx) }));
}

export type Auth = { kind: 'token'; token: string } | { kind: 'key'; email: string; key: string };

function auth(
  inputs: { 'api-token': string; 'api-email': string; 'api-key': string },
  context: SettingsContext,
  ctx: z.RefinementCtx,
): Auth {
  const { 'api-token': token, 'api-email': email, 'api-key': key } = inputs;
  if (token) return { kind: 'token', token };
  if (email && key) return { kind: 'key', email, key };
  const missing = (path: string, message: string) => {
    ctx.issues.push({ code: 'custom', path: [path], message, input: '' });
    return z.NEVER;
  };
  if (email || key) {
    return missing(
      email ? 'api-key' : 'api-email',
      'is required: legacy authentication needs both api-email and api-key (or use api-token instead).',
    );
  }
  return missing(
    'api-token',
    context.github.fromFork
      ? 'is empty: this run was triggered by a pull request from a fork, and GitHub does not pass repository secrets to such workflows. Run preview deploys only for branches of this repository (e.g. `if: github.event.pull_request.head.repo.full_name == github.repository`), or use a trusted workflow (such as `workflow_run`) that has access to secrets.'
      : 'is required: pass a Cloudflare API token with the "Turnstile Sites Write" permission, e.g. `api-token: ${{ secrets.CLOUDFLARE_API_TOKEN }}` (or api-email + api-key for legacy authentication).',
  );
}

/** The widget's fields from the inputs (all but the name); optional ones undefined when empty. */
function widgetFields(context: SettingsContext, operation: 'ensure' | 'create') {
  return {
    domains: domains(context, operation),
    mode: oneOf(MODES),
    'clearance-level': optional(oneOf(CLEARANCE_LEVELS)),
    'bot-fight-mode': optional(boolean),
    'ephemeral-id': optional(boolean),
    offlabel: optional(boolean),
    region: optional(oneOf(REGIONS)),
  };
}

type FieldInputs = z.output<z.ZodObject<ReturnType<typeof widgetFields>>>;
const fieldsOf = (inputs: FieldInputs) => ({
  domains: inputs.domains,
  mode: inputs.mode,
  clearance_level: inputs['clearance-level'],
  bot_fight_mode: inputs['bot-fight-mode'],
  ephemeral_id: inputs['ephemeral-id'],
  offlabel: inputs.offlabel,
  region: inputs.region,
});

/** The widget named by `name`, or by the name derived from the GitHub context. */
function nameOrDefault(given: string | undefined, context: SettingsContext, ctx: z.RefinementCtx): string {
  if (given !== undefined) return given;
  const derived = defaultWidgetName(context.github);
  if ('name' in derived) return derived.name;
  ctx.issues.push({ code: 'custom', path: ['name'], input: '', message: `is required ${derived.missing}.` });
  return z.NEVER;
}

export type Target = { sitekey: string } | { name: string };

/** get, delete, rotate-secret: the widget by `sitekey`, else by `name` (or the default name). */
function targetOf(inputs: { sitekey?: string; name?: string }, context: SettingsContext, ctx: z.RefinementCtx): Target {
  return inputs.sitekey !== undefined
    ? { sitekey: inputs.sitekey }
    : { name: nameOrDefault(inputs.name, context, ctx) };
}

/** ensure, create: at the widget limit, the widgets of closed pull requests named like this are recycled. */
const recycling = { 'name-prefix': optional(name), 'github-token': z.string() };
const recyclingOf = (inputs: { 'name-prefix'?: string; 'github-token': string }) => ({
  namePrefix: inputs['name-prefix'],
  githubToken: inputs['github-token'] || undefined,
});

/** The inputs of each operation, and the settings each operation receives. */
export function operationSchema(context: SettingsContext) {
  const targetInputs = { name: optional(name), sitekey: optional(sitekey(context)) };
  return z.discriminatedUnion('operation', [
    z
      .object({
        operation: z.literal('ensure'),
        ...targetInputs,
        ...widgetFields(context, 'ensure'),
        ...recycling,
        'export-env': boolean,
      })
      .transform((inputs, ctx) => {
        const target = targetOf(inputs, context, ctx);
        return {
          operation: inputs.operation,
          target,
          // By sitekey, the widget keeps its name unless `name` is given; by name, it is the name.
          name: 'name' in target ? target.name : inputs.name,
          fields: fieldsOf(inputs),
          ...recyclingOf(inputs),
          exportEnv: inputs['export-env'],
        };
      }),
    z
      .object({
        operation: z.literal('create'),
        name: optional(name),
        ...widgetFields(context, 'create'),
        ...recycling,
        'export-env': boolean,
      })
      .transform((inputs, ctx) => ({
        operation: inputs.operation,
        name: nameOrDefault(inputs.name, context, ctx),
        fields: fieldsOf(inputs),
        ...recyclingOf(inputs),
        exportEnv: inputs['export-env'],
      })),
    z.object({ operation: z.literal('get'), ...targetInputs, 'export-env': boolean }).transform((inputs, ctx) => ({
      operation: inputs.operation,
      target: targetOf(inputs, context, ctx),
      exportEnv: inputs['export-env'],
    })),
    z
      .object({ operation: z.literal('delete'), ...targetInputs })
      .transform((inputs, ctx) => ({ operation: inputs.operation, target: targetOf(inputs, context, ctx) })),
    z
      .object({
        operation: z.literal('rotate-secret'),
        ...targetInputs,
        'invalidate-immediately': boolean,
        'export-env': boolean,
      })
      .transform((inputs, ctx) => ({
        operation: inputs.operation,
        target: targetOf(inputs, context, ctx),
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

export type CommonSettings = z.output<ReturnType<typeof commonSchema>> & z.output<ReturnType<typeof authSchema>>;
export type OperationSettings = z.output<ReturnType<typeof operationSchema>>;
export type Settings = CommonSettings & OperationSettings;
/** The settings one operation receives. */
export type SettingsOf<O extends Operation> = CommonSettings & Extract<OperationSettings, { operation: O }>;
export type WidgetFields = Extract<OperationSettings, { operation: 'create' }>['fields'];
/** What ensure and create make the widget look like. */
export type DesiredWidget = WidgetFields & { name: string };
