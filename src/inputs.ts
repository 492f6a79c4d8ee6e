import * as core from '@actions/core';
import { z } from 'zod';
import { parseDomains } from './domains.ts';
import { InputError } from './errors.ts';
import { registerSecret } from './secrets.ts';
import { deriveWidgetName, isForkPullRequest } from './github-context.ts';
import type { Auth } from './api/client.ts';
import type { WidgetConfig } from './api/schemas.ts';
import { CLEARANCE_LEVELS, MODES, REGIONS } from './api/schemas.ts';

export const OPERATIONS = ['ensure', 'create', 'get', 'delete', 'rotate-secret', 'prune'] as const;
export type Operation = (typeof OPERATIONS)[number];

/** Every input declared in action.yml; anything else the step passes is a typo. */
export const KNOWN_INPUTS = [
  'operation',
  'api-token',
  'api-email',
  'api-key',
  'account-id',
  'name',
  'domains',
  'mode',
  'clearance-level',
  'bot-fight-mode',
  'ephemeral-id',
  'offlabel',
  'region',
  'sitekey',
  'dry-run',
  'api-url',
  'request-timeout',
  'max-retries',
  'invalidate-immediately',
  'name-prefix',
  'older-than',
  'github-token',
  'export-env',
] as const;

/** The widget fields the user asked for; optional ones are undefined when the input was empty. */
export type DesiredWidget = Pick<WidgetConfig, 'name' | 'domains' | 'mode'> &
  Partial<Pick<WidgetConfig, 'clearance_level' | 'bot_fight_mode' | 'offlabel' | 'ephemeral_id' | 'region'>>;

export interface Settings {
  operation: Operation;
  apiUrl: string;
  accountId: string;
  auth: Auth;
  /** Explicit `name`, or the one derived from the GitHub context; undefined only for prune. */
  name: string | undefined;
  sitekey: string | undefined;
  /** ensure/create only: what the widget should look like. */
  desired: DesiredWidget | undefined;
  dryRun: boolean;
  requestTimeoutMs: number;
  maxRetries: number;
  invalidateImmediately: boolean;
  namePrefix: string | undefined;
  olderThanMs: number;
  githubToken: string | undefined;
  exportEnv: boolean;
}

const read = (name: (typeof KNOWN_INPUTS)[number]): string => core.getInput(name);

/** Reads and validates every input; throws InputError before anything touches the network. */
export async function readSettings(env: NodeJS.ProcessEnv = process.env): Promise<Settings> {
  // Mask credentials before anything else can print them.
  registerSecret(read('api-token'));
  registerSecret(read('api-key'));
  registerSecret(read('github-token'));
  rejectUnknownInputs(env);

  const operation = oneOf('operation', OPERATIONS, read('operation') || 'ensure');
  const auth = await readAuth();
  const apiUrl = readApiUrl(read('api-url') || 'https://api.cloudflare.com/client/v4');
  const accountId = parse(
    'account-id',
    accountIdSchema,
    read('account-id'),
    'a Cloudflare account id: 32 hexadecimal characters, shown in the dashboard URL and on the account overview',
  );
  const sitekey = optional(read('sitekey'), (v) =>
    parse(
      'sitekey',
      sitekeySchema,
      v,
      'a widget sitekey such as "0x4AAAAAAAC3DHQFLr1GavRN" (letters, digits, "-" or "_", at most 32 characters)',
    ),
  );
  const namePrefix = optional(read('name-prefix'), (v) =>
    parse('name-prefix', nameSchema, v, 'a widget name prefix, 1 to 254 characters'),
  );

  const widgetFields = operation === 'ensure' || operation === 'create' ? readWidgetFields(operation) : undefined;
  const dryRun = optionalBoolean('dry-run') ?? false;
  const requestTimeoutMs = integer('request-timeout', 30, 1, 600) * 1000;
  const maxRetries = integer('max-retries', 4, 0, 10);
  const invalidateImmediately = optionalBoolean('invalidate-immediately') ?? false;
  const olderThanMs = parseDuration(read('older-than') || '7d');
  const exportEnv = optionalBoolean('export-env') ?? false;

  // Derived last, once every input is known to be valid: deriving loads the GitHub context.
  let name = optional(read('name'), (v) => parse('name', nameSchema, v, 'a widget name, 1 to 254 characters'));
  const needsName = operation === 'ensure' || operation === 'create' || (operation !== 'prune' && !sitekey);
  if (name === undefined && needsName) name = await deriveWidgetName();

  const settings: Settings = {
    operation,
    apiUrl,
    accountId,
    auth,
    name,
    sitekey,
    desired: widgetFields && { name: name as string, ...widgetFields },
    dryRun,
    requestTimeoutMs,
    maxRetries,
    invalidateImmediately,
    namePrefix,
    olderThanMs,
    githubToken: read('github-token') || undefined,
    exportEnv,
  };
  if (operation === 'prune' && !namePrefix) {
    throw new InputError(
      'name-prefix',
      'is required for operation "prune", so that a typo can never delete every widget of the account (e.g. name-prefix: "my-app-pr-").',
    );
  }
  core.debug(
    `Settings: operation=${operation} api-url=${apiUrl} account-id=${accountId} name=${name ?? ''} sitekey=${sitekey ?? ''} dry-run=${settings.dryRun}`,
  );
  return settings;
}

