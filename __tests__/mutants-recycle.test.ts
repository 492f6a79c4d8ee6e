// Tests written for mutants that survived `npm run test:mutation -- operations` in recycle.ts: the
// widget-limit error a user reads when nothing can be recycled, run in-process against the emulator.
import { describe, expect, it } from 'vitest';
import { useEmulator } from './helpers/e2e.ts';

const t = useEmulator();
const DAY_MS = 24 * 60 * 60 * 1000;

/** The account full (20 widgets, the emulator's limit), each `name(i)` created i days ago. */
function fillAccount(name: (i: number) => string) {
  const now = Date.now();
  t.emulator.seed(
    Array.from({ length: 20 }, (_, i) => ({
      name: name(i + 1),
      domains: ['a.example.com'],
      created_on: new Date(now - (i + 1) * DAY_MS - 60_000).toISOString(),
    })),
  );
}

const errorLine = (stdout: string) => stdout.split('\n').find((line) => line.startsWith('::error'));

describe('the widget-limit error, when nothing can be recycled', () => {
  it('lists the ten oldest preview-like widgets with their age, and how many more', async () => {
    fillAccount((i) => `other-pr-${i + 10}`);
    const run = await t.run({ name: 'new', domains: 'a.example.com', 'github-token': '' });
    expect(run.code).toBe(1);
    const oldest = Array.from({ length: 10 }, (_, i) => `"other-pr-${30 - i}" (${20 - i} days old)`);
    expect(errorLine(run.stdout)).toContain(
      `None could be recycled now: \`github-token\` is empty, so the open pull requests cannot be listed. Widgets that look like previews: ${oldest.join(', ')}, and 10 more.`,
    );
  });

  it('says when no widget looks like a preview', async () => {
    fillAccount((i) => `site-${i}`);
    const run = await t.run({ name: 'new', domains: 'a.example.com', 'github-token': '' });
    expect(run.code).toBe(1);
    expect(errorLine(run.stdout)).toMatch(
      / Cloudflare refused the create \(HTTP 400: .+\)\. .*No widget looks like a preview \(a name that ends in -pr- and a number\)\.$/,
    );
  });
});

describe('a refused create that cannot be the widget limit', () => {
  it('is reported as it is, without listing the account', async () => {
    t.emulator.injectFault({
      kind: 'status',
      status: 403,
      method: 'POST',
      body: { success: false, errors: [{ code: 10000, message: 'Authentication error' }], messages: [] },
    });
    const run = await t.run({ name: 'new', domains: 'a.example.com' });
    expect(run.code).toBe(1);
    const requests = t.emulator.requests.map((r) => `${r.method} ${r.query.filter ?? ''}`);
    expect(requests).toEqual(['GET name:new', 'POST ']);
  });
});
