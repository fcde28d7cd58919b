// In-memory stand-in for dns.lookup, so tests can use made-up host names
// (pass it as `lookup` to http.request / net.connect) without ever touching
// the machine's resolver.
import { isIP } from 'node:net';
import type { LookupAddress, LookupOptions } from 'node:dns';

/** Callback of Node's `dns.lookup` (single-address and `all: true` forms). */
export type LookupCallback = (
  err: NodeJS.ErrnoException | null,
  address: string | LookupAddress[],
  family?: number,
) => void;

/** A `dns.lookup`-compatible function (assignable to `net.LookupFunction`) that records its calls. */
export interface FakeLookup {
  (hostname: string, options: LookupOptions | number | undefined, callback: LookupCallback): void;
  (hostname: string, callback: LookupCallback): void;
  /** Host names asked for, in call order. */
  calls: string[];
}

/** Options for {@link fakeLookup}. */
export interface FakeLookupOptions {
  /** Answer after this many ms (setTimeout); default: next turn of the event loop (setImmediate). */
  delayMs?: number;
}

/**
 * Builds a fake `dns.lookup` answering from `table` (host name → addresses, in the
 * order they should be returned; lookups are case-insensitive). `options.family`
 * (4/6, or 'IPv4'/'IPv6') filters the addresses; `options.all` returns them all as
 * `[{address, family}]`, otherwise the first match is returned as `(null, address, family)`.
 * IP literals not in the table resolve to themselves, like the real `dns.lookup`.
 * Unknown names (or no address of the requested family) fail like getaddrinfo:
 * `getaddrinfo ENOTFOUND <host>` with code 'ENOTFOUND', errno -3008, syscall 'getaddrinfo'.
 * The callback is always invoked asynchronously.
 */
export function fakeLookup(table: Record<string, string[]>, options: FakeLookupOptions = {}): FakeLookup {
  const entries = new Map<string, string[]>();
  for (const [name, addrs] of Object.entries(table)) entries.set(name.toLowerCase(), addrs);
  const calls: string[] = [];

  const defer = (fn: () => void): void => {
    if (options.delayMs !== undefined) setTimeout(fn, options.delayMs);
    else setImmediate(fn);
  };

  const lookup = (
    hostname: string,
    opts: LookupOptions | number | undefined | LookupCallback,
    cb?: LookupCallback,
  ): void => {
    let callback: LookupCallback;
    let lookupOptions: LookupOptions;
    if (typeof opts === 'function') {
      callback = opts;
      lookupOptions = {};
    } else {
      if (typeof cb !== 'function') throw new TypeError('fakeLookup: callback must be a function');
      callback = cb;
      lookupOptions = typeof opts === 'number' ? { family: opts } : (opts ?? {});
    }
    calls.push(hostname);

    const family = familyNumber(lookupOptions.family);
    const known = entries.get(hostname.toLowerCase()) ?? (isIP(hostname) ? [hostname] : undefined);
    const found: LookupAddress[] = (known ?? [])
      .map((address) => ({ address, family: isIP(address) }))
      .filter((a) => a.family !== 0 && (family === 0 || a.family === family));

    defer(() => {
      const first = found[0];
      // Like the real dns.lookup, a failure calls back with the error only.
      if (first === undefined) (callback as (err: NodeJS.ErrnoException) => void)(notFound(hostname));
      else if (lookupOptions.all === true) callback(null, found.map((a) => ({ ...a })));
      else callback(null, first.address, first.family);
    });
  };

  return Object.assign(lookup, { calls }) as FakeLookup;
}

function familyNumber(family: LookupOptions['family']): number {
  if (family === 4 || family === 'IPv4') return 4;
  if (family === 6 || family === 'IPv6') return 6;
  return 0;
}

function notFound(hostname: string): NodeJS.ErrnoException {
  return Object.assign(new Error(`getaddrinfo ENOTFOUND ${hostname}`), {
    errno: -3008,
    code: 'ENOTFOUND',
    syscall: 'getaddrinfo',
    hostname,
  });
}
