import { Agent, EnvHttpProxyAgent, type Dispatcher } from 'undici';
import { KEEP_ALIVE_MS } from '../defaults.ts';

export type { Dispatcher };

/**
 * A keep-alive connection pool for the run; `connections` caps the sockets per origin. Behind a
 * proxy (HTTPS_PROXY / HTTP_PROXY, as self-hosted runners set them) requests go through it, except
 * for the hosts NO_PROXY names: the same variables the runner and @actions/http-client honour.
 */
export function createDispatcher(env: NodeJS.ProcessEnv, connections: number, connectTimeoutMs: number): Dispatcher {
  const options = { connections, keepAliveTimeout: KEEP_ALIVE_MS, connect: { timeout: connectTimeoutMs } };
  const httpProxy = env.HTTP_PROXY || env.http_proxy || '';
  const httpsProxy = env.HTTPS_PROXY || env.https_proxy || '';
  if (!httpProxy && !httpsProxy) return new Agent(options);
  // Every value is passed explicitly ('' for none), so undici reads nothing from process.env itself.
  return new EnvHttpProxyAgent({ ...options, httpProxy, httpsProxy, noProxy: env.NO_PROXY || env.no_proxy || '' });
}
