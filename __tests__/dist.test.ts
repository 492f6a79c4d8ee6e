import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { installDrift } from './helpers/installed.ts';
import { builtBundle } from './helpers/bundle.ts';

const root = resolve(import.meta.dirname, '..');

// The runner executes dist/, never src/: the committed bundle must be exactly what the build makes.
describe('dist/', () => {
  it('is what `npm run build` makes of src/ (rebuild and commit dist/ after changing src/)', async () => {
    // A build from other dependency versions differs too; that is an install to redo, not src/ to fix.
    const drift = installDrift(root);
    expect(
      drift,
      `node_modules differs from package-lock.json, so the build cannot match dist/: run \`npm ci\``,
    ).toEqual([]);
    const built = (await builtBundle()).dir;
    const files = readdirSync(built).sort();
    expect(readdirSync(join(root, 'dist')).sort()).toEqual(files);
    for (const file of files) {
      const committed = readFileSync(join(root, 'dist', file), 'utf8');
      expect(committed === readFileSync(join(built, file), 'utf8'), `dist/${file} differs from the build`).toBe(true);
    }
  }, 120_000);

  it('is in the archive the runner downloads, while development files are left out of it', () => {
    const runtime = ['action.yml', ...readdirSync(join(root, 'dist')).map((file) => `dist/${file}`)];
    const development = ['__tests__/dist.test.ts', 'emulator/server.ts', 'scripts/build.ts', 'package-lock.json'];
    const output = execFileSync('git', ['check-attr', 'export-ignore', '--', ...runtime, ...development], {
      cwd: root,
      encoding: 'utf8',
    });
    const ignored = Object.fromEntries(
      output
        .trim()
        .split('\n')
        .map((line) => {
          const [path, , value] = line.split(': ');
          return [path, value === 'set'];
        }),
    );
    expect(ignored).toEqual(
      Object.fromEntries([...runtime.map((f) => [f, false]), ...development.map((f) => [f, true])]),
    );
  });
});
