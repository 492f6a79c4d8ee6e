import type { OperationResult } from './operations/result.ts';
import type { SecretRegistry } from './secrets.ts';

// The job summary is HTML: every value (names and error texts come from users and the API) is
// redacted and escaped, so it can neither show a secret nor inject markup.
const escapeHtml = (text: string) =>
  text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

type Row = [string, string];

function table(rows: Row[], secrets: SecretRegistry): string {
  const cell = (text: string) => escapeHtml(secrets.redact(text));
  const body = rows.map(([field, value]) => `<tr><td>${cell(field)}</td><td>${cell(value)}</td></tr>`).join('');
  return `<table><tr><th>Field</th><th>Value</th></tr>${body}</table>\n`;
}

const HEADING = '<h3>Cloudflare Turnstile</h3>\n';
const listed = (widgets: { name: string; sitekey: string }[]) =>
  widgets.length ? widgets.map((w) => `${w.name} (${w.sitekey})`).join(', ') : 'none';

/** What happened, as a short table. */
export function resultSummary(result: OperationResult, secrets: SecretRegistry): string {
  const rows: Row[] = [
    ['Operation', result.operation],
    ['Result', result.dryRun ? `${result.outcome} (dry run)` : result.outcome],
  ];
  const widget = result.widget;
  const name = widget?.name ?? result.planned?.name;
  const domains = result.planned?.domains ?? widget?.domains;
  if (name !== undefined) rows.push(['Name', name]);
  if (widget) rows.push(['Sitekey', widget.sitekey], ['Mode', widget.mode]);
  if (domains) rows.push(['Domains', domains.join(', ')]);
  if (result.changes.length > 0) rows.push(['Changes', result.changes.join('; ')]);
  if (result.deleted) rows.push([result.dryRun ? 'Would delete' : 'Deleted', listed(result.deleted)]);
  let html = HEADING + table(rows, secrets);
  if (result.kept && result.kept.length > 0) {
    const kept = result.kept.map(({ widget: w, reason }) =>
      escapeHtml(secrets.redact(`${w.name} (${w.sitekey}): ${reason}`)),
    );
    html += `<details><summary>Kept ${result.kept.length} widget(s)</summary>${kept.join('<br>')}</details>\n`;
  }
  return html;
}

/** A failed run: the operation and the error, redacted. */
export function failureSummary(operation: string, errors: string[], secrets: SecretRegistry): string {
  return (
    HEADING + table([['Operation', operation], ['Result', 'failed'], ...errors.map((e): Row => ['Error', e])], secrets)
  );
}
