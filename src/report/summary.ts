import { forRunner } from '../log/logger.ts';
import type { OperationResult } from '../operations/context.ts';
import type { SecretRegistry } from '../log/secrets.ts';

// The job summary is Markdown in which the action writes one HTML block per line. A blank line
// would end the block and let the rest render as Markdown (a heading, a link the action never
// wrote), so no cell may carry a line break; `<`, `&` and quotes cannot open markup, and `|` and
// backticks are written as character references, so nothing in a cell means anything to Markdown.
const REFERENCES: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
  '|': '&#124;',
  '`': '&#96;',
};
const escapeHtml = (text: string) => text.replace(/[&<>"'|`]/g, (char) => REFERENCES[char]!);

/** Text for a cell: redacted, escaped as in the log (one line), then as HTML. */
const value = (text: string, secrets: SecretRegistry) => escapeHtml(forRunner(text, secrets));

/** A sentence of the action's own (an error, the changes), whose `code` spans become <code>. */
function sentence(text: string, secrets: SecretRegistry): string {
  const parts = forRunner(text, secrets).split('`');
  return parts
    .map((part, i) => {
      if (i % 2 === 0) return escapeHtml(part);
      // An unpaired last backtick stays a character.
      return i === parts.length - 1 ? `&#96;${escapeHtml(part)}` : `<code>${escapeHtml(part)}</code>`;
    })
    .join('');
}

type Row = [field: string, cell: string];

function table(rows: Row[]): string {
  const body = rows.map(([field, cell]) => `<tr><td>${field}</td><td>${cell}</td></tr>`).join('');
  return `<table><tr><th>Field</th><th>Value</th></tr>${body}</table>\n`;
}

const HEADING = '<h3>Cloudflare Turnstile</h3>\n';
const listed = (widgets: { name: string; sitekey: string }[], secrets: SecretRegistry) =>
  widgets.length ? widgets.map((w) => `${value(w.name, secrets)} (${value(w.sitekey, secrets)})`).join(', ') : 'none';

export function resultSummary(result: OperationResult, secrets: SecretRegistry): string {
  const rows: Row[] = [
    ['Operation', result.operation],
    ['Result', result.dryRun ? `${result.outcome} (dry run)` : result.outcome],
  ];
  const widget = result.widget;
  const name = widget?.name ?? result.planned?.name;
  const domains = result.planned?.domains ?? widget?.domains;
  if (name) rows.push(['Name', value(name, secrets)]);
  if (widget) rows.push(['Sitekey', value(widget.sitekey, secrets)], ['Mode', value(widget.mode, secrets)]);
  if (domains && !result.testKeys) rows.push(['Domains', domains.map((domain) => value(domain, secrets)).join(', ')]);
  if (result.changes.length > 0) rows.push(['Changes', sentence(result.changes.join('; '), secrets)]);
  if (result.deleted) rows.push([result.dryRun ? 'Would delete' : 'Deleted', listed(result.deleted, secrets)]);
  let html = HEADING + table(rows);
  if (result.kept && result.kept.length > 0) {
    const kept = result.kept.map(
      ({ widget: w, reason }) =>
        `${value(w.name, secrets)} (${value(w.sitekey, secrets)}): ${sentence(reason, secrets)}`,
    );
    html += `<details><summary>Kept ${result.kept.length} widget(s)</summary>${kept.join('<br>')}</details>\n`;
  }
  return html;
}

export function failureSummary(operation: string, errors: string[], secrets: SecretRegistry): string {
  const rows: Row[] = [
    ['Operation', value(operation, secrets)],
    ['Result', 'failed'],
    ...errors.map((error): Row => ['Error', sentence(error, secrets)]),
  ];
  return HEADING + table(rows);
}
