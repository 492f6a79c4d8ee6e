import { afterEach, describe, expect, it, vi } from 'vitest';
import { forgetSecrets, redact, registerSecret } from '../src/secrets.ts';

afterEach(() => {
  forgetSecrets();
  vi.restoreAllMocks();
});

describe('secrets', () => {
  it('masks a value once with ::add-mask:: and redacts it from any text', () => {
    const write = vi.spyOn(process.stdout, 'write').mockImplementation(() => true);
    registerSecret('tok-abc');
    registerSecret('tok-abc');
    registerSecret('');
    expect(write.mock.calls.map(([chunk]) => String(chunk))).toEqual(['::add-mask::tok-abc\n']);
    expect(redact('Bearer tok-abc failed; tok-abc again')).toBe('Bearer *** failed; *** again');
  });

  it('redacts anything shaped like a Turnstile secret, but not a sitekey', () => {
    const text = 'sitekey 0x4AAAAAAADnPIDROrmt1Wwj secret 0x4AAAAAAADnPIDROrmt1WwjNwbBG6rZQNm0';
    expect(redact(text)).toBe('sitekey 0x4AAAAAAADnPIDROrmt1Wwj secret ***');
  });
});
