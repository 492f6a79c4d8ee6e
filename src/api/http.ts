import { Agent, EnvHttpProxyAgent, type Dispatcher } from 'undici';
import { KEEP_ALIVE_MS } from '../constants.ts';

export type { Dispatcher };

/**
 * A keep-alive connection pool for the run; `connections` caps the sockets per origin. Behind a
 * proxy (HTTPS_PROXY / HTTP_PROXY, as self-hosted runners set them) requests go through it, except
 * for the hosts NO_PROXY names: the same variables the runner and @actions/http-client honour.
 */
export function createDispatcher(env: NodeJS.ProcessEnv, connections: number, connectTimeoutMs: number): Dispatcher {
  const options = { connections, keepAliveTimeout: KEEP_ALIVE_MS, connect: { timeout: connectTimeoutMs } };
  // Lower case first, and `host:port` without a scheme read as http://, as @actions/http-client does.
  const withScheme = (value: string | undefined) => (!value || /^[a-z]+:\/\//i.test(value) ? value : `http://${value}`);
  const httpProxy = withScheme(env.http_proxy || env.HTTP_PROXY) ?? '';
  const httpsProxy = withScheme(env.https_proxy || env.HTTPS_PROXY) ?? '';
  if (!httpProxy && !httpsProxy) return new Agent(options);
  // Every value is passed explicitly ('' for none), so undici reads nothing from process.env itself.
  return new EnvHttpProxyAgent({ ...options, httpProxy, httpsProxy, noProxy: env.no_proxy || env.NO_PROXY || '' });
}
