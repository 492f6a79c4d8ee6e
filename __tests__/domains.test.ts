import { describe, expect, it } from 'vitest';
import { parseDomains } from '../src/domains.ts';

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

  it('accepts IPv6 (bare or bracketed) and a trailing dot', () => {
    expect(parseDomains('2001:db8::1, [2001:db8::2], example.com.').domains).toEqual([
      '2001:db8::1',
      '2001:db8::2',
      'example.com',
    ]);
  });

  it('converts internationalised names to punycode', () => {
    expect(parseDomains('bücher.example').domains).toEqual(['xn--bcher-kva.example']);
  });

  it('refuses wildcards, saying a hostname already covers its subdomains', () => {
    expect(() => parseDomains('*.example.com')).toThrow(
      /Input "domains" contains "\*.example.com", a wildcard.*covers all its subdomains: use "example.com"/,
    );
  });

  it.each(['example.com:8080', 'example.com/path', '-bad.example.com', 'a..b', `${'x'.repeat(64)}.com`])(
    'refuses %j',
    (value) => {
      expect(() => parseDomains(value)).toThrow(/Input "domains"/);
    },
  );

  it('allows at most 10 hostnames', () => {
    const eleven = Array.from({ length: 11 }, (_, i) => `h${i}.example.com`).join(',');
    expect(() => parseDomains(eleven)).toThrow(/has 11 hostnames; Cloudflare allows at most 10/);
    expect(parseDomains(eleven.split(',').slice(0, 10).join('\n')).domains).toHaveLength(10);
  });
});
