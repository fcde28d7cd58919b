/**
 * One request hop's trace for the adapters: the hooks stop firing once the request settled, and
 * `requestDone` fires exactly once, last.
 */
import type { ClientTrace, GotResponseInfo } from '../client-trace.js';
import { settledError } from '../errors.js';

type AnyHook = (...args: unknown[]) => unknown;

/** The trace of one request hop, closed by {@link RequestScope.settle}. */
export class RequestScope {
  /** The hooks to fire for this request; each does nothing once the request settled. */
  readonly trace: ClientTrace;
  readonly #inner: ClientTrace;
  #settled = false;
  #gotResponse = false;

  constructor(inner: ClientTrace) {
    this.#inner = inner;
    const gated: Record<string, unknown> = {};
    for (const name of Object.keys(inner) as Array<keyof ClientTrace>) {
      const hook = inner[name] as AnyHook | undefined;
      if (hook === undefined || name === 'requestDone' || name === 'gotResponse') continue;
      gated[name] = (...args: unknown[]): unknown => (this.#settled ? undefined : hook(...args));
    }
    this.trace = gated as ClientTrace;
  }

  get settled(): boolean {
    return this.#settled;
  }

  /** The final response head arrived: `gotResponse`, once. */
  gotResponse(info: GotResponseInfo): void {
    if (this.#settled || this.#gotResponse) return;
    this.#gotResponse = true;
    this.#inner.gotResponse?.(info);
  }

  /**
   * The request settled: `requestDone` once; every later hook call is dropped. `err` `null` for a
   * body read to the end; `undefined` for a request closed without an error (an abort).
   */
  settle(err: unknown, bytesRead: number | undefined): void {
    if (this.#settled) return;
    this.#settled = true;
    this.#inner.requestDone?.({ err: err === null ? null : settledError(err), bytesRead });
  }
}
