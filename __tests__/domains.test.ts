import { describe, expect, it } from 'vitest';
import { parseDomains, publicSuffixRefusal } from '../src/inputs/hostnames.ts';

const problems = (raw: string) => parseDomains(raw).problems;

describe('parseDomains', () => {
  it('splits on newlines and commas, trims, lower-cases and de-duplicates', () => {
    expect(parseDomains(' A.example.com,\nb.example.com , a.example.com\n\n203.0.113.1').domains).toEqual([
      'a.example.com',
      'b.example.com',
      '203.0.113.1',
    ]);
  });

  it('reduces a URL to its hostname, with a notice', () => {
    const parsed = parseDomains('https://pr-1.Example.pages.dev/path?q=1');
    expect(parsed.domains).toEqual(['pr-1.example.pages.dev']);
    expect(parsed.notices[0]).toMatch(/is a URL; using its hostname "pr-1.example.pages.dev"/);
  });

  it('accepts IPv6, bare or bracketed, and canonical IPv4', () => {
    expect(parseDomains('2001:db8::1, [2001:db8::2], 10.0.0.8').domains).toEqual([
      '2001:db8::1',
      '2001:db8::2',
      '10.0.0.8',
    ]);
    expect(parseDomains('10.0.0.8').notices).toEqual([]);
  });

  it('drops a trailing dot, and says so', () => {
    const parsed = parseDomains('example.com.');
    expect(parsed.domains).toEqual(['example.com']);
    expect(parsed.notices).toEqual(['domains: "example.com." ends with a dot; using "example.com".']);
  });

  it('converts internationalised names to punycode, and says so', () => {
    const parsed = parseDomains('bücher.example');
    expect(parsed.domains).toEqual(['xn--bcher-kva.example']);
    expect(parsed.notices).toEqual([
      'domains: "bücher.example" is an internationalised name; using its punycode form "xn--bcher-kva.example".',
    ]);
  });

  it('refuses a URL that does not parse, naming it', () => {
    expect(problems('https://[pr-1.example.com')).toEqual([
      'contains "https://[pr-1.example.com", which is not a valid URL or hostname.',
    ]);
  });

  it.each(['10.0.0.010', '0x7f.1', '1.2.3', '123', '0177.0.0.1', '01.2.3.4'])(
    'refuses the legacy IPv4 form %j instead of reading it as another address',
    (value) => {
      expect(problems(value)).toEqual([
        expect.stringMatching(/^contains ".*", which is not an IPv4 address in the usual form: write four decimal/),
      ]);
      expect(parseDomains(value).domains).toEqual([]);
    },
  );

  it('refuses an IPv6 zone id', () => {
    expect(problems('fe80::1%eth0')).toEqual([
      expect.stringMatching(/^contains "fe80::1%eth0", an IPv6 address with a zone id/),
    ]);
  });

  it('refuses wildcards, saying a hostname already covers its subdomains', () => {
    expect(problems('*.example.com')).toEqual([
      expect.stringMatching(/contains "\*.example.com", a wildcard.*covers all its subdomains: use "example.com"/),
    ]);
  });

  it.each(['example.com/path', '-bad.example.com', 'a..b', `${'x'.repeat(64)}.com`])('refuses %j', (value) => {
    expect(problems(value)).toEqual([expect.stringMatching(/which is not a hostname or IP address/)]);
  });

  it('separates hostnames by commas, newlines and spaces alike (as a folded YAML block joins lines)', () => {
    expect(parseDomains('a.example.com b.example.com,c.example.com\r\n  d.example.com\tlocalhost').domains).toEqual([
      'a.example.com',
      'b.example.com',
      'c.example.com',
      'd.example.com',
      'localhost',
    ]);
  });

  it('refuses a port and names the hostname to use', () => {
    expect(problems('localhost:3000, 10.0.0.8:8080')).toEqual([
      'contains "localhost:3000", which has a port: a widget\'s hostname covers every port of it. Use "localhost".',
      'contains "10.0.0.8:8080", which has a port: a widget\'s hostname covers every port of it. Use "10.0.0.8".',
    ]);
  });

  it('says that spaces separate hostnames when a piece a space split off is no hostname on its own', () => {
    const refusal = (host: string) => (host === 'pr' ? 'contains "pr", a public suffix' : undefined);
    expect(parseDomains('pr 42.example.com', refusal).problems).toEqual([
      'contains "pr 42.example.com": spaces separate hostnames, so this reads as "pr", "42.example.com", and "pr" is not a hostname on its own. Write each hostname without spaces.',
    ]);
    // A single label is a hostname alone on its line (intranet names), not beside another piece.
    expect(problems('my app.example.com')).toEqual([
      expect.stringMatching(/reads as "my", "app.example.com", and "my" is not/),
    ]);
    expect(parseDomains('intranet').domains).toEqual(['intranet']);
  });

  it.each([
    ['a.example.com vercel.app', /^contains "vercel.app", a public suffix: anyone can create a site under it/],
    ['a.example.com *.example.com', /^contains "\*.example.com", a wildcard: .*use "example.com"\.$/],
    ['a.example.com b.example.com:8080', /^contains "b.example.com:8080", which has a port/],
  ])('a space-separated piece gets its own reason, as after a comma: %j', (line, reason) => {
    const spaced = parseDomains(line, publicSuffixRefusal);
    expect(spaced.problems).toEqual([expect.stringMatching(reason)]);
    expect(spaced.problems).toEqual(parseDomains(line.replace(' ', ','), publicSuffixRefusal).problems);
  });

  it('names the separators for a ";" or "|" between hostnames', () => {
    expect(problems('a.example.com;b.example.com | c.example.com|d.example.com')).toEqual([
      'contains "a.example.com;b.example.com", which is not one hostname: separate hostnames with commas, spaces or newlines, not ";".',
      'contains "|", which is not one hostname: separate hostnames with commas, spaces or newlines, not "|".',
      'contains "c.example.com|d.example.com", which is not one hostname: separate hostnames with commas, spaces or newlines, not "|".',
    ]);
    expect(problems('https://a.example.com;b.example.com/')).toEqual([expect.stringMatching(/not ";"\.$/)]);
  });

  it('reports every bad hostname, not just the first', () => {
    expect(problems('*.a.example.com, ok.example.com, b.example.com:1')).toHaveLength(2);
  });

  it('asks the refusal check about every hostname', () => {
    const asked: string[] = [];
    const parsed = parseDomains('a.example.com, b.example.com', (host) => {
      asked.push(host);
      return host === 'b.example.com' ? 'refused' : undefined;
    });
    expect(asked).toEqual(['a.example.com', 'b.example.com']);
    expect(parsed.problems).toEqual(['refused']);
  });

  it('counts no hostnames: the plan decides (Free 10, Enterprise up to 200), so Cloudflare does', () => {
    const many = Array.from({ length: 201 }, (_, i) => `h${i}.example.com`).join(',');
    expect(problems(many)).toEqual([]);
    expect(parseDomains(many).domains).toHaveLength(201);
  });

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
