// Tests written for mutants that survived `npm run test:mutation -- inputs`: the did-you-mean guess,
// the domains parser and the value schemas, called directly with the values a user might type.
import { describe, expect, it } from 'vitest';
import { parseDomains } from '../src/inputs/hostnames.ts';
import { parseSettings, type Settings } from '../src/inputs/settings.ts';
import { readGitHubContext } from '../src/github/context.ts';
import { inputVariables } from '../scripts/lib/action-inputs.ts';
import { closest, readInputs } from '../src/inputs/declared.ts';

const BASE = {
  'api-token': 'cf-test-token-0123456789',
  'account-id': '0'.repeat(32),
  domains: 'a.example.com',
  name: 'pr-1',
};

/** parseSettings on BASE with `inputs`: the settings, or the message of each problem of `input`. */
function parsed(input: string, inputs: Record<string, string>) {
  try {
    const env = readInputs(inputVariables({ ...BASE, ...inputs }));
    return { settings: parseSettings(env, readGitHubContext({})).settings as Settings, messages: [] };
  } catch (error) {
    const errors = (error as AggregateError).errors as { input: string; message: string }[];
    const own = errors.filter((e) => e.input === input);
    return { settings: undefined, messages: own.map((e) => e.message.replace(`Input "${input}" `, '')) };
  }
}
const olderThan = (raw: string) =>
  parsed('older-than', { operation: 'prune', 'name-prefix': 'pr-', 'older-than': raw });
const account = (raw: string) => parsed('account-id', { 'account-id': raw });
const apiUrl = (raw: string) => parsed('api-url', { 'api-url': raw });

describe('did you mean', () => {
  it('the same letters without separators is the input meant', () => {
    expect(closest('nameprefix', ['name', 'name-prefix'])).toBe('name-prefix');
    expect(closest('Name_Prefix', ['name', 'name-prefix'])).toBe('name-prefix');
  });

  it('the nearest candidate within two edits, the first of equals', () => {
    expect(closest('nmae', ['name', 'domains'])).toBe('name');
    expect(closest('xy', ['xyz1', 'xyz'])).toBe('xyz');
    // Two letters shorter, no prefix: still within two edits (a longer name is never measured).
    expect(closest('dmins', ['domains'])).toBe('domains');
    expect(closest('dmin', ['domains'])).toBeUndefined();
    expect(closest('aa', ['ab', 'ac'])).toBe('ab');
    // Two swapped pairs are two edits; counted as four replacements they would be too far.
    expect(closest('nmae-perfix', ['name', 'name-prefix'])).toBe('name-prefix');
    // Three replacements, with no neighbours to swap: too far either way round.
    expect(closest('abzq', ['cazr'])).toBeUndefined();
    expect(closest('bazq', ['aczr'])).toBeUndefined();
  });

  it('a prefix either way from three letters, nothing for a far shorter guess', () => {
    expect(closest('namefoo', ['name'])).toBe('name');
    expect(closest('dom', ['domains'])).toBe('domains');
    expect(closest('do', ['domains'])).toBeUndefined();
    expect(closest('zz', ['domains'])).toBeUndefined();
  });
});

describe('reading inputs', () => {
  it('trims values and lists only undeclared INPUT_ variables', () => {
    const inputs = readInputs({ INPUT_NAME: '  pr-1  ', INPUT_NAMEE: 'x', PATH: '/bin' });
    expect(inputs.raw.name).toBe('pr-1');
    expect(inputs.undeclared).toEqual(['namee']);
  });
});

