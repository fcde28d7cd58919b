/**
 * Go's proxying for an undici request: an http target becomes an absolute-form request to the
 * proxy (with `Proxy-Authorization` from the proxy URL); an https target is left to the connector,
 * which tunnels.
 */
import { proxyAuthorization, type ProxyChooser } from '../internal/proxy-config.js';
import type { DispatchOptions } from './options.js';

/**
 * The options to dispatch for `opts`, and the proxy it goes through, if any. With `tunnelHttp`
 * (undici 6/7's way), an http target is left to the connector's tunnel too.
 */
export function routeThroughProxy(opts: DispatchOptions, choose: ProxyChooser, tunnelHttp: boolean): { opts: DispatchOptions; proxy: URL | undefined } {
  if (opts.origin === undefined) return { opts, proxy: undefined };
  const origin = new URL(String(opts.origin));
  const proxy = choose(new URL(opts.path, origin));
  if (proxy === undefined || origin.protocol !== 'http:' || tunnelHttp) return { opts, proxy };
  const extra = ['host', origin.host];
  const auth = proxyAuthorization(proxy);
  if (auth !== undefined) extra.push('proxy-authorization', auth);
  return { opts: { ...opts, origin: `http://${proxy.host}`, path: new URL(opts.path, origin).href, headers: withHeaders(opts.headers, extra) }, proxy };
}

/** undici's headers (flat array, array of pairs, or object) with `extra` (`[name, value, …]`) added. */
function withHeaders(headers: unknown, extra: string[]): unknown {
  if (headers === undefined || headers === null) return extra;
  if (Array.isArray(headers)) return Array.isArray(headers[0]) ? [...(headers as string[][]).flat(), ...extra] : [...(headers as string[]), ...extra];
  const out: Record<string, unknown> = { ...(headers as Record<string, unknown>) };
  for (let i = 0; i < extra.length; i += 2) out[extra[i]!] = extra[i + 1];
  return out;
}
