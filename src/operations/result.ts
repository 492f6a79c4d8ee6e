import type { Widget, WidgetSummary } from '../api/schemas.ts';
import type { Operation } from '../inputs.ts';

/** What an operation did (or, in a dry run, would do), for the outputs and the job summary. */
export interface OperationResult {
  operation: Operation;
  /** One word for the summary: created, updated, unchanged, deleted, rotated, read, or "would …". */
  outcome: string;
  /** The widget the outputs describe; undefined when there is none (a dry-run create, a delete). */
  widget: Widget | undefined;
  created: boolean;
  updated: boolean;
  dryRun: boolean;
  /** Human-readable changes, e.g. "domains: +a.example.com". */
  changes: string[];
  /** Sitekeys deleted (delete, prune), or that a dry run would delete. */
  deleted?: string[];
  /** prune: widgets with the prefix that were kept, and why. */
  kept?: { widget: WidgetSummary; reason: string }[];
}
