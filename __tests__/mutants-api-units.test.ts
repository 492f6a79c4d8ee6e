// Tests written for mutants that survived `npm run test:mutation -- api`: which failed writes may
// have taken effect, and the codes an error carries.
import { describe, expect, it } from 'vitest';
import { CloudflareApiError } from '../src/cloudflare/errors.ts';

const failure = (status: number | undefined) =>
  new CloudflareApiError({ operation: 'POST /widgets', status, detail: 'no answer' });

describe('a failed write that may have acted', () => {
  it('no answer, a 408 or a 5xx may have acted; another 4xx did not', () => {
    expect(failure(undefined).mayHaveActed).toBe(true);
    expect(failure(408).mayHaveActed).toBe(true);
    expect(failure(502).mayHaveActed).toBe(true);
    expect(failure(400).mayHaveActed).toBe(false);
    expect(failure(429).mayHaveActed).toBe(false);
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
    // Only a documented code rules the widget limit out; a null one is no code.
    expect(error.mayBeWidgetLimit).toBe(true);
    const documented = new CloudflareApiError({ ...error.failure, errors: [{ code: null }, { code: 10000 }] });
    expect(documented.mayBeWidgetLimit).toBe(false);
    expect(error.name).toBe('CloudflareApiError');
    expect(error.message).toBe('Cloudflare API GET /widgets failed (HTTP 400): bad; [1001] no message.');
  });
});