/** ensure/create: the widget's fields from the inputs (all but the name). */
function readWidgetFields(operation: Operation): Omit<DesiredWidget, 'name'> {
  // Separators alone (" , ") count as empty too.
  const { domains, notices } = parseDomains(read('domains'));
  if (domains.length === 0)
    throw new InputError(
      'domains',
      `is required for operation "${operation}": give one or more hostnames or IP addresses, separated by commas or newlines.`,
    );
  for (const notice of notices) core.notice(notice, { title: 'Input domains' });
  return {
    domains,
    mode: oneOf('mode', MODES, read('mode') || 'managed'),
    clearance_level: optional(read('clearance-level'), (v) => oneOf('clearance-level', CLEARANCE_LEVELS, v)),
    bot_fight_mode: optionalBoolean('bot-fight-mode'),
    offlabel: optionalBoolean('offlabel'),
    ephemeral_id: optionalBoolean('ephemeral-id'),
    region: optional(read('region'), (v) => oneOf('region', REGIONS, v)),
  };
}

const accountIdSchema = z
  .string()
  .regex(/^[0-9a-fA-F]{32}$/)
  .transform((v) => v.toLowerCase());
const sitekeySchema = z
  .string()
  .max(32)
  .regex(/^[A-Za-z0-9_-]+$/);
const nameSchema = z.string().min(1).max(254);

function parse<T>(input: string, schema: z.ZodType<T, string>, raw: string, expected: string): T {
  if (raw === '') throw new InputError(input, `is required: expected ${expected}.`);
  const result = schema.safeParse(raw);
  if (!result.success) throw new InputError(input, `is ${quote(raw)}: expected ${expected}.`);
  return result.data;
}

function oneOf<const T extends readonly [string, ...string[]]>(input: string, values: T, raw: string): T[number] {
  const result = z.enum(values).safeParse(raw);
  if (!result.success) throw new InputError(input, `is ${quote(raw)}: allowed values are ${values.join(', ')}.`);
  return result.data;
}

function optional<T>(raw: string, convert: (value: string) => T): T | undefined {
  return raw === '' ? undefined : convert(raw);
}

// YAML 1.2 core-schema booleans, as the runner passes them (the same set core.getBooleanInput accepts).
const booleanSchema = z
  .enum(['true', 'True', 'TRUE', 'false', 'False', 'FALSE'])
  .transform((v) => v.toLowerCase() === 'true');

function optionalBoolean(input: (typeof KNOWN_INPUTS)[number]): boolean | undefined {
  const raw = read(input);
  if (raw === '') return undefined;
  const result = booleanSchema.safeParse(raw);
  if (!result.success) throw new InputError(input, `is ${quote(raw)}: allowed values are true or false.`);
  return result.data;
}

