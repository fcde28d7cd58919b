/**
 * A connector for undici's `Agent({ connect })`, with undici's defaults (TCP keep-alive and no-delay,
 * ALPN `http/1.1`, a TLS session cache per server name, a 10 s connect timeout), whose dials fire the
 * hooks of the request that caused them: the shared traced resolver for `dnsStart`/`dnsDone`, the
 * shared dial tracer for `connectStart`/`connectDone` and the TLS hooks. Node's built-in fetch does
 * not expose undici's own `buildConnector`, hence this one.
 */
import * as net from 'node:net';
import * as tls from 'node:tls';
import type { ClientTrace } from '../client-trace.js';
import { traceDial, type PeerChainMemory } from '../internal/dial-tracer.js';
import { tracedLookup, type LookupFunction } from '../internal/resolver.js';

/** What undici passes to a connector. */
export interface ConnectParams {
  hostname: string;
  host?: string;
  protocol: string;
  port: string | number;
  servername?: string | null;
  localAddress?: string | null;
  httpSocket?: net.Socket;
}

/** The `connect` option of a tracing dispatcher: `tls.connect` options plus these. */
export interface ConnectOptions extends Omit<tls.ConnectionOptions, 'lookup' | 'timeout'> {
  /** The `dns.lookup`-shaped resolver (default: Node's `dns.lookup`). */
  lookup?: LookupFunction | undefined;
  /** Connect timeout in ms (undici's default: 10000). */
  timeout?: number | undefined;
  /** TLS sessions kept for resumption, per server name (undici's default: 100). */
  maxCachedSessions?: number | undefined;
}

type Callback = (err: Error | null, socket: net.Socket | null) => void;

function connectTimeoutError(host: string, port: string | number, ms: number): Error {
  return Object.assign(new Error(`Connect Timeout Error (attempted address: ${host}:${port}, timeout: ${ms}ms)`), {
    name: 'ConnectTimeoutError',
    code: 'UND_ERR_CONNECT_TIMEOUT',
  });
}

/**
 * Builds the connector. `traceOf()` tells which trace, if any, the dial belongs to (the request
 * being dispatched when undici asks for a connection).
 */
export function tracedConnector(options: ConnectOptions, traceOf: () => ClientTrace | undefined, peerChains: PeerChainMemory) {
  const { lookup, timeout = 10_000, maxCachedSessions = 100, ...tlsOptions } = options;
  const sessions = new Map<string, Buffer>();

  return function connect(params: ConnectParams, callback: Callback): net.Socket {
    const trace = traceOf();
    const port = Number(params.port) || (params.protocol === 'https:' ? 443 : 80);
    const host = params.hostname.startsWith('[') ? params.hostname.slice(1, -1) : params.hostname;
    const dnsLookup = trace ? tracedLookup(trace, lookup) : lookup;
    const common = {
      host,
      port,
      ...(params.localAddress ? { localAddress: params.localAddress } : {}),
      ...(dnsLookup ? { lookup: dnsLookup } : {}),
      autoSelectFamily: true,
    };
    let socket: net.Socket;
    const secure = params.protocol === 'https:';
    const servername = params.servername || (net.isIP(host) ? undefined : host);
    if (secure) {
      const session = servername ? sessions.get(servername) : undefined;
      socket = tls.connect({
        ALPNProtocols: ['http/1.1'],
        ...tlsOptions,
        ...common,
        ...(servername ? { servername } : {}),
        ...(session ? { session } : {}),
        ...(params.httpSocket ? { socket: params.httpSocket } : {}),
      });
      if (servername && maxCachedSessions > 0) {
        socket.on('session', (s: Buffer) => {
          sessions.delete(servername);
          sessions.set(servername, s);
          if (sessions.size > maxCachedSessions) sessions.delete(sessions.keys().next().value!);
        });
      }
    } else {
      socket = net.connect(common);
    }
    socket.setNoDelay(true);
    socket.setKeepAlive(true, 60_000);
    if (trace) traceDial(socket, trace, { tls: secure, peerChains, serverKey: `${host}:${port}:${servername ?? ''}` });

    let settled = false;
    const timer = timeout > 0 ? setTimeout(() => socket.destroy(connectTimeoutError(host, port, timeout)), timeout) : undefined;
    const settle = (err: Error | null): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      if (err) {
        socket.destroy();
        callback(err, null);
      } else {
        callback(null, socket);
      }
    };
    socket.once(secure ? 'secureConnect' : 'connect', () => settle(null));
    // Kept for the socket's life, as undici's own connector does: a no-op once settled.
    socket.on('error', (err: Error) => settle(err));
    return socket;
  };
}
