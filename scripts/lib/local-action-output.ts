// @github/local-action's output, made to fit a 100-column terminal: its "Action Metadata" section
// (action.yml's descriptions, in tables several hundred columns wide) is left out, its table of the
// action's outputs becomes `name: value` lines, any other table row wider than 100 columns is cut,
// and longer text lines (the action's log, its outputs) are wrapped.
import { Transform, type TransformCallback } from 'node:stream';

export const WIDTH = 100;
const RULE = /^={40,}$/; // local-action frames each section title with two rules
const TABLE_ROW = /^[┌│├└]/;
// eslint-disable-next-line no-control-regex -- colour codes, when local-action writes to a terminal
const ANSI = /\x1b\[[0-9;]*m/g;
const METADATA = 'Action Metadata';

/** A line transform over local-action's stdout (see the file comment). */
export function fitLocalActionOutput(): Transform {
  let pending = '';
  let state: 'text' | 'opening rule' | 'title' = 'text';
  let heldRule = '';
  let section = '';
  const out: string[] = [];

  const handle = (line: string): void => {
    const plain = line.replace(ANSI, '');
    if (state === 'opening rule') {
      state = 'title';
      section = plain.trim();
      if (section === METADATA) out.push("(The action's inputs and outputs: see action.yml.)");
      else out.push(heldRule, line);
      return;
    }
    if (RULE.test(plain)) {
      if (state === 'title') {
        state = 'text';
        if (section !== METADATA) out.push(line);
      } else {
        state = 'opening rule';
        heldRule = line;
      }
      return;
    }
    state = 'text';
    if (section === METADATA) return;
    if (section === 'Action Outputs' && TABLE_ROW.test(plain)) {
      const cells = plain.split('│').map((cell) => cell.trim());
      if (cells.length === 5 && cells[1] !== '(index)')
        out.push(...wrap(`${unquote(cells[2]!)}: ${unquote(cells[3]!)}`));
      return;
    }
    if (plain.length <= WIDTH) out.push(line);
    else out.push(...(TABLE_ROW.test(plain) ? [`${plain.slice(0, WIDTH - 1)}…`] : wrap(plain)));
  };
  const drain = () => (out.length ? `${out.splice(0).join('\n')}\n` : undefined);

  return new Transform({
    transform(chunk: Buffer, _encoding, done: TransformCallback) {
      pending += chunk.toString('utf8');
      const lines = pending.split('\n');
      pending = lines.pop()!;
      lines.forEach(handle);
      done(null, drain());
    },
    flush(done: TransformCallback) {
      if (pending) handle(pending);
      if (state === 'opening rule') out.push(heldRule);
      done(null, drain());
    },
  });
}

/** A value as console.table prints it ('text', "text" or `text`), without the quotes. */
function unquote(cell: string): string {
  return /^(['"`]).*\1$/s.test(cell) ? cell.slice(1, -1) : cell;
}

/** `text` in lines of at most WIDTH columns, the continuation lines indented. */
function wrap(text: string): string[] {
  const lines = [text.slice(0, WIDTH)];
  for (let at = WIDTH; at < text.length; at += WIDTH - 4) lines.push(`    ${text.slice(at, at + WIDTH - 4)}`);
  return lines;
}
