import { isIP } from 'node:net';
import { domainToASCII } from 'node:url';
import { InputError } from './errors.ts';

// Cloudflare accepts at most 10 hostnames per widget (turnstile_domains, maxLength 10).
export const MAX_DOMAINS = 10;

const LABEL = /^(?!-)[a-z0-9-]{1,63}(?<!-)$/;

export interface ParsedDomains {
  domains: string[];
  /** Human-readable notes about values that were rewritten (a URL reduced to its hostname). */
  notices: string[];
}

/**
 * Turns the `domains` input into the list Cloudflare expects: hostnames (FQDN, punycode) or IP
 * addresses, lower-cased and de-duplicated. Separators are newlines and/or commas (spaces too,
 * since a hostname never contains one).
 */
export function parseDomains(raw: string): ParsedDomains {
  const notices: string[] = [];
  const seen = new Set<string>();
  for (const item of raw.split(/[\s,]+/)) {
    const value = item.trim();
    if (value === '') continue;
    const host = normaliseHost(value, notices);
    seen.add(host);
  }
  const domains = [...seen];
  if (domains.length > MAX_DOMAINS) {
    throw new InputError(
      'domains',
      `has ${domains.length} hostnames; Cloudflare allows at most ${MAX_DOMAINS} per widget (each hostname also covers its subdomains, so a parent domain may replace several).`,
    );
  }
  return { domains, notices };
}

function normaliseHost(value: string, notices: string[]): string {
  let host = value;
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(host)) {
    let url: URL;
    try {
      url = new URL(host);
    } catch {
      throw new InputError('domains', `contains "${value}", which is not a valid URL or hostname.`);
    }
    host = url.hostname;
    notices.push(`domains: "${value}" is a URL; using its hostname "${host.replace(/^\[|\]$/g, '')}".`);
  }
  host = host
    .replace(/^\[|\]$/g, '')
    .replace(/\.$/, '')
    .toLowerCase();
  if (host.includes('*')) {
    const parent = host.replace(/^(\*\.)+/, '');
    throw new InputError(
      'domains',
      `contains "${value}", a wildcard: Turnstile hostnames cannot contain "*". A hostname already covers all its subdomains: use "${parent}".`,
    );
  }
  if (isIP(host)) return host;
  // domainToASCII silently drops a path or port, so those are refused before conversion.
  const ascii = /[/:?#@\\%\s]/.test(host) ? '' : domainToASCII(host);
  if (ascii === '' || ascii.length > 253 || !ascii.split('.').every((label) => LABEL.test(label))) {
    throw new InputError(
      'domains',
      `contains "${value}", which is not a hostname or IP address: expected e.g. "pr-42.example.pages.dev" or "203.0.113.1" (no scheme, path or port).`,
    );
  }
  return ascii;
}
