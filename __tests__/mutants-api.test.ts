// Tests written for mutants that survived `npm run test:mutation -- api`: the retry rules, the
// Retry-After header, the hints and the widget-limit judgement, at their edges.
import { describe, expect, it } from 'vitest';
import { systemClock } from '../src/http/clock.ts';
import { CloudflareApiError, hintFor } from '../src/cloudflare/errors.ts';
import { isRetryableStatus, parseRetryAfter } from '../src/http/retry.ts';

describe('which statuses are retried', () => {
  it.each([
    [408, true],
    [429, true],
    [500, true],
    [599, true],
    [400, false],
    [499, false],
    [600, false],
  ])('%i: %s', (status, retried) => {
    expect(isRetryableStatus(status)).toBe(retried);
  });
});

describe('Retry-After', () => {
  const now = Date.parse('2026-11-25T00:00:00Z');
  it.each([
    [' 5 ', 5_000],
    ['1.5', 1_500],
    ['5abc', undefined],
    ['abc5', undefined],
    ['1.x', undefined],
    ['soon', undefined],
    ['Wed, 25 Nov 2026 00:00:30 GMT', 30_000],
    ['Tue, 24 Nov 2026 00:00:00 GMT', 0],
  ])('%j waits %s ms', (header, ms) => {
    expect(parseRetryAfter(header, now)).toBe(ms);
  });
});

describe('hints at the edges of their statuses', () => {
  it('a 500 is a server-side problem; a 401 without a code is about the credentials', () => {
    expect(hintFor(500, [], {})).toMatch(/^Cloudflare had a server-side problem/);
    expect(hintFor(401, [], {})).toMatch(/^the credentials were refused/);
    expect(hintFor(403, [], {})).toMatch(/^the credentials were refused/);
  });
});

describe('the widget limit judged from the answer', () => {
  const refusal = (errors: { code: number | null; message: string }[]) =>
    new CloudflareApiError({ operation: 'POST /x', status: 400, detail: 'refused', errors });

  it.each(['invalid domain', 'unknown host', 'bad region', 'unknown mode', 'name taken'])(
    'a text naming a field in the singular (%j) is about the request',
    (message) => {
      expect(refusal([{ code: 1001, message }]).mayBeWidgetLimit).toBe(false);
    },
  );

  it('a documented code among others decides; the texts of several errors are read as words', () => {
    expect(
      refusal([
        { code: 1001, message: 'Quota exceeded' },
        { code: 10000, message: 'Authentication error' },
      ]).mayBeWidgetLimit,
    ).toBe(false);
    expect(
      refusal([
        { code: 1001, message: 'Quota exceeded' },
        { code: 1002, message: 'host' },
      ]).mayBeWidgetLimit,
    ).toBe(false);
    expect(refusal([{ code: null, message: 'Quota exceeded' }]).mayBeWidgetLimit).toBe(true);
  });
});

describe('the system clock the action runs on', () => {
  it('reads the time, gives a live timeout signal, and sleeps (0 ms here)', async () => {
    const before = Date.now();
    const now = systemClock.now();
    expect(now).toBeGreaterThanOrEqual(before);
    expect(now).toBeLessThanOrEqual(Date.now());
    const signal = systemClock.timeout(60_000);
    expect(signal).toBeInstanceOf(AbortSignal);
    expect(signal.aborted).toBe(false);
    await expect(systemClock.sleep(0)).resolves.toBeUndefined();
  });
});
