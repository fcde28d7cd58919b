/**
 * undici's diagnostics channels, used to reach the socket-level facts its handler API hides. They
 * are shared by Node's bundled undici and npm undici 6, 7 and 8. Subscribed only while a traced request
 * is in flight, so untraced traffic publishes to nobody.
 */
import diagnostics from 'node:diagnostics_channel';
import type { Socket } from 'node:net';
import type { UndiciRequestTracer } from './request-tracer.js';

const tracers = new WeakMap<object, UndiciRequestTracer>();
let inFlight = 0;
/** The tracer of the request being dispatched right now (undici creates its request synchronously). */
let dispatching: UndiciRequestTracer | undefined;

function onCreate(message: unknown): void {
  if (dispatching === undefined) return;
  tracers.set((message as { request: object }).request, dispatching);
  dispatching.created();
}
/** The tracer whose handler undici just told it is about to write its request (`onConnect`). */
let writing: UndiciRequestTracer | undefined;

/**
 * Called from the handler's `onConnect`/`onRequestStart`, which undici runs right before it writes
 * the headers: a request undici created later than `dispatch()` (one a pool queued for a free
 * connection) is recognised at that moment.
 */
export function aboutToWrite(tracer: UndiciRequestTracer): void {
  writing = tracer;
  queueMicrotask(() => {
    if (writing === tracer) writing = undefined;
  });
}

function onSendHeaders(message: unknown): void {
  const { request, socket, headers } = message as { request: object; socket: Socket; headers: string };
  let tracer = tracers.get(request);
  if (tracer === undefined && writing !== undefined) tracers.set(request, (tracer = writing));
  writing = undefined;
  tracer?.sendHeaders(socket, headers);
}
function onBodySent(message: unknown): void {
  tracers.get((message as { request: object }).request)?.bodySent();
}

const subscriptions: Array<[string, (message: unknown) => void]> = [
  ['undici:request:create', onCreate],
  ['undici:client:sendHeaders', onSendHeaders],
  ['undici:request:bodySent', onBodySent],
];

/** Runs `dispatch` with `tracer` as the request being created; subscribes while requests are traced. */
export function dispatchTraced<R>(tracer: UndiciRequestTracer, dispatch: () => R): R {
  if (inFlight++ === 0) for (const [name, fn] of subscriptions) diagnostics.subscribe(name, fn);
  const outer = dispatching;
  dispatching = tracer;
  try {
    return dispatch();
  } finally {
    dispatching = outer;
  }
}

/** A traced request has ended (completed or failed): unsubscribe when it was the last one. */
export function tracedRequestEnded(): void {
  if (--inFlight === 0) for (const [name, fn] of subscriptions) diagnostics.unsubscribe(name, fn);
}
