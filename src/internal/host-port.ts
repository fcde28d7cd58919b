/** Formatting of `host:port` and `ip:port` the way Go's `net.JoinHostPort` does. */
import { domainToASCII } from 'node:url';
import { isIPv6 } from 'node:net';

/** Joins a host and a port, bracketing IPv6 addresses (`[::1]:80`). */
export function joinHostPort(host: string, port: number | string): string {
  return isIPv6(host) ? `[${host}]:${port}` : `${host}:${port}`;
}

const canonical = new Map<string, string>();
const maxCached = 256;

/** Go's `canonicalAddr`: the host punycoded (lower-case ASCII), the port filled in. Memoised. */
export function canonicalHostPort(host: string, port: number | string): string {
  const key = `${host}\0${port}`;
  let hostPort = canonical.get(key);
  if (hostPort === undefined) {
    const bare = host.startsWith('[') && host.endsWith(']') ? host.slice(1, -1) : host;
    const ascii = isIPv6(bare) ? bare : domainToASCII(bare) || bare;
    hostPort = joinHostPort(ascii, port);
    if (canonical.size >= maxCached) canonical.clear();
    canonical.set(key, hostPort);
  }
  return hostPort;
}
