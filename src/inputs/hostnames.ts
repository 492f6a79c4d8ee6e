import { isIPv4, isIPv6 } from 'node:net';
import { domainToASCII } from 'node:url';
import { parse } from 'tldts';

const LABEL = /^(?!-)[a-z0-9-]{1,63}(?<!-)$/;

/**
 * 4 or 6 for an IP address, else 0, as net.isIP. Only a value with ":" can be IPv6, and net's
 * IPv6 pattern costs ~3 ms to compile on first use: hostnames never pay for it.
 */
function ipVersion(host: string): 0 | 4 | 6 {
  if (host.includes(':')) return isIPv6(host) ? 6 : 0;
  return isIPv4(host) ? 4 : 0;
}

/**
 * Turns the `domains` input into the list Cloudflare expects: hostnames (FQDN, punycode) or IP
 * addresses, lower-cased and de-duplicated. Commas, newlines and spaces separate hostnames (YAML
 * folded text joins lines with spaces). Nothing is rewritten without a notice, and nothing that
 * the URL parser would reinterpret (legacy IPv4 forms, IPv6 zone ids) is accepted. `notices`: the
 * values rewritten (a URL reduced to its hostname, punycode, a trailing dot); `problems`: what is
 * wrong, each a sentence after `Input "domains" `.
 */
export function parseDomains(raw: string, refusal?: (host: string) => string | undefined) {
  const parsed = { domains: [] as string[], notices: [] as string[], problems: [] as string[] };
  const seen = new Set<string>();
  for (const line of raw.split(/[,\r\n]+/)) {
    const pieces = line.split(/\s+/).filter((piece) => piece !== '');
    // Single labels that a space split off another piece ("pr 42.example.com"): alone on its line,
    // a single label is a hostname (an intranet name), and "pr" is also a public suffix, but the
    // mistake is the space. Every other piece is judged on its own.
    const stray: string[] = [];
    for (const piece of pieces) {
      const host = normaliseHost(piece, parsed);
      if (host === undefined) continue;
      if (pieces.length > 1 && !host.includes('.') && host !== 'localhost' && !ipVersion(host)) {
        stray.push(piece);
        continue;
      }
      const problem = seen.has(host) ? undefined : refusal?.(host);
      if (problem) parsed.problems.push(problem);
      else seen.add(host);
    }
    if (stray.length > 0) {
      const quoted = (list: string[]) => list.map((piece) => `"${piece}"`).join(', ');
      parsed.problems.push(
        `contains "${line.trim()}": spaces separate hostnames, so this reads as ${quoted(pieces)}, and ${quoted(stray)} ${stray.length > 1 ? 'are not hostnames' : 'is not a hostname'} on ${stray.length > 1 ? 'their' : 'its'} own. Write each hostname without spaces.`,
      );
    }
  }
  // No count limit here: it depends on the plan (Free 10, Enterprise up to 200), so Cloudflare decides.
  parsed.domains = [...seen];
  return parsed;
}

function normaliseHost(value: string, parsed: ReturnType<typeof parseDomains>): string | undefined {
  const refuse = (why: string) => {
    parsed.problems.push(`contains "${value}", ${why}`);
    return undefined;
  };
  let host = value;
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(host)) {
    let url: URL;
    try {
      url = new URL(host);
    } catch {
      return refuse('which is not a valid URL or hostname.');
    }
    host = url.hostname.replace(/^\[|\]$/g, '');
    parsed.notices.push(`domains: "${value}" is a URL; using its hostname "${host}".`);
  }
  host = host.replace(/^\[|\]$/g, '').toLowerCase();
  const separator = /[;|]/.exec(host)?.[0];
  if (separator) {
    return refuse(`which is not one hostname: separate hostnames with commas, spaces or newlines, not "${separator}".`);
  }
  if (host.includes('%')) {
    return refuse(
      'an IPv6 address with a zone id (the part after "%"), which only means something on one machine: give the address without it, e.g. "2001:db8::1".',
    );
  }
  if (host.includes('*')) {
    const parent = host.replace(/^(\*\.)+/, '');
    return refuse(
      `a wildcard: Turnstile hostnames cannot contain "*". A hostname already covers all its subdomains: use "${parent}".`,
    );
  }
  if (ipVersion(host)) return host;
  if (host.endsWith('.') && host.length > 1) {
    host = host.slice(0, -1);
    parsed.notices.push(`domains: "${value}" ends with a dot; using "${host}".`);
  }
  const port = /^([^:]+):\d+$/.exec(host);
  if (port) {
    return refuse(`which has a port: a widget's hostname covers every port of it. Use "${port[1]!}".`);
  }
  // domainToASCII silently drops a path or port, so those are refused before conversion.
  const ascii = /[/:?#@\\\s]/.test(host) ? '' : domainToASCII(host);
  if (ipVersion(ascii) === 4) {
    // The URL parser reads "10.0.0.010" as 10.0.0.8 and "0x7f.1" as 127.0.0.1: never guess.
    return refuse(
      `which is not an IPv4 address in the usual form: write four decimal numbers from 0 to 255 without leading zeros (e.g. "10.0.0.8"), or a hostname.`,
    );
  }
  if (ascii === '' || ascii.length > 253 || !ascii.split('.').every((label) => LABEL.test(label))) {
    return refuse(
      'which is not a hostname or IP address: expected e.g. "pr-42.example.pages.dev" or "203.0.113.1" (no scheme, path or port).',
    );
  }
  if (ascii !== host) {
    parsed.notices.push(`domains: "${value}" is an internationalised name; using its punycode form "${ascii}".`);
  }
  return ascii;
}

// Refuses hostnames that are public suffixes: a Turnstile hostname covers all its subdomains, so a
// widget for "vercel.app" or "co.uk" could be used by every site anyone creates under it. tldts
// ships the whole list (both sections, saying which matched), kept current, in a trie that loads in
// ~7 ms (psl's list is stale and 3x slower to load; tldts-experimental may refuse a valid hostname).

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
