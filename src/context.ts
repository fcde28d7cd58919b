/**
 * The context that carries a {@link ClientTrace} to a request: an immutable value passed explicitly,
 * or bound to async execution with `AsyncLocalStorage` for code that cannot pass it (fetch,
 * third-party clients). Its shape is OpenTelemetry's `Context` (`getValue`/`setValue`), so an
 * OpenTelemetry context can be used wherever a context is expected.
 * @module
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import type { ClientTrace } from './client-trace.js';
import { composeTrace, type TraceOptions } from './compose.js';
import { HttpTraceTypeError } from './errors.js';

/**
 * An immutable bag of values keyed by symbols. `setValue` returns a new context and leaves the
 * receiver unchanged. OpenTelemetry's `Context` has this shape.
 */
export interface Context {
  getValue(key: symbol): unknown;
  setValue(key: symbol, value: unknown): Context;
}

/** The key under which the composed trace is stored; shared by every copy of the library. */
const traceKey: unique symbol = Symbol.for('httptrace.clientTrace') as never;

class ValueContext implements Context {
  readonly #values: ReadonlyMap<symbol, unknown>;
  constructor(values: ReadonlyMap<symbol, unknown>) {
    this.#values = values;
  }
  getValue(key: symbol): unknown {
    return this.#values.get(key);
  }
  setValue(key: symbol, value: unknown): Context {
    const values = new Map(this.#values);
    values.set(key, value);
    return new ValueContext(values);
  }
  deleteValue(key: symbol): Context {
    const values = new Map(this.#values);
    values.delete(key);
    return new ValueContext(values);
  }
}

/** The empty context, Go's `context.Background()`: no trace. */
export const emptyContext: Context = Object.freeze(new ValueContext(new Map()));

// One store per process, even when two copies of the library are loaded.
const storeKey = Symbol.for('httptrace.asyncContext');
const globalStore = globalThis as { [storeKey]?: AsyncLocalStorage<Context> };
const storage: AsyncLocalStorage<Context> = (globalStore[storeKey] ??= new AsyncLocalStorage<Context>());

// The active-context source (e.g. OpenTelemetry's context manager), shared by every copy too.
const sourceKey = Symbol.for('httptrace.activeContextSource');
const globalSource = globalThis as { [sourceKey]?: () => Context | undefined };

/**
 * Sets a source of the active context that is consulted before httptrace's own `AsyncLocalStorage`
 * (e.g. OpenTelemetry's context manager: `() => otel.context.active()`); `undefined` removes it.
 *
 * @remarks
 * A request without an explicit `traceContext` takes the trace of the source's context when it
 * carries one (read with `getValue`, like any {@link Context}), else the trace of httptrace's own
 * active context ({@link runWithContext}). The source is called once per request, so it must be
 * cheap; if it throws or returns something that is not a context, it is treated as returning
 * `undefined`. A `source` that is neither a function nor `undefined` throws a `TypeError`
 * (`ERR_HTTPTRACE_INVALID_OPTION`) at the call.
 *
 * @example
 * ```ts
 * import { context } from '@opentelemetry/api';
 * setActiveContextSource(() => context.active());
 * ```
 */
export function setActiveContextSource(source: (() => Context | undefined) | undefined): void {
  if (source !== undefined && typeof source !== 'function') {
    throw new HttpTraceTypeError('ERR_HTTPTRACE_INVALID_OPTION', `the active context source must be a function or undefined, got ${source === null ? 'null' : typeof source}`);
  }
  if (source === undefined) delete globalSource[sourceKey];
  else globalSource[sourceKey] = source;
}

/** The source's context, when a source is set and it gives one. */
function sourceContext(): Context | undefined {
  const source = globalSource[sourceKey];
  if (source === undefined) return undefined;
  try {
    const ctx = source() as Partial<Context> | null | undefined;
    return ctx !== null && typeof ctx === 'object' && typeof ctx.getValue === 'function' ? (ctx as Context) : undefined;
  } catch {
    return undefined;
  }
}

/** Throws `ERR_HTTPTRACE_INVALID_CONTEXT` unless `ctx` is a context; `what` names it in the message. */
export function assertContext(ctx: unknown, what: string): asserts ctx is Context {
  const c = ctx as Partial<Context> | null | undefined;
  if (c === null || typeof c !== 'object' || typeof c.getValue !== 'function' || typeof c.setValue !== 'function') {
    throw new HttpTraceTypeError(
      'ERR_HTTPTRACE_INVALID_CONTEXT',
      `${what} must be a context (an object with getValue and setValue, e.g. emptyContext), got ${c === null ? 'null' : typeof c}`,
    );
  }
}

/**
 * Returns a new context based on `ctx` whose requests run `trace`'s hooks in addition to the
 * hooks already registered with `ctx`. The new trace's hooks run first.
 *
 * @remarks
 * Differences from Go (better): `trace` is never modified, so one trace can be reused freely;
 * an error from any stacked `got1xxResponse` aborts the request. A bad `ctx`, a `trace` that is not
 * an object, an unknown hook name or a hook that is not a function throws a `TypeError` here, with
 * a `code` (`ERR_HTTPTRACE_INVALID_*`), instead of failing later inside a request.
 *
 * @example
 * ```ts
 * const ctx = withClientTrace(emptyContext, { gotConn: (info) => console.log(info.reused) });
 * http.get(url, { agent, traceContext: ctx });
 * ```
 */
export function withClientTrace(ctx: Context, trace: ClientTrace, options?: TraceOptions): Context {
  assertContext(ctx, 'the context');
  const older = contextClientTrace(ctx);
  return ctx.setValue(traceKey, composeTrace(trace, older, options));
}

/**
 * Returns the trace registered with `ctx` (all stacked traces composed into one, read-only), or
 * `undefined` when there is none. Without an argument, reads the active async context.
 */
export function contextClientTrace(ctx: Context | undefined = storage.getStore()): ClientTrace | undefined {
  if (ctx === undefined) return undefined;
  const trace = ctx.getValue(traceKey);
  return trace === undefined ? undefined : (trace as ClientTrace);
}

/**
 * The context bound to the current async execution: the active-context source's (see
 * {@link setActiveContextSource}) when it carries a trace, else httptrace's own, or {@link emptyContext}.
 */
export function activeContext(): Context {
  const source = globalSource[sourceKey] === undefined ? undefined : sourceContext();
  if (source !== undefined && source.getValue(traceKey) !== undefined) return source;
  return storage.getStore() ?? source ?? emptyContext;
}

/**
 * Runs `fn` with `ctx` as the active context: requests made inside it, and in every async
 * continuation it starts, are traced with `ctx`'s trace unless they pass a context explicitly.
 */
export function runWithContext<R>(ctx: Context, fn: () => R): R {
  assertContext(ctx, 'the context');
  return storage.run(ctx, fn);
}

/**
 * Shorthand for `runWithContext(withClientTrace(activeContext(), trace, options), fn)`.
 *
 * @example
 * ```ts
 * const res = await runWithClientTrace({ dnsDone: console.log }, () => fetch(url));
 * ```
 */
export function runWithClientTrace<R>(trace: ClientTrace, fn: () => R, options?: TraceOptions): R {
  return storage.run(withClientTrace(activeContext(), trace, options), fn);
}

/**
 * For adapters: the trace of a request, from its explicit context or else the active one.
 * Cheap on the untraced path: one store read, no allocation.
 */
export function requestTrace(explicit: unknown): ClientTrace | undefined {
  if (explicit === undefined && globalSource[sourceKey] !== undefined) {
    const trace = sourceContext()?.getValue(traceKey);
    if (trace !== undefined) return trace as ClientTrace;
  }
  const ctx = requestContext(explicit);
  return ctx === undefined ? undefined : (ctx.getValue(traceKey) as ClientTrace | undefined);
}

/** For adapters: the context of a request, explicit or else the active one (checked), or `undefined`. */
export function requestContext(explicit: unknown): Context | undefined {
  const ctx = explicit === undefined ? storage.getStore() : explicit;
  if (ctx === undefined) return undefined;
  assertContext(ctx, 'the traceContext option');
  return ctx;
}
