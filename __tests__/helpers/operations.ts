// Operations driven directly against the emulator: what run() would hand them (a client of the
// emulator, a logger, the virtual clock), with the logger recording and the clock never waiting.
import { Agent } from 'undici';
import { afterEach } from 'vitest';
import type { Emulator } from '../../emulator/server.ts';
import { TurnstileClient } from '../../src/cloudflare/client.ts';
import { readGitHubContext } from '../../src/github/context.ts';
import type { OperationContext } from '../../src/operations/context.ts';
import { recordingLogger } from './logger.ts';
import { virtualClock } from './runner.ts';

type ClientOptions = ConstructorParameters<typeof TurnstileClient>[0];

const agents: Agent[] = [];
afterEach(async () => {
  for (const agent of agents.splice(0)) await agent.destroy();
});

/** An operation context on the emulator; `logger.lines` and `emulator.requests` are what tests read. */
export function emulatorContext(
  emulator: Emulator,
  overrides: Partial<OperationContext> = {},
  clientOptions: Partial<ClientOptions> = {},
) {
  const agent = new Agent();
  agents.push(agent);
  const clock = virtualClock();
  const logger = recordingLogger();
  const client = new TurnstileClient({
    apiUrl: emulator.url,
    accountId: emulator.accountId,
    auth: { kind: 'token', token: emulator.apiToken },
    logger,
    dispatcher: agent,
    // 1 s of real time on the virtual clock: a loaded machine never times out an honest answer.
    requestTimeoutMs: 10_000,
    maxRetries: 2,
    clock,
    random: () => 0.5,
    ...clientOptions,
  });
  const context: OperationContext = {
    client,
    logger,
    clock,
    github: readGitHubContext({ GITHUB_REPOSITORY: 'octo-org/app' }),
    openPullRequests: undefined,
    ...overrides,
  };
  return { context, client, logger, clock };
}

/** The emulator's requests as "METHOD /rest" below the widgets collection ("/" for the collection). */
export function calls(emulator: Emulator): string[] {
  return emulator.requests.map((r) => `${r.method} ${r.path.replace(/.*\/widgets/, '') || '/'}`);
}
