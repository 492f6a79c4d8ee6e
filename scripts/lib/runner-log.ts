// Renders an action's stdout the way the Actions runner shows it in the job log: workflow
// commands are interpreted, and every value registered with ::add-mask:: is replaced by ***.
import { SecretRegistry } from '../../src/log/secrets.ts';

const COMMAND = /^::([a-z-]+)(?: ([^:]*))?::(.*)$/;

function unescape(value: string): string {
  return value
    .replace(/%0D/g, '\r')
    .replace(/%0A/g, '\n')
    .replace(/%3A/g, ':')
    .replace(/%2C/g, ',')
    .replace(/%25/g, '%');
}

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

export function renderRunnerLog(stdout: string, options: { debug?: boolean } = {}): string {
  const secrets = maskedValues(stdout);
  const lines: string[] = [];
  let indent = '';
  for (const raw of stdout.split('\n')) {
    const match = COMMAND.exec(raw);
    if (!match) {
      if (raw !== '') lines.push(indent + raw);
      continue;
    }
    const [, command, properties = '', message = ''] = match;
    const text = unescape(message);
    const title = /title=([^,]*)/.exec(properties)?.[1];
    switch (command) {
      case 'add-mask':
        break;
      case 'group':
        lines.push(`▼ ${text}`);
        indent = '  ';
        break;
      case 'endgroup':
        indent = '';
        break;
      case 'debug':
        if (options.debug) lines.push(`${indent}##[debug]${text}`);
        break;
      case 'error':
      case 'warning':
      case 'notice':
        lines.push(
          `${indent}${command[0]!.toUpperCase()}${command.slice(1)}${title ? ` (${unescape(title)})` : ''}: ${text}`,
        );
        break;
      default:
        lines.push(indent + raw);
    }
  }
  return mask(lines.join('\n'), secrets);
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
