import { describe, expect, it } from 'vitest';
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

  it('two runs in one process share nothing', () => {
    const first = registry();
    first.secrets.add('only-in-the-first-run');
    expect(registry().secrets.redact('only-in-the-first-run')).toBe('only-in-the-first-run');
  });
});
