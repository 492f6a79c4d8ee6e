import * as core from '@actions/core';
import type { OperationResult } from './operations/result.ts';
import { redact } from './secrets.ts';

type Row = [string, string];

// core.summary writes cells as raw HTML: widget names and reasons are escaped first.
const escapeHtml = (text: string) =>
  text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
const cell = (text: string) => escapeHtml(redact(text));

/** A short job-summary table of what happened. Never contains a secret (redacted besides). */
export async function writeSummary(result: OperationResult): Promise<void> {
  if (!process.env.GITHUB_STEP_SUMMARY) return;
  const widget = result.widget;
  const rows: Row[] = [
    ['Operation', cell(result.operation)],
    ['Result', cell(result.dryRun ? `${result.outcome} (dry run)` : result.outcome)],
  ];
  if (widget) {
    rows.push(
      ['Name', cell(widget.name)],
      ['Sitekey', `<code>${cell(widget.sitekey)}</code>`],
      ['Mode', cell(widget.mode)],
      ['Domains', cell(widget.domains.join(', '))],
    );
  }
  if (result.changes.length > 0) rows.push(['Changes', cell(result.changes.join('; '))]);
  if (result.deleted) {
    const deleted = result.deleted.length ? result.deleted.join(', ') : 'none';
    rows.push([result.dryRun ? 'Would delete' : 'Deleted', cell(deleted)]);
  }
  const header = [
    { data: 'Turnstile widget', header: true },
    { data: '', header: true },
  ];
  const summary = core.summary.addHeading('Cloudflare Turnstile', 3).addTable([header, ...rows]);
  if (result.kept && result.kept.length > 0) {
    const kept = result.kept.map(({ widget: w, reason }) => cell(`${w.name} (${w.sitekey}): ${reason}`));
    summary.addDetails(`Kept ${result.kept.length} widget(s)`, kept.join('<br>'));
  }
  await summary.write();
}
