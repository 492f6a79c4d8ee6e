import type { Operation, SettingsOf, WidgetFields } from '../../src/settings.ts';
import { ACCOUNT, ORIGIN } from './mock-api.ts';

interface Overrides<O extends Operation> {
  operation?: O;
  name?: string;
  sitekey?: string;
  dryRun?: boolean;
  namePrefix?: string;
  invalidateImmediately?: boolean;
}

/** The settings readSettings() would produce for `operation`, for tests that drive operations directly. */
export function settings<O extends Operation = 'ensure'>(
  overrides: Overrides<O> = {},
  fields: Partial<WidgetFields> = {},
): SettingsOf<O> {
  const operation = overrides.operation ?? 'ensure';
  const name = overrides.name ?? (overrides.sitekey && operation === 'ensure' ? undefined : 'app-pr-1');
  const target = overrides.sitekey ? { sitekey: overrides.sitekey } : { name: name ?? 'app-pr-1' };
  const common = {
    apiUrl: `${ORIGIN}/client/v4`,
    accountId: ACCOUNT,
    auth: { kind: 'token' as const, token: 'test-token' },
    requestTimeoutMs: 1000,
    maxRetries: 2,
    dryRun: overrides.dryRun ?? false,
  };
  const widget = { domains: ['pr-1.example.com'], mode: 'managed' as const, ...fields };
  const specific = {
    ensure: { target, name, fields: widget, exportEnv: false },
    create: { name: name ?? 'app-pr-1', fields: widget, exportEnv: false },
    get: { target, exportEnv: false },
    delete: { target },
    'rotate-secret': { target, invalidateImmediately: overrides.invalidateImmediately ?? false, exportEnv: false },
    prune: { namePrefix: overrides.namePrefix ?? 'app-pr-', olderThanMs: 7 * 86_400_000, githubToken: undefined },
  }[operation];
  return { ...common, operation, ...specific } as unknown as SettingsOf<O>;
}
