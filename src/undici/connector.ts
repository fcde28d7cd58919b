/**
 * A connector for undici's `Agent({ connect })`, with undici's defaults (TCP keep-alive and no-delay,
 * the ALPN protocols undici itself would offer (see versions.ts), a TLS session cache per server
 * name, a 10 s connect timeout), whose dials fire the
 * hooks of the request that caused them: the shared traced resolver for `dnsStart`/`dnsDone`, the
 * shared dial tracer for `connectStart`/`connectDone` and the TLS hooks. Node's built-in fetch does
 * not expose undici's own `buildConnector`, hence this one.
 */
import * as net from 'node:net';
import * as tls from 'node:tls';
import type { ClientTrace } from '../client-trace.js';
import { traceDial, type PeerChainMemory } from '../internal/dial-tracer.js';
import { tracedLookup, type TracedLookup } from '../internal/resolver.js';
import { joinHostPort } from '../internal/host-port.js';
import type { ProxyChooser } from '../internal/proxy-config.js';
import { openTunnel } from '../internal/proxy-tunnel.js';
import type { ConnectOptions } from './options.js';

/** What undici passes to a connector. */
export interface ConnectParams {
  hostname: string;
  host?: string;
  protocol: string;
  port: string | number;
  servername?: string | null;
  localAddress?: string | null;
  httpSocket?: net.Socket;
  /** Set by undici when the Agent has an `allowH2` option, or `false` for an HTTP/1.1-only pool. */
  allowH2?: boolean;
}

type Callback = (err: Error | null, socket: net.Socket | null) => void;

function connectTimeoutError(host: string, port: string | number, ms: number): Error {
  return Object.assign(new Error(`Connect Timeout Error (attempted address: ${host}:${port}, timeout: ${ms}ms)`), {
    name: 'ConnectTimeoutError',
    code: 'UND_ERR_CONNECT_TIMEOUT',
  });
}

/** How the connector learns what it cannot see itself. */
export interface ConnectorContext {
  /** The trace the dial belongs to (the request being dispatched when undici asks for a connection). */
  traceOf: () => ClientTrace | undefined;
  peerChains: PeerChainMemory;
  /** The ALPN protocols to offer for this connection (versions.ts). */
  alpn: (params: ConnectParams) => string[];
  /** The proxy chooser: https targets are reached through a CONNECT tunnel. */
  choose?: ProxyChooser | undefined;
  /** http targets too (undici 6/7's proxy agents tunnel them; Go and undici 8 use absolute form). */
  tunnelHttp?: boolean;
}

/** Builds the connector. */
export function tracedConnector(options: ConnectOptions, context: ConnectorContext) {
  const { traceOf, peerChains, alpn, choose, tunnelHttp = false } = context;
  const { lookup, timeout = 10_000, maxCachedSessions = 100, allowH2: _allowH2, preferH2: _preferH2, ...tlsOptions } = options;
  const sessions = new Map<string, Buffer>();

  return function connect(params: ConnectParams, callback: Callback): net.Socket | undefined {
    const trace = traceOf();
    const port = Number(params.port) || (params.protocol === 'https:' ? 443 : 80);
    const host = params.hostname.startsWith('[') ? params.hostname.slice(1, -1) : params.hostname;
    const secure = params.protocol === 'https:';
    const servername = params.servername || (net.isIP(host) ? undefined : host);
    const serverKey = `${host}:${port}:${servername ?? ''}`;

    // Settles the connection attempt once: undici's connector contract.
    let settled = false;
    let timer: NodeJS.Timeout | undefined;
    const settle = (socket: net.Socket | undefined, err: Error | null): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      if (err) {
        socket?.destroy();
        callback(err, null);
      } else {
        callback(null, socket!);
      }
    };
    const watch = (socket: net.Socket): net.Socket => {
      socket.setNoDelay(true);
      socket.setKeepAlive(true, 60_000);
      socket.once(secure ? 'secureConnect' : 'connect', () => settle(socket, null));
      // Kept for the socket's life, as undici's own connector does: a no-op once settled.
      socket.on('error', (err: Error) => settle(socket, err));
      return socket;
    };
    const startTLS = (over: net.Socket | undefined, common: object): net.Socket => {
      const session = servername ? sessions.get(servername) : undefined;
      const socket = tls.connect({
        ...({ highWaterMark: 16384 } as object), // undici's value (missing from Node's TLS types)
        ALPNProtocols: alpn(params),
        ...tlsOptions,
        ...common,
        ...(servername ? { servername } : {}),
        ...(session ? { session } : {}),
        ...(over ? { socket: over } : {}),
      });
      if (servername && maxCachedSessions > 0) {
        socket.on('session', (s: Buffer) => {
          sessions.delete(servername);
          sessions.set(servername, s);
          if (sessions.size > maxCachedSessions) sessions.delete(sessions.keys().next().value!);
        });
      }
      return socket;
    };
    let current: net.Socket | undefined;
    if (timeout > 0) timer = setTimeout(() => settle(current, connectTimeoutError(host, port, timeout)), timeout);

    const proxy = (secure || tunnelHttp) && choose ? choose(new URL(`${params.protocol}//${joinHostPort(host, port)}`)) : undefined;
    if (proxy !== undefined) {
      current = openTunnel({ proxy, host, port, lookup, trace }, (err, tunnel) => {
        if (err !== null) return settle(current, err);
        if (!secure) {
          current = tunnel!;
          watch(tunnel!);
          return settle(tunnel, null);
        }
        const socket = startTLS(tunnel, {});
        // The dial tracer first: tlsHandshakeDone fires before undici is handed the connection.
        if (trace) traceDial(socket, trace, { tls: true, handshakeOnly: true, peerChains, serverKey });
        current = watch(socket);
      });
      return undefined;
    }

    const dnsLookup = trace ? tracedLookup(trace, lookup) : lookup;
    const common = {
      host,
      port,
      ...(params.localAddress ? { localAddress: params.localAddress } : {}),
      ...(dnsLookup ? { lookup: dnsLookup } : {}),
      autoSelectFamily: true,
    };
    // undici's read buffer for plain sockets (64 KiB, as fs streams): fewer reads per response.
    const socket = secure ? startTLS(params.httpSocket, common) : net.connect({ ...({ highWaterMark: 64 * 1024 } as object), ...common });
    if (trace) traceDial(socket, trace, { tls: secure, peerChains, serverKey, lookup: dnsLookup as TracedLookup });
    current = watch(socket);
    return socket;
  };
}