function integer(input: (typeof KNOWN_INPUTS)[number], fallback: number, min: number, max: number): number {
  const raw = read(input);
  if (raw === '') return fallback;
  const result = z.coerce.number().int().min(min).max(max).safeParse(raw);
  if (!/^\d+$/.test(raw) || !result.success)
    throw new InputError(input, `is ${quote(raw)}: expected a whole number from ${min} to ${max}.`);
  return result.data;
}

const DURATION_UNITS_MS = { s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000 } as const;

export function parseDuration(raw: string): number {
  const match = /^(\d+)\s*([smhd])$/.exec(raw.trim());
  if (!match)
    throw new InputError(
      'older-than',
      `is ${quote(raw)}: expected a whole number followed by s, m, h or d (e.g. "7d", "12h", "30m").`,
    );
  return Number(match[1]) * DURATION_UNITS_MS[match[2] as keyof typeof DURATION_UNITS_MS];
}

function readApiUrl(raw: string): string {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new InputError(
      'api-url',
      `is ${quote(raw)}: expected an absolute URL such as https://api.cloudflare.com/client/v4.`,
    );
  }
  const loopback = ['127.0.0.1', 'localhost', '[::1]'].includes(url.hostname) || url.hostname.startsWith('127.');
  // The token travels in a header: only loopback (the local emulator) may be spoken to in clear text.
  if (url.protocol !== 'https:' && !(url.protocol === 'http:' && loopback)) {
    throw new InputError(
      'api-url',
      `is ${quote(raw)}: it must use https:// (plain http:// is allowed only for 127.0.0.1, localhost or [::1]), so the API token is never sent in clear text.`,
    );
  }
  if (url.username || url.password || url.search || url.hash) {
    throw new InputError(
      'api-url',
      `must be a plain base URL without credentials, query or fragment, e.g. https://api.cloudflare.com/client/v4.`,
    );
  }
  return url.href.replace(/\/+$/, '');
}

async function readAuth(): Promise<Auth> {
  const token = read('api-token');
  if (token) return { kind: 'token', token };
  const email = read('api-email');
  const key = read('api-key');
  if (email && key) return { kind: 'key', email, key };
  if (email || key) {
    throw new InputError(
      email ? 'api-key' : 'api-email',
      'is required: legacy authentication needs both api-email and api-key (or use api-token instead).',
    );
  }
  const fork = await isForkPullRequest();
  throw new InputError(
    'api-token',
    fork
      ? 'is empty: this run was triggered by a pull request from a fork, and GitHub does not pass repository secrets to such workflows. Run preview deploys only for branches of this repository (e.g. `if: github.event.pull_request.head.repo.full_name == github.repository`), or use a trusted workflow (such as `workflow_run`) that has access to secrets.'
      : 'is required: pass a Cloudflare API token with the "Turnstile Sites Write" permission, e.g. `api-token: ${{ secrets.CLOUDFLARE_API_TOKEN }}` (or api-email + api-key for legacy authentication).',
  );
}

function rejectUnknownInputs(env: NodeJS.ProcessEnv): void {
  const known = new Set<string>(KNOWN_INPUTS.map((name) => `INPUT_${name.toUpperCase()}`));
  for (const variable of Object.keys(env)) {
    if (!variable.startsWith('INPUT_') || known.has(variable)) continue;
    const given = variable.slice('INPUT_'.length).toLowerCase().replace(/_/g, '-');
    const hint = closestInput(given);
    throw new InputError(
      given,
      `is not an input of this action${hint ? `; did you mean "${hint}"?` : '.'} Inputs: ${KNOWN_INPUTS.join(', ')}.`,
    );
  }
}

function closestInput(given: string): string | undefined {
  return KNOWN_INPUTS.find(
    (name) => name.startsWith(given) || given.startsWith(name) || name.replace(/-/g, '') === given.replace(/-/g, ''),
  );
}

function quote(raw: string): string {
  return JSON.stringify(raw.length > 80 ? `${raw.slice(0, 77)}...` : raw);
}
