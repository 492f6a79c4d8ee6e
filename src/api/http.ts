// The two pieces of undici the client uses, imported directly: undici's index also loads fetch,
// WebSocket, caching and the mocks, which more than doubles what the bundle evaluates at start
// (measured by `npm run bench`). Unit tests pass undici's MockAgent, which is a Dispatcher too.
import Agent from 'undici/lib/dispatcher/agent.js';
import requestApi from 'undici/lib/api/api-request.js';
import type { Dispatcher } from 'undici';

export type { Dispatcher };

/** A keep-alive connection pool; `connections` caps the sockets per origin. */
export function createDispatcher(connections: number): Dispatcher {
  return new Agent({ connections, keepAliveTimeout: 10_000, connect: { timeout: 10_000 } });
}

/** undici's `request()`, on the given dispatcher. */
export function send(
  dispatcher: Dispatcher,
  url: URL,
  options: Omit<Dispatcher.RequestOptions, 'origin' | 'path'>,
): Promise<Dispatcher.ResponseData> {
  return requestApi.call(dispatcher, { ...options, origin: url.origin, path: url.pathname + url.search });
}
