/**
 * Traces a new connection's dial on its socket: `connectStart`/`connectDone` once per address tried
 * (Node's `connectionAttempt*` events, Happy Eyeballs included), then `tlsHandshakeStart`/
 * `tlsHandshakeDone` for a TLS socket. Attach right after the socket is created, before any I/O
 * callback runs. Every listener is removed once the dial has ended.
 */
import type { Socket } from 'node:net';
import type { TLSSocket } from 'node:tls';
import type { X509Certificate } from 'node:crypto';
import type { ClientTrace } from '../client-trace.js';
import { HttpTraceError } from '../errors.js';
import { joinHostPort } from './host-port.js';
import { emptyTLSState, tlsState } from './tls-state.js';

/** Remembers the last full-handshake certificate chain per server, for resumed sessions. */
export interface PeerChainMemory {
  get(key: string): readonly X509Certificate[] | undefined;
  set(key: string, chain: readonly X509Certificate[]): void;
}

/** A {@link PeerChainMemory} of the last `max` servers (least recently stored dropped first). */
export function peerChainMemory(max = 100): PeerChainMemory {
  const chains = new Map<string, readonly X509Certificate[]>();
  return {
    get: (key) => chains.get(key),
    set(key, chain) {
      chains.delete(key);
      chains.set(key, chain);
      if (chains.size > max) chains.delete(chains.keys().next().value!);
    },
  };
}

/** Options of {@link traceDial}. */
export interface DialTraceOptions {
  /** `true` when the socket is a `TLSSocket` whose handshake should be traced. */
  readonly tls: boolean;
  /** A `TLSSocket` over an already connected socket (a proxy tunnel): only the handshake is traced. */
  readonly handshakeOnly?: boolean;
  /** The traced lookup of this dial: its pending lookups end when the dial is dropped. */
  readonly lookup?: { abandon(err: Error): void } | undefined;
  /** Where to remember and find peer chains, and this server's key in it. */
  readonly peerChains?: PeerChainMemory;
  readonly serverKey?: string;
}

function closedError(): Error {
  return Object.assign(new Error('httptrace: the socket closed before the connection was established'), {
    code: 'ECONNABORTED',
  });
}

/** Wires the dial hooks of `trace` to `socket`. */
export function traceDial(socket: Socket, trace: ClientTrace, options: DialTraceOptions): void {
  let attempt: string | undefined;
  let handshaking = false;

  const endAttempt = (err: Error | null): void => {
    if (attempt === undefined) return;
    const addr = attempt;
    attempt = undefined;
    trace.connectDone?.('tcp', addr, err);
  };
  const onAttempt = (ip: string, port: number): void => {
    endAttempt(closedError());
    attempt = joinHostPort(ip, port);
    trace.connectStart?.('tcp', attempt);
  };
  const onAttemptFailed = (_ip: string, _port: number, _family: number, err: Error): void => endAttempt(err);
  const onAttemptTimeout = (ip: string, port: number): void =>
    endAttempt(
      Object.assign(
        new HttpTraceError('ERR_HTTPTRACE_CONNECT_ATTEMPT_TIMEOUT', `connection attempt to ${joinHostPort(ip, port)} timed out (autoSelectFamilyAttemptTimeout)`),
        { errno: 'ETIMEDOUT' },
      ),
    );
  const onConnect = (): void => {
    endAttempt(null);
    if (!options.tls) return detach();
    handshaking = true;
    trace.tlsHandshakeStart?.();
  };
  const onSecure = (): void => {
    handshaking = false;
    detach();
    if (trace.tlsHandshakeDone === undefined) return;
    const tls = socket as TLSSocket;
    const { peerChains, serverKey } = options;
    const state = tlsState(tls, serverKey ? peerChains?.get(serverKey) : undefined);
    if (peerChains && serverKey && !state.didResume && state.peerCertificates.length > 0) {
      peerChains.set(serverKey, state.peerCertificates);
    }
    trace.tlsHandshakeDone(state, null);
  };
  const fail = (err: Error): void => {
    options.lookup?.abandon(err);
    endAttempt(err);
    if (handshaking) {
      handshaking = false;
      trace.tlsHandshakeDone?.(emptyTLSState, err);
    }
    detach();
  };
  const onError = (err: Error): void => {
    fail(err);
    // Listening must not turn an unhandled 'error' into a handled one.
    if (socket.listenerCount('error') === 0) throw err;
  };
  const onClose = (): void => fail(closedError());

  function detach(): void {
    socket.off('connectionAttempt', onAttempt);
    socket.off('connectionAttemptFailed', onAttemptFailed);
    socket.off('connectionAttemptTimeout', onAttemptTimeout);
    socket.off('connect', onConnect);
    socket.off('secureConnect', onSecure);
    socket.off('error', onError);
    socket.off('close', onClose);
  }

  if (options.handshakeOnly) {
    handshaking = true;
    trace.tlsHandshakeStart?.();
  } else {
    socket.on('connectionAttempt', onAttempt);
    socket.on('connectionAttemptFailed', onAttemptFailed);
    socket.on('connectionAttemptTimeout', onAttemptTimeout);
    socket.on('connect', onConnect);
  }
  if (options.tls) socket.on('secureConnect', onSecure);
  socket.on('error', onError);
  socket.on('close', onClose);
}
