// This project's rules for action.yml, the workflows and the user documents: every file is valid for
// GitHub's own parser (@actions/workflow-parser, which knows runs.using: node24), actions are pinned,
// tokens are read-only except where a release is published, and the README and docs/ stay in step
// with action.yml and the errors in src/. (The scripts of release.yml run for real in release.test.ts.)
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { convertWorkflowTemplate, NoOperationTraceWriter, parseWorkflow } from '@actions/workflow-parser';
import { convertActionTemplate, parseAction } from '@actions/workflow-parser/actions/index';
import type { FileProvider } from '@actions/workflow-parser/workflows/file-provider';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { CloudflareApiError, type HintContext } from '../../src/cloudflare/errors.ts';
import type { ApiMessage } from '../../src/cloudflare/schemas.ts';
import type { InputError } from '../../src/inputs/settings.ts';
import { INPUT_NAMES } from '../../src/inputs/declared.ts';
import { readSettings } from '../../src/inputs/read-settings.ts';
import { SecretRegistry } from '../../src/log/secrets.ts';
import { inputVariables } from '../../scripts/lib/action-inputs.ts';
import { withTables } from '../../scripts/readme.ts';
import { recordingLogger } from '../helpers/logger.ts';

const silent = recordingLogger();
import { resolveTarget } from '../../src/operations/widgets.ts';
import type { TurnstileClient } from '../../src/cloudflare/client.ts';

/** The hint a CloudflareApiError gives for this answer and these facts about the request. */
const hintFor = (status: number | undefined, errors: ApiMessage[], hints: HintContext) =>
  new CloudflareApiError({ operation: 'x', status, detail: '', errors, hints }).hint;

const root = resolve(import.meta.dirname, '..', '..');
const read = (path: string) => readFileSync(join(root, path), 'utf8');
const messages = (errors: { getErrors(): { message: string }[] }) => errors.getErrors().map((error) => error.message);

/** The parser's errors, and whether it produced an action at all (so "no errors" cannot pass vacuously). */
function checkAction(content: string): { errors: string[]; parsed: boolean } {
  const result = parseAction({ name: 'action.yml', content }, new NoOperationTraceWriter());
  const template = result.value ? convertActionTemplate(result.context, result.value) : undefined;
  return { errors: messages(result.context.errors), parsed: Boolean(template?.runs) };
}

/** Local reusable workflows (`uses: ./.github/workflows/x.yml`) are read from the checkout. */
const localFiles: FileProvider = {
  getFileContent: (ref) => {
    if ('repository' in ref) throw new Error(`remote reusable workflow ${ref.owner}/${ref.repository} not fetched`);
    return Promise.resolve({ name: ref.path, content: read(ref.path) });
  },
};

/** Parse (schema, expressions) then convert (needs graph, duplicate ids, reusable workflows). */
async function checkWorkflow(name: string, content: string): Promise<{ errors: string[]; jobs: number }> {
  const result = parseWorkflow({ name, content }, new NoOperationTraceWriter());
  const template = result.value
    ? await convertWorkflowTemplate(result.context, result.value, localFiles, { fetchReusableWorkflowDepth: 1 })
    : undefined;
  return { errors: messages(result.context.errors), jobs: template?.jobs.length ?? 0 };
}

interface ActionYaml {
  runs: { using: string; main: string };
  inputs: Record<string, { description?: string; default?: string; required?: boolean }>;
  outputs: Record<string, { description?: string }>;
}
const action = parse(read('action.yml')) as ActionYaml;

interface Step {
  name?: string;
  uses?: string;
  run?: string;
  env?: Record<string, string>;
  with?: Record<string, unknown>;
}
interface Job {
  permissions?: Record<string, string>;
  env?: Record<string, string>;
  needs?: string | string[];
  steps: Step[];
}
interface Workflow {
  on: Record<string, unknown>;
  env?: Record<string, string>;
  permissions?: Record<string, string>;
  jobs: Record<string, Job>;
}

