/**
 * Derived timings of one request hop: the points in time (curl's cumulative `time_*` figures) and
 * the phases (durations between hook pairs). Formulas are in the README ("Phase formulas").
 *
 * Conventions: times in ms with fractions, from a monotonic clock. `undefined` means not measured
 * (the step did not happen in this hop, or the request failed before it); `0` means it took no time.
 * @module
 */
import type { HookName } from '../client-trace.js';
import type { HookEvent, TraceEvent } from './events.js';

/** curl's cumulative figures (`--write-out time_*`), in ms since the hop's `getConn`. */
export interface TimingPoints {
  /** `dnsDone`; a hop without lookup (reused connection, IP address) repeats the previous point (0). */
  readonly namelookup: number | undefined;
  /** The last `connectDone`; without a dial, equals `namelookup`. */
  readonly connect: number | undefined;
  /** `tlsHandshakeDone`; without TLS, equals `connect` (curl prints 0 there). */
  readonly appconnect: number | undefined;
  /** `gotConn`: the connection is ready, the request is about to be written. */
  readonly pretransfer: number | undefined;
  /** `wroteRequest`: the last request byte was written (may come after `starttransfer`). */
  readonly posttransfer: number | undefined;
  /** `gotFirstResponseByte` (of the first 1xx, if any). */
  readonly starttransfer: number | undefined;
  /** The `body` mark: the response body was read to the end. */
  readonly total: number | undefined;
}

/** Durations in ms; `undefined` when the phase did not happen or was not completed. */
export interface Phases {
  /** `getConn` → the first of `dnsStart`, `connectStart`, `gotConn`: waiting for the pool. */
  readonly queue: number | undefined;
  /** `dnsStart` → `dnsDone`. */
  readonly dns: number | undefined;
  /** The first `connectStart` → the last `connectDone` (every Happy Eyeballs attempt). */
  readonly tcp: number | undefined;
  /** `tlsHandshakeStart` → `tlsHandshakeDone`. */
  readonly tls: number | undefined;
  /**
   * `gotConn` → `wroteRequest`; when the first response byte came before `wroteRequest`, `gotConn` →
   * `wroteHeaders` (at most the first byte).
   */
  readonly send: number | undefined;
  /** End of `send` → `gotFirstResponseByte`: server processing. */
  readonly wait: number | undefined;
  /** `gotFirstResponseByte` → the end of the body (content transfer). */
  readonly transfer: number | undefined;
  /** `getConn` → the end of the body. */
  readonly total: number | undefined;
}

/** The timings of one hop (one `getConn` and what follows it). */
export interface Timings {
  /** `getConn`'s time, in ms since the collector's origin. */
  readonly start: number;
  /** The end of the hop (body read, or the next hop's `getConn`), ms since the origin; `undefined` if not reached. */
  readonly end: number | undefined;
  /** `gotConn`'s `reused`, or `undefined` when no connection was obtained. */
  readonly reused: boolean | undefined;
  readonly points: TimingPoints;
  readonly phases: Phases;
}

const isHook = (e: TraceEvent, hook: HookName): e is HookEvent => e.type === 'hook' && e.hook === hook;

/** Splits one request's events into hops: each hop starts at a `getConn`. Events before the first are dropped. */
export function splitHops(events: readonly TraceEvent[]): TraceEvent[][] {
  const hops: TraceEvent[][] = [];
  for (const e of events) {
    if (isHook(e, 'getConn')) hops.push([e]);
    else hops[hops.length - 1]?.push(e);
  }
  return hops;
}

/** The timings of each hop of one request's events (see {@link splitHops}). */
export function requestTimings(events: readonly TraceEvent[]): Timings[] {
  const hops = splitHops(events);
  return hops.map((hop, i) => {
    const next = hops[i + 1]?.[0];
    const body = hop.find((e) => e.type === 'mark' && e.mark === 'body');
    return hopTimings(hop, next?.t ?? body?.t);
  });
}

const diff = (from: number | undefined, to: number | undefined): number | undefined =>
  from === undefined || to === undefined ? undefined : to - from;
const max = (a: number | undefined, b: number): number => (a === undefined ? b : Math.max(a, b));

/** The timings of one hop; `end` is when the hop's body was read (ms since the origin), if it was. */
export function hopTimings(hop: readonly TraceEvent[], end?: number): Timings {
  const first = (hook: HookName) => hop.find((e) => isHook(e, hook))?.t;
  const last = (hook: HookName) => [...hop].reverse().find((e) => isHook(e, hook))?.t;
  const getConn = first('getConn') ?? hop[0]?.t ?? 0;
  const rel = (t: number | undefined) => (t === undefined ? undefined : t - getConn);
  const dnsStart = rel(first('dnsStart'));
  const dnsDone = rel(first('dnsDone'));
  const connectStart = rel(first('connectStart'));
  const connectDone = rel(last('connectDone'));
  const tlsStart = rel(first('tlsHandshakeStart'));
  const tlsDone = rel(first('tlsHandshakeDone'));
  const gotConnEvent = hop.find((e) => isHook(e, 'gotConn'));
  const gotConn = rel(gotConnEvent?.t);
  const wrote = rel(first('wroteRequest'));
  const firstByte = rel(first('gotFirstResponseByte'));
  const finish = rel(end);

  const later = (...ts: Array<number | undefined>) => ts.some((t) => t !== undefined);
  // A point whose step started and never ended is undefined; a skipped step repeats the previous one.
  const point = (prev: number | undefined, start: number | undefined, done: number | undefined, ...after: Array<number | undefined>) =>
    done !== undefined ? max(prev, done) : start === undefined && prev !== undefined && later(...after) ? prev : undefined;
  const namelookup = point(0, dnsStart, dnsDone, connectStart, tlsStart, gotConn, firstByte);
  const connect = point(namelookup, connectStart, connectDone, tlsStart, gotConn, firstByte);
  const appconnect = point(connect, tlsStart, tlsDone, gotConn, firstByte);
  const pretransfer = gotConn === undefined ? undefined : max(appconnect, gotConn);
  const posttransfer = wrote === undefined || pretransfer === undefined ? undefined : Math.max(pretransfer, wrote);
  const starttransfer = firstByte === undefined ? undefined : max(pretransfer, firstByte);
  const total = finish === undefined || starttransfer === undefined ? undefined : Math.max(starttransfer, finish);

  // The request is sent at wroteRequest; when the response began before that was reported (Expect:
  // 100-continue, an early answer, Node's late 'finish' on loopback), at wroteHeaders, never after the first byte.
  const headers = rel(first('wroteHeaders'));
  const early = wrote !== undefined && firstByte !== undefined && wrote > firstByte;
  const sendEnd = early ? Math.min(headers ?? firstByte!, firstByte!) : (wrote ?? (firstByte !== undefined && headers !== undefined ? Math.min(headers, firstByte) : firstByte));
  const queueEnd = [dnsStart, connectStart, gotConn].find((t) => t !== undefined);
  return {
    start: getConn,
    end,
    reused: gotConnEvent?.type === 'hook' ? (gotConnEvent.args['reused'] as boolean) : undefined,
    points: { namelookup, connect, appconnect, pretransfer, posttransfer, starttransfer, total },
    phases: {
      queue: queueEnd,
      dns: diff(dnsStart, dnsDone),
      tcp: diff(connectStart, connectDone),
      tls: diff(tlsStart, tlsDone),
      send: diff(gotConn, sendEnd),
      wait: diff(sendEnd, firstByte),
      transfer: diff(firstByte, total),
      total,
    },
  };
}
