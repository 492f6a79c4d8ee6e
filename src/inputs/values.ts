import { z } from 'zod';
import { CLOUDFLARE_API_URL } from '../cloudflare/client.ts';
import { parseDomains } from './hostnames.ts';
import type { InputName } from './declared.ts';
import { publicSuffixRefusal } from './public-suffix.ts';
import { looksLikeWidgetSecret } from '../log/secrets.ts';

// The schema of each input's value, on its own: what a valid value looks like and what the user
// is told otherwise. Each issue's message is what follows `Input "<name>" ` in the error.

const quote = (raw: string) => `"${raw.length > 80 ? `${raw.slice(0, 77)}...` : raw}"`;
const is = (value: string, expected: string) => `is ${quote(value)}: ${expected}`;
const saying = (expected: string) => (issue: { input?: unknown }) => is(String(issue.input), expected);

/** Parses one raw input with `schema`, moving its issues onto the input being parsed. */
export function check<T>(schema: z.ZodType<T, string>, raw: string, ctx: z.RefinementCtx): T {
  const parsed = schema.safeParse(raw);
  if (parsed.success) return parsed.data;
  for (const issue of parsed.error.issues) ctx.issues.push({ code: 'custom', message: issue.message, input: raw });
  return z.NEVER;
}

/** Adds an issue (on `input` when given, else on the input being parsed) and gives up on the value. */
export function refuse(ctx: z.RefinementCtx, message: string, input?: InputName): never {
  ctx.issues.push({ code: 'custom', message, input: '', ...(input ? { path: [input] } : {}) });
  return z.NEVER;
}

/** An input that may be empty: '' is undefined, anything else must pass `schema`. */
export const optional = <T>(schema: z.ZodType<T, string>) =>
  z.string().transform((raw, ctx) => (raw === '' ? undefined : check(schema, raw, ctx)));

/** An input that must be given (`why` tells what to give). */
export const required = <T>(schema: z.ZodType<T, string>, why: string) =>
  z.string().transform((raw, ctx) => (raw !== '' ? check(schema, raw, ctx) : refuse(ctx, `is required${why}`)));

export const oneOf = <const T extends readonly [string, ...string[]]>(values: T) =>
  z.enum(values, { error: saying(`allowed values are ${values.join(', ')}.`) });

// YAML 1.2 core-schema booleans, as the runner passes them (the set core.getBooleanInput accepts).
export const boolean = z
  .enum(['true', 'True', 'TRUE', 'false', 'False', 'FALSE'], { error: saying('allowed values are true or false.') })
  .transform((value) => value.toLowerCase() === 'true');

export const wholeNumber = (min: number, max: number) => {
  const expected = saying(`expected a whole number from ${min} to ${max}.`);
  return z
    .string()
    .regex(/^\d+$/, { error: expected })
    .transform(Number)
    .pipe(z.number().min(min, { error: expected }).max(max, { error: expected }));
};

const DURATION_UNITS_MS = { s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000 } as const;
export const duration = z
  .string()
  .regex(/^\d+\s*[smhd]$/, {
    error: saying('expected a whole number followed by s, m, h or d (e.g. "7d", "12h", "30m").'),
  })
  .transform((raw) => Number(raw.slice(0, -1).trim()) * DURATION_UNITS_MS[raw.slice(-1) as 's' | 'm' | 'h' | 'd']);

const ACCOUNT_ID_EXPECTED =
  'expected a Cloudflare account id: 32 hexadecimal characters, shown in the dashboard URL and on the account overview.';
export const accountId = z
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
export const name = z
  .string()
  .max(254, { error: saying(NAME_EXPECTED) })
  .refine((value) => !/\p{Cc}/u.test(value), {
    error: `contains a control character (such as a line break): ${NAME_EXPECTED}`,
  });

export const apiUrl = z.string().transform((raw, ctx) => {
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
export const sitekey = z.string().transform((raw, ctx) => {
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
export const hostnames = (notices: string[]) =>
  z.string().transform((raw, ctx) => {
    const parsed = parseDomains(raw, publicSuffixRefusal);
    notices.push(...parsed.notices);
    for (const message of parsed.problems) ctx.issues.push({ code: 'custom', message, input: raw });
    return parsed.domains.length > 0 ? parsed.domains : undefined;
  });
