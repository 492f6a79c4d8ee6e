import { describe, expect, it } from 'vitest';
import { escapeUntrusted } from '../src/log/logger.ts';
import { looksLikeWidgetSecret, SecretRegistry } from '../src/log/secrets.ts';

function registry() {
  const masked: string[] = [];
  return { masked, secrets: new SecretRegistry({ setSecret: (value) => masked.push(value) }) };
}

describe('SecretRegistry', () => {
  it('masks a value once and redacts it from any text', () => {
    const { masked, secrets } = registry();
    secrets.add('tok-abc');
    secrets.add('tok-abc');
    secrets.add('');
    secrets.add(undefined);
    expect(masked).toEqual(['tok-abc']);
    expect(secrets.redact('Bearer tok-abc failed; tok-abc again')).toBe('Bearer *** failed; *** again');
  });

  it('replaces the longest secret first, so one that contains another is replaced whole', () => {
    const { secrets } = registry();
    secrets.add('abc');
    secrets.add('abcdef');
    expect(secrets.redact('abcdef abc')).toBe('*** ***');
  });

  it('redacts anything shaped like a Turnstile secret, but not a sitekey', () => {
    const { secrets } = registry();
    const text = 'sitekey 0x4AAAAAAADnPIDROrmt1Wwj secret 0x4AAAAAAADnPIDROrmt1WwjNwbBG6rZQNm0';
    expect(secrets.redact(text)).toBe('sitekey 0x4AAAAAAADnPIDROrmt1Wwj secret ***');
    expect(looksLikeWidgetSecret('0x4AAAAAAADnPIDROrmt1WwjNwbBG6rZQNm0')).toBe(true);
    expect(looksLikeWidgetSecret('0x4AAAAAAADnPIDROrmt1Wwj')).toBe(false);
    // Sitekeys have at most 32 characters: only a longer 0x… value is taken for a secret.
    const longest = `0x4AAAAAAA${'b'.repeat(22)}`;
    expect(looksLikeWidgetSecret(longest)).toBe(false);
    expect(secrets.redact(longest)).toBe(longest);
    expect(looksLikeWidgetSecret(`${longest}c`)).toBe(true);
  });

  it('redacts a secret in every form the escaping gives it, should a text be escaped before it is redacted', () => {
    const { secrets } = registry();
    const secret = 's3cr\\3t\t"q9" ##[z7';
    secrets.add(secret);
    for (const message of [
      secret,
      escapeUntrusted(secret),
      escapeUntrusted(`Invalid token ${secret}.`),
      escapeUntrusted(`token "${secret}"`),
    ]) {
      expect(secrets.redact(message)).not.toMatch(/s3cr|3t|q9|z7/);
    }
    expect(secrets.redact(escapeUntrusted(`Invalid token ${secret}.`))).toBe('Invalid token ***.');
    expect(secrets.redact(escapeUntrusted(`Invalid token "${secret}".`))).toBe('Invalid token "***".');
    // In JSON (the widget output), a quote in a secret is escaped.
    secrets.add('tok"en-0123456789');
    expect(secrets.redact(JSON.stringify({ name: 'tok"en-0123456789' }))).toBe('{"name":"***"}');
    // `::` at the start of a text is broken differently from `::` inside one.
    secrets.add('::tok\\');
    expect(secrets.redact(escapeUntrusted('::tok\\ failed'))).toBe('*** failed');
    expect(secrets.redact(escapeUntrusted('x ::tok\\'))).toBe('x ***');
  });

  it('masks and redacts each line of a value with line breaks, which no log line can hold whole', () => {
    const { masked, secrets } = registry();
    secrets.add('ghs_part1\r\nX-Evil: ghs_part2\n \nlast');
    expect(masked).toEqual(['ghs_part1\r\nX-Evil: ghs_part2\n \nlast', 'ghs_part1', 'X-Evil: ghs_part2', 'last']);
    expect(secrets.redact('Headers: token ghs_part1 | X-Evil: ghs_part2 | \\r\\nlast')).toBe(
      'Headers: token *** | *** | \\r\\n***',
    );
  });

  it('two runs in one process share nothing', () => {
    const first = registry();
    first.secrets.add('only-in-the-first-run');
    expect(registry().secrets.redact('only-in-the-first-run')).toBe('only-in-the-first-run');
  });
});
