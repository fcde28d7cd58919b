/**
 * Errors made by httptrace itself. Match on `code`, never on `instanceof`: the library may be
 * loaded twice (an ESM and a bundled copy), and each copy has its own classes.
 * @module
 */

/** The stable codes of the errors httptrace creates. */
export type HttpTraceErrorCode =
  | 'ERR_HTTPTRACE_INVALID_TRACE'
  | 'ERR_HTTPTRACE_INVALID_HOOK'
  | 'ERR_HTTPTRACE_INVALID_CONTEXT'
  | 'ERR_HTTPTRACE_INVALID_OPTION'
  | 'ERR_HTTPTRACE_1XX_ABORTED'
  | 'ERR_HTTPTRACE_PUT_IDLE_REFUSED'
  | 'ERR_HTTPTRACE_CONNECT_ATTEMPT_TIMEOUT'
  | 'ERR_HTTPTRACE_UNDICI_UNAVAILABLE'
  | 'ERR_HTTPTRACE_PROXY_CONNECT_FAILED'
  | 'ERR_HTTPTRACE_ABORTED';

/** An error with a stable {@link HttpTraceErrorCode} and, when it wraps one, the original `cause`. */
export class HttpTraceError extends Error {
  override name = 'HttpTraceError' as const;
  readonly code: HttpTraceErrorCode;
  constructor(code: HttpTraceErrorCode, message: string, options?: { cause?: unknown }) {
    super(`httptrace: ${message}`, options);
    this.code = code;
  }
}

/** A `TypeError` for bad arguments (a bad trace, hook, context or option), with a stable `code`. */
export class HttpTraceTypeError extends TypeError {
  override name = 'TypeError' as const;
  readonly code: HttpTraceErrorCode;
  constructor(code: HttpTraceErrorCode, message: string) {
    super(`httptrace: ${message}`);
    this.code = code;
  }
}

/** Turns any thrown value into an `Error`, keeping an `Error` as it is. */
export function toError(value: unknown): Error {
  return value instanceof Error ? value : new Error(String(value), { cause: value });
}

/** `true` for an abort reason: an `AbortError` (fetch, `AbortSignal`) or undici's/Node's abort codes. */
export function isAbortError(err: unknown): boolean {
  const e = err as { name?: unknown; code?: unknown } | null | undefined;
  return e?.name === 'AbortError' || e?.code === 'ABORT_ERR' || e?.code === 'UND_ERR_ABORTED' || e?.code === 'ERR_HTTPTRACE_ABORTED';
}

/** The `err` of `requestDone` for a request that ended with `err` (`undefined`: closed without one, an abort). */
export function settledError(err: unknown): Error {
  if (err !== undefined && !isAbortError(err)) return toError(err);
  if ((err as { code?: unknown } | undefined)?.code === 'ERR_HTTPTRACE_ABORTED') return err as Error;
  return new HttpTraceError('ERR_HTTPTRACE_ABORTED', 'the request was aborted', err === undefined ? undefined : { cause: err });
}
