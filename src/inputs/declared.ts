import { CLOUDFLARE_API_URL } from '../cloudflare/client.ts';

/**
 * Every input action.yml declares, with its default exactly as action.yml writes it (a test checks
 * that the two are equal). The runner fills in these defaults itself; the action applies them
 * again for inputs that arrive empty, as `with: { dry-run: '' }` does. An input whose "unset" the
 * action must see (mode, clearance-level, the flags, region: unset keeps the widget's value) has
 * no default here.
 */
export const INPUTS = {
  operation: { default: 'ensure' },
  'api-token': {},
  'api-email': {},
  'api-key': {},
  'account-id': {},
  name: {},
  domains: {},
  mode: {},
  'clearance-level': {},
  'bot-fight-mode': {},
  'ephemeral-id': {},
  offlabel: {},
  region: {},
  sitekey: {},
  'dry-run': { default: 'false' },
  'api-url': { default: CLOUDFLARE_API_URL },
  'request-timeout': { default: '30' },
  'max-retries': { default: '4' },
  'invalidate-immediately': { default: 'false' },
  'name-prefix': {},
  'older-than': { default: '7d' },
  'github-token': { default: '${{ github.token }}' },
  'export-env': { default: 'false' },
  'test-keys': {},
} as const satisfies Record<string, { default?: string; required?: boolean }>;

export type InputName = keyof typeof INPUTS;
const declared: Record<InputName, { default?: string; required?: boolean }> = INPUTS;
export const INPUT_NAMES = Object.keys(INPUTS) as InputName[];

export type StepInputs = ReturnType<typeof readInputs>;

/** The runner passes `with:` values as INPUT_<NAME> (upper case, spaces as underscores). */
const variableOf = (name: string) => `INPUT_${name.replace(/ /g, '_').toUpperCase()}`;

/**
 * `raw`: every input trimmed (as core.getInput does), defaults applied; `given`: the inputs without a
 * default that have a value (only they can be told set); `undeclared`: INPUT_* variables that name no
 * input (the runner warns about them).
 */
export function readInputs(env: NodeJS.ProcessEnv) {
  const raw = {} as Record<InputName, string>;
  const given = new Set<InputName>();
  for (const name of INPUT_NAMES) {
    const value = (env[variableOf(name)] ?? '').trim();
    const fallback = declared[name].default;
    if (fallback === undefined && value !== '') given.add(name);
    // An expression default (`${{ github.token }}`) is the runner's to evaluate, never a value.
    raw[name] = value === '' && fallback !== undefined && !fallback.startsWith('${{') ? fallback : value;
  }
  const known = new Set(INPUT_NAMES.map(variableOf));
  const undeclared = Object.keys(env)
    .filter((variable) => variable.startsWith('INPUT_') && !known.has(variable))
    .map((variable) => variable.slice('INPUT_'.length).toLowerCase());
  return { raw, given, undeclared };
}

/** The candidate a mistyped value most likely meant: same letters, within two edits, or a prefix. */
export function closest<T extends string>(given: string, candidates: readonly T[]): T | undefined {
  const letters = (text: string) => text.toLowerCase().replace(/[-_\s]/g, '');
  const exact = candidates.find((name) => letters(name) === letters(given));
  if (exact) return exact;
  let best: { name: T; distance: number } | undefined;
  for (const name of candidates) {
    // Two edits change the length by two at most: a far longer name need not be measured.
    if (Math.abs(letters(given).length - letters(name).length) > 2) continue;
    const distance = editDistance(letters(given), letters(name));
    if (distance <= 2 && (!best || distance < best.distance)) best = { name, distance };
  }
  const prefix = candidates.find(
    (name) => letters(name).startsWith(letters(given)) || letters(given).startsWith(letters(name)),
  );
  return best?.name ?? (given.length >= 3 ? prefix : undefined);
}

/** Edits (insert, delete, replace, swap two neighbours) that turn `a` into `b`. */
function editDistance(a: string, b: string): number {
  const rows = Array.from({ length: a.length + 1 }, (_, i) => [i, ...Array<number>(b.length).fill(0)]);
  for (let j = 0; j <= b.length; j++) rows[0]![j] = j;
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const row = rows[i]!;
      const above = rows[i - 1]!;
      row[j] = Math.min(above[j]! + 1, row[j - 1]! + 1, above[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) {
        row[j] = Math.min(row[j]!, rows[i - 2]![j - 2]! + 1);
      }
    }
  }
  return rows[a.length]![b.length]!;
}
