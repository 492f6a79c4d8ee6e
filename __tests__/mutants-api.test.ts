// Tests written for mutants that survived `npm run test:mutation -- api`: the hints and the
// widget-limit judgement, at their edges (the retry rules and Retry-After: retry.test.ts).
import { describe, expect, it } from 'vitest';
import { systemClock } from '../src/http/clock.ts';
import { CloudflareApiError, type HintContext } from '../src/cloudflare/errors.ts';
import type { ApiMessage } from '../src/cloudflare/schemas.ts';

/** The hint a CloudflareApiError gives for this answer and these facts about the request. */
const hintFor = (status: number | undefined, errors: ApiMessage[], hints: HintContext) =>
  new CloudflareApiError({ operation: 'x', status, detail: '', errors, hints }).hint;

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
