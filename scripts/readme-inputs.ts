// npm run readme: writes README.md's inputs and outputs tables from action.yml's descriptions
// (scripts/lib/readme-tables.ts); `npm test` fails when they differ.
import { readFileSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { withTables } from './lib/readme-tables.ts';

const root = resolve(import.meta.dirname, '..');
const readme = resolve(root, 'README.md');
writeFileSync(readme, withTables(readFileSync(readme, 'utf8'), readFileSync(resolve(root, 'action.yml'), 'utf8')));
