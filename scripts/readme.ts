// npm run readme: writes README.md's inputs and outputs tables, made from action.yml's descriptions,
// between marker comments, so they cannot drift (`npm test` fails when they differ). Columns are
// padded as Prettier pads them (format:check agrees).
import { readFileSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { parse } from 'yaml';

interface Declared {
  description: string;
  default?: string;
  required?: boolean;
}

const cell = (text: string) => text.trim().replace(/\s+/g, ' ').replace(/\|/g, '\\|');
const code = (text: string) => `\`${text}\``;
const width = (text: string) => [...text].length;

function table(header: string[], rows: string[][]): string {
  const widths = header.map((_, column) => Math.max(3, ...[header, ...rows].map((row) => width(row[column]!))));
  const line = (row: string[]) => `| ${row.map((text, column) => text.padEnd(widths[column]!)).join(' | ')} |`;
  return [line(header), line(widths.map((size) => '-'.repeat(size))), ...rows.map(line)].join('\n');
}

export function tablesFrom(actionYml: string): { inputs: string; outputs: string } {
  const action = parse(actionYml) as { inputs: Record<string, Declared>; outputs: Record<string, Declared> };
  const defaultOf = (input: Declared) =>
    input.default !== undefined ? code(input.default) : input.required ? '**required**' : '';
  return {
    inputs: table(
      ['Input', 'Default', 'Description'],
      Object.entries(action.inputs).map(([name, input]) => [code(name), defaultOf(input), cell(input.description)]),
    ),
    outputs: table(
      ['Output', 'Description'],
      Object.entries(action.outputs).map(([name, output]) => [code(name), cell(output.description)]),
    ),
  };
}

const marker = (name: string) => `<!-- ${name}: made from action.yml by npm run readme -->`;

/** The README with both tables made anew from action.yml. */
export function withTables(readme: string, actionYml: string): string {
  let text = readme;
  for (const [name, made] of Object.entries(tablesFrom(actionYml))) {
    const start = text.indexOf(marker(name));
    const end = text.indexOf(`<!-- /${name} -->`, start);
    if (start < 0 || end < 0) throw new Error(`README.md has no ${marker(name)} … <!-- /${name} --> to fill`);
    text = `${text.slice(0, start + marker(name).length)}\n\n${made}\n\n${text.slice(end)}`;
  }
  return text;
}

if (import.meta.main) {
  const [readme, actionYml] = ['README.md', 'action.yml'].map((file) => resolve(import.meta.dirname, '..', file));
  writeFileSync(readme!, withTables(readFileSync(readme!, 'utf8'), readFileSync(actionYml!, 'utf8')));
}
