import { Agent, EnvHttpProxyAgent, Pool, type Dispatcher } from 'undici';

/** Idle keep-alive sockets are closed after this long (the run ends long before). */
const KEEP_ALIVE_MS = 10_000;

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
  return new EnvHttpProxyAgent({
    ...options,
    // Every value is passed explicitly ('' for none), so undici reads nothing from process.env itself.
    httpProxy,
    httpsProxy,
    noProxy: env.no_proxy || env.NO_PROXY || '',
    // undici 8 would forward a plain-http request to the proxy as it is, headers and token in
    // the clear; a CONNECT tunnel keeps every request (the loopback emulator's too) end to end.
    proxyTunnel: true,
    // Reaching the proxy and its answer to CONNECT are bounded like any connect: a silent proxy
    // would otherwise hold the connection (and the pool's close) for undici's default of 300 s.
    connectTimeout: connectTimeoutMs,
    clientFactory: (origin, proxyOptions) => new Pool(origin, { ...proxyOptions, headersTimeout: connectTimeoutMs }),
  });
}
