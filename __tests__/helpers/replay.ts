// Replays a recording of the live suite (scripts/lib/live-fixtures.ts) against a fresh emulator and
// lists where the emulator's answers differ from the recorded ones: status, error codes and messages,
// and the shape of the body (keys and value types, array lengths). Sitekeys the recording saw are
// mapped to the ones the emulator hands out, in the order they appear.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ACCOUNT_PLACEHOLDER, type Recording } from '../../scripts/lib/live-fixtures.ts';
import type { Emulator } from '../../emulator/server.ts';

/** Every recording in `dir` (none when it does not exist), by file name. */
export function readRecordings(dir: string): { file: string; recording: Recording }[] {
  if (!existsSync(dir)) return [];
  const files = readdirSync(dir).filter((file) => file.endsWith('.json'));
  return files
    .sort()
    .map((file) => ({ file, recording: JSON.parse(readFileSync(join(dir, file), 'utf8')) as Recording }));
}

type Json = any; // eslint-disable-line @typescript-eslint/no-explicit-any

/** Keys and value types, recursively; arrays by length and the shape of each item. */
export function shape(value: unknown): unknown {
  if (value === null) return 'null';
  if (Array.isArray(value)) return value.map(shape);
  if (typeof value === 'object')
    return Object.fromEntries(
      Object.keys(value)
        .sort()
        .map((key) => [key, shape((value as Record<string, unknown>)[key])]),
    );
  return typeof value;
}

/** The sitekeys in an answer: the result's, or each listed widget's. */
function sitekeys(response: Json): string[] {
  const result = response?.result;
  if (Array.isArray(result)) return result.map((widget: Json) => widget?.sitekey).filter(Boolean);
  return typeof result?.sitekey === 'string' ? [result.sitekey] : [];
}

export interface ReplayDifference {
  exchange: number;
  what: string;
  recorded: unknown;
  emulator: unknown;
}

export async function replay(recording: Recording, emulator: Emulator): Promise<ReplayDifference[]> {
  const mapped = new Map<string, string>();
  const substitute = (text: string) => {
    let result = text.split(ACCOUNT_PLACEHOLDER).join(emulator.accountId);
    for (const [recorded, ours] of mapped) result = result.split(recorded).join(ours);
    return result;
  };
  const differences: ReplayDifference[] = [];
  for (const [index, exchange] of recording.exchanges.entries()) {
    if (exchange.status === 0) continue; // no answer was recorded (a network error): nothing to match
    const query = new URLSearchParams(
      Object.entries(exchange.query).map(([name, value]): [string, string] => [name, substitute(value)]),
    ).toString();
    const body = exchange.body === undefined ? undefined : substitute(JSON.stringify(exchange.body));
    const response = await fetch(`${emulator.url}${substitute(exchange.path)}${query ? `?${query}` : ''}`, {
      method: exchange.method,
      headers: { authorization: `Bearer ${emulator.apiToken}`, 'content-type': 'application/json' },
      body,
    });
    const answer = (await response.json()) as Json;
    const recorded = exchange.response as Json;
    // Learn the sitekeys before comparing, so the next requests name the emulator's widgets.
    const theirs = sitekeys(recorded);
    const ours = sitekeys(answer);
    theirs.forEach((key, i) => {
      if (ours[i] !== undefined && !mapped.has(key)) mapped.set(key, ours[i]);
    });
    const differ = (what: string, a: unknown, b: unknown) => {
      if (JSON.stringify(a) !== JSON.stringify(b))
        differences.push({
          exchange: index,
          what: `${exchange.method} ${exchange.path}: ${what}`,
          recorded: a,
          emulator: b,
        });
    };
    differ('status', exchange.status, response.status);
    if (recorded?.success === false) differ('errors', recorded.errors, answer.errors);
    // A redacted secret is still a string, so shapes compare as they were before redaction.
    differ('shape', shape(recorded), shape(answer));
  }
  return differences;
}
