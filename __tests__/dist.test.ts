import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

const root = resolve(import.meta.dirname, '..');
const out = mkdtempSync(join(tmpdir(), 'dist-check-'));
afterAll(() => rmSync(out, { recursive: true, force: true }));

// The runner executes dist/, never src/: the committed bundle must be exactly what the build makes.
describe('dist/', () => {
  it('is what `npm run build` makes of src/ (rebuild and commit dist/ after changing src/)', () => {
    execFileSync(process.execPath, [join(root, 'scripts', 'build.ts'), out], { cwd: root, stdio: 'pipe' });
    const built = readdirSync(out).sort();
    expect(readdirSync(join(root, 'dist')).sort()).toEqual(built);
    for (const file of built) {
      const committed = readFileSync(join(root, 'dist', file), 'utf8');
      expect(committed === readFileSync(join(out, file), 'utf8'), `dist/${file} differs from the build`).toBe(true);
    }
  }, 120_000);
});
