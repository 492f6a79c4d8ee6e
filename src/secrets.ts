import * as core from '@actions/core';

// Every value registered here is masked by the runner (`::add-mask::`) the moment it is known,
// and scrubbed by `redact()` from any text this action writes itself (errors, debug lines,
// summaries), so the secret never depends on the runner's masking alone.
const knownSecrets = new Set<string>();

export function registerSecret(value: string | undefined): void {
  if (!value || knownSecrets.has(value)) return;
  core.setSecret(value);
  knownSecrets.add(value);
}

// Turnstile secrets look like 0x4AAAAAAA… with 30+ characters (sitekeys are shorter, ~24). A
// secret this run never received (say, echoed back in an API error) is still scrubbed by shape.
const SECRET_SHAPE = /\b0x[0-9A-Za-z_-]{28,}/g;

export function redact(text: string): string {
  let result = text.replace(SECRET_SHAPE, '***');
  // Longest first, so a secret that contains another one is replaced whole.
  const byLength = [...knownSecrets].sort((a, b) => b.length - a.length);
  for (const secret of byLength) result = result.split(secret).join('***');
  return result;
}

/** For tests: forget what earlier runs in the same process registered. */
export function forgetSecrets(): void {
  knownSecrets.clear();
}
