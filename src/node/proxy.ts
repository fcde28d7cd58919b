/**
 * The tracing agents' proxy support, with Go's behaviour: an http target is asked for in absolute
 * form (`GET http://host/path`) on a connection to the proxy, pooled per proxy; an https target
 * goes through a `CONNECT` tunnel, then TLS with the target. `getConn`, DNS and connect hooks are
 * about the proxy, the TLS hooks about the target; the `CONNECT` exchange fires none.
 */
import type { ClientRequest } from 'node:http';
import { joinHostPort } from '../internal/host-port.js';
import { proxyAuthorization, type ProxyChooser } from '../internal/proxy-config.js';
import { rewriteHeaderBlock } from './private-fields.js';

/** Set on the options of an https request that goes through a tunnel: the proxy. */
export const tunnelProxy: unique symbol = Symbol('httptrace.tunnelProxy');

type Options = { host?: string | null | undefined; hostname?: string | null | undefined; port?: number | string | null | undefined; [tunnelProxy]?: URL };

/**
 * Applies the agent's proxy choice to a request the agent was just given. Returns the options the
 * agent should pool and dial with, and the proxy (or `undefined`: direct).
 */
export function routeThroughProxy<O extends Options>(
  req: ClientRequest,
  options: O,
  choose: ProxyChooser,
  protocol: 'http:' | 'https:',
  defaultPort: number,
): { options: O; proxy: URL | undefined } {
  const host = options.host ?? 'localhost';
  const port = Number(options.port) || defaultPort;
  const target = new URL(`${protocol}//${joinHostPort(host, port)}${req.path}`);
  const proxy = choose(target);
  if (proxy === undefined) return { options, proxy };
  if (protocol === 'https:') return { options: { ...options, [tunnelProxy]: proxy }, proxy };

  const absolute = `http://${joinHostPort(target.hostname.replace(/^\[|\]$/g, ''), port)}${req.path}`;
  const auth = proxyAuthorization(proxy);
  const rewritten = rewriteHeaderBlock(req, (block) => {
    const withTarget = block.replace(/^(\S+) \S+/, `$1 ${absolute}`);
    return auth ? withTarget.replace(/\r\n\r\n$/, `\r\nProxy-Authorization: ${auth}\r\n\r\n`) : withTarget;
  });
  if (!rewritten) {
    req.path = absolute;
    if (auth) req.setHeader('Proxy-Authorization', auth);
  }
  const proxyHost = proxy.hostname.replace(/^\[|\]$/g, '');
  return { options: { ...options, host: proxyHost, hostname: proxyHost, port: Number(proxy.port) || 80 }, proxy };
}
