/**
 * Node's env proxy (`NODE_USE_ENV_PROXY=1` or `--use-env-proxy`, Node 22.21+/24/26) as a proxy
 * chooser, so that a tracing dispatcher built while it is on sends requests where Node's
 * `EnvHttpProxyAgent` would: undici's rules, not Go's. `http_proxy` before `HTTP_PROXY`,
 * `https_proxy`/`HTTPS_PROXY` falling back to the http proxy, `no_proxy`/`NO_PROXY` exceptions, and
 * loopback targets proxied like any other.
 */
import { noProxyMatcher, parseProxyURL, type ProxyChooser } from '../internal/proxy-config.js';

function first(vars: NodeJS.ProcessEnv, ...names: string[]): [string, string] | undefined {
  for (const name of names) {
    const value = vars[name];
    if (value !== undefined && value !== '') return [name, value];
  }
  return undefined;
}

/** The chooser for Node's env proxy, read from `vars` once. */
export function nodeEnvProxy(vars: NodeJS.ProcessEnv = process.env): ProxyChooser {
  const http = first(vars, 'http_proxy', 'HTTP_PROXY');
  const https = first(vars, 'https_proxy', 'HTTPS_PROXY') ?? http;
  const forHttp = http === undefined ? undefined : parseProxyURL(http[1], http[0]);
  const forHttps = https === undefined ? undefined : parseProxyURL(https[1], https[0]);
  const exempt = noProxyMatcher(first(vars, 'no_proxy', 'NO_PROXY')?.[1] ?? '');
  return (target) => {
    const proxy = target.protocol === 'https:' ? forHttps : target.protocol === 'http:' ? forHttp : undefined;
    if (proxy === undefined) return undefined;
    const port = target.port || (target.protocol === 'https:' ? '443' : '80');
    return exempt(target.hostname, port) ? undefined : proxy;
  };
}
