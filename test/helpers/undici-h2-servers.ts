/**
 * TLS servers for the ALPN and HTTP/2 tests: one that records the protocols each client offers
 * (and answers HTTP/1.1), and a `node:http2` secure server (with or without HTTP/1.1 fallback)
 * that records the protocol of each request.
 */
import * as http2 from 'node:http2';
import * as tls from 'node:tls';
import type { AddressInfo } from 'node:net';
import { cert, key } from './tls-fixture.js';
import type { AfterHook } from './test-server.js';

/** A TLS server answering `200 ok` over HTTP/1.1, recording each connection's ALPN offer. */
export async function startAlpnRecorder(t: AfterHook): Promise<{ port: number; offers: string[][] }> {
  const offers: string[][] = [];
  const server = tls.createServer({
    key,
    cert,
    ALPNCallback: ({ protocols }) => {
      offers.push([...protocols]);
      return protocols.includes('http/1.1') ? 'http/1.1' : undefined;
    },
  });
  server.on('secureConnection', (socket) => {
    socket.on('error', () => undefined);
    socket.on('data', (chunk: Buffer) => {
      if (chunk.includes('\r\n\r\n')) socket.write('HTTP/1.1 200 OK\r\ncontent-length: 2\r\nconnection: close\r\n\r\nok', () => socket.end());
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  t.after(() => new Promise<void>((resolve) => server.close(() => resolve())));
  return { port: (server.address() as AddressInfo).port, offers };
}

/** A `node:http2` secure server answering `v=<httpVersion>`; `versions` records each request's. */
export async function startH2Server(t: AfterHook, allowHTTP1: boolean): Promise<{ port: number; versions: string[]; sessions: () => number }> {
  const versions: string[] = [];
  let sessions = 0;
  const server = http2.createSecureServer({ key, cert, allowHTTP1 }, (req, res) => {
    versions.push(req.httpVersion);
    res.end(`v=${req.httpVersion}`);
  });
  server.on('session', () => void sessions++);
  const sockets = new Set<import('node:net').Socket>();
  server.on('connection', (socket: import('node:net').Socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  t.after(() => {
    for (const socket of sockets) socket.destroy();
    return new Promise<void>((resolve) => server.close(() => resolve()));
  });
  return { port: (server.address() as AddressInfo).port, versions, sessions: () => sessions };
}
