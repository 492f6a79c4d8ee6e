import { escapeUntrusted } from './logger.ts';
import type { Runner } from './runner.ts';

// Turnstile secrets are 0x… with about 35 characters, sitekeys at most 32: a longer 0x… value is a
// secret, scrubbed by shape even when this run never received it (say, echoed in an API error).
const SECRET_SHAPE = /\b0x[0-9A-Za-z_-]{31,}/g;

export function looksLikeWidgetSecret(value: string): boolean {
  return new RegExp(`^${SECRET_SHAPE.source}$`).test(value);
}

/** The secrets of one run: masked by the runner (`::add-mask::`) once known, and redacted by the action too. */
export class SecretRegistry {
  private readonly known = new Set<string>();
  /** Every form of every secret, raw and escaped, longest first. */
  private forms: string[] = [];
  private readonly runner: Pick<Runner, 'setSecret'>;

  constructor(runner: Pick<Runner, 'setSecret'>) {
    this.runner = runner;
  }

  add(value: string | undefined): void {
    if (!value || this.known.has(value)) return;
    this.runner.setSecret(value);
    this.known.add(value);
    // Longest first, so a secret that contains another one is replaced whole.
    this.forms = [...new Set([...this.forms, ...forms(value)])].sort((a, b) => b.length - a.length);
    // The runner masks line by line, so each line of a value is a secret too.
    const lines = value.split(/\r\n|\r|\n/);
    if (lines.length > 1) for (const line of lines) if (line.trim()) this.add(line);
  }

  /** `text` without any secret, also in the forms escaping gives it (for text encoded before it is redacted: JSON). */
  redact(text: string): string {
    let result = text.replace(SECRET_SHAPE, '***');
    for (const form of this.forms) result = result.split(form).join('***');
    return result;
  }
}

/** `text` as it is, escaped as a whole message or inside one, each also with its quotes escaped (`\"`). */
function forms(text: string): string[] {
  const escaped = [text, escapeUntrusted(text), escapeUntrusted(`x${text}`).slice(1)];
  return [...new Set([...escaped, ...escaped.map((form) => form.replace(/"/g, '\\"'))])];
}
