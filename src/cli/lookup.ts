/**
 * Name resolution for the CLI: `--resolve` entries (as curl: for one host and port) and
 * `--dns-server` (a `dns.Resolver` pointed at the server the user names), as `lookup` functions
 * for the transports. Without either, the transport's default (`dns.lookup`) is used.
 * @module
 */
import { promises as dns, type LookupAddress } from 'node:dns';
import { isIP } from 'node:net';
import type { ResolveEntry } from './args.js';

type Callback = (err: NodeJS.ErrnoException | null, address: string | LookupAddress[], family?: number) => void;
/** Node's `lookup` option signature. */
export type LookupFunction = (hostname: string, options: { family?: number | string; all?: boolean }, callback: Callback) => void;

function familyOf(options: { family?: number | string }): 0 | 4 | 6 {
  const f = options.family;
  return f === 4 || f === 'IPv4' ? 4 : f === 6 || f === 'IPv6' ? 6 : 0;
}

function answer(hostname: string, addrs: string[], options: { family?: number | string; all?: boolean }, callback: Callback): void {
  const family = familyOf(options);
  const found = addrs.map((address) => ({ address, family: isIP(address) })).filter((a) => family === 0 || a.family === family);
  const first = found[0];
  if (first === undefined) {
    const err = Object.assign(new Error(`no address for ${hostname}`), { code: 'ENOTFOUND', hostname }) as NodeJS.ErrnoException;
    return process.nextTick(() => callback(err, options.all ? [] : ''));
  }
  process.nextTick(() => (options.all ? callback(null, found) : callback(null, first.address, first.family)));
}

/**
 * A lookup asking `server` (`ip`, `ip:port`, `[ipv6]:port`) for AAAA and A records, AAAA first as
 * getaddrinfo orders them by RFC 6724 (and Go's resolver does), so that `::1` comes before `127.0.0.1`.
 */
export function dnsServerLookup(server: string): LookupFunction {
  const resolver = new dns.Resolver({ timeout: 2000, tries: 2 });
  resolver.setServers([server]);
  return (hostname, options, callback) => {
    const family = familyOf(options);
    const none = Promise.resolve<string[]>([]);
    void Promise.allSettled([family === 6 ? none : resolver.resolve4(hostname), family === 4 ? none : resolver.resolve6(hostname)]).then(
      ([v4, v6]) => {
        const addrs = [...(v6.status === 'fulfilled' ? v6.value : []), ...(v4.status === 'fulfilled' ? v4.value : [])];
        if (addrs.length > 0) return answer(hostname, addrs, options, callback);
        const failed = [v4, v6].find((r): r is PromiseRejectedResult => r.status === 'rejected');
        const err = (failed?.reason ?? {}) as NodeJS.ErrnoException;
        if (err.code === undefined || err.code === 'ENODATA') err.code = 'ENOTFOUND';
        callback(err instanceof Error ? err : Object.assign(new Error(`no address for ${hostname}`), err), options.all ? [] : '');
      },
    );
  };
}

/**
 * The lookup for connections to `port`: the `--resolve` entry for the host and port if any, else
 * the `--dns-server` lookup, else `undefined` (the transport's default).
 */
export function lookupFor(entries: readonly ResolveEntry[], server: LookupFunction | undefined, port: number): LookupFunction | undefined {
  const mine = entries.filter((e) => e.port === port);
  if (mine.length === 0) return server;
  return (hostname, options, callback) => {
    // The transports pass the URL's host, punycoded; the entries are punycoded too (args.ts).
    const entry = mine.find((e) => e.host === hostname.toLowerCase());
    if (entry !== undefined) return answer(hostname, entry.addrs, options, callback);
    if (server !== undefined) return server(hostname, options, callback);
    void dns.lookup(hostname, { all: true, family: familyOf(options) }).then(
      (addrs) => answer(hostname, addrs.map((a) => a.address), options, callback),
      (err: NodeJS.ErrnoException) => callback(err, options.all ? [] : ''),
    );
  };
}
