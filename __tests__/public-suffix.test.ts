import { describe, expect, it } from 'vitest';
import { publicSuffixRefusal } from '../src/inputs/hostnames.ts';

describe('publicSuffixRefusal', () => {
  it.each([
    // Private section: hosting platforms whose customers' sites are all under one name.
    'vercel.app',
    'netlify.app',
    'pages.dev',
    'workers.dev',
    'github.io',
    'herokuapp.com',
    // ICANN section.
    'co.uk',
    'com',
    'app',
    // Under the wildcard rule *.ck every <name>.ck is a suffix, and "ck" covers all of them.
    'foo.ck',
    'ck',
    // *.kawasaki.jp, with the exception !city.kawasaki.jp (accepted below).
    'foo.kawasaki.jp',
  ])('refuses the public suffix %j', (host) => {
    const start = `contains "${host}", a public suffix: `;
    expect(publicSuffixRefusal(host)?.slice(0, start.length)).toBe(start);
  });

  it.each([
    ['vercel.app', 'private'],
    ['pages.dev', 'private'],
    ['co.uk', 'ICANN'],
    ['com', 'ICANN'],
  ])('says which section of the list %j is in', (host, section) => {
    expect(publicSuffixRefusal(host)).toContain(`(${section} section of the Public Suffix List)`);
  });

  it('says why: every site under the suffix could use the widget', () => {
    const message = publicSuffixRefusal('vercel.app');
    expect(message).toContain('anyone can create a site under it');
    expect(message).toContain('a hostname also covers all its subdomains');
    expect(message).toContain('every site under "vercel.app" could use this widget');
  });

  it('says what to use instead: the exact preview hostname, or a name only your previews are under', () => {
    const message = publicSuffixRefusal('vercel.app');
    expect(message).toContain(`Use the preview's exact hostname instead (e.g. "my-app-git-feature-team.vercel.app")`);
    expect(message).toContain('"my-app.pages.dev" covers every preview of a Cloudflare Pages project');
    expect(message).toContain('"preview.example.com" every preview on a domain you own');
  });

  it('refuses regardless of case or a trailing dot, naming the normalised suffix', () => {
    expect(publicSuffixRefusal('Vercel.APP.')).toMatch(/^contains "vercel\.app", a public suffix: /);
  });

  it.each([
    // Below a suffix: a name that only its owner's sites are under.
    'my-app.pages.dev',
    'abc123.my-app.pages.dev',
    'my-app-git-feature-team.vercel.app',
    'my-app.netlify.app',
    'octocat.github.io',
    'pr-1.preview.example.com',
    'preview.example.com',
    'example.com',
    'example.co.uk',
    'xn--bcher-kva.example.com',
    // The exception rules !www.ck and !city.kawasaki.jp make these registrable domains.
    'www.ck',
    'city.kawasaki.jp',
    'bar.foo.ck',
    // TLDs the list does not know (the test suite and the emulator use .test), single-label hosts.
    'pr-1.example.test',
    'example.test',
    'localhost',
    'intranet',
    // IP addresses.
    '203.0.113.1',
    '127.0.0.1',
    '2001:db8::1',
    '::1',
    '[2001:db8::2]',
  ])('accepts %j', (host) => {
    expect(publicSuffixRefusal(host)).toBeUndefined();
  });
});
