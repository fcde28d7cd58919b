/**
 * The traced resolver: wraps a `dns.lookup`-shaped function so that each lookup fires `dnsStart`
 * and `dnsDone`, and concurrent lookups of the same name share one query (Go's singleflight):
 * every caller of a shared query sees `coalesced: true`. Callbacks are always asynchronous, so
 * socket events that follow a lookup can be observed by listeners attached after `connect()`.
 */
import { lookup as dnsLookup, type LookupAddress, type LookupAllOptions, type LookupOneOptions } from 'node:dns';
import type { ClientTrace } from '../client-trace.js';

/** The signature of Node's `lookup` option (`net.connect`, `http.request`, undici's `connect`). */
export type LookupFunction = (
  hostname: string,
  options: LookupOneOptions | LookupAllOptions,
  callback: (err: NodeJS.ErrnoException | null, address: string | LookupAddress[], family?: number) => void,
) => void;

type Waiter = (err: NodeJS.ErrnoException | null, addrs: LookupAddress[], coalesced: boolean) => void;

// Per lookup function, the queries in flight, keyed by name and options.
const inFlight = new WeakMap<LookupFunction, Map<string, Waiter[]>>();

function flightKey(hostname: string, options: LookupOneOptions | LookupAllOptions): string {
  const o = options as LookupAllOptions & { order?: string };
  return `${hostname}\0${o.all === true}\0${o.family ?? 0}\0${o.hints ?? 0}\0${o.verbatim ?? ''}\0${o.order ?? ''}`;
}

function share(lookup: LookupFunction, hostname: string, options: LookupOneOptions | LookupAllOptions, waiter: Waiter): void {
  let flights = inFlight.get(lookup);
  if (flights === undefined) inFlight.set(lookup, (flights = new Map()));
  const key = flightKey(hostname, options);
  const waiting = flights.get(key);
  if (waiting !== undefined) {
    waiting.push(waiter);
    return;
  }
  const waiters = [waiter];
  flights.set(key, waiters);
  let returned = false;
  const settle = (err: NodeJS.ErrnoException | null, addrs: LookupAddress[]): void => {
    flights.delete(key);
    const coalesced = waiters.length > 1;
    for (const w of waiters) w(err, addrs, coalesced);
  };
  const done = (err: NodeJS.ErrnoException | null, address: string | LookupAddress[], family?: number): void => {
    const addrs = err ? [] : Array.isArray(address) ? address : [{ address, family: family ?? 4 }];
    if (returned) settle(err, addrs);
    else process.nextTick(settle, err, addrs);
  };
  try {
    lookup(hostname, options, done);
  } catch (err) {
    done(err as NodeJS.ErrnoException, []);
  }
  returned = true;
}

/** A traced lookup function; `abandon` ends its pending lookups for the trace (the dial was dropped). */
export interface TracedLookup extends LookupFunction {
  abandon(err: Error): void;
}

/**
 * Returns a lookup function that traces `trace`'s DNS hooks around `lookup` (Node's
 * `dns.lookup` by default) and coalesces concurrent identical lookups. When the dial is dropped
 * while a lookup is pending (the request was aborted), `abandon(err)` reports `dnsDone` with that
 * error at once; the late answer then fires no hook.
 */
export function tracedLookup(trace: ClientTrace, lookup: LookupFunction = dnsLookup as LookupFunction): TracedLookup {
  let pending: Array<{ host: string; done: boolean }> = [];
  const traced = ((hostname, options, callback) => {
    if (typeof options === 'function') {
      callback = options;
      options = {};
    }
    trace.dnsStart?.({ host: hostname });
    const call = { host: hostname, done: false };
    pending.push(call);
    share(lookup, hostname, options ?? {}, (err, addrs, coalesced) => {
      pending = pending.filter((c) => c !== call);
      if (!call.done) trace.dnsDone?.({ addrs: addrs.map((a) => a.address), err, coalesced });
      call.done = true;
      if (err) callback(err, (options as LookupAllOptions).all ? [] : '', undefined);
      else if ((options as LookupAllOptions).all) callback(null, addrs);
      else callback(null, addrs[0]?.address ?? '', addrs[0]?.family ?? 4);
    });
  }) as TracedLookup;
  traced.abandon = (err) => {
    for (const call of pending.splice(0)) {
      if (call.done) continue;
      call.done = true;
      trace.dnsDone?.({ addrs: [], err, coalesced: false });
    }
  };
  return traced;
}
