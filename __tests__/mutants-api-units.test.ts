// Tests written for mutants that survived `npm run test:mutation -- api`: which failed writes may
// have taken effect, a fractional Retry-After, and the codes an error carries.
import { describe, expect, it } from 'vitest';
import { mayHaveActed } from '../src/cloudflare/client.ts';
import { CloudflareApiError } from '../src/cloudflare/errors.ts';
import { parseRetryAfter } from '../src/http/retry.ts';

const failure = (status: number | undefined) =>
  new CloudflareApiError({ operation: 'POST /widgets', status, detail: 'no answer' });

describe('a failed write that may have acted', () => {
  it('only an API error can have acted: a bug in the action is no lost answer', () => {
    expect(mayHaveActed(new Error('a bug'))).toBe(false);
    expect(mayHaveActed(Object.assign(new Error('a bug'), { status: undefined }))).toBe(false);
  });

  it('no answer, a 408 or a 5xx may have acted; another 4xx did not', () => {
    expect(mayHaveActed(failure(undefined))).toBe(true);
    expect(mayHaveActed(failure(408))).toBe(true);
    expect(mayHaveActed(failure(502))).toBe(true);
    expect(mayHaveActed(failure(400))).toBe(false);
    expect(mayHaveActed(failure(429))).toBe(false);
  });
});

describe('Retry-After', () => {
  it('fractional seconds are seconds, not a date', () => {
    expect(parseRetryAfter('1.25', 0)).toBe(1250);
    expect(parseRetryAfter('2', 0)).toBe(2000);
  });
});

describe('error codes', () => {
  it('a message without a code adds no code', () => {
    const error = new CloudflareApiError({
      operation: 'GET /widgets',
      status: 400,
      detail: '',
      errors: [{ code: null, message: 'bad' }, { code: 1001 }],
    });
    expect(error.codes).toEqual([1001]);
    expect(error.name).toBe('CloudflareApiError');
    expect(error.message).toBe('Cloudflare API GET /widgets failed (HTTP 400): bad; [1001] no message.');
  });
});
