/**
 * HAR 1.2 `timings` from the collector's {@link Timings}: `-1` for a phase that does not apply
 * (no lookup, no dial, no TLS on this hop), `0` for one that took no time.
 * @module
 */
import type { Timings } from './phases.js';

/** A HAR 1.2 `timings` object, in ms. `ssl` is also included in `connect`, as the spec says. */
export interface HarTimings {
  blocked: number;
  dns: number;
  connect: number;
  send: number;
  wait: number;
  receive: number;
  ssl: number;
}

const round = (ms: number): number => Math.round(ms * 1000) / 1000;
const orNone = (ms: number | undefined): number => (ms === undefined ? -1 : round(ms));

/**
 * HAR timings of one hop:
 * - `dns` = phases.dns, `ssl` = phases.tls, `connect` = phases.tcp + phases.tls; `-1` when the step
 *   did not happen.
 * - `blocked` = `getConn` → `gotConn` (pretransfer) minus `dns` and `connect`: the pool queue and the
 *   gaps between steps, so that the entry's `time` equals the hop's total.
 * - `send`, `wait`, `receive` = phases.send, wait, transfer (`0` when not reached: they are required).
 */
export function harTimings(t: Timings): HarTimings {
  const { phases } = t;
  const dns = orNone(phases.dns);
  const connect = phases.tcp === undefined ? -1 : round(phases.tcp + (phases.tls ?? 0));
  const ready = t.points.pretransfer;
  const blocked = ready === undefined ? -1 : round(Math.max(0, ready - Math.max(dns, 0) - Math.max(connect, 0)));
  return {
    blocked,
    dns,
    connect,
    send: round(phases.send ?? 0),
    wait: round(phases.wait ?? 0),
    receive: round(phases.transfer ?? 0),
    ssl: orNone(phases.tls),
  };
}

/** HAR's entry `time`: the sum of the timings that apply, `ssl` excluded (it is inside `connect`). */
export function harTotal(t: HarTimings): number {
  return round([t.blocked, t.dns, t.connect, t.send, t.wait, t.receive].filter((v) => v > 0).reduce((a, b) => a + b, 0));
}
