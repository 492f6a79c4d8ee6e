import type { Runner } from './runner.ts';

// Turnstile secrets look like 0x4AAAAAAA… with about 35 characters; sitekeys have about 24 and at
// most 32 (the sitekey input's limit), so only a longer 0x… value is taken for a secret. A secret
// this run never received (say, echoed back in an API error) is still scrubbed by shape.
const SECRET_SHAPE = /\b0x[0-9A-Za-z_-]{31,}/g;

/** True for a value shaped like a Turnstile widget secret (not a sitekey). */
export function looksLikeWidgetSecret(value: string): boolean {
  return new RegExp(`^${SECRET_SHAPE.source}$`).test(value);
}

/**
 * The secrets of one run. Each is masked by the runner (`::add-mask::`) the moment it is known,
 * and scrubbed by `redact()` from any text the action writes itself (errors, debug lines,
 * summaries), so a secret never depends on the runner's masking alone.
 */
export class SecretRegistry {
  private readonly known = new Set<string>();
  private readonly runner: Pick<Runner, 'setSecret'>;

  constructor(runner: Pick<Runner, 'setSecret'>) {
    this.runner = runner;
  }

  add(value: string | undefined): void {
    if (!value || this.known.has(value)) return;
    this.runner.setSecret(value);
    this.known.add(value);
  }

  redact(text: string): string {
    let result = text.replace(SECRET_SHAPE, '***');
    // Longest first, so a secret that contains another one is replaced whole.
    const byLength = [...this.known].sort((a, b) => b.length - a.length);
    for (const secret of byLength) result = result.split(secret).join('***');
    return result;
  }
}
