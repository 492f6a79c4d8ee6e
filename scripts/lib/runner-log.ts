// Renders an action's stdout the way the Actions runner shows it in the job log: workflow
// commands are interpreted (debug lines hidden), and every value registered with ::add-mask:: is
// replaced by ***.
import { SecretRegistry } from '../../src/log/secrets.ts';

const COMMAND = /^::([a-z-]+)(?: ([^:]*))?::(.*)$/;
const ESCAPES: Record<string, string> = { '%0D': '\r', '%0A': '\n', '%3A': ':', '%2C': ',', '%25': '%' };
const unescape = (value: string) => value.replace(/%(?:0D|0A|3A|2C|25)/g, (escape) => ESCAPES[escape]!);

/** The masked values an action registered, in the order it registered them. */
export function maskedValues(stdout: string): string[] {
  return stdout
    .split('\n')
    .filter((line) => line.startsWith('::add-mask::'))
    .map((line) => unescape(line.slice('::add-mask::'.length)));
}

/**
 * `text` with every one of `secrets` replaced by ***, longest first: the action's own redact().
 * That also hides unregistered text shaped like a Turnstile widget secret, which the runner would
 * show; the action registers every secret it receives, so its logs render the same.
 */
export function mask(text: string, secrets: string[]): string {
  const registry = new SecretRegistry({ setSecret: () => undefined });
  for (const secret of secrets) registry.add(secret);
  return registry.redact(text);
}

export function renderRunnerLog(stdout: string): string {
  const lines: string[] = [];
  let indent = '';
  for (const raw of stdout.split('\n')) {
    const [, command, properties = '', message = ''] = COMMAND.exec(raw) ?? [];
    const text = unescape(message);
    const title = /title=([^,]*)/.exec(properties)?.[1];
    if (command === 'group') {
      lines.push(`▼ ${text}`);
      indent = '  ';
    } else if (command === 'endgroup') indent = '';
    else if (command === 'error' || command === 'warning' || command === 'notice') {
      const label = `${command[0]!.toUpperCase()}${command.slice(1)}${title ? ` (${unescape(title)})` : ''}`;
      lines.push(`${indent}${label}: ${text}`);
    } else if (command !== 'add-mask' && command !== 'debug' && raw !== '') lines.push(indent + raw);
  }
  return mask(lines.join('\n'), maskedValues(stdout));
}

/** The job summary (HTML that @actions/core writes) as plain text rows. */
export function renderSummary(html: string): string {
  return html
    .replace(/<\/(th|td)>/g, ' | ')
    .replace(/<\/tr>|<\/h\d>|<br>/g, '\n')
    .replace(/<[^>]+>/g, '')
    .split('\n')
    .map((line) => line.trim().replace(/\s*\|$/, ''))
    .filter(Boolean)
    .join('\n');
}
