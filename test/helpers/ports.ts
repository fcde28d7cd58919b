// Port helpers for the tests: a loopback port nobody listens on, and whether
// the machine can use IPv6 loopback (::1).
import net from 'node:net';
import type { AddressInfo } from 'node:net';

function bindAndRelease(host: string): Promise<number> {
  return new Promise<number>((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen({ port: 0, host, exclusive: true }, () => {
      const { port } = server.address() as AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

/**
 * A port on 127.0.0.1 that was bound once and released, so connecting to it is
 * refused (ECONNREFUSED), barring the unlikely reuse of the port meanwhile.
 */
export function closedPort(): Promise<number> {
  return bindAndRelease('127.0.0.1');
}

/** Whether a listener can be bound on ::1 (IPv6 loopback usable). */
export async function ipv6Available(): Promise<boolean> {
  try {
    await bindAndRelease('::1');
    return true;
  } catch {
    return false;
  }
}
