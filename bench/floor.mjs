/* global process, fetch */
// The floor for `npm run bench`: the same HTTP calls the action makes for an operation, with no
// framework at all (one file, no dependencies, global fetch), started the same way (INPUT_*
// variables) and writing the same kind of outputs. What the action costs beyond this is overhead.
import { appendFileSync } from 'node:fs';

const input = (name) => (process.env[`INPUT_${name.toUpperCase()}`] ?? '').trim();
const base = `${input('api-url')}/accounts/${input('account-id')}/challenges/widgets`;
const headers = { authorization: `Bearer ${input('api-token')}`, 'content-type': 'application/json' };

async function call(method, path = '', body) {
  const response = await fetch(base + path, { method, headers, body: body && JSON.stringify(body) });
  const json = await response.json();
  if (!json.success) throw new Error(`${method} ${path}: ${JSON.stringify(json.errors)}`);
  return json.result;
}

const byName = async (name) =>
  (await call('GET', `?page=1&per_page=1000&filter=${encodeURIComponent(`name:${name}`)}`)).filter(
    (w) => w.name === name,
  );

function output(widget) {
  if (!widget) return;
  if (widget.secret) process.stdout.write(`::add-mask::${widget.secret}\n`);
  const { secret, ...rest } = widget;
  const lines = { sitekey: widget.sitekey, secret, name: widget.name, widget: JSON.stringify(rest) };
  for (const [key, value] of Object.entries(lines))
    appendFileSync(process.env.GITHUB_OUTPUT, `${key}=${value ?? ''}\n`);
}

const name = input('name');
const config = { name, domains: input('domains').split(','), mode: 'managed' };
switch (input('operation')) {
  case 'ensure': {
    const [found] = await byName(name);
    if (found) output(await call('GET', `/${found.sitekey}`));
    else {
      const created = await call('POST', '', config);
      await byName(name); // the action's convergence check after a create
      output(created);
    }
    break;
  }
  case 'create':
    output(await call('POST', '', config));
    break;
  case 'get':
    output(await call('GET', `/${input('sitekey')}`));
    break;
  case 'delete':
    await call('DELETE', `/${input('sitekey')}`);
    appendFileSync(process.env.GITHUB_OUTPUT, `deleted=["${input('sitekey')}"]\n`);
    break;
  case 'prune-one-at-a-time': {
    // The naive loop prune is compared against: list, then delete one widget after the other.
    const prefix = input('name-prefix');
    const widgets = [];
    for (let page = 1; ; page++) {
      const batch = await call('GET', `?page=${page}&per_page=1000&filter=${encodeURIComponent(`name:${prefix}`)}`);
      widgets.push(...batch.filter((w) => w.name.startsWith(prefix)));
      if (batch.length < 1000) break;
    }
    for (const widget of widgets) await call('DELETE', `/${widget.sitekey}`);
    break;
  }
}
