/** Builds a Go-shaped {@link TLSConnectionState} from a Node `TLSSocket`. */
import { X509Certificate } from 'node:crypto';
import type { DetailedPeerCertificate, TLSSocket } from 'node:tls';
import type { TLSConnectionState } from '../client-trace.js';

/** The state after a failed handshake: every field empty, as Go's zero `tls.ConnectionState`. */
export const emptyTLSState: TLSConnectionState = Object.freeze({
  version: '',
  cipherSuite: '',
  negotiatedProtocol: '',
  serverName: '',
  peerCertificates: Object.freeze([]) as readonly X509Certificate[],
  didResume: false,
  handshakeComplete: false,
});

/** The peer's chain, leaf first, as `X509Certificate`s; empty when Node does not expose it. */
function peerChain(socket: TLSSocket): X509Certificate[] {
  const chain: X509Certificate[] = [];
  let cert: DetailedPeerCertificate | undefined = socket.getPeerCertificate(true);
  const seen = new Set<string>();
  while (cert?.raw && !seen.has(cert.fingerprint256)) {
    seen.add(cert.fingerprint256);
    chain.push(new X509Certificate(cert.raw));
    cert = cert.issuerCertificate;
  }
  return chain;
}

/** The state of an established TLS connection; `fallbackChain` stands in for a hidden peer chain. */
export function tlsState(socket: TLSSocket, fallbackChain: readonly X509Certificate[] = []): TLSConnectionState {
  const didResume = socket.isSessionReused();
  const chain = peerChain(socket);
  const servername = (socket as TLSSocket & { servername?: string | false }).servername;
  return Object.freeze({
    version: socket.getProtocol() ?? '',
    cipherSuite: socket.getCipher()?.standardName ?? '',
    negotiatedProtocol: typeof socket.alpnProtocol === 'string' ? socket.alpnProtocol : '',
    serverName: typeof servername === 'string' ? servername : '',
    peerCertificates: Object.freeze(chain.length > 0 || !didResume ? chain : [...fallbackChain]),
    didResume,
    handshakeComplete: true,
  });
}
