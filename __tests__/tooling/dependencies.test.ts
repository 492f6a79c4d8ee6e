// The install must not depend on what the registry publishes next. npm 11 checks a ranged override
// (or a `$name` reference to a ranged dependency) against the newest release at `npm ci`, so one
// release of undici made every fresh clone refuse its own lockfile. And the bundle must carry one
// undici: the override gives @actions/core's copy (through @actions/http-client) the project's.
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { installDrift } from '../helpers/installed.ts';

const root = resolve(import.meta.dirname, '..', '..');
const manifest = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as {
  dependencies: Record<string, string>;
  devDependencies: Record<string, string>;
  overrides: Record<string, unknown>;
};
const lock = JSON.parse(readFileSync(join(root, 'package-lock.json'), 'utf8')) as {
  packages: Record<string, { version: string; dev?: boolean; dependencies?: Record<string, string> }>;
};

const EXACT = /^\d+\.\d+\.\d+(?:-[0-9A-Za-z.-]+)?$/;

/** Every overridden version, as `path: spec`, with a `$name` reference replaced by what it names. */
function overrideSpecs(overrides: Record<string, unknown>, path: string[] = []): { path: string; spec: string }[] {
  return Object.entries(overrides).flatMap(([name, value]) => {
    if (typeof value !== 'string') return overrideSpecs(value as Record<string, unknown>, [...path, name]);
    const spec = value.startsWith('$')
      ? (manifest.dependencies[value.slice(1)] ?? manifest.devDependencies[value.slice(1)] ?? value)
      : value;
    return [{ path: [...path, name].join(' > '), spec }];
  });
}

describe('the install', () => {
  it('pins every override exactly, so that `npm ci` accepts the lockfile whatever is published next', () => {
    const specs = overrideSpecs(manifest.overrides);
    expect(specs.length).toBeGreaterThan(0);
    const ranged = specs.filter(({ spec }) => !EXACT.test(spec));
    expect(
      ranged,
      'npm 11 checks a ranged override against the newest release at `npm ci`: pin the dependency an ' +
        'override refers to exactly (keep the override `$name`, which Dependabot bumps with the dependency)',
    ).toEqual([]);
  });

  it('bundles one undici: the copy @actions/core loads is the project’s', () => {
    const runtime = Object.entries(lock.packages).filter(([path, entry]) => path !== '' && !entry.dev);
    const undici = runtime.filter(([path]) => /(^|\/)node_modules\/undici$/.test(path)).map(([path]) => path);
    expect(undici).toEqual(['node_modules/undici']);
    expect(lock.packages['node_modules/undici']!.version).toBe(manifest.dependencies.undici);
  });

  it('is what package-lock.json says (the dist check relies on it)', () => {
    expect(installDrift(root), 'node_modules differs from package-lock.json: run `npm ci`').toEqual([]);
  });
});
