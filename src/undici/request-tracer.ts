/**
 * Follows one traced undici request: `gotConn` and the header hooks when undici writes the headers
 * (`undici:client:sendHeaders`), `wroteRequest` when the body is sent, `gotFirstResponseByte` and 1xx
 * from the handler, and `putIdleConn` when the response completes on a connection that stays open.
 */
import type { Socket } from 'node:net';
import { performance } from 'node:perf_hooks';
import type { ClientTrace, Header } from '../client-trace.js';
import { headerFields } from '../internal/header-block.js';
import type { RequestScope } from '../internal/request-scope.js';

// When each socket became idle, as seen by traced requests.
const idleSince = new WeakMap<Socket, number>();

/** The per-request half of the undici adapter. */
export class UndiciRequestTracer {
  readonly #scope: RequestScope;
  readonly #trace: ClientTrace;
  readonly #hostPort: string;
  readonly #dispatchedAt = performance.now();
  #socket: Socket | undefined;
  /** `socket.bytesRead` when this request's headers were written on it. */
  #readAtStart = 0;
  #wroteRequest = false;
  #firstByte = false;
  #keepAlive = true;
  #done = false;
  /**
   * The request went out on an HTTP/2 connection: only getConn and the dial's hooks fire for it
   * (the h1 hooks below would misreport a multiplexed stream; the README's hook table says so).
   */
  #h2 = false;

  constructor(scope: RequestScope, hostPort: string) {
    this.#scope = scope;
    this.#trace = scope.trace;
    this.#hostPort = hostPort;
  }

  #created = false;

  /**
   * undici accepted the request (it rejects some, e.g. `Expect`, before any connection work), or
   * queued it: `getConn`, once.
   */
  created(): void {
    if (this.#created || this.#done) return;
    this.#created = true;
    this.#trace.getConn?.(this.#hostPort);
  }

  /** undici is about to write the header block `headers` on `socket` (nothing written yet). */
  sendHeaders(socket: Socket, headers: string): void {
    if ((socket as Socket & { alpnProtocol?: string | false }).alpnProtocol === 'h2') this.#h2 = true;
    if (this.#h2 || this.#done) return;
    const trace = this.#trace;
    this.#socket = socket;
    this.#readAtStart = socket.bytesRead;
    this.#firstByte = false;
    this.#wroteRequest = false;
    // Bytes already written on this socket belong to earlier requests.
    const reused = socket.bytesWritten > 0;
    const since = idleSince.get(socket);
    idleSince.delete(socket);
    // A socket that was busy when this request was dispatched was handed over, not idle. When its
    // idle start was not seen (an untraced request used it last), it counts as idle, time unknown.
    const wasIdle = reused && (since === undefined || since <= this.#dispatchedAt);
    const idleTime = !wasIdle ? 0 : since === undefined ? undefined : performance.now() - since;
    trace.gotConn?.({ conn: socket, reused, wasIdle, idleTime });
    if (/^connection:\s*close\s*$/im.test(headers)) this.#keepAlive = false;
    if (trace.wroteHeaderField !== undefined) {
      for (const [key, values] of headerFields(headers)) trace.wroteHeaderField(key, values);
    }
    trace.wroteHeaders?.();
  }

  /** The request body (if any) was written. */
  bodySent(): void {
    if (this.#socket === undefined || this.#wroteRequest || this.#done) return;
    this.#wroteRequest = true;
    this.#trace.wroteRequest?.({ err: null });
  }

  /** The first byte of a response message arrived (undici calls this for each message). */
  responseStarted(): void {
    if (this.#firstByte || this.#h2 || this.#done) return;
    this.#firstByte = true;
    this.#trace.gotFirstResponseByte?.();
  }

  /** A 1xx response: returns the error that should abort the request, if a hook gave one. */
  informational(code: number, header: Header): Error | undefined {
    if (this.#h2 || this.#done) return undefined;
    const err = this.#trace.got1xxResponse?.(code, header);
    return err instanceof Error ? err : undefined;
  }

  /** The final response's head (`connection: close` means the connection is not kept): `gotResponse`. */
  finalHeaders(connectionClose: boolean, status: number, statusText: string | undefined, header: () => Header): void {
    if (connectionClose) this.#keepAlive = false;
    if (this.#done) return;
    this.#scope.gotResponse({ statusCode: status, statusMessage: this.#h2 ? undefined : statusText, httpVersion: this.#h2 ? '2.0' : '1.1', header: header() });
  }

  /** Bytes read on the connection since this request's headers were written (`undefined` for HTTP/2). */
  #bytesRead(): number | undefined {
    return this.#socket === undefined || this.#h2 ? undefined : this.#socket.bytesRead - this.#readAtStart;
  }

  /** The response ended; undici keeps the connection unless either side said close. */
  complete(): void {
    if (this.#done) return;
    this.#done = true;
    const socket = this.#socket;
    if (socket !== undefined && this.#keepAlive && !socket.destroyed) {
      idleSince.set(socket, performance.now());
      this.#trace.putIdleConn?.(null);
    }
    this.#scope.settle(null, this.#bytesRead());
  }

  /** The request failed. */
  failed(err: Error): void {
    if (this.#done) return;
    this.#done = true;
    if (this.#socket !== undefined && !this.#wroteRequest) {
      this.#wroteRequest = true;
      this.#trace.wroteRequest?.({ err });
    }
    this.#scope.settle(err, this.#bytesRead());
  }
}
