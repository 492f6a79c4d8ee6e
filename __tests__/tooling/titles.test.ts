// The annotation titles of docs/troubleshooting.md are exactly those the action uses (failures: an
// ActionError's title, or main.ts titleFor's; warnings and notices from any module): a user can look up every title they see,
// and the page lists none that never appears.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';

const SRC = join(import.meta.dirname, '..', '..', 'src');

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) =>
    entry.isDirectory()
      ? sourceFiles(join(dir, entry.name))
      : entry.name.endsWith('.ts')
        ? [join(dir, entry.name)]
        : [],
  );
}

/**
 * `Invalid input: ${error.input}` reads as `Invalid input: <input>`, as the docs write it; a
 * constant (`return UNEXPECTED`) reads as the string it is declared with in the same file.
 */
function titleText(node: ts.Node): string | undefined {
  if (ts.isStringLiteral(node) || ts.isNoSubstitutionTemplateLiteral(node)) return node.text;
  if (ts.isIdentifier(node)) {
    const declared = (function find(at: ts.Node): ts.Expression | undefined {
      if (ts.isVariableDeclaration(at) && ts.isIdentifier(at.name) && at.name.text === node.text) return at.initializer;
      return ts.forEachChild(at, find);
    })(node.getSourceFile());
    return declared && declared !== node ? titleText(declared) : undefined;
  }
  if (!ts.isTemplateExpression(node)) return undefined;
  return node.templateSpans.reduce(
    (text, span) => `${text}<${span.expression.getText().split('.').at(-1)}>${span.literal.text}`,
    node.head.text,
  );
}

/**
 * Titles passed to logger.warning/notice/error (their second argument); failure titles: the first
 * argument of `new ActionError(…)` and of `super(…)` in a class extending it, and titleFor's returns.
 */
function titles(): { failures: string[]; others: string[] } {
  const failures = new Set<string>();
  const others = new Set<string>();
  for (const file of sourceFiles(SRC)) {
    const source = ts.createSourceFile(file, readFileSync(file, 'utf8'), ts.ScriptTarget.Latest, true);
    const visit = (node: ts.Node, inTitleFor: boolean, inActionError: boolean): void => {
      const here = inTitleFor || (ts.isFunctionDeclaration(node) && node.name?.text === 'titleFor');
      const subclass =
        inActionError ||
        (ts.isClassDeclaration(node) &&
          Boolean(node.heritageClauses?.some((c) => /\bActionError\b/.test(c.getText()))));
      const titled =
        (here && ts.isReturnStatement(node) && node.expression) ||
        (ts.isNewExpression(node) && node.expression.getText() === 'ActionError' && node.arguments?.[0]) ||
        (subclass &&
          ts.isCallExpression(node) &&
          node.expression.kind === ts.SyntaxKind.SuperKeyword &&
          node.arguments[0]);
      if (titled) {
        const title = titleText(titled);
        if (title) failures.add(title);
      }
      if (
        ts.isCallExpression(node) &&
        ts.isPropertyAccessExpression(node.expression) &&
        ['warning', 'notice', 'error'].includes(node.expression.name.text) &&
        node.arguments[1]
      ) {
        const title = titleText(node.arguments[1]);
        if (title) others.add(title);
      }
      ts.forEachChild(node, (child) => visit(child, here, subclass));
    };
    visit(source, false, false);
  }
  return { failures: [...failures], others: [...others] };
}

/** The first column of the docs' table whose first heading is `heading`, without backticks. */
function documented(markdown: string, heading: string): string[] {
  const lines = markdown.split('\n');
  const top = lines.findIndex((line) => line.startsWith(`| ${heading} `));
  expect(top, heading).toBeGreaterThan(-1);
  const end = lines.findIndex((line, index) => index > top && !line.startsWith('|'));
  return lines.slice(top + 2, end).map((row) => row.split('|')[1]!.trim().replace(/^`|`$/g, ''));
}

describe('annotation titles', () => {
  const docs = readFileSync(join(import.meta.dirname, '..', '..', 'docs', 'troubleshooting.md'), 'utf8');
  const { failures, others } = titles();

  it('finds the titles in src/ (the six failure titles and the warnings)', () => {
    expect(failures).toEqual(
      expect.arrayContaining(['Invalid input: <input>', 'Widget limit reached', 'Turnstile action failed']),
    );
    expect(failures).toHaveLength(6);
    expect(others).toEqual(
      expect.arrayContaining(['Duplicate widget names', 'Widget limit: recycled closed previews']),
    );
  });

  it('docs/troubleshooting.md lists exactly the failure titles that src/ emits', () => {
    expect(documented(docs, 'Failure title').sort()).toEqual([...failures].sort());
  });

  it('docs/troubleshooting.md lists exactly the warning and notice titles that src/ emits', () => {
    expect(documented(docs, 'Warning or notice title').sort()).toEqual([...others].sort());
  });
});
