// Tests written for mutants that survived `npm run test:mutation -- inputs`: the bounds of each
// input's values and what the user is told about a value out of them, run in-process against the
// emulator (a run that parses its inputs goes on to the emulator, never further).
import { describe, expect, it } from 'vitest';
import { useEmulator, writes } from './helpers/e2e.ts';

const t = useEmulator();

/** The settings the run parsed, from its debug line. */
const parsed = (stdout: string): Record<string, unknown> => {
  const line = stdout.split('\n').find((l) => l.startsWith('::debug::Settings: '))!;
  return JSON.parse(line.slice('::debug::Settings: '.length).replace(/ \(auth: .*$/, '')) as Record<string, unknown>;
};
const errors = (stdout: string) => stdout.split('\n').filter((line) => line.startsWith('::error'));

describe('input bounds', () => {
  it('durations in each unit', async () => {
    for (const [raw, ms] of [
      ['90s', 90_000],
      ['2m', 120_000],
      ['3h', 10_800_000],
      ['4 d', 345_600_000],
    ] as const) {
      const run = await t.run({ operation: 'prune', 'name-prefix': 'tmp-', 'older-than': raw, 'dry-run': 'true' });
      expect(run.code).toBe(0);
      expect(parsed(run.stdout)).toMatchObject({ olderThanMs: ms });
    }
  });

  it('whole numbers at and past their bounds', async () => {
    const ok = await t.run({
      name: 'a',
      domains: 'a.example.com',
      'dry-run': 'true',
      'request-timeout': '600',
      'max-retries': '0',
    });
    expect(ok.code).toBe(0);
    expect(parsed(ok.stdout)).toMatchObject({ requestTimeoutMs: 600_000, maxRetries: 0 });
    const low = await t.run({
      name: 'a',
      domains: 'a.example.com',
      'dry-run': 'true',
      'request-timeout': '1',
      'max-retries': '10',
    });
    expect(parsed(low.stdout)).toMatchObject({ requestTimeoutMs: 1_000, maxRetries: 10 });
    const out = await t.run({ name: 'a', domains: 'a.example.com', 'request-timeout': '601', 'max-retries': '11' });
    expect(errors(out.stdout)).toEqual([
      '::error title=Invalid input%3A request-timeout::Input "request-timeout" is "601": expected a whole number from 1 to 600.',
      '::error title=Invalid input%3A max-retries::Input "max-retries" is "11": expected a whole number from 0 to 10.',
    ]);
    const zero = await t.run({ name: 'a', domains: 'a.example.com', 'request-timeout': '0' });
    expect(errors(zero.stdout)).toEqual([
      '::error title=Invalid input%3A request-timeout::Input "request-timeout" is "0": expected a whole number from 1 to 600.',
    ]);
    expect(writes(t.emulator)).toEqual([]);
  });

  it('a name of 254 characters is one, a longer one is shown cut to 80', async () => {
    const ok = await t.run({ name: 'x'.repeat(254), domains: 'a.example.com', 'dry-run': 'true' });
    expect(ok.code).toBe(0);
    const long = await t.run({ name: 'y'.repeat(255), domains: 'a.example.com' });
    expect(errors(long.stdout)).toEqual([
      `::error title=Invalid input%3A name::Input "name" is "${'y'.repeat(77)}...": expected a widget name, 1 to 254 characters on one line.`,
    ]);
    const eighty = await t.run({ operation: 'prune', 'name-prefix': 'p', 'older-than': 'z'.repeat(80) });
    expect(errors(eighty.stdout)[0]).toContain(`Input "older-than" is "${'z'.repeat(80)}": expected`);
  });

  it('a sitekey of 32 characters is one; a longer one is refused, even without 0x', async () => {
    const ok = await t.run({ operation: 'delete', sitekey: `0x4AAAAAAA${'b'.repeat(22)}`, 'dry-run': 'true' });
    expect(ok.code).toBe(0);
    // Too long for a name too, so not taken for one given in the wrong input.
    const long = await t.run({ operation: 'delete', sitekey: 'b'.repeat(255) });
    expect(errors(long.stdout)).toEqual([
      `::error title=Invalid input%3A sitekey::Input "sitekey" is "${'b'.repeat(77)}...": expected a widget sitekey such as "0x4AAAAAAAC3DHQFLr1GavRN" (letters, digits, "-" or "_", at most 32 characters).`,
    ]);
  });

  it('booleans in each spelling YAML allows', async () => {
    for (const [raw, value] of [
      ['True', true],
      ['TRUE', true],
      ['False', false],
      ['FALSE', false],
    ] as const) {
      const run = await t.run({ name: 'a', domains: 'a.example.com', 'dry-run': raw });
      expect(parsed(run.stdout)).toMatchObject({ dryRun: value });
    }
  });
});