const workflowFiles = readdirSync(join(root, '.github', 'workflows')).filter((file) => /\.ya?ml$/.test(file));
const workflows = workflowFiles.map((file) => ({
  file,
  text: read(`.github/workflows/${file}`),
  yaml: parse(read(`.github/workflows/${file}`)) as Workflow,
}));
const jobsOf = (workflow: Workflow) => Object.entries(workflow.jobs);
const runs = (job: Job) => job.steps.map((step) => step.run ?? '').join('\n');

/** A GitHub filter pattern with `*` (any characters but `/`) as a regular expression. */
function filterPattern(pattern: string): RegExp {
  expect(pattern, 'only * is translated').not.toMatch(/[?+[\]!]|\*\*/);
  return new RegExp(`^${pattern.replace(/[.]/g, '\\.').replace(/\*/g, '[^/]*')}$`);
}

describe('action.yml', () => {
  it('is valid for GitHub', () => {
    expect(checkAction(read('action.yml'))).toEqual({ errors: [], parsed: true });
  });

  it('runs the committed bundle in dist/ on node24', () => {
    expect(action.runs.using).toBe('node24');
    expect(action.runs.main).toMatch(/^dist\//);
    expect(existsSync(join(root, action.runs.main)), action.runs.main).toBe(true);
  });

  it('documents every input and output', () => {
    for (const [name, input] of Object.entries(action.inputs)) expect(input.description, name).toBeTruthy();
    for (const [name, output] of Object.entries(action.outputs)) expect(output.description, name).toBeTruthy();
  });

  it("descriptions are at most 300 characters, since the README's tables are made of them", () => {
    const described = { ...action.inputs, ...action.outputs };
    for (const [name, { description }] of Object.entries(described)) {
      expect(description!.length, name).toBeLessThanOrEqual(300);
    }
  });

  it('defaults are strings, as the runner passes them', () => {
    for (const [name, input] of Object.entries(action.inputs)) {
      if (input.default !== undefined) expect(typeof input.default, name).toBe('string');
    }
  });
});

describe('workflows', () => {
  it.each(workflowFiles)('%s is valid for GitHub', async (file) => {
    const { errors, jobs } = await checkWorkflow(file, read(`.github/workflows/${file}`));
    expect(errors).toEqual([]);
    expect(jobs).toBeGreaterThan(0);
  });

  it('pin third-party actions by commit SHA, with the version in a comment, the same everywhere', () => {
    const pins = new Map<string, string>();
    for (const { file, text } of workflows) {
      for (const [line, uses] of text.matchAll(/uses:\s*(\S+).*/g)) {
        if (uses!.startsWith('./')) continue;
        expect(line, file).toMatch(/@[0-9a-f]{40} # v\d+(\.\d+)*$/);
        const name = uses!.split('@')[0]!;
        const pin = line.slice(line.indexOf('@'));
        expect(pins.get(name) ?? pin, `${file}: ${name}`).toBe(pin);
        pins.set(name, pin);
      }
    }
    expect(pins.size).toBeGreaterThan(0);
  });

  it('pass expressions to scripts through env, never inside run (no script injection)', () => {
    for (const { file, yaml } of workflows) {
      for (const [id, job] of jobsOf(yaml)) {
        for (const step of job.steps) expect(step.run ?? '', `${file} ${id}`).not.toContain('${{');
      }
    }
  });

  it('give the GITHUB_TOKEN read access to contents, and write access only to the release job', () => {
    const writers: string[] = [];
    for (const { file, yaml } of workflows) {
      expect(yaml.permissions, file).toEqual({ contents: 'read' });
      for (const [id, job] of jobsOf(yaml)) {
        if (job.permissions === undefined) continue;
        expect(job.permissions, `${file} ${id}`).toEqual({ contents: 'write' });
        writers.push(`${file} ${id}`);
      }
    }
    expect(writers).toEqual(['release.yml release']);
  });

  it('every `uses: ./` step passes only inputs that action.yml declares', () => {
    const own = workflows.flatMap(({ yaml }) =>
      jobsOf(yaml).flatMap(([, job]) => job.steps.filter((step) => step.uses === './')),
    );
    expect(own.length).toBeGreaterThan(0);
    for (const step of own) {
      for (const name of Object.keys(step.with ?? {})) expect(Object.keys(action.inputs), name).toContain(name);
    }
  });
});

describe('release.yml', () => {
  const release = workflows.find(({ file }) => file === 'release.yml')!.yaml;

  it('runs only for the tags that npm run release creates, not for the major tag it moves', () => {
    expect(Object.keys(release.on)).toEqual(['push']);
    const push = release.on.push as { tags?: string[]; branches?: string[] };
    expect(Object.keys(push)).toEqual(['tags']);
    const matches = (tag: string) => push.tags!.some((pattern) => filterPattern(pattern).test(tag));
    for (const tag of ['v1.0.0', 'v1.2.3', 'v10.20.30']) expect(matches(tag), tag).toBe(true);
    for (const tag of ['v1', 'v2', '1.0.0', 'main']) expect(matches(tag), tag).toBe(false);
  });

  it('the job with write access runs no dependency code, after a job that ran the tests (dist.test.ts among them)', () => {
    const [[id, writer]] = jobsOf(release).filter(([, job]) => job.permissions?.contents === 'write') as [
      [string, Job],
    ];
    expect(runs(writer), id).not.toMatch(/\bnpm (ci|install|run|test)\b|\bnpx\b|\byarn\b|\bpnpm\b/);
    expect(writer.steps.filter((step) => step.uses?.startsWith('actions/checkout@'))).toEqual([
      expect.objectContaining({ with: expect.objectContaining({ 'persist-credentials': false }) }),
    ]);
    const needs = [writer.needs ?? []].flat();
    expect(needs.length).toBeGreaterThan(0);
    const verified = needs.map((need) => release.jobs[need]!);
    expect(verified.some((job) => /^npm test$/m.test(runs(job)))).toBe(true);
  });
  it('gives the token only to the steps that use it, never to checkout or setup', () => {
    const carriesToken = (env: Record<string, string> | undefined) =>
      Object.values(env ?? {}).some((value) => /github\.token|secrets\./.test(value));
    expect(carriesToken(release.env)).toBe(false);
    const steps = jobsOf(release).flatMap(([id, job]) => {
      expect(carriesToken(job.env), id).toBe(false);
      return job.steps;
    });
    const given = steps.filter((step) => carriesToken(step.env));
    expect(given.map((step) => step.name)).toEqual(['Create the GitHub release', 'Move the major tag']);
    for (const step of given) expect(step.run).toMatch(/\bgh |\$GH_TOKEN/);
    expect(given.some((step) => step.uses)).toBe(false);
  });
});

describe('dependabot', () => {
  it('updates the npm packages and the actions pinned in the workflows', () => {
    const updates = (parse(read('.github/dependabot.yml')) as { updates: Record<string, unknown>[] }).updates;
    const covered = updates.map((update) => `${String(update['package-ecosystem'])} ${String(update.directory)}`);
    expect(covered).toEqual(expect.arrayContaining(['npm /', 'github-actions /']));
  });

  it('and CI runs weekly on a fresh clone, so that an install a new release breaks shows within days', () => {
    const ci = workflows.find(({ file }) => file === 'ci.yml')!.yaml;
    expect(ci.on.schedule).toEqual([{ cron: expect.stringMatching(/^\S+ \S+ \* \* [0-6]$/) as unknown }]);
    expect(ci.jobs.test!.steps.map((step) => step.run)).toContain('npm ci');
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
const ours = /^\s*-?\s*uses: <owner>\/turnstile-widget-action@(.*)$/gm;

/** The documents a user reads: the README, docs/ and CONTRIBUTING.md, by path. */
const documents = Object.fromEntries(
  ['README.md', 'CONTRIBUTING.md', ...readdirSync(join(root, 'docs')).map((file) => `docs/${file}`)]
    .filter((path) => path.endsWith('.md'))
    .map((path) => [path, read(path)]),
);
const yamlBlocks = Object.values(documents).flatMap((text) =>
  [...text.matchAll(/```yaml\n([\s\S]*?)```/g)].map(([, block]) => block!),
);
const allText = Object.values(documents).join('\n');

describe('README and docs/', () => {
  const readme = read('README.md');

  it('the README is read in ten minutes: at most 2,500 words, as wc -w counts them', () => {
    expect(readme.split(/\s+/).filter(Boolean).length).toBeLessThanOrEqual(2500);
  });

  it.each(Object.keys(documents))('%s has no line over 400 characters', (path) => {
    const long = documents[path]!.split('\n').filter((line) => line.length > 400);
    expect(long.map((line) => line.slice(0, 80))).toEqual([]);
  });

  it('the README has the inputs and outputs tables that `npm run readme` makes from action.yml', () => {
    const made = withTables(readme, read('action.yml'));
    expect(made === readme, 'the tables differ from action.yml: run `npm run readme`').toBe(true);
    // What it makes: one row per input, in action.yml's order, with its default, and one per output.
    const inputs = table(readme, 'Inputs');
    expect(inputs.map(([name]) => unquote(name!))).toEqual(Object.keys(action.inputs));
    for (const [name, defaultCell, description] of inputs) {
      const input = action.inputs[unquote(name!)]!;
      expect(unquote(defaultCell!), name).toBe(input.default ?? (input.required ? '**required**' : ''));
      expect(description, name).toBe(input.description!.trim().replace(/\s+/g, ' '));
    }
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
    for (const block of yamlBlocks) collect(parse(block));
    const ours = steps.filter((step) => String(step.uses).startsWith('<owner>/turnstile-widget-action@'));
    expect(ours.length).toBeGreaterThanOrEqual(5);
    for (const step of ours) {
      for (const name of Object.keys(step.with ?? {})) expect(Object.keys(action.inputs), name).toContain(name);
    }
  });

  it('examples pass values to shells through env and quoted variables, never ${{ … }} in a shell command', () => {
    // GitHub's hardening guide: an expression inside `run:` is pasted into the script before the
    // shell parses it. wrangler-action runs preCommands and postCommands in a shell too.
    const shellFields = ['run', 'preCommands', 'postCommands'];
    const scripts: string[] = [];
    const collect = (node: unknown): void => {
      if (Array.isArray(node)) node.forEach(collect);
      else if (node && typeof node === 'object') {
        for (const [key, value] of Object.entries(node)) {
          if (shellFields.includes(key) && typeof value === 'string') scripts.push(value);
          else collect(value);
        }
      }
    };
    for (const block of yamlBlocks) collect(parse(block));
    expect(scripts.length).toBeGreaterThanOrEqual(5);
    for (const script of scripts) expect(script).not.toContain('${{');
    // The same in the prose's inline examples; outputs and branch names reach no command line at all.
    for (const [, field, text] of allText.matchAll(/`(run|preCommands|postCommands|command): ([^`]*)`/g)) {
      if (field === 'command') expect(text).not.toMatch(/\$\{\{[^}]*(outputs|head_ref)/);
      else expect(text).not.toContain('${{');
    }
    // Every use of a variable that carries an output is inside double quotes.
    const unquoted = scripts.map((script) => script.replace(/"(?:[^"\\]|\\.)*"/g, '""'));
    expect(unquoted.join('\n')).not.toMatch(/\$\{?TURNSTILE_/);
    expect(scripts.join('\n')).toMatch(/"\$TURNSTILE_SITEKEY"/);
  });

  it('example workflows are valid for GitHub', async () => {
    const workflows = yamlBlocks.filter((block) => /^jobs:/m.test(block));
    expect(workflows.length).toBeGreaterThanOrEqual(3);
    for (const [index, block] of workflows.entries()) {
      const content = /^on:/m.test(block) ? block : `on: pull_request\n${block}`;
      const { errors, jobs } = await checkWorkflow(`example workflow ${index + 1}`, content);
      expect(errors, `example workflow ${index + 1}`).toEqual([]);
      expect(jobs, `example workflow ${index + 1}`).toBeGreaterThan(0);
    }
  });

  it("examples use the current major tag, or a full commit SHA with the release's version in a comment", () => {
    const major = `v${(JSON.parse(read('package.json')) as { version: string }).version.split('.')[0]}`;
    const refs = [...allText.matchAll(ours)].map(([, ref]) => ref!.trim());
    expect(refs.length).toBeGreaterThanOrEqual(5);
    const pinned = new RegExp(`^(?:[0-9a-f]{40}|<40-character-commit-sha>) # ${major}\\.\\d+\\.\\d+$`);
    for (const ref of refs) expect(ref).toMatch(ref === major ? /./ : pinned);
    expect(refs.filter((ref) => ref !== major)).toHaveLength(1);
    expect(section(readme, 'Versions')).toContain(`@${major}\n`);
  });

  it('relative links point at files and headings that exist', () => {
    const anchor = (heading: string) =>
      heading
        .toLowerCase()
        .replace(/[^\p{L}\p{N} -]/gu, '')
        .replace(/ /g, '-');
    const anchors = (path: string) =>
      [...documents[path]!.matchAll(/^#+ (.*)$/gm)].map(([, heading]) => anchor(heading!));
    let links = 0;
    for (const [path, text] of Object.entries(documents)) {
      for (const [, target] of text.matchAll(/\]\(([^)\s]+)\)/g)) {
        if (/^[a-z]+:/.test(target!)) continue;
        const [file, fragment] = target!.split('#');
        const linked = file ? join(path, '..', file).replace(/\\/g, '/') : path;
        expect(existsSync(join(root, linked)), `${path}: ${target}`).toBe(true);
        if (fragment) expect(anchors(linked), `${path}: ${target}`).toContain(fragment);
        links++;
      }
    }
    expect(links).toBeGreaterThan(10);
  });

  describe('docs/troubleshooting.md', () => {
    const troubleshooting = read('docs/troubleshooting.md');
    // Numbers in a hint (hostnames sent, the plan's limit) are the case's, not the entry's.
    const anyNumber = (text: string) => text.replace(/\d+/g, '#');

    it('has an entry for every input that the action can refuse', () => {
      // Every input given a value no input accepts, for each operation: the inputs named in errors.
      const bad = Object.fromEntries(INPUT_NAMES.map((name) => [name, '*not\u0001valid*']));
      const named = new Set<string>();
      for (const operation of ['ensure', 'prune', 'get']) {
        const runs: Record<string, string>[] = [
          { ...bad, operation },
          { operation, 'api-token': '', 'api-email': 'me@example.com' },
        ];
        for (const inputs of runs) {
          try {
            readSettings(inputVariables(inputs), new SecretRegistry({ setSecret: () => undefined }), silent);
          } catch (error) {
            if (!(error instanceof AggregateError)) throw error;
            for (const problem of error.errors as InputError[]) named.add(problem.input);
          }
        }
      }
      expect(named.size).toBeGreaterThan(15);
      for (const name of named) expect(troubleshooting, name).toContain(`Input "${name}"`);
    });

    it.each([
      ['authentication', 403, [{ code: 10000, message: 'Authentication error' }]],
      ['permission', 403, [{ code: 9109, message: 'Unauthorized to access requested resource' }]],
      ['account id', 404, [{ code: 7003, message: 'Could not route' }]],
      ['method not allowed', 405, [{ code: 10405, message: 'Method not allowed' }]],
      ['hostname count', 400, [], { hostnamesSent: 11 }],
      ['second rotation', 400, [], { rotation: { changedMsAgo: 60_000 } }],
      ['not found', 404, []],
      ['rate limit', 429, []],
      ['server error', 502, []],
      ['no answer', undefined, []],
    ] as const)('explains the %s hint', (_, status, errors, facts: HintContext = {}) => {
      const hint = hintFor(status, [...errors], facts)!;
      expect(anyNumber(troubleshooting)).toContain(anyNumber(hint.split(/[:;(]/)[0]!.trim()));
    });

    it('explains a widget that is not found by name', async () => {
      const client = { listAll: async () => [] } as unknown as TurnstileClient;
      const notFound = await resolveTarget({ client, logger: silent }, { name: 'x' }).catch((error: Error) => error);
      expect(troubleshooting).toContain((notFound as Error).message.split(' named ')[0]);
    });
  });
});
