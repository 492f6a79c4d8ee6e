import { inspect } from 'node:util';
import { z } from 'zod';
import { TurnstileClient } from './cloudflare/client.ts';
import type { Dispatcher } from 'undici';
import { createDispatcher } from './http/pool.ts';
import { systemClock, type Clock } from './http/clock.ts';
import { gitHubApi } from './github/api.ts';
import { readGitHubContext } from './github/context.ts';
import { forRunner, runnerLogger } from './log/logger.ts';
import { runOperation } from './operations/index.ts';
import { PRUNE_CONCURRENCY } from './operations/prune.ts';
import { testKeysResult } from './operations/test-keys.ts';
import { writeOutputs } from './report/outputs.ts';
import { INPUTS } from './inputs/declared.ts';
import { readSettings } from './inputs/read-settings.ts';
import { ActionError, actionsRunner, type Runner } from './log/runner.ts';
import { SecretRegistry } from './log/secrets.ts';
import type { Settings } from './inputs/settings.ts';
import { failureSummary, resultSummary } from './report/summary.ts';

interface Dependencies {
  runner: Runner;
  /** The step's environment: INPUT_* inputs, GITHUB_* context, proxy variables. */
  env: NodeJS.ProcessEnv;
  /** Tests pass their own dispatcher; by default one keep-alive pool (proxy-aware) per run. */
  dispatcher?: Dispatcher;
  clock?: Clock;
  random?: () => number;
}

/**
 * The action: inputs → Cloudflare → outputs. Returns the exit code; each failure is one error line.
 * Without arguments it talks to the runner itself (as @github/local-action calls it).
 */
export async function run({
  runner = actionsRunner,
  env = process.env,
  dispatcher,
  clock = systemClock,
  random,
}: Partial<Dependencies> = {}): Promise<number> {
  const secrets = new SecretRegistry(runner);
  const logger = runnerLogger(runner, secrets);
  // For the summary of a run that fails before its settings are read: the operation it was asked for.
  let operation = env.INPUT_OPERATION?.trim() || INPUTS.operation.default;
  try {
    // Read once: the inputs' defaults and the operations both need it (the event file is on disk).
    const github = readGitHubContext(env);
    const settings = readSettings(env, secrets, logger, github);
    operation = settings.operation;
    if ('testKeys' in settings) {
      // No client, no pool: nothing is sent to Cloudflare or GitHub.
      const result = testKeysResult(settings, logger, github);
      writeOutputs(runner, secrets, result, settings.exportEnv);
      await runner.appendSummary(resultSummary(result, secrets));
      return 0;
    }
    // Connect timeouts follow request-timeout; prune deletes several widgets at once.
    const pool =
      dispatcher ??
      createDispatcher(env, settings.operation === 'prune' ? PRUNE_CONCURRENCY : 1, settings.requestTimeoutMs);
    const { githubToken: token, apiUrl, requestTimeoutMs, maxRetries } = settings;
    const connection = { dispatcher: pool, requestTimeoutMs, maxRetries, clock, logger, random };
    const client = new TurnstileClient({
      ...connection,
      apiUrl,
      accountId: settings.accountId,
      auth: settings.auth,
      onSecret: (secret) => secrets.add(secret),
    });
    const gitHub = token ? gitHubApi({ ...connection, token, github }) : undefined;
    try {
      runner.startGroup(forRunner(`Turnstile ${settings.operation}: "${subject(settings)}"`, secrets));
      const result = await runOperation(settings, {
        client,
        logger,
        clock,
        github,
        action: actionReference(env),
        openPullRequests: gitHub?.openPullRequests,
        branches: gitHub?.branches,
      }).finally(() => runner.endGroup());
      writeOutputs(runner, secrets, result, settings.exportEnv);
      await runner.appendSummary(resultSummary(result, secrets));
      logger.debug(`Cloudflare API requests: ${client.requestCount}`);
    } finally {
      if (!dispatcher) await pool.close();
    }
    return 0;
  } catch (error) {
    const failures: unknown[] = error instanceof AggregateError ? error.errors : [error];
    for (const failure of failures) {
      runner.error(forRunner(errorText(failure), secrets), titleFor(failure));
      // A bug, not a user mistake or an API answer: what a maintainer needs, visible with step debug logging.
      if (titleFor(failure) === UNEXPECTED) runner.debug(stackWithCauses(failure, secrets));
    }
    const messages = failures.map(errorText);
    await runner.appendSummary(failureSummary(operation, messages, secrets)).catch(() => undefined);
    return 1;
  }
}

/** What the run is about, for the log group's title. */
function subject(settings: Settings): string {
  if (settings.operation === 'prune') return `${settings.namePrefix}*`;
  if (settings.operation === 'create') return settings.name;
  return 'sitekey' in settings.target ? settings.target.sitekey : settings.target.name;
}

/** `owner/repo@ref` as the runner names the running action; undefined for `uses: ./` or locally. */
function actionReference(env: NodeJS.ProcessEnv): string | undefined {
  const repository = env.GITHUB_ACTION_REPOSITORY;
  const ref = env.GITHUB_ACTION_REF;
  return repository && ref ? `${repository}@${ref}` : undefined;
}

/** A failure as text (forRunner makes it one line). */
function errorText(failure: unknown): string {
  // A bug, whose stack is at debug level: a ZodError's message is a JSON dump of its issues, so one line of them.
  if (failure instanceof z.ZodError) {
    const issues = failure.issues.map((issue) => `${issue.path.join('.') || 'value'}: ${issue.message}`);
    return `unexpected data (a bug in the action): ${issues.join('; ')}`;
  }
  return failure instanceof Error ? failure.message : String(failure);
}

/** The stack of an unexpected error and its `cause` chain, each line escaped (a debug command may hold several). */
function stackWithCauses(error: unknown, secrets: SecretRegistry): string {
  const parts: string[] = [];
  for (let current = error, depth = 0; current !== undefined && depth < 10; depth++) {
    parts.push(current instanceof Error ? (current.stack ?? `${current.name}: ${current.message}`) : inspect(current));
    current = current instanceof Error ? current.cause : undefined;
  }
  const lines = parts.join('\nCaused by: ').split('\n');
  return lines.map((line) => forRunner(line, secrets)).join('\n');
}

const UNEXPECTED = 'Turnstile action failed';

function titleFor(error: unknown): string {
  if (error instanceof ActionError) return error.title;
  return UNEXPECTED;
}
