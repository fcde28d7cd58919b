/**
 * A `CONNECT` tunnel through an http proxy, for https targets: the dial to the proxy fires the
 * request's DNS and connect hooks (Go reports the proxy there), the `CONNECT` exchange fires none,
 * as in Go. The tunnel socket is handed back once the proxy answered 2xx; a refusal becomes an error
 * that names the proxy and its status.
 */
import * as net from 'node:net';
import type { ClientTrace } from '../client-trace.js';
import { HttpTraceError } from '../errors.js';
import { traceDial } from './dial-tracer.js';
import { joinHostPort } from './host-port.js';
import { proxyAuthorization, proxyLabel } from './proxy-config.js';
import { tracedLookup, type LookupFunction, type TracedLookup } from './resolver.js';

/** What {@link openTunnel} needs. */
export interface TunnelOptions {
  readonly proxy: URL;
  readonly host: string;
  readonly port: number;
  readonly lookup?: LookupFunction | undefined;
  readonly trace?: ClientTrace | undefined;
}

const maxResponseHead = 64 * 1024;

/** Opens a tunnel to `host:port` through `proxy`; `callback` gets the connected socket or the error. */
export function openTunnel(options: TunnelOptions, callback: (err: Error | null, socket?: net.Socket) => void): net.Socket {
  const { proxy, trace } = options;
  const lookup = trace ? tracedLookup(trace, options.lookup) : options.lookup;
  const socket = net.connect({
    host: proxy.hostname.replace(/^\[|\]$/g, ''),
    port: Number(proxy.port) || 80,
    autoSelectFamily: true,
    ...(lookup ? { lookup } : {}),
  });
  if (trace) traceDial(socket, trace, { tls: false, lookup: lookup as TracedLookup });
  const authority = joinHostPort(options.host, options.port);
  let head = Buffer.alloc(0);
  let settled = false;
  const settle = (err: Error | null): void => {
    if (settled) return;
    settled = true;
    socket.off('data', onData);
    socket.off('error', onError);
    socket.off('close', onClose);
    if (err) {
      socket.destroy();
      callback(err);
    } else {
      callback(null, socket);
    }
  };
  const onData = (chunk: Buffer): void => {
    head = Buffer.concat([head, chunk]);
    const end = head.indexOf('\r\n\r\n');
    if (end < 0) {
      if (head.length > maxResponseHead) settle(new HttpTraceError('ERR_HTTPTRACE_PROXY_CONNECT_FAILED', `proxy ${proxyLabel(proxy)} sent an oversized CONNECT response`));
      return;
    }
    const statusLine = head.subarray(0, head.indexOf('\r\n')).toString('latin1');
    const status = Number(/^HTTP\/\d(?:\.\d)? (\d{3})/.exec(statusLine)?.[1] ?? 0);
    if (status >= 200 && status < 300) {
      const rest = head.subarray(end + 4);
      socket.pause();
      if (rest.length > 0) socket.unshift(rest);
      return settle(null);
    }
    const reason = statusLine.replace(/^HTTP\/\S+ /, '') || 'no valid status line';
    settle(
      Object.assign(
        new HttpTraceError('ERR_HTTPTRACE_PROXY_CONNECT_FAILED', `proxy ${proxyLabel(proxy)} refused CONNECT ${authority}: ${reason}`),
        { status, proxy: proxyLabel(proxy) },
      ),
    );
  };
  const onError = (err: Error): void => settle(err);
  const onClose = (): void =>
    settle(new HttpTraceError('ERR_HTTPTRACE_PROXY_CONNECT_FAILED', `proxy ${proxyLabel(proxy)} closed the connection during CONNECT ${authority}`));
  socket.once('connect', () => {
    const auth = proxyAuthorization(proxy);
    socket.write(`CONNECT ${authority} HTTP/1.1\r\nHost: ${authority}\r\n${auth ? `Proxy-Authorization: ${auth}\r\n` : ''}\r\n`);
  });
  socket.on('data', onData);
  socket.on('error', onError);
  socket.on('close', onClose);
  return socket;
}
