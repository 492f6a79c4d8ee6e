// The README's inputs and outputs tables, made from action.yml's descriptions and placed between
// marker comments, then formatted as Prettier formats the README, so the tables cannot drift.
import { format, resolveConfig } from 'prettier';
import { parse } from 'yaml';

interface Declared {
  description: string;
  default?: string;
  required?: boolean;
}

const cell = (text: string) => text.trim().replace(/\s+/g, ' ').replace(/\|/g, '\\|');
const code = (text: string) => `\`${text}\``;
const table = (header: string[], rows: string[][]) =>
  [header, header.map(() => '---'), ...rows].map((row) => `| ${row.join(' | ')} |`).join('\n');

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

export const marker = (table: string) => `<!-- ${table}: made from action.yml by npm run readme -->`;

/** The README with both tables made anew from action.yml; `path` is where Prettier's config is looked up. */
export async function withTables(readme: string, actionYml: string, path: string): Promise<string> {
  let text = readme;
  for (const [name, made] of Object.entries(tablesFrom(actionYml))) {
    const start = text.indexOf(marker(name));
    const end = text.indexOf(`<!-- /${name} -->`, start);
    if (start < 0 || end < 0) throw new Error(`${path} has no ${marker(name)} … <!-- /${name} --> to fill`);
    text = `${text.slice(0, start + marker(name).length)}\n\n${made}\n\n${text.slice(end)}`;
  }
  return format(text, { ...(await resolveConfig(path)), filepath: path });
}
