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
    const ncc = join(root, 'node_modules', '@vercel', 'ncc', 'dist', 'ncc', 'cli.js');
    execFileSync(process.execPath, [ncc, 'build', 'src/index.ts', '-o', out, '--license', 'licenses.txt', '--quiet'], {
      cwd: root,
      stdio: 'pipe',
    });
    const built = readdirSync(out).sort();
    expect(readdirSync(join(root, 'dist')).sort()).toEqual(built);
    for (const file of built) {
      const committed = readFileSync(join(root, 'dist', file), 'utf8');
      expect(committed === readFileSync(join(out, file), 'utf8'), `dist/${file} differs from the build`).toBe(true);
    }
  }, 120_000);
});
