import type { Settings } from '../../src/inputs.ts';
import { ACCOUNT, ORIGIN } from './mock-api.ts';

/** Settings as readSettings() would produce them, for tests that drive operations directly. */
export function settings(
  overrides: Partial<Settings> = {},
  desired: Partial<NonNullable<Settings['desired']>> = {},
): Settings {
  const name = overrides.name ?? 'app-pr-1';
  return {
    operation: 'ensure',
    apiUrl: `${ORIGIN}/client/v4`,
    accountId: ACCOUNT,
    auth: { kind: 'token', token: 'test-token' },
    name,
    sitekey: undefined,
    desired: { name, domains: ['pr-1.example.com'], mode: 'managed', ...desired },
    dryRun: false,
    requestTimeoutMs: 1000,
    maxRetries: 2,
    invalidateImmediately: false,
    namePrefix: undefined,
    olderThanMs: 7 * 86_400_000,
    githubToken: undefined,
    exportEnv: false,
    ...overrides,
  };
}
