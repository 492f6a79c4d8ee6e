import { MockAgent } from 'undici';
import { TurnstileClient, type ClientOptions } from '../../src/api/client.ts';
import { readGitHubContext } from '../../src/github-context.ts';
import type { Logger } from '../../src/log.ts';
import type { OperationContext } from '../../src/operations/context.ts';
import { virtualClock } from './runner.ts';

export const ORIGIN = 'https://api.cloudflare.test';
export const ACCOUNT = '0123456789abcdef0123456789abcdef';
export const WIDGETS_PATH = `/client/v4/accounts/${ACCOUNT}/challenges/widgets`;

export interface SeenRequest {
  method: string;
  path: string;
  body: unknown;
  headers: Record<string, string>;
}

export interface RecordedLog {
  level: 'debug' | 'info' | 'notice' | 'warning';
  message: string;
}

export function recordingLogger(): Logger & { lines: RecordedLog[] } {
  const lines: RecordedLog[] = [];
  return {
    lines,
    debug: (message) => lines.push({ level: 'debug', message }),
    info: (message) => lines.push({ level: 'info', message }),
    notice: (message) => lines.push({ level: 'notice', message }),
    warning: (message) => lines.push({ level: 'warning', message }),
  };
}

type Reply = { status: number; body?: unknown; raw?: string; headers?: Record<string, string> };

/** An undici MockAgent that answers `/challenges/widgets` requests and records what was sent. */
export function mockApi() {
  const agent = new MockAgent();
  agent.disableNetConnect();
  const pool = agent.get(ORIGIN);
  const requests: SeenRequest[] = [];
  const clock = virtualClock(Date.parse('2026-11-25T00:00:00Z'));
  const sleeps = clock.slept;
  const logger = recordingLogger();

  /** Answers the next request whose method and path (after the widgets path) match. */
  function on(method: string, path: string | RegExp, reply: Reply | ((request: SeenRequest) => Reply), times = 1) {
    pool
      .intercept({
        method,
        path: (full: string) => {
          const rest = full.split('?')[0]!.slice(WIDGETS_PATH.length);
          return (
            full.startsWith(WIDGETS_PATH) &&
            (typeof path === 'string' ? rest === path : path.test(full.slice(WIDGETS_PATH.length)))
          );
        },
      })
      .reply((options) => {
        const seen: SeenRequest = {
          method: options.method,
          path: options.path,
          body: typeof options.body === 'string' ? JSON.parse(options.body) : undefined,
          headers: Object.fromEntries(
            Object.entries((options.headers ?? {}) as Record<string, string>).map(([k, v]) => [k.toLowerCase(), v]),
          ),
        };
        requests.push(seen);
        const answer = typeof reply === 'function' ? reply(seen) : reply;
        return {
          statusCode: answer.status,
          data: answer.raw ?? JSON.stringify(answer.body ?? {}),
          responseOptions: { headers: { 'content-type': 'application/json', ...answer.headers } },
        };
      })
      .times(times);
  }

  function networkError(method: string, path: string, code = 'ECONNRESET') {
    const error = Object.assign(new Error('socket hang up'), { code });
    pool
      .intercept({ method, path: (full: string) => full.split('?')[0] === WIDGETS_PATH + path })
      .replyWithError(error);
  }

  function client(overrides: Partial<ClientOptions> = {}) {
    return new TurnstileClient({
      apiUrl: `${ORIGIN}/client/v4`,
      accountId: ACCOUNT,
      auth: { kind: 'token', token: 'test-token' },
      logger,
      dispatcher: agent,
      requestTimeoutMs: 1000,
      maxRetries: 2,
      clock,
      random: () => 0.5,
      ...overrides,
    });
  }

  /** What operations receive: this API's client, the recording logger, the virtual clock. */
  function context(overrides: Partial<OperationContext> = {}): OperationContext {
    return {
      client: client(),
      logger,
      clock,
      github: readGitHubContext({ GITHUB_REPOSITORY: 'octo-org/app' }),
      openPullRequests: undefined,
      ...overrides,
    };
  }

  return { agent, on, networkError, client, context, requests, sleeps, logger, clock };
}

let counter = 0;
/** A widget as the API returns it (detail shape); `secret: undefined` gives the list shape. */
export function widget(overrides: Record<string, unknown> = {}) {
  counter++;
  return {
    sitekey: `0x4AAAAAAA${String(counter).padStart(14, '0')}`,
    secret: `0x4AAAAAAAsecret${String(counter).padStart(18, '0')}`,
    name: 'app-pr-1',
    domains: ['pr-1.example.com'],
    mode: 'managed',
    // One second apart, in the order the widgets were made (never wrapping): "oldest" is well defined.
    created_on: new Date(Date.parse('2026-01-01T00:00:00Z') + counter * 1000).toISOString().replace('Z', '000Z'),
    modified_on: '2026-01-01T00:00:00.000000Z',
    region: 'world',
    bot_fight_mode: false,
    offlabel: false,
    clearance_level: 'no_clearance',
    ephemeral_id: false,
    ...overrides,
  };
}

export function listShape(detail: Record<string, unknown>) {
  const { secret: _secret, ...rest } = detail;
  return rest;
}

export const ok = (result: unknown, extra: Record<string, unknown> = {}): Reply => ({
  status: 200,
  body: { success: true, errors: [], messages: [], result, ...extra },
});

export const fail = (status: number, code: number, message: string): Reply => ({
  status,
  body: { success: false, errors: [{ code, message }], messages: [], result: null },
});

export const listOf = (widgets: Record<string, unknown>[], page = 1, perPage = 1000): Reply =>
  ok(widgets.map(listShape), {
    result_info: { page, per_page: perPage, count: widgets.length, total_count: widgets.length },
  });
