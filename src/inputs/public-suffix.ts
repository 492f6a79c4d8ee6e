// Refuses hostnames that are public suffixes: a Turnstile hostname covers all its subdomains, so a
// widget for "vercel.app" or "co.uk" could be used by every site anyone creates under it.
//
// Why tldts: it ships the whole Public Suffix List (ICANN and private sections, and says which one
// matched), is republished as the list changes, is MIT, has one dependency (tldts-core, same
// author) and loads fast: its compact trie costs about 7 ms to import and adds about 200 kB to
// dist/. psl was last published in December 2024 (a stale list) and takes 3x as long to load;
// parse-domain needs ~1 ms per lookup and eight more packages; tldts-experimental uses a
// probabilistic structure that may report false positives, i.e. refuse a legitimate hostname.
import { parse } from 'tldts';
import { ipVersion } from './hostnames.ts';

// The input is already a bare hostname: skip URL extraction and validation, detect IPs ourselves.
const OPTIONS = { allowPrivateDomains: true, extractHostname: false, validateHostname: false, detectIp: false };

/**
 * Returns why `host` must not be a widget hostname, or undefined when it may be one.
 *
 * `host` is a lower-case ASCII (punycode) hostname without a trailing dot, or an IP address. It is
 * refused when it is itself a public suffix of the Public Suffix List, from the ICANN section
 * (`com`, `co.uk`, `foo.ck` under the wildcard rule `*.ck`) or the private one (`vercel.app`,
 * `pages.dev`, `github.io`). Accepted: hostnames below a suffix (`my-app.pages.dev`, `www.ck`,
 * which the exception rule `!www.ck` makes a registrable domain), IP addresses, and names whose
 * TLD the list does not know (`pr-1.example.test`, `localhost`, `intranet`).
 *
 * The text starts with `contains "<host>", a public suffix`, ready for `new InputError('domains', …)`.
 */
export function publicSuffixRefusal(host: string): string | undefined {
  const name = host.toLowerCase().replace(/\.$/, '');
  if (name === '' || ipVersion(name.replace(/^\[|\]$/g, '')) !== 0) return undefined;
  const { publicSuffix, isIcann, isPrivate } = parse(name, OPTIONS);
  // No matching rule (isIcann and isPrivate both false) means the list's implicit "*" rule made the
  // last label the suffix: a TLD the list does not know, such as "test" or "localhost".
  if (publicSuffix !== name || !(isIcann || isPrivate)) return undefined;
  const who = isPrivate
    ? 'anyone can create a site under it (private section of the Public Suffix List)'
    : 'anyone can register a domain under it (ICANN section of the Public Suffix List)';
  return (
    `contains "${name}", a public suffix: ${who}, and a hostname also covers all its subdomains, ` +
    `so every site under "${name}" could use this widget. Use the preview's exact hostname instead ` +
    `(e.g. "my-app-git-feature-team.vercel.app"), or a name that only your previews are under: ` +
    `"my-app.pages.dev" covers every preview of a Cloudflare Pages project, "preview.example.com" ` +
    `every preview on a domain you own.`
  );
}
