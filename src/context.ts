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

/** The context bound to the current async execution, or {@link emptyContext}. */
export function activeContext(): Context {
  return storage.getStore() ?? emptyContext;
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
