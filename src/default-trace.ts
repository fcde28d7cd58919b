/**
 * The process-wide default trace: a {@link ClientTrace} (or a factory of one per request) that every
 * request traced by an httptrace adapter gets in addition to the trace of its context.
 * @module
 */
import type { ClientTrace } from './client-trace.js';
import { composeTrace, stackTraces, type TraceOptions } from './compose.js';
import { requestTrace } from './context.js';
import { HttpTraceTypeError, toError } from './errors.js';

/** What a default-trace factory is told about a request (computed lazily, only when a factory is set). */
export interface RequestDescription {
  /** The client that makes the request: `node:http`/`https` agents, undici's `request`/dispatcher, `fetch`, `http2`. */
  readonly client: 'node' | 'undici' | 'fetch' | 'http2';
  /** The request method, upper case as sent (`"GET"`). */
  readonly method: string;
  /** The full URL of this hop (credentials included: redact before printing). */
  readonly url: string;
}

/** Makes the default trace of one request hop, or `undefined` to leave it untraced by default. */
export type DefaultTraceFactory = (request: RequestDescription) => ClientTrace | undefined;

interface DefaultState {
  readonly given: ClientTrace | DefaultTraceFactory;
  /** The composed trace, when a trace (not a factory) was given. */
  readonly trace: ClientTrace | undefined;
  readonly factory: DefaultTraceFactory | undefined;
  readonly options: TraceOptions | undefined;
  /** A context trace stacked over the static default, per context trace. */
  readonly stacked: WeakMap<ClientTrace, ClientTrace>;
}

// One default per process, even when two copies of the library are loaded.
const stateKey = Symbol.for('httptrace.defaultTrace');
const global = globalThis as { [stateKey]?: DefaultState };

/**
 * Replaces the process-wide default trace; `undefined` clears it.
 *
 * @remarks
 * - A request's trace is its context's (the explicit `traceContext`, else the active context)
 *   composed with the default: the context trace's hooks run first, then the default's (Go's
 *   stacking order: the newest trace first). A request whose context has no trace gets the default
 *   alone. Only requests made through httptrace's adapters (`TracingAgent`, the tracing
 *   dispatcher, or everything after `httptrace/install`'s `install()`) see it.
 * - `trace` is a {@link ClientTrace}, checked here as {@link withClientTrace} checks one (a bad trace
 *   or option throws a `TypeError` with `ERR_HTTPTRACE_INVALID_TRACE`/`_HOOK`/`_OPTION`), or a
 *   {@link DefaultTraceFactory}, called once per request hop with a {@link RequestDescription}; its
 *   trace serves that hop only. A factory that throws or returns a bad trace never breaks the
 *   request: the request goes on without a default trace and the error is reported as a hook error
 *   (`options.onHookError`, or the `HTTPTRACE_HOOK_ERROR` warning) under the hook name `getConn`.
 * - `options.onHookError` receives the errors of the default trace's hooks.
 *
 * @example
 * ```ts
 * setDefaultClientTrace(({ method, url }) => ({ requestDone: ({ err }) => console.log(method, url, err ?? 'ok') }));
 * ```
 */
export function setDefaultClientTrace(trace: ClientTrace | DefaultTraceFactory | undefined, options?: TraceOptions): void {
  if (trace === undefined) {
    delete global[stateKey];
    return;
  }
  if (options !== undefined && (options === null || typeof options !== 'object')) {
    throw new HttpTraceTypeError('ERR_HTTPTRACE_INVALID_OPTION', `the options must be an object, got ${options === null ? 'null' : typeof options}`);
  }
  const isFactory = typeof trace === 'function';
  // Validates the trace (or, for a factory, the options alone).
  const composed = composeTrace(isFactory ? {} : trace, undefined, options);
  global[stateKey] = {
    given: trace,
    trace: isFactory ? undefined : composed,
    factory: isFactory ? trace : undefined,
    options,
    stacked: new WeakMap(),
  };
}

/** The default trace or factory last given to {@link setDefaultClientTrace}, or `undefined`. */
export function getDefaultClientTrace(): ClientTrace | DefaultTraceFactory | undefined {
  return global[stateKey]?.given;
}

function fromFactory<A, B, C>(state: DefaultState, describe: Describe<A, B, C>, a: A, b: B, c: C): ClientTrace | undefined {
  try {
    const made = state.factory!(describe(a, b, c));
    return made === undefined ? undefined : composeTrace(made, undefined, state.options);
  } catch (err) {
    const report = state.options?.onHookError;
    try {
      if (report !== undefined) report(toError(err), 'getConn');
      else warnFactoryError(toError(err));
    } catch {
      // A reporter that throws is ignored: the request goes on.
    }
    return undefined;
  }
}

function warnFactoryError(err: Error): void {
  process.emitWarning(`httptrace: the default trace factory failed: ${err.message}`, {
    type: 'HttpTraceWarning',
    code: 'HTTPTRACE_HOOK_ERROR',
    detail: err.stack ?? '',
  });
}

/** Describes a request from the adapter's own values (a module-level function: no closure per request). */
export type Describe<A, B, C> = (a: A, b: B, c: C) => RequestDescription;

/**
 * For adapters: the trace of a request hop, its context's (explicit, else active) composed with the
 * default trace. `describe(a, b, c)` is called only when a default factory is set. Cheap when there
 * is no default: one more global read than {@link requestTrace}, no allocation.
 */
export function resolveRequestTrace<A, B, C>(explicit: unknown, describe: Describe<A, B, C>, a: A, b: B, c: C): ClientTrace | undefined {
  const own = requestTrace(explicit);
  const state = global[stateKey];
  if (state === undefined) return own;
  if (state.factory !== undefined) {
    const made = fromFactory(state, describe, a, b, c);
    if (made === undefined) return own;
    return own === undefined ? made : stackTraces(own, made);
  }
  const def = state.trace!;
  if (own === undefined) return def;
  let stacked = state.stacked.get(own);
  if (stacked === undefined) state.stacked.set(own, (stacked = stackTraces(own, def)));
  return stacked;
}
