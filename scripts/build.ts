// npm run build: bundles src/ into dist/ with its licenses.txt (scripts/lib/bundle.ts).
// Usage: node scripts/build.ts [outDir]
import { resolve } from 'node:path';
import { buildBundle } from './lib/bundle.ts';

await buildBundle(resolve(import.meta.dirname, '..', process.argv[2] ?? 'dist'), 'inherit');
