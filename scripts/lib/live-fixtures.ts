// The fixtures of the live suite: every request the action (and the suite's own probes and clean-up)
// sent during one run, and the answer, redacted, in one JSON file a maintainer can commit to
// __tests__/fixtures/live/. Committed fixtures are replayed against the emulator by
// __tests__/tooling/live-fixtures.test.ts, whose answers must match them (statuses, error codes and
// messages, shapes).
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

export const FIXTURES_DIR = resolve(import.meta.dirname, '..', '..', '__tests__', 'fixtures', 'live');
export const REDACTED = '[redacted]';
export const ACCOUNT_PLACEHOLDER = '{account_id}';

export interface RecordedExchange {
  /** The suite's step that made the request (ensure, rerun, ..., cleanup). */
  step: string;
  method: string;
  /** Below /client/v4, the account id replaced by {account_id}. */
  path: string;
  query: Record<string, string>;
  /** The JSON request body (absent when there was none). */
  body?: unknown;
  /** 0 when no answer came (a network error). */
  status: number;
  /** The JSON answer, or its text when it was not JSON. */
  response: unknown;
}

export interface Recording {
  /** `cloudflare` for the real API; `emulator` when the answers came from this repository's emulator. */
  source: 'cloudflare' | 'emulator' | 'other';
  /** The API's origin (never a credential). */
  origin: string;
  recordedAt: string;
  note: string;
  exchanges: RecordedExchange[];
}

/** Turns what goes into a fixture into text that holds no credential and no widget secret. */
export interface Redactor {
  path(path: string): string;
  value(value: unknown): unknown;
}

// Shaped like a Turnstile secret (0x + 28 or more characters; sitekeys are 24 characters).
const SECRET_SHAPE = /0x[\w-]{28,}/g;

/**
 * Replaces the account id by {account_id}, every `secret` field and every string shaped like a
 * widget secret by [redacted], and the given credentials wherever they appear. Request headers are
 * never recorded, so the token is not there to begin with; this also covers an API that echoes it.
 */
export function redactor(accountId: string, credentials: string[]): Redactor {
  const known = credentials.filter((value) => value.length >= 8);
  const text = (value: string): string => {
    let result = value.split(accountId).join(ACCOUNT_PLACEHOLDER).replace(SECRET_SHAPE, REDACTED);
    for (const credential of known) result = result.split(credential).join(REDACTED);
    return result;
  };
  const value = (input: unknown, key?: string): unknown => {
    if (typeof input === 'string') return key === 'secret' ? REDACTED : text(input);
    if (Array.isArray(input)) return input.map((item) => value(item));
    if (input && typeof input === 'object')
      return Object.fromEntries(Object.entries(input).map(([name, item]) => [name, value(item, name)]));
    return input;
  };
  return { path: text, value: (input) => value(input) };
}

export function writeRecording(dir: string, name: string, recording: Recording): string {
  mkdirSync(dir, { recursive: true });
  const file = join(dir, `${name}.json`);
  writeFileSync(file, `${JSON.stringify(recording, null, 2)}\n`);
  return file;
}

/** Every recording in `dir` (none when it does not exist), by file name. */
export function readRecordings(dir: string): { file: string; recording: Recording }[] {
  let files: string[];
  try {
    files = readdirSync(dir).filter((file) => file.endsWith('.json'));
  } catch {
    return [];
  }
  return files
    .sort()
    .map((file) => ({ file, recording: JSON.parse(readFileSync(join(dir, file), 'utf8')) as Recording }));
}
