// The step's INPUT_* variables exactly as the Actions runner sets them: every input given in
// `with:` (even one action.yml does not declare), and for every declared input left out, its
// action.yml default. Expressions in defaults (`${{ github.token }}`) are evaluated from `context`.
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { parse } from 'yaml';

interface ActionYml {
  inputs: Record<string, { default?: string; required?: boolean; description: string }>;
}

const ROOT = resolve(import.meta.dirname, '..', '..');

export function actionYmlInputs(): ActionYml['inputs'] {
  return (parse(readFileSync(resolve(ROOT, 'action.yml'), 'utf8')) as ActionYml).inputs;
}

export function inputVariables(
  given: Record<string, string>,
  context: Record<string, string> = { 'github.token': '' },
): Record<string, string> {
  const variables: Record<string, string> = {};
  const variable = (name: string) => `INPUT_${name.replace(/ /g, '_').toUpperCase()}`;
  for (const [name, input] of Object.entries(actionYmlInputs())) {
    if (input.default === undefined) continue;
    variables[variable(name)] = String(input.default).replace(
      /\$\{\{\s*([\w.]+)\s*\}\}/g,
      (_, expression: string) => context[expression] ?? '',
    );
  }
  for (const [name, value] of Object.entries(given)) variables[variable(name)] = value;
  return variables;
}
