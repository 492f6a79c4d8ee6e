// Small pure functions whose edge cases no run reaches: the order concurrent runs agree on, a
// difference from an unset field, and the did-you-mean of the input layer.
import { describe, expect, it } from 'vitest';
import type { WidgetSummary } from '../src/cloudflare/schemas.ts';
import { closest } from '../src/inputs/declared.ts';
import { differences, oldestFirst } from '../src/operations/widgets.ts';
import { settings } from './helpers/settings.ts';

const summary = (sitekey: string, created_on: string, extra: Partial<WidgetSummary> = {}) =>
  ({ sitekey, created_on, name: 'app', domains: ['a.example.com'], mode: 'managed', ...extra }) as WidgetSummary;

describe('oldestFirst', () => {
  it('orders by creation time, then by sitekey when the times tie or cannot be read', () => {
    const early = summary('0x4B', '2026-01-01T00:00:00Z');
    const late = summary('0x4A', '2026-02-01T00:00:00Z');
    const tiedA = summary('0x4A', '2026-03-01T00:00:00Z');
    const tiedB = summary('0x4B', '2026-03-01T00:00:00Z');
    const unreadable = summary('0x4C', 'yesterday');
    expect([late, early].sort(oldestFirst)).toEqual([early, late]);
    expect([tiedB, tiedA].sort(oldestFirst)).toEqual([tiedA, tiedB]);
    expect(oldestFirst(unreadable, early)).toBeGreaterThan(0); // 0x4C after 0x4B
    expect(oldestFirst(early, early)).toBe(0);
  });
});

describe('differences', () => {
  it('names a field the widget does not report as "unset"', () => {
    const widget = summary('0x4A', '2026-01-01T00:00:00Z', { clearance_level: null });
    const { fields } = settings({ name: 'app' }, { domains: ['a.example.com'], clearance_level: 'managed' });
    expect(differences(widget, { ...fields, name: 'app' })).toEqual(['clearance_level: unset -> managed']);
  });
});

describe('closest (did you mean)', () => {
  it('matches whatever the case and separators, else the nearest within two edits, else a prefix of 3+ letters', () => {
    expect(closest('API_TOKEN', ['api-key', 'api-token'])).toBe('api-token');
    expect(closest('domain', ['domains-x', 'domains'])).toBe('domains');
    expect(closest('abc', ['abcdefgh'])).toBe('abcdefgh');
    expect(closest('ab', ['abcdefgh'])).toBeUndefined();
    expect(closest('zzzz', ['name'])).toBeUndefined();
  });

  it('the same letters without separators is the input meant', () => {
    expect(closest('nameprefix', ['name', 'name-prefix'])).toBe('name-prefix');
    expect(closest('Name_Prefix', ['name', 'name-prefix'])).toBe('name-prefix');
  });

  it('the nearest candidate within two edits, the first of equals', () => {
    expect(closest('nmae', ['name', 'domains'])).toBe('name');
    expect(closest('xy', ['xyz1', 'xyz'])).toBe('xyz');
    // Two letters shorter, no prefix: still within two edits (a longer name is never measured).
    expect(closest('dmins', ['domains'])).toBe('domains');
    expect(closest('dmin', ['domains'])).toBeUndefined();
    expect(closest('aa', ['ab', 'ac'])).toBe('ab');
    // Two swapped pairs are two edits; counted as four replacements they would be too far.
    expect(closest('nmae-perfix', ['name', 'name-prefix'])).toBe('name-prefix');
    // Three replacements, with no neighbours to swap: too far either way round.
    expect(closest('abzq', ['cazr'])).toBeUndefined();
    expect(closest('bazq', ['aczr'])).toBeUndefined();
  });

  it('a prefix either way from three letters, nothing for a far shorter guess', () => {
    expect(closest('namefoo', ['name'])).toBe('name');
    expect(closest('dom', ['domains'])).toBe('domains');
    expect(closest('do', ['domains'])).toBeUndefined();
    expect(closest('zz', ['domains'])).toBeUndefined();
  });

  it('counts every letter of the guess: one letter is no near miss of three', () => {
    expect(closest('x', ['get'])).toBeUndefined();
    expect(closest('xy', ['get'])).toBeUndefined();
  });

  it('compares letters in lower case, so a letter that upper-cases to two is still one letter', () => {
    // "ß" is one letter, "SS" in upper case: "ßßget" is two edits from "get", "SSSSGET" four.
    expect(closest('ßßget', ['ensure', 'create', 'get', 'delete', 'rotate-secret', 'prune'])).toBe('get');
  });
});
