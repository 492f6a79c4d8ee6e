// Every package bundled into dist/ is under a licence from the allow-list, and dist/licenses.txt
// (ncc's, written by `npm run build`: sections "name\nLICENSE-ID\ntext") lists every one of them
// with its text. Completeness is checked against ncc's own stats of a build of src/, read here
// independently of the code that writes the file.
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { BundleModule } from '../../scripts/lib/bundle.ts';
import { builtBundle } from '../helpers/bundle.ts';

const root = resolve(import.meta.dirname, '..', '..');

/** Permissive licences that ask only for the notice, which licenses.txt carries. */
const ALLOWED = new Set(['MIT', 'ISC', 'Apache-2.0', 'BSD-2-Clause', 'BSD-3-Clause', '0BSD', 'BlueOak-1.0.0']);
// An npm package name (optionally scoped): a section's first line.
const HEADER = /^(?:@[a-z0-9][\w.~-]*\/)?[a-z0-9][\w.~-]*$/;

/** The sections of a licenses.txt: a header line after a blank line (or first), its licence id, its text. */
function parseLicenses(text: string) {
  const lines = text.replace(/\r\n/g, '\n').split('\n');
  const starts = lines.flatMap((line, i) => ((i === 0 || lines[i - 1] === '') && HEADER.test(line) ? [i] : []));
  return starts.map((start, n) => ({
    name: lines[start]!,
    license: (lines[start + 1] ?? '').trim(),
    text: lines
      .slice(start + 2, starts[n + 1] ?? lines.length)
      .join('\n')
      .trim(),
  }));
}

/** An allowed id, or an SPDX `A OR B` with an allowed side (`A AND B`: both); anything else is not allowed. */
function spdxAllowed(expression: string): boolean {
  const bare = expression.replace(/^\((.*)\)$/, '$1');
  if (/[()]/.test(bare)) return false;
  return bare
    .split(' OR ')
    .some((side) => side.split(' AND ').every((id) => ALLOWED.has(id.replace(/ WITH \S+$/, '').replace(/\+$/, ''))));
}

/** What is wrong with a licenses.txt, one line each; [] when nothing is. */
function licenceProblems(text: string): string[] {
  const sections = parseLicenses(text);
  const problems = sections.length === 0 ? ['no package listed'] : [];
  for (const section of sections) {
    if (!spdxAllowed(section.license)) problems.push(`${section.name}: licence "${section.license}" is not allowed`);
    if (!section.text) problems.push(`${section.name}: no licence text`);
  }
  const keys = sections.map((s) => s.name);
  for (const key of new Set(keys.filter((key, i) => keys.indexOf(key) !== i))) problems.push(`${key}: listed twice`);
  for (const name of ['undici', 'zod', 'tldts', '@actions/core']) {
    if (!sections.some((s) => s.name === name)) problems.push(`${name}: missing`);
  }
  return problems;
}

/** The name of every package (its node_modules directory's manifest) with a module in the stats. */
function packagesInStats(modules: BundleModule[]): Set<string> {
  const found = new Set<string>();
  const visit = (module: BundleModule): void => {
    module.modules?.forEach(visit);
    const name = module.name ?? '';
    // The innermost package: a module of a/node_modules/b/… belongs to b.
    const at = name.lastIndexOf('node_modules/');
    if (at === -1) return;
    const rest = name.slice(at + 'node_modules/'.length).split('/');
    const dir = join(name.slice(0, at), 'node_modules', ...rest.slice(0, rest[0]!.startsWith('@') ? 2 : 1));
    const manifest = JSON.parse(readFileSync(join(root, dir, 'package.json'), 'utf8')) as {
      name: string;
    };
    found.add(manifest.name);
  };
  modules.forEach(visit);
  return found;
}

describe('the licence checks themselves', () => {
  it('read SPDX expressions', () => {
    for (const ok of [
      'MIT',
      '(MIT OR Apache-2.0)',
      'MIT OR GPL-3.0-only',
      'MIT AND ISC',
      'Apache-2.0 WITH LLVM-exception',
    ])
      expect(spdxAllowed(ok), ok).toBe(true);
    for (const bad of [
      'GPL-3.0-only',
      'MIT AND GPL-2.0',
      '(MIT',
      'UNKNOWN',
      '',
      'SEE LICENSE IN LICENSE',
      '[object Object]',
    ])
      expect(spdxAllowed(bad), bad).toBe(false);
  });

  it('fail on a copy with a disallowed, a textless or a duplicated entry, a missing dependency, and on an empty list', () => {
    const committed = readFileSync(join(root, 'dist', 'licenses.txt'), 'utf8');
    expect(licenceProblems(committed)).toEqual([]);
    const gpl = `${committed}\nleft-pad\nGPL-3.0-only\nGNU GENERAL PUBLIC LICENSE\n`;
    expect(licenceProblems(gpl)).toEqual(['left-pad: licence "GPL-3.0-only" is not allowed']);
    expect(licenceProblems(`${committed}\nno-text\nMIT\n`)).toEqual(['no-text: no licence text']);
    const first = parseLicenses(committed)[0]!;
    expect(licenceProblems(`${committed}\n${first.name}\n${first.license}\n${first.text}\n`)).toEqual([
      `${first.name}: listed twice`,
    ]);
    expect(licenceProblems('')).toContain('no package listed');
    expect(licenceProblems(committed.replace(/^zod$/m, 'zed'))).toEqual(['zod: missing']);
  });
});

describe('dist/licenses.txt', () => {
  it('lists packages, each under an allowed licence and with its text, including the main dependencies', async () => {
    const { dir } = await builtBundle();
    for (const file of [join(root, 'dist', 'licenses.txt'), join(dir, 'licenses.txt')]) {
      expect(licenceProblems(readFileSync(file, 'utf8')), file).toEqual([]);
    }
  }, 120_000);

  it('of a fresh build of src/ lists every package of the bundle (by ncc stats), and nothing else', async () => {
    const { dir, modules } = await builtBundle();
    const inBundle = packagesInStats(modules);
    expect(inBundle.size).toBeGreaterThan(4);
    const listed = new Set(parseLicenses(readFileSync(join(dir, 'licenses.txt'), 'utf8')).map((s) => s.name));
    expect([...inBundle].filter((key) => !listed.has(key)).sort(), 'bundled but not listed').toEqual([]);
    expect([...listed].filter((key) => !inBundle.has(key)).sort(), 'listed but not bundled').toEqual([]);
  }, 120_000);
});
