// action.yml and every workflow, validated with GitHub's own parser (@actions/workflow-parser,
// which knows runs.using: node24), and the README's tables kept in step with action.yml.
import { readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { NoOperationTraceWriter, parseWorkflow } from '@actions/workflow-parser';
import { parseAction } from '@actions/workflow-parser/actions/index';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';

const root = resolve(import.meta.dirname, '..');
const read = (path: string) => readFileSync(join(root, path), 'utf8');
const errorsOf = (result: ReturnType<typeof parseAction>) =>
  result.context.errors.getErrors().map((error) => error.message);

interface ActionYaml {
  runs: { using: string; main: string };
  inputs: Record<string, { description?: string; default?: string; required?: boolean }>;
  outputs: Record<string, { description?: string }>;
}
const action = parse(read('action.yml')) as ActionYaml;

describe('action.yml', () => {
  it('is valid for GitHub', () => {
    expect(
      errorsOf(parseAction({ name: 'action.yml', content: read('action.yml') }, new NoOperationTraceWriter())),
    ).toEqual([]);
  });

  it('the validator rejects what GitHub rejects', () => {
    const broken = read('action.yml').replace('using: node24', 'using: node99');
    expect(errorsOf(parseAction({ name: 'action.yml', content: broken }, new NoOperationTraceWriter()))).not.toEqual(
      [],
    );
  });

  it('runs dist/index.js on node24, and documents every input and output', () => {
    expect(action.runs).toEqual({ using: 'node24', main: 'dist/index.js' });
    for (const [name, input] of Object.entries(action.inputs)) expect(input.description, name).toBeTruthy();
    for (const [name, output] of Object.entries(action.outputs)) expect(output.description, name).toBeTruthy();
  });
});

describe('workflows', () => {
  const files = readdirSync(join(root, '.github', 'workflows')).filter((file) => /\.ya?ml$/.test(file));
  it('exist', () => expect(files.length).toBeGreaterThanOrEqual(2));
  it.each(files)('%s is valid for GitHub', (file) => {
    const result = parseWorkflow(
      { name: file, content: read(`.github/workflows/${file}`) },
      new NoOperationTraceWriter(),
    );
    expect(errorsOf(result)).toEqual([]);
  });
  it('pin third-party actions by commit SHA', () => {
    for (const file of files) {
      for (const [, uses] of read(`.github/workflows/${file}`).matchAll(/uses:\s*(\S+)/g)) {
        if (!uses!.startsWith('./')) expect(uses, file).toMatch(/@[0-9a-f]{40}$/);
      }
    }
  });
});

/** The rows of the first markdown table after `## <heading>`, as arrays of cells. */
function table(markdown: string, heading: string): string[][] {
  const section = (markdown.split(`\n## ${heading}\n`)[1] ?? '').split('\n## ')[0]!;
  const lines =
    section
      .trim()
      .split('\n\n')
      .find((block) => block.startsWith('|'))
      ?.split('\n') ?? [];
  const rows: string[][] = [];
  for (const line of lines.slice(2)) {
    rows.push(
      line
        .slice(1, -1)
        .split(/(?<!\\)\|/)
        .map((cell) => cell.trim()),
    );
  }
  return rows;
}
const unquote = (cell: string) => cell.replace(/^`|`$/g, '');

describe('README', () => {
  const readme = read('README.md');
  it('starts with the demo command and npm test', () => {
    const firstBlock = /```sh\n([\s\S]*?)```/.exec(readme)?.[1] ?? '';
    expect(firstBlock).toMatch(/npm run demo/);
    expect(firstBlock).toMatch(/^npm test/m);
  });

  it('lists exactly the inputs of action.yml, with the same defaults', () => {
    const rows = table(readme, 'Inputs');
    expect(rows.map(([name]) => unquote(name!))).toEqual(Object.keys(action.inputs));
    for (const [name, defaultValue] of rows) {
      expect(unquote(defaultValue!), name).toBe(action.inputs[unquote(name!)]!.default ?? '');
    }
  });

  it('lists exactly the outputs of action.yml', () => {
    expect(table(readme, 'Outputs').map(([name]) => unquote(name!))).toEqual(Object.keys(action.outputs));
  });
});