describe('domains', () => {
  it('a piece a space split off is refused with the whole line, trimmed', () => {
    const one = parseDomains('a.example.com, pr 42.example.com');
    expect(one.domains).toEqual(['a.example.com', '42.example.com']);
    expect(one.problems).toEqual([
      'contains "pr 42.example.com": spaces separate hostnames, so this reads as "pr", "42.example.com", and "pr" is not a hostname on its own. Write each hostname without spaces.',
    ]);
    const two = parseDomains('pr x 42.example.com');
    expect(two.problems).toEqual([
      'contains "pr x 42.example.com": spaces separate hostnames, so this reads as "pr", "x", "42.example.com", and "pr", "x" are not hostnames on their own. Write each hostname without spaces.',
    ]);
  });

  it('a refused piece on a line with spaces gets its own reason, as it would after a comma', () => {
    expect(parseDomains('a.example.com *.b.example.com').problems).toEqual(
      parseDomains('a.example.com, *.b.example.com').problems,
    );
    expect(parseDomains('a.example.com *.b.example.com').problems).toEqual([
      'contains "*.b.example.com", a wildcard: Turnstile hostnames cannot contain "*". A hostname already covers all its subdomains: use "b.example.com".',
    ]);
  });

  it('a refused hostname adds nothing to the list', () => {
    expect(parseDomains('*.a.example.com').domains).toEqual([]);
  });

  it('a scheme only at the start makes a URL; a URL that does not parse is refused as one', () => {
    expect(parseDomains('a.example.com/x://y').problems).toEqual([
      'contains "a.example.com/x://y", which is not a hostname or IP address: expected e.g. "pr-42.example.pages.dev" or "203.0.113.1" (no scheme, path or port).',
    ]);
    expect(parseDomains('http://').problems).toEqual(['contains "http://", which is not a valid URL or hostname.']);
    expect(parseDomains('http://[::1]/').notices).toEqual([
      'domains: "http://[::1]/" is a URL; using its hostname "::1".',
    ]);
  });

  it('brackets are taken off only at the ends', () => {
    for (const host of ['a[b.example.com', 'a]b.example.com']) {
      const parsed = parseDomains(host);
      expect(parsed.domains).toEqual([]);
      expect(parsed.problems).toHaveLength(1);
    }
    expect(parseDomains('[::1]').domains).toEqual(['::1']);
  });

  it('a wildcard is shown with only its leading labels taken off', () => {
    expect(parseDomains('*.*.a.example.com').problems[0]).toContain('use "a.example.com".');
    expect(parseDomains('a.*.example.com').problems[0]).toContain('use "a.*.example.com".');
  });

  it('a lone dot is no name with a trailing dot', () => {
    const parsed = parseDomains('.');
    expect(parsed.notices).toEqual([]);
    expect(parsed.domains).toEqual([]);
    expect(parsed.problems).toHaveLength(1);
  });

  it('only a whole name:number is a port', () => {
    expect(parseDomains('a.example.com:8080').problems[0]).toContain('which has a port');
    for (const host of ['x:y.example.com:80', 'a.example.com:80x']) {
      expect(parseDomains(host).problems[0]).toContain('which is not a hostname or IP address');
    }
  });

  it('a hostname of 253 characters is one, of 254 is not', () => {
    const label = 'a'.repeat(63);
    const longest = `${label}.${label}.${label}.${'b'.repeat(61)}`;
    expect(longest).toHaveLength(253);
    expect(parseDomains(longest).domains).toEqual([longest]);
    const parsed = parseDomains(`${longest}c`);
    expect(parsed.domains).toEqual([]);
    expect(parsed.problems[0]).toContain('which is not a hostname or IP address');
  });
});

describe('value schemas', () => {
  it('a duration or account id with anything around it is refused', () => {
    for (const raw of ['x7d', '7dx']) expect(olderThan(raw).messages).toHaveLength(1);
    expect(olderThan('7d').messages).toEqual([]);
    const id = '0123456789abcdef0123456789ABCDEF';
    expect(account(id).settings?.accountId).toBe(id.toLowerCase());
    for (const raw of [`x${id}`, `${id}x`]) expect(account(raw).messages).toHaveLength(1);
    // Only 32 hexadecimal characters with dashes are told to lose the dashes.
    for (const raw of [`${id.slice(0, 8)}-${id.slice(8)}`, `-${id}-`]) {
      expect(account(raw).messages[0]).toMatch(/ Remove the dashes\.$/);
    }
    for (const raw of ['0123-4567', `${id}-a`, 'x'.repeat(32)]) {
      expect(account(raw).messages[0]).toMatch(/account overview\.$/);
    }
  });

  it('credentials in a refused api-url are hidden, the scheme kept', () => {
    expect(apiUrl('http://user:pw@api.example.com/').messages[0]).toMatch(
      /^is "http:\/\/\*\*\*@api\.example\.com\/": it must use https:\/\//,
    );
    expect(apiUrl('web3://user:pw@api.example.com/').messages[0]).toMatch(
      /^is "web3:\/\/\*\*\*@api\.example\.com\/": it must use https:\/\//,
    );
    expect(apiUrl('ftp://127.0.0.1/').messages[0]).toMatch(/^is "ftp:\/\/127\.0\.0\.1\/": it must use/);
  });

  it('a user name alone, an /accounts path and trailing slashes', () => {
    expect(apiUrl('https://user@api.example.com/').messages[0]).toMatch(/^must be a plain base URL/);
    expect(apiUrl('https://api.example.com/accounts').messages[0]).toMatch(
      /^is "https:\/\/api\.example\.com\/accounts": expected the API's base URL/,
    );
    expect(apiUrl('https://api.example.com/v4//').settings?.apiUrl).toBe('https://api.example.com/v4');
  });
});
