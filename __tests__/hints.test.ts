// Hints and the widget-limit proof rest on what Cloudflare documents (status, codes 10000, 10405,
// 7003) and on facts about the request, never on the wording of a message or the emulator's codes.
import { MockAgent } from 'undici';
import { describe, expect, it } from 'vitest';
import { CloudflareApiError, refusedWith, type HintContext } from '../src/cloudflare/errors.ts';
import type { ApiMessage } from '../src/cloudflare/schemas.ts';
import { GitHubApiError } from '../src/github/api.ts';
import { useEmulator, type ActionRun } from './helpers/e2e.ts';
import { runInProcess } from './helpers/runner.ts';

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

  const refusalOf = (errors: { code: number | null; message: string }[]) =>
    new CloudflareApiError({ operation: 'POST /x', status: 400, detail: 'refused', errors });

  it.each(['invalid domain', 'unknown host', 'bad region', 'unknown mode', 'name taken'])(
    'a text naming a field in the singular (%j) is about the request',
    (message) => {
      expect(refusalOf([{ code: 1001, message }]).mayBeWidgetLimit).toBe(false);
    },
  );

  it('a documented code among others decides; the texts of several errors are read as words', () => {
    expect(
      refusalOf([
        { code: 1001, message: 'Quota exceeded' },
        { code: 10000, message: 'Authentication error' },
      ]).mayBeWidgetLimit,
    ).toBe(false);
    expect(
      refusalOf([
        { code: 1001, message: 'Quota exceeded' },
        { code: 1002, message: 'host' },
      ]).mayBeWidgetLimit,
    ).toBe(false);
    expect(refusalOf([{ code: null, message: 'Quota exceeded' }]).mayBeWidgetLimit).toBe(true);
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

  it('a 500 is a server-side problem; a 401 without a code is about the credentials', () => {
    expect(hintFor(500, [], {})).toMatch(/^Cloudflare had a server-side problem/);
    expect(hintFor(401, [], {})).toMatch(/^the credentials were refused/);
    expect(hintFor(403, [], {})).toMatch(/^the credentials were refused/);
  });

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

describe('GitHub API hints', () => {
  const refused = (status: number, message: string) =>
    new GitHubApiError('listing open pull requests', Object.assign(new Error(message), { status }));

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

describe("code 7003 in a run: the hint names `api-url` when it is not Cloudflare's", () => {
  const t = useEmulator();
  const errorLines = (run: ActionRun) => run.stdout.split('\n').filter((line) => line.startsWith('::error'));

  it('Cloudflare error 7003 with a non-default api-url: the hint names `api-url`', async () => {
    const apiUrl = `${t.emulator.url}/v2`; // a wrong base: the emulator answers 404, code 7003
    const run = await t.run({ domains: 'pr-42.example.com', 'api-url': apiUrl });
    expect(run.code).toBe(1);
    expect(errorLines(run)).toEqual([
      expect.stringMatching(
        new RegExp(
          `\\[7003\\] No route for the URI\\. Hint: check \`api-url\` \\("${apiUrl.replace(/[.]/g, '\\.')}"\\)`,
        ),
      ),
    ]);
  });

  it('Cloudflare error 7003 from the right base URL, when it is not the default: the hint still names `api-url`', async () => {
    t.emulator.injectFault({
      kind: 'status',
      status: 404,
      body: { success: false, errors: [{ code: 7003, message: 'No route for the URI' }], messages: [], result: null },
    });
    const run = await t.run({ domains: 'pr-42.example.com' });
    expect(run.code).toBe(1);
    expect(errorLines(run)).toEqual([
      expect.stringMatching(/\[7003\].*Hint: check `api-url` \("http:\/\/127\.0\.0\.1:/),
    ]);
    // With Cloudflare's own URL the account id is the likelier culprit.
    expect(hintFor(404, [{ code: 7003, message: 'No route' }], {})).toMatch(/^check `account-id`/);
  });

  it("Cloudflare error 7003 from Cloudflare's own API (the default api-url): the hint names `account-id`", async () => {
    // The default api-url, answered in-process: no request leaves this machine.
    const agent = new MockAgent();
    agent.disableNetConnect();
    const refused = {
      success: false,
      errors: [{ code: 7003, message: 'Could not route' }],
      messages: [],
      result: null,
    };
    agent
      .get('https://api.cloudflare.com')
      .intercept({ path: /\/widgets/, method: 'GET' })
      .reply(400, refused);
    try {
      const inputs = { 'api-token': 'cf-test-token-0123456789', 'account-id': '0123456789abcdef0123456789abcdef' };
      const run = await runInProcess({ ...inputs, domains: 'pr-42.example.com' }, { dispatcher: agent });
      expect(run.code).toBe(1);
      expect(errorLines(run)).toEqual([
        expect.stringMatching(/\(HTTP 400\): \[7003\] Could not route\. Hint: check `account-id`: it must be/),
      ]);
    } finally {
      await agent.close();
    }
  });
});
