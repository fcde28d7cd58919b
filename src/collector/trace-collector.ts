/**
 * The timing collector: a {@link ClientTrace} per request that records every hook with the time it
 * fired (monotonic clock), plus the caller's marks, on one shared timeline.
 * @module
 */
import { performance } from 'node:perf_hooks';
import { goHookNames, hookNames, type ClientTrace } from '../client-trace.js';
import { hookArgs, type MarkName, type TraceEvent } from './events.js';
import { requestTimings, type Timings } from './phases.js';

/** Options of {@link TraceCollector}. */
export interface TraceCollectorOptions {
  /** The clock, in ms. Default `performance.now` (monotonic). Tests may pass a fake one. */
  now?: () => number;
  /** Called with each event as it is recorded (for streaming output). Must not throw. */
  onEvent?: (event: TraceEvent) => void;
}

/**
 * Records the hooks of one or more requests on one timeline.
 *
 * @example
 * ```ts
 * const collector = new TraceCollector();
 * const traceContext = withClientTrace(emptyContext, collector.trace(1));
 * http.get(url, { agent, traceContext }, (res) => {
 *   res.resume().on('end', () => {
 *     collector.mark('body', 1);
 *     console.log(collector.timings(1)[0]?.phases);   // { dns, tcp, tls, send, wait, transfer, … }
 *   });
 * });
 * ```
 */
export class TraceCollector {
  readonly #now: () => number;
  readonly #onEvent: ((event: TraceEvent) => void) | undefined;
  readonly #events: TraceEvent[] = [];
  /** The clock's reading at construction: event times are relative to it. */
  readonly origin: number;
  /** The wall-clock time (epoch ms) of {@link origin}, for HAR `startedDateTime`. */
  readonly timeOrigin: number;

  constructor(options: TraceCollectorOptions = {}) {
    this.#now = options.now ?? (() => performance.now());
    this.#onEvent = options.onEvent;
    this.origin = this.#now();
    this.timeOrigin = options.now === undefined ? performance.timeOrigin + this.origin : Date.now();
  }

  /** Every event so far, in the order recorded. */
  get events(): readonly TraceEvent[] {
    return this.#events;
  }

  /** The events of request `req`, in order. */
  eventsOf(req: number): TraceEvent[] {
    return this.#events.filter((e) => e.req === req);
  }

  /** ms since {@link origin}. */
  elapsed(): number {
    return this.#now() - this.origin;
  }

  /**
   * A trace with Go's 16 hooks, recording under request number `req`; with `extensions: true`, also
   * `gotResponse` and `requestDone`.
   */
  trace(req = 1, options: { extensions?: boolean } = {}): ClientTrace {
    const trace: Record<string, unknown> = {};
    for (const hook of options.extensions === true ? hookNames : goHookNames) {
      trace[hook] = (...a: unknown[]) => {
        this.#push({ type: 'hook', hook, req, t: this.elapsed(), args: hookArgs(hook, a) });
      };
    }
    return trace as ClientTrace;
  }

  /**
   * Records a caller's step. The phases need `body` (when the body was read to the end): without
   * it `transfer` and `total` stay `undefined`.
   */
  mark(mark: MarkName, req: number, args: Record<string, unknown> = {}): void {
    this.#push({ type: 'mark', mark, req, t: this.elapsed(), args });
  }

  /** The timings of request `req`, one per hop (redirects and retries fire the hooks again). */
  timings(req = 1): Timings[] {
    return requestTimings(this.eventsOf(req));
  }

  #push(event: TraceEvent): void {
    this.#events.push(event);
    this.#onEvent?.(event);
  }
}
