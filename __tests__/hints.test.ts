// Hints and the widget-limit proof rest on what Cloudflare documents (status, codes 10000, 10405,
// 7003) and on facts about the request, never on the wording of a message or the emulator's codes.
import { describe, expect, it } from 'vitest';
import { CloudflareApiError, refusedWith, type HintContext } from '../src/cloudflare/errors.ts';
import type { ApiMessage } from '../src/cloudflare/schemas.ts';
import { GitHubApiError } from '../src/github/api.ts';

/** The hint a CloudflareApiError gives for this answer and these facts about the request. */
const hintFor = (status: number | undefined, errors: ApiMessage[], hints: HintContext) =>
  new CloudflareApiError({ operation: 'x', status, detail: '', errors, hints }).hint;

const refusal = (status: number | undefined, code: number, message: string) =>
  new CloudflareApiError({ operation: 'POST /x', status, detail: 'no answer', errors: [{ code, message }] });

describe('the widget limit needs evidence', () => {
  it('a 429 whose text mentions a limit is never the widget limit, however full the account', () => {
    const rateLimited = refusal(429, 10013, 'Rate limit exceeded: maximum number of requests reached');
    expect(rateLimited.mayBeWidgetLimit).toBe(false);
    expect(rateLimited.isWidgetLimit(1000)).toBe(false);
  });

  it('a 4xx naming nothing the request carried: the limit from 20 widgets on, not at 19', () => {
    const full = refusal(400, 1001, 'Quota exceeded');
    expect(full.isWidgetLimit(19)).toBe(false);
    expect(full.isWidgetLimit(20)).toBe(true);
  });

  it.each([
    'invalid value for field bot_fight_mode',
    'clearance_level not allowed',
    'ephemeral_id needs Enterprise',
    'offlabel: limit reached',
    'Too many hosts',
    'Hostname limit reached',
    'the name is taken',
    'region limit',
    'Mode limit',
  ])('a text naming what the request carried is not the limit: %s', (message) => {
    expect(refusal(400, 1001, message).isWidgetLimit(500)).toBe(false);
  });

  it.each([
    [500, 1000],
    [403, 10000],
    [405, 10405],
    [399, 1001],
  ])('HTTP %i code %i is not the limit', (status, code) => {
    expect(refusal(status, code, 'Maximum number of widgets reached').isWidgetLimit(500)).toBe(false);
  });

  it('no answer at all is not the limit', () => {
    expect(
      new CloudflareApiError({ operation: 'POST /x', status: undefined, detail: 'timeout' }).isWidgetLimit(500),
    ).toBe(false);
  });
});

describe('hints', () => {
  it("shows Cloudflare's message verbatim", () => {
    const error = refusal(400, 12345, 'Something <odd> happened: "quoted"');
    expect(error.message).toBe('Cloudflare API POST /x failed (HTTP 400): [12345] Something <odd> happened: "quoted".');
    expect(error.answer).toBe('[12345] Something <odd> happened: "quoted"');
  });

  it("never keys on the emulator's own codes or on wording", () => {
    expect(
      hintFor(400, [{ code: 10040, message: 'Maximum number of widgets per account reached' }], {}),
    ).toBeUndefined();
    expect(
      hintFor(400, [{ code: 10041, message: 'Secret cannot be rotated during the grace period' }], {}),
    ).toBeUndefined();
  });

  it('keys on the documented codes: 10000 (invalid token or no Turnstile permission), 10405', () => {
    expect(hintFor(403, [{ code: 10000, message: 'x' }], {})).toMatch(
      /^the credentials were refused.*Turnstile > Edit/,
    );
    expect(hintFor(405, [{ code: 10405, message: 'x' }], {})).toMatch(/^the API does not allow this method/);
  });

  it('the hostname hint fires exactly above 10 hostnames sent', () => {
    const refused = [{ code: 1001, message: 'Bad request' }];
    expect(hintFor(400, refused, { hostnamesSent: 10 })).toBeUndefined();
    expect(hintFor(400, refused, { hostnamesSent: 11 })).toBe(
      'the request sent 11 hostnames, and Cloudflare allows 10 per widget on the Free plan (up to 200 on Enterprise): list fewer (a hostname covers all its subdomains, so a parent domain may replace several), or use a plan that allows more.',
    );
    // A rate limit or an outage is not about the hostnames.
    expect(hintFor(429, refused, { hostnamesSent: 11 })).toMatch(/rate limit/);
    expect(hintFor(502, refused, { hostnamesSent: 11 })).toMatch(/server-side/);
  });

  it('a refused rotation of a widget changed under two hours ago says what to do for a leaked secret', () => {
    const refused = [{ code: 1001, message: 'Cannot rotate' }];
    expect(hintFor(400, refused, { rotation: { changedMsAgo: 30 * 60_000 } })).toMatch(
      /^Cloudflare may refuse a rotation while the previous one's old secret is still valid \(two hours\), and the widget last changed 30 min ago\. For a leaked secret: rotate with `invalidate-immediately: true`.*delete the widget/,
    );
    expect(hintFor(400, refused, { rotation: { changedMsAgo: 2 * 3_600_000 } })).toBeUndefined();
    expect(hintFor(400, refused, { rotation: { changedMsAgo: undefined } })).toBeUndefined();
  });

  it('refusedWith adds the facts to a Cloudflare error and passes any other error through', () => {
    const plain = new Error('bug');
    expect(() => refusedWith({ hostnamesSent: 20 })(plain)).toThrow(plain);
    const error = refusal(400, 1001, 'Bad request');
    let thrown: unknown;
    try {
      refusedWith({ hostnamesSent: 20 })(error);
    } catch (caught) {
      thrown = caught;
    }
    expect(thrown).toBeInstanceOf(CloudflareApiError);
    expect((thrown as Error).message).toMatch(
      /^Cloudflare API POST \/x failed \(HTTP 400\): \[1001\] Bad request\. Hint: the request sent 20 hostnames/,
    );
  });
});

describe('GitHub API hints', () => {
  const refused = (status: number, message: string) =>
    new GitHubApiError('listing open pull requests', Object.assign(new Error(message), { response: { status } }));

  it('401: the github-token input is not a valid token', () => {
    expect(refused(401, 'Bad credentials').message).toBe(
      "GitHub API: listing open pull requests failed (HTTP 401): Bad credentials. Hint: `github-token` is not a valid token: leave it unset (the job's GITHUB_TOKEN is used) or pass a valid one.",
    );
  });

  it('any other refusal: check the token and the permissions', () => {
    expect(refused(422, 'Validation Failed').message).toMatch(
      /\(HTTP 422\): Validation Failed\. Hint: check `github-token` and the job's `permissions:`\.$/,
    );
  });
});
