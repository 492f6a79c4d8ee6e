import * as core from '@actions/core';
import type { OperationResult } from './operations/result.ts';
import { redact } from './secrets.ts';

type Row = [string, string];

/** A short job-summary table of what happened. Never contains a secret (redacted besides). */
export async function writeSummary(result: OperationResult): Promise<void> {
  if (!process.env.GITHUB_STEP_SUMMARY) return;
  const widget = result.widget;
  const rows: Row[] = [
    ['Operation', result.operation],
    ['Result', result.dryRun ? `${result.outcome} (dry run)` : result.outcome],
  ];
  if (widget) {
    rows.push(
      ['Name', widget.name],
      ['Sitekey', `\`${widget.sitekey}\``],
      ['Mode', widget.mode],
      ['Domains', widget.domains.join(', ')],
    );
  }
  if (result.changes.length > 0) rows.push(['Changes', result.changes.join('; ')]);
  if (result.deleted)
    rows.push([result.dryRun ? 'Would delete' : 'Deleted', result.deleted.length ? result.deleted.join(', ') : 'none']);
  const table = [
    [
      { data: 'Turnstile widget', header: true },
      { data: '', header: true },
    ],
    ...rows.map(([key, value]) => [key, redact(value)]),
  ];
  const summary = core.summary.addHeading('Cloudflare Turnstile', 3).addTable(table);
  if (result.kept && result.kept.length > 0) {
    summary.addDetails(
      `Kept ${result.kept.length} widget(s)`,
      redact(result.kept.map(({ widget: kept, reason }) => `${kept.name} (${kept.sitekey}): ${reason}`).join('<br>')),
    );
  }
  await summary.write();
}
