/**
 * Checks a user's {@link ClientTrace}, makes each hook safe to call (a throwing hook is reported,
 * never propagated) and stacks it over an older trace, newest first, without touching either.
 * @module
 */
import { hookNames, type ClientTrace, type Header, type HookName } from './client-trace.js';
import { HttpTraceError, HttpTraceTypeError, toError } from './errors.js';

/** Receives the error of a hook that threw, with the hook's name. */
export type HookErrorHandler = (err: Error, hook: HookName) => void;

/** Options of {@link withClientTrace}. */
export interface TraceOptions {
  /**
   * Called when a hook of this trace throws (`got1xxResponse` excepted: its error aborts the
   * request). By default a process warning with code `HTTPTRACE_HOOK_ERROR` is emitted.
   */
  onHookError?: HookErrorHandler;
}

type AnyHook = (...args: unknown[]) => unknown;

const known: ReadonlySet<string> = new Set(hookNames);

/** The default {@link HookErrorHandler}: a process warning that names the hook. */
export function warnHookError(err: Error, hook: HookName): void {
  process.emitWarning(`httptrace: the ${hook} hook threw: ${err.message}`, {
    type: 'HttpTraceWarning',
    code: 'HTTPTRACE_HOOK_ERROR',
    detail: err.stack ?? '',
  });
}

function closestHookName(key: string): string | undefined {
  const lower = key.toLowerCase();
  return hookNames.find((name) => name.toLowerCase() === lower);
}

/** Throws a `TypeError` naming the problem when `trace` is not a valid {@link ClientTrace}. */
function validateTrace(trace: unknown): asserts trace is ClientTrace {
  if (trace === null || typeof trace !== 'object' || Array.isArray(trace)) {
    const got = trace === null ? 'null' : Array.isArray(trace) ? 'an array' : typeof trace;
    throw new HttpTraceTypeError('ERR_HTTPTRACE_INVALID_TRACE', `the trace must be an object of hooks, got ${got}`);
  }
  for (const key of Object.keys(trace)) {
    const value = (trace as Record<string, unknown>)[key];
    if (!known.has(key)) {
      const hint = closestHookName(key);
      throw new HttpTraceTypeError(
        'ERR_HTTPTRACE_INVALID_HOOK',
        `unknown hook "${key}" in the trace${hint ? ` (did you mean "${hint}"?)` : ''}`,
      );
    }
    if (value !== undefined && value !== null && typeof value !== 'function') {
      throw new HttpTraceTypeError(
        'ERR_HTTPTRACE_INVALID_HOOK',
        `the ${key} hook must be a function, got ${typeof value}`,
      );
    }
  }
}

// `arguments` is passed straight through: hooks get exactly the arguments of the event.
function guard(name: HookName, hook: AnyHook, report: HookErrorHandler): AnyHook {
  return function guarded(this: unknown) {
    try {
      hook.apply(undefined, arguments as unknown as unknown[]);
    } catch (err) {
      try {
        report(toError(err), name);
      } catch (reportErr) {
        warnHookError(toError(reportErr), name);
      }
    }
  };
}

/** An abort reason from what a got1xxResponse hook returned or threw; `undefined` to go on. */
function abortReason(value: unknown, thrown: boolean): Error | undefined {
  if (value instanceof Error) return value;
  if (!thrown) return undefined;
  return new HttpTraceError('ERR_HTTPTRACE_1XX_ABORTED', `got1xxResponse threw ${String(value)}`, { cause: value });
}

type Got1xx = (code: number, header: Header) => Error | undefined;

function guard1xx(hook: NonNullable<ClientTrace['got1xxResponse']>): Got1xx {
  return (code, header) => {
    try {
      return abortReason(hook(code, header), false);
    } catch (err) {
      return abortReason(err, true);
    }
  };
}

/**
 * Builds the stored form of `trace` stacked over `older`: a frozen trace whose hooks never throw
 * (got1xxResponse returns the abort error instead), newest hook first. Neither argument is modified.
 */
export function composeTrace(trace: ClientTrace, older: ClientTrace | undefined, options: TraceOptions = {}): ClientTrace {
  validateTrace(trace);
  const report = options.onHookError ?? warnHookError;
  if (typeof report !== 'function') {
    throw new HttpTraceTypeError('ERR_HTTPTRACE_INVALID_OPTION', `onHookError must be a function, got ${typeof report}`);
  }
  const out: Record<string, unknown> = {};
  for (const name of hookNames) {
    const hook = trace[name] as AnyHook | null | undefined;
    const old = older?.[name] as AnyHook | undefined;
    if (name === 'got1xxResponse') {
      const mine = hook ? guard1xx(hook as NonNullable<ClientTrace['got1xxResponse']>) : undefined;
      const theirs = old as Got1xx | undefined;
      out[name] = mine && theirs ? stack1xx(mine, theirs) : (mine ?? theirs);
      continue;
    }
    const mine = hook ? guard(name, hook, report) : undefined;
    out[name] = mine && old ? stack(mine, old) : (mine ?? old);
  }
  for (const name of hookNames) if (out[name] === undefined) delete out[name];
  return Object.freeze(out) as ClientTrace;
}

/**
 * Stacks two traces already built by {@link composeTrace} (guarded, frozen): `first`'s hooks run,
 * then `then`'s. Neither is modified.
 */
export function stackTraces(first: ClientTrace, then: ClientTrace): ClientTrace {
  const out: Record<string, unknown> = {};
  for (const name of hookNames) {
    const mine = first[name] as AnyHook | undefined;
    const theirs = then[name] as AnyHook | undefined;
    const hook =
      mine && theirs ? (name === 'got1xxResponse' ? stack1xx(mine as Got1xx, theirs as Got1xx) : stack(mine, theirs)) : (mine ?? theirs);
    if (hook !== undefined) out[name] = hook;
  }
  return Object.freeze(out) as ClientTrace;
}

function stack(first: AnyHook, then: AnyHook): AnyHook {
  return function stacked(this: unknown) {
    first.apply(undefined, arguments as unknown as unknown[]);
    then.apply(undefined, arguments as unknown as unknown[]);
  };
}

/** Both hooks always run (observers stay consistent); the newest error wins. */
function stack1xx(first: Got1xx, then: Got1xx): Got1xx {
  return (code, header) => {
    const mine = first(code, header);
    const theirs = then(code, header);
    return mine ?? theirs;
  };
}
