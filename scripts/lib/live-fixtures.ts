// The fixtures of the live suite: every request the action (and the suite's own probes and clean-up)
// sent during one run, and the answer, redacted, in one JSON file a maintainer can commit to
// __tests__/fixtures/live/. Committed fixtures are replayed against the emulator by
// __tests__/tooling/live-fixtures.test.ts, whose answers must match them (statuses, error codes and
// messages, shapes).
import { mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

export const FIXTURES_DIR = resolve(import.meta.dirname, '..', '..', '__tests__', 'fixtures', 'live');
export const REDACTED = '[redacted]';
export const ACCOUNT_PLACEHOLDER = '{account_id}';

/** One request (below /client/v4, the account id as {account_id}) and its answer (0: none came). */
export interface RecordedExchange {
  /** The suite's step that made the request (ensure, rerun, ..., cleanup). */
  step: string;
  method: string;
  path: string;
  query: Record<string, string>;
  body?: unknown;
  status: number;
  /** The JSON answer, or its text when it was not JSON. */
  response: unknown;
}

export interface Recording {
  /** `cloudflare` for the real API; `emulator` when the answers came from this repository's emulator. */
  source: 'cloudflare' | 'emulator' | 'other';
  origin: string;
  recordedAt: string;
  note: string;
  exchanges: RecordedExchange[];
}

/**
 * Replaces the account id by {account_id}, every `secret` field and every string shaped like a
 * widget secret (0x and 28 or more characters; sitekeys have 24) by [redacted], and the given
 * credentials wherever they appear. Request headers are never recorded, so the token is not there
 * to begin with; this also covers an API that echoes it.
 */
export type Redactor = ReturnType<typeof redactor>;

export function redactor(accountId: string, credentials: string[]) {
  const known = credentials.filter((value) => value.length >= 8);
  const text = (value: string): string =>
    known.reduce(
      (result, credential) => result.split(credential).join(REDACTED),
      value
        .split(accountId)
        .join(ACCOUNT_PLACEHOLDER)
        .replace(/0x[\w-]{28,}/g, REDACTED),
    );
  const value = (input: unknown, key?: string): unknown => {
    if (typeof input === 'string') return key === 'secret' ? REDACTED : text(input);
    if (Array.isArray(input)) return input.map((item) => value(item));
    if (!input || typeof input !== 'object') return input;
    return Object.fromEntries(Object.entries(input).map(([name, item]) => [name, value(item, name)]));
  };
  return { path: text, value: (input: unknown) => value(input) };
}

export function writeRecording(dir: string, name: string, recording: Recording): string {
  mkdirSync(dir, { recursive: true });
  const file = join(dir, `${name}.json`);
  writeFileSync(file, `${JSON.stringify(recording, null, 2)}\n`);
  return file;
}
