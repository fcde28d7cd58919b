/** When is a client socket ready to carry a request: TCP connected and, for TLS, handshaken. */
import type { Socket } from 'node:net';
import type { TLSSocket } from 'node:tls';

function isTLS(socket: Socket): socket is TLSSocket {
  return (socket as TLSSocket).encrypted === true;
}

/** `true` when `socket` is connected (and its TLS handshake complete). */
export function isReady(socket: Socket): boolean {
  if (socket.connecting) return false;
  if (!isTLS(socket)) return true;
  // Both Finished messages exchanged: the handshake is over (also for TLS over a proxy tunnel,
  // where the socket is never "connecting").
  return socket.getFinished() !== undefined && socket.getPeerFinished() !== undefined;
}

/** The event that marks readiness: `'secureConnect'` for TLS sockets, `'connect'` otherwise. */
export function readyEvent(socket: Socket): 'secureConnect' | 'connect' {
  return isTLS(socket) ? 'secureConnect' : 'connect';
}
