// action.yml and every workflow, validated with GitHub's own parser (@actions/workflow-parser, which
// knows runs.using: node24), and the README kept in step with action.yml and the errors in src/.
import { readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { convertWorkflowTemplate, NoOperationTraceWriter, parseWorkflow } from '@actions/workflow-parser';
import { convertActionTemplate, parseAction } from '@actions/workflow-parser/actions/index';
import type { FileProvider } from '@actions/workflow-parser/workflows/file-provider';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { hintFor } from '../src/api/errors.ts';
import { WidgetNotFoundError } from '../src/operations/target.ts';

const root = resolve(import.meta.dirname, '..');
const read = (path: string) => readFileSync(join(root, path), 'utf8');
const messages = (errors: { getErrors(): { message: string }[] }) => errors.getErrors().map((error) => error.message);

function actionErrors(content: string): string[] {
  const result = parseAction({ name: 'action.yml', content }, new NoOperationTraceWriter());
  if (result.value) convertActionTemplate(result.context, result.value);
  return messages(result.context.errors);
}

/** Local reusable workflows (`uses: ./.github/workflows/x.yml`) are read from the checkout. */
const localFiles: FileProvider = {
  getFileContent: (ref) => {
    if ('repository' in ref) throw new Error(`remote reusable workflow ${ref.owner}/${ref.repository} not fetched`);
    return Promise.resolve({ name: ref.path, content: read(ref.path) });
  },
};

/** Parse (schema, expressions) then convert (needs graph, duplicate ids, reusable workflows). */
async function workflowErrors(name: string, content: string): Promise<string[]> {
  const result = parseWorkflow({ name, content }, new NoOperationTraceWriter());
  if (result.value) {
    await convertWorkflowTemplate(result.context, result.value, localFiles, { fetchReusableWorkflowDepth: 1 });
  }
  return messages(result.context.errors);
}

interface ActionYaml {
  runs: { using: string; main: string };
  inputs: Record<string, { description?: string; default?: string; required?: boolean }>;
  outputs: Record<string, { description?: string }>;
}
const action = parse(read('action.yml')) as ActionYaml;

describe('action.yml', () => {
  it('is valid for GitHub', () => {
    expect(actionErrors(read('action.yml'))).toEqual([]);
  });

  it('the validator rejects what GitHub rejects', () => {
    expect(actionErrors(read('action.yml').replace('using: node24', 'using: node99'))).not.toEqual([]);
    expect(actionErrors(read('action.yml').replace('\noutputs:', '\noutputz:'))).not.toEqual([]);
  });

  it('runs dist/index.js on node24, and documents every input and output', () => {
    expect(action.runs).toEqual({ using: 'node24', main: 'dist/index.js' });
    for (const [name, input] of Object.entries(action.inputs)) expect(input.description, name).toBeTruthy();
    for (const [name, output] of Object.entries(action.outputs)) expect(output.description, name).toBeTruthy();
  });

  it('defaults are strings, as the runner passes them', () => {
    for (const [name, input] of Object.entries(action.inputs)) {
      if (input.default !== undefined) expect(typeof input.default, name).toBe('string');
    }
  });
});

describe('workflows', () => {
  const files = readdirSync(join(root, '.github', 'workflows')).filter((file) => /\.ya?ml$/.test(file));
  it('exist: ci and e2e', () => expect(files).toEqual(expect.arrayContaining(['ci.yml', 'e2e.yml'])));

  it.each(files)('%s is valid for GitHub', async (file) => {
    expect(await workflowErrors(file, read(`.github/workflows/${file}`))).toEqual([]);
  });

  it('the validator rejects what GitHub rejects', async () => {
    const ci = read('.github/workflows/ci.yml');
    expect(await workflowErrors('typo.yml', ci.replace('runs-on:', 'run-on:'))).not.toEqual([]);
    expect(
      await workflowErrors('needs.yml', ci.replace('  check-dist:\n', '  check-dist:\n    needs: nope\n')),
    ).toEqual(expect.arrayContaining([expect.stringMatching(/nope/)]));
  });

  it('pin third-party actions by commit SHA, with the version in a comment', () => {
    for (const file of files) {
      for (const [line, uses] of read(`.github/workflows/${file}`).matchAll(/uses:\s*(\S+).*/g)) {
        if (!uses!.startsWith('./')) expect(line, file).toMatch(/@[0-9a-f]{40} # v\d+(\.\d+)*$/);
      }
    }
  });

  it('grant the GITHUB_TOKEN read access to contents only', () => {
    for (const file of files) {
      expect(parse(read(`.github/workflows/${file}`)).permissions, file).toEqual({ contents: 'read' });
    }
  });

  it('e2e runs the action itself three times against the emulator', () => {
    const e2e = read('.github/workflows/e2e.yml');
    expect(e2e).toMatch(/node emulator\/cli\.ts --port 8787 .*&/);
    expect(e2e.match(/uses: \.\/\n/g)).toHaveLength(3);
  });
});

describe('dependabot', () => {
  it('updates npm and github-actions weekly, grouping minor and patch', () => {
    const updates = (parse(read('.github/dependabot.yml')) as { updates: Record<string, unknown>[] }).updates;
    expect(updates.map((update) => update['package-ecosystem'])).toEqual(['npm', 'github-actions']);
    for (const update of updates) {
      expect(update.schedule).toEqual({ interval: 'weekly' });
      expect(Object.values(update.groups as object)).toEqual([{ 'update-types': ['minor', 'patch'] }]);
    }
  });
});

/** The text of `## <heading>` up to the next `## `. */
function section(markdown: string, heading: string): string {
  return (markdown.split(`\n## ${heading}\n`)[1] ?? '').split('\n## ')[0]!;
}

/** The rows of the first markdown table of a section, as arrays of cells (header and rule skipped). */
function table(markdown: string, heading: string): string[][] {
  const lines = section(markdown, heading)
    .trim()
    .split('\n\n')
    .find((block) => block.startsWith('|'))
    ?.split('\n');
  return (lines ?? []).slice(2).map((line) =>
    line
      .slice(1, -1)
      .split(/(?<!\\)\|/)
      .map((cell) => cell.trim()),
  );
}
const unquote = (cell: string) => cell.replace(/^`|`$/g, '');

describe('README', () => {
  const readme = read('README.md');

  it('starts with the two commands: the demo and npm test', () => {
    const firstBlock = /```sh\n([\s\S]*?)```/.exec(readme)?.[1] ?? '';
    expect(firstBlock.split('\n').filter(Boolean)).toEqual([
      expect.stringMatching(/^npm ci && npm run demo\b/),
      expect.stringMatching(/^npm test\b/),
    ]);
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

  it('examples are valid YAML and pass only inputs that action.yml declares', () => {
    const steps: { uses?: unknown; with?: Record<string, unknown> }[] = [];
    const collect = (node: unknown): void => {
      if (Array.isArray(node)) node.forEach(collect);
      else if (node && typeof node === 'object') {
        if ('uses' in node) steps.push(node);
        Object.values(node).forEach(collect);
      }
    };
    for (const [, block] of readme.matchAll(/```yaml\n([\s\S]*?)```/g)) collect(parse(block!));
    const ours = steps.filter((step) => String(step.uses).startsWith('<owner>/turnstile-widget-action@'));
    expect(ours.length).toBeGreaterThanOrEqual(5);
    for (const step of ours) {
      for (const name of Object.keys(step.with ?? {})) expect(Object.keys(action.inputs), name).toContain(name);
    }
  });

  it('example workflows are valid for GitHub', async () => {
    const workflows = [...readme.matchAll(/```yaml\n([\s\S]*?)```/g)]
      .map(([, block]) => block!)
      .filter((block) => /^jobs:/m.test(block));
    expect(workflows.length).toBeGreaterThanOrEqual(3);
    for (const [index, block] of workflows.entries()) {
      const content = /^on:/m.test(block) ? block : `on: pull_request\n${block}`;
      expect(await workflowErrors(`README example ${index + 1}`, content)).toEqual([]);
    }
  });

  describe('troubleshooting', () => {
    const troubleshooting = section(readme, 'Troubleshooting');

    it('has an entry for every input that src/ can reject by name', () => {
      const sources = ['src/inputs.ts', 'src/domains.ts', 'src/github-context.ts', 'src/operations/ensure.ts'];
      const named = new Set(
        sources.flatMap((file) => [...read(file).matchAll(/new InputError\(\s*'([a-z-]+)'/g)].map(([, name]) => name)),
      );
      expect(named.size).toBeGreaterThan(5);
      for (const name of named) expect(troubleshooting, name).toContain(`Input "${name}"`);
    });

    it.each([
      ['authentication', 403, [{ code: 10000, message: 'Authentication error' }]],
      ['permission', 403, [{ code: 9109, message: 'Unauthorized to access requested resource' }]],
      ['account id', 404, [{ code: 7003, message: 'Could not route' }]],
      ['widget limit', 400, [{ code: 10001, message: 'Maximum number of widgets reached' }]],
      ['not found', 404, []],
      ['rate limit', 429, []],
      ['server error', 502, []],
      ['no answer', undefined, []],
    ] as const)('explains the %s hint', (_, status, errors) => {
      const hint = hintFor(status, [...errors])!;
      expect(troubleshooting).toContain(hint.split(/[:;(]/)[0]!.trim());
    });

    it('explains a widget that is not found by name', () => {
      expect(troubleshooting).toContain(new WidgetNotFoundError('named "x"').message.split(' named ')[0]);
    });
  });
});
