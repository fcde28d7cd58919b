/**
 * Which proxy a request goes through, with Go's rules (`net/http.ProxyFromEnvironment`,
 * `golang.org/x/net/http/httpproxy`): `HTTP_PROXY` for http targets, `HTTPS_PROXY` for https
 * targets (upper case first, then lower case), `NO_PROXY` exceptions, and never a proxy for
 * `localhost` or a loopback address taken from the environment.
 */
import { BlockList, isIP } from 'node:net';
import { HttpTraceTypeError } from '../errors.js';

/** Chooses the proxy for a target URL, or `undefined` to connect directly. */
export type ProxyChooser = (target: URL) => URL | undefined;

/** A proxy option: a URL (for every target, as Go's `http.ProxyURL`) or a chooser function. */
export type ProxyOption = string | URL | ProxyChooser;

/** Parses a proxy URL as Go does: a value without a scheme means `http://`; only http proxies. */
export function parseProxyURL(value: string | URL, origin: string): URL {
  let url: URL;
  try {
    url = typeof value === 'string' ? new URL(/^[a-z][a-z0-9+.-]*:\/\//i.test(value) ? value : `http://${value}`) : value;
  } catch {
    throw new HttpTraceTypeError('ERR_HTTPTRACE_INVALID_OPTION', `${origin}: invalid proxy URL ${JSON.stringify(String(value))}`);
  }
  if (url.protocol !== 'http:') {
    throw new HttpTraceTypeError('ERR_HTTPTRACE_INVALID_OPTION', `${origin}: only http:// proxies are supported, got ${url.protocol}//`);
  }
  return url;
}

/** Turns a proxy option into a chooser; validates a URL at once. */
export function proxyChooser(option: ProxyOption | undefined): ProxyChooser | undefined {
  if (option === undefined) return undefined;
  if (typeof option === 'function') return option;
  const url = parseProxyURL(option, 'the proxy option');
  return () => url;
}

interface DomainRule {
  readonly suffix: string;
  readonly matchHost: boolean;
  readonly port: string;
}

/** Go's `NO_PROXY` matcher: `*`, IPs, CIDRs, `name` (itself and subdomains), `.name` (subdomains), `:port`. */
export function noProxyMatcher(value: string): (host: string, port: string) => boolean {
  const ips = new BlockList();
  const domains: DomainRule[] = [];
  let all = false;
  for (let entry of value.split(',')) {
    entry = entry.trim().toLowerCase();
    if (entry === '') continue;
    if (entry === '*') all = true;
    const [net, bits] = entry.split('/');
    if (bits !== undefined && isIP(net!)) {
      ips.addSubnet(net!, Number(bits), isIP(net!) === 6 ? 'ipv6' : 'ipv4');
      continue;
    }
    const bare = entry.replace(/^\[|\]$/g, '');
    if (isIP(bare)) {
      ips.addAddress(bare, isIP(bare) === 6 ? 'ipv6' : 'ipv4');
      continue;
    }
    let host = entry;
    let port = '';
    const colon = entry.lastIndexOf(':');
    if (colon > 0 && !entry.includes(']')) {
      host = entry.slice(0, colon);
      port = entry.slice(colon + 1);
      const ipHost = host.replace(/^\[|\]$/g, '');
      if (isIP(ipHost)) {
        ips.addAddress(ipHost, isIP(ipHost) === 6 ? 'ipv6' : 'ipv4');
        continue;
      }
    }
    if (host.startsWith('*.')) host = host.slice(1);
    const matchHost = !host.startsWith('.');
    domains.push({ suffix: matchHost ? `.${host}` : host, matchHost, port });
  }
  return (host, port) => {
    if (all) return true;
    const h = host.toLowerCase().replace(/^\[|\]$/g, '');
    const family = isIP(h);
    if (family !== 0) return ips.check(h, family === 6 ? 'ipv6' : 'ipv4');
    return domains.some((d) => (h.endsWith(d.suffix) || (d.matchHost && h === d.suffix.slice(1))) && (d.port === '' || d.port === port));
  };
}

function isLoopback(host: string): boolean {
  const h = host.replace(/^\[|\]$/g, '').toLowerCase();
  return h === 'localhost' || h === '::1' || /^127\.\d+\.\d+\.\d+$/.test(h);
}

function env(vars: NodeJS.ProcessEnv, ...names: string[]): string | undefined {
  for (const name of names) {
    const value = vars[name];
    if (value !== undefined && value !== '') return value;
  }
  return undefined;
}

/**
 * Go's `ProxyFromEnvironment`, read once: `HTTP_PROXY`/`http_proxy`, `HTTPS_PROXY`/`https_proxy`,
 * `NO_PROXY`/`no_proxy`. Loopback targets are never proxied.
 */
export function proxyFromEnvironment(vars: NodeJS.ProcessEnv = process.env): ProxyChooser {
  const httpProxy = env(vars, 'HTTP_PROXY', 'http_proxy');
  const httpsProxy = env(vars, 'HTTPS_PROXY', 'https_proxy');
  const forHttp = httpProxy === undefined ? undefined : parseProxyURL(httpProxy, 'HTTP_PROXY');
  const forHttps = httpsProxy === undefined ? undefined : parseProxyURL(httpsProxy, 'HTTPS_PROXY');
  const exempt = noProxyMatcher(env(vars, 'NO_PROXY', 'no_proxy') ?? '');
  return (target) => {
    const proxy = target.protocol === 'https:' ? forHttps : target.protocol === 'http:' ? forHttp : undefined;
    if (proxy === undefined || isLoopback(target.hostname)) return undefined;
    const port = target.port || (target.protocol === 'https:' ? '443' : '80');
    return exempt(target.hostname, port) ? undefined : proxy;
  };
}

/** `Basic …` credentials from a proxy URL's user info, or `undefined`. */
export function proxyAuthorization(proxy: URL): string | undefined {
  if (proxy.username === '' && proxy.password === '') return undefined;
  const credentials = `${decodeURIComponent(proxy.username)}:${decodeURIComponent(proxy.password)}`;
  return `Basic ${Buffer.from(credentials).toString('base64')}`;
}

/** The proxy URL without credentials, for messages. */
export function proxyLabel(proxy: URL): string {
  return `${proxy.protocol}//${proxy.host}`;
}
