// At the account's widget limit, a create recycles the widgets of this repository's closed pull
// requests, and never one of an open pull request or of another name.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { useEmulator } from './helpers/e2e.ts';

const t = useEmulator();
const OLD = '2026-01-01T00:00:00.000000Z';

/** A GitHub API on loopback: the open pull requests of octo-org/preview-app, or an error. */
let github: Server;
let answer: { status: number; body: unknown };
let githubEnv: Record<string, string>;
beforeEach(async () => {
  answer = { status: 200, body: [{ number: 2 }, { number: 42 }] };
  github = createServer((request, response) => {
    const listing = request.url?.startsWith('/repos/octo-org/preview-app/pulls?');
    response
      .writeHead(listing ? answer.status : 404, { 'content-type': 'application/json' })
      .end(JSON.stringify(listing ? answer.body : { message: 'Not Found' }));
  });
  await new Promise<void>((resolve) => github.listen(0, '127.0.0.1', resolve));
  githubEnv = { GITHUB_API_URL: `http://127.0.0.1:${(github.address() as AddressInfo).port}` };
});
afterEach(() => new Promise<void>((resolve) => github.close(() => resolve())));

/** An account at a limit of 5: previews of pull requests 1 (closed), 2 (open), 3 (closed), and two others. */
function fillAccount() {
  t.emulator.setWidgetLimit(5);
  return t.emulator.seed([
    { name: 'preview-app-pr-3', created_on: '2026-02-01T00:00:00.000000Z' },
    { name: 'preview-app-pr-1', created_on: OLD },
    { name: 'preview-app-pr-2', created_on: OLD },
    { name: 'production', created_on: OLD },
    { name: 'other-app-pr-1', created_on: OLD },
  ]);
}

const names = () =>
  t.emulator
    .widgets()
    .map((w) => w.name)
    .sort();

describe('a create at the widget limit', () => {
  it('ensure deletes only the widgets of closed pull requests, oldest first, then creates', async () => {
    fillAccount();
    const run = await t.run({ domains: 'pr-42.example.com', 'github-token': 'ghs_test' }, githubEnv);
    expect(run.code, run.stdout).toBe(0);
    expect(run.outputs.created).toBe('true');
    expect(names()).toEqual(['other-app-pr-1', 'preview-app-pr-2', 'preview-app-pr-42', 'production']);
    const deleted = t.emulator.requests.filter((r) => r.method === 'DELETE');
    expect(deleted).toHaveLength(2);
    expect(JSON.parse(run.outputs.deleted!)).toHaveLength(2);
    expect(run.stdout).toMatch(
      /::warning title=Widget limit%3A recycled closed previews::The account is at its widget limit \(5 widgets\); deleted 2 widget\(s\) of closed pull requests to make room: "preview-app-pr-1" \(.*\), "preview-app-pr-3"/,
    );
    expect(run.summary).toMatch(/Deleted<\/td><td>preview-app-pr-1 \(.*\), preview-app-pr-3 \(/);
    // The create was refused once and sent once more.
    expect(t.emulator.requests.filter((r) => r.method === 'POST').map((r) => r.status)).toEqual([400, 200]);
  });

  it('operation create recycles with name-prefix too', async () => {
    t.emulator.setWidgetLimit(2);
    t.emulator.seed([
      { name: 'web-7', created_on: OLD },
      { name: 'web-8-extra', created_on: OLD },
    ]);
    const run = await t.run(
      {
        operation: 'create',
        name: 'web-42',
        domains: 'a.example.com',
        'name-prefix': 'web-',
        'github-token': 'ghs_test',
      },
      githubEnv,
    );
    expect(run.code, run.stdout).toBe(0);
    expect(names()).toEqual(['web-42', 'web-8-extra']);
  });

  it('without github-token: a clear error naming the stale-looking widgets and the prune step; nothing deleted', async () => {
    fillAccount();
    const run = await t.run({ domains: 'pr-42.example.com' }, githubEnv);
    expect(run.code).toBe(1);
    const errors = run.stdout.split('\n').filter((line) => line.startsWith('::error'));
    expect(errors).toEqual([
      expect.stringMatching(
        /^::error title=Widget limit reached::Cloudflare refused the create: the account is at its Turnstile widget limit and holds 5 widgets .*None could be recycled: `github-token` is empty.*Widgets that look like previews: .*"preview-app-pr-3" \(\d+ days old\)\. .*operation: prune`, `name-prefix: preview-app-pr-`/,
      ),
    ]);
    for (const name of ['preview-app-pr-1', 'preview-app-pr-2', 'other-app-pr-1']) {
      expect(errors[0]).toMatch(new RegExp(`"${name}" \\(\\d+ days old\\)`));
    }
    expect(errors[0]).not.toMatch(/"production"/);
    expect(t.emulator.requests.filter((r) => r.method === 'DELETE')).toHaveLength(0);
    expect(names()).toHaveLength(5);
  });

  it('when the pull requests cannot be listed: the GitHub error, nothing deleted', async () => {
    fillAccount();
    answer = { status: 403, body: { message: 'Resource not accessible by integration' } };
    const run = await t.run({ domains: 'pr-42.example.com', 'github-token': 'ghs_test' }, githubEnv);
    expect(run.code).toBe(1);
    expect(run.stdout).toMatch(
      /::error title=GitHub API error::GitHub API: listing the open pull requests of octo-org\/preview-app failed \(HTTP 403\).*pull-requests: read/,
    );
    expect(t.emulator.requests.filter((r) => r.method === 'DELETE')).toHaveLength(0);
  });

  it('when every preview belongs to an open pull request: nothing deleted, a clear error', async () => {
    fillAccount();
    answer = { status: 200, body: [1, 2, 3, 42].map((number) => ({ number })) };
    const run = await t.run({ domains: 'pr-42.example.com', 'github-token': 'ghs_test' }, githubEnv);
    expect(run.code).toBe(1);
    expect(run.stdout).toMatch(/None could be recycled: no widget named .* belongs to a closed pull request/);
    expect(names()).toHaveLength(5);
  });

  it('dry run: says what a create at the limit would recycle, deletes nothing', async () => {
    t.emulator.setWidgetLimit(20);
    t.emulator.seed(Array.from({ length: 20 }, (_, i) => ({ name: `preview-app-pr-${i + 100}`, created_on: OLD })));
    const run = await t.run({ domains: 'pr-42.example.com', 'github-token': 'ghs_test', 'dry-run': 'true' }, githubEnv);
    expect(run.code, run.stdout).toBe(0);
    expect(JSON.parse(run.outputs.deleted!)).toHaveLength(20);
    expect(run.stdout).toMatch(
      /Dry run: the account holds 20 widgets; if Cloudflare refuses the create at its widget limit, 20 widget\(s\)/,
    );
    expect(t.emulator.requests.filter((r) => r.method !== 'GET')).toHaveLength(0);
  });

  it('other errors are not taken for the limit: no recycling', async () => {
    fillAccount();
    t.emulator.setWidgetLimit(50);
    t.emulator.injectFault({
      kind: 'status',
      status: 400,
      method: 'POST',
      body: { success: false, errors: [{ code: 10002, message: 'invalid domains' }], messages: [], result: null },
    });
    const run = await t.run({ domains: 'pr-42.example.com', 'github-token': 'ghs_test' }, githubEnv);
    expect(run.code).toBe(1);
    expect(t.emulator.requests.filter((r) => r.method === 'DELETE')).toHaveLength(0);
  });
});
