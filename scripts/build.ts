// npm run build: bundles src/ with ncc into dist/ (index.js, plus a chunk that is loaded only when
// the GitHub context is needed), then writes dist/licenses.txt for every package in the bundle.
// The build itself is scripts/lib/bundle.ts (the benchmark reuses it).
// Usage: node scripts/build.ts [outDir]   (the dist test builds into a temporary directory)
import { resolve } from 'node:path';
import { buildBundle } from './lib/bundle.ts';

const root = resolve(import.meta.dirname, '..');
buildBundle(resolve(root, process.argv[2] ?? 'dist'));
