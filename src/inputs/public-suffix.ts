// Refuses hostnames that are public suffixes: a Turnstile hostname covers all its subdomains, so a
// widget for "vercel.app" or "co.uk" could be used by every site anyone creates under it. tldts
// ships the whole list (both sections, saying which matched), kept current, in a trie that loads in
// ~7 ms (psl's list is stale and 3x slower to load; tldts-experimental may refuse a valid hostname).
import { parse } from 'tldts';
import { ipVersion } from './hostnames.ts';

// The input is already a bare hostname: skip URL extraction and validation, detect IPs ourselves.
const OPTIONS = { allowPrivateDomains: true, extractHostname: false, validateHostname: false, detectIp: false };

/**
 * Why `host` (a punycode hostname or an IP address) must not be a widget hostname: it is itself a
 * public suffix, ICANN (`co.uk`, `foo.ck` by `*.ck`) or private (`vercel.app`); undefined when it may
 * be one (`my-app.pages.dev`, `www.ck` by `!www.ck`, an IP address, `localhost`, an unknown TLD).
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
