/**
 * Follows one traced `http.ClientRequest` from the moment the agent sees it: `gotConn` once its
 * socket is ready, the header hooks when its header block reaches the socket, `wait100Continue`,
 * `gotFirstResponseByte`, 1xx responses, `wroteRequest`, and `putIdleConn` through the pool tracker.
 * Every listener it adds to the socket is removed when the request closes.
 */
import diagnostics from 'node:diagnostics_channel';
import type { ClientRequest, InformationEvent } from 'node:http';
import type { Socket } from 'node:net';
import { performance } from 'node:perf_hooks';
import type { ClientTrace } from '../client-trace.js';
import { headerFields, headerMap } from '../internal/header-block.js';
import { isReady, readyEvent } from '../internal/socket-ready.js';
import { socketState, type PooledRequest } from './pool-tracker.js';
import { requestHeaderBlock } from './private-fields.js';

type Method = 'write' | 'end' | 'flushHeaders';
const headerWriters: readonly Method[] = ['write', 'end', 'flushHeaders'];

/**
 * Aborts `req` with `err` from inside a 1xx: the final response may already sit in the same chunk
 * the parser is reading, so it is kept from the caller (it is dumped) and the request fails with `err`.
 */
function abortRequest(req: ClientRequest, err: Error): void {
  const emit = req.emit;
  req.emit = function emitUnlessResponse(this: ClientRequest, event: string | symbol, ...args: unknown[]): boolean {
    return event === 'response' ? false : emit.call(this, event, ...args);
  } as ClientRequest['emit'];
  req.destroy(err);
}

const tracers = new WeakMap<ClientRequest, RequestTracer>();

/**
 * Node publishes `http.client.request.start` when the request's last byte was handed to the socket
 * (`end()` called and the output flushed): Go's "the write returned". The `'finish'` event waits
 * for the socket's write callback, which may come after the response's first byte. Subscribed once,
 * when the first traced request is seen.
 */
let subscribed = false;
function onRequestStart(message: unknown): void {
  const req = (message as { request?: ClientRequest }).request;
  if (req !== undefined) tracers.get(req)?.requestWritten();
}

/** The tracer of `req`'s current attempt, if `req` is traced. */
export function tracerOf(req: ClientRequest): RequestTracer | undefined {
  return tracers.get(req);
}

/** Stops the tracer of `req`'s current attempt (before a retry gives the request a new one). */
export function retireTracer(req: ClientRequest): void {
  tracers.get(req)?.retire();
}

/** The per-request half of the node adapter (one per attempt). */
export class RequestTracer implements PooledRequest {
  readonly #req: ClientRequest;
  /** The request's trace (composed). */
  readonly trace: ClientTrace;
  readonly #expectsContinue: boolean;
  /** Set by the agent when Node takes this request's socket from the idle pool. */
  fromIdlePool = false;
  socket: Socket | undefined;
  #gotConn = false;
  #headersWritten = false;
  #finished = false;
  #wroteRequest = false;
  /** The request failed or was aborted: its connection is not given back (Go: no putIdleConn). */
  #failed = false;
  #onReady: (() => void) | undefined;
  #watching: Map<Method, { own: boolean; fn: unknown }> | undefined;

  constructor(req: ClientRequest, trace: ClientTrace, expectsContinue: boolean) {
    this.#req = req;
    this.trace = trace;
    this.#expectsContinue = expectsContinue;
    // A retried request was written before: it is sent again as soon as it has a socket.
    this.#finished = req.writableFinished;
    tracers.set(req, this);
    if (!subscribed) {
      subscribed = true;
      diagnostics.subscribe('http.client.request.start', onRequestStart);
    }
    req.on('socket', this.#socket);
    req.on('finish', this.#finish);
    req.on('error', this.#error);
    req.once('close', this.#close);
    if (trace.got1xxResponse !== undefined || trace.got100Continue !== undefined) req.on('information', this.#information);
  }

  putIdleConn(err: Error | null): void {
    if (!this.#failed) this.trace.putIdleConn?.(err);
  }

  readonly #socket = (socket: Socket): void => {
    this.socket = socket;
    const state = socketState(socket);
    const reused = state.served > 0;
    const wasIdle = this.fromIdlePool;
    const idleTime = !wasIdle ? 0 : state.idleSince === undefined ? undefined : performance.now() - state.idleSince;
    state.served++;
    state.idleSince = undefined;
    if (this.trace.gotFirstResponseByte !== undefined) socket.prependListener('data', this.#data);
    const ready = (): void => {
      this.#onReady = undefined;
      this.#ready(socket, reused, wasIdle, idleTime);
    };
    if (isReady(socket)) return ready();
    this.#onReady = ready;
    socket.once(readyEvent(socket), ready);
  };

  #ready(conn: Socket, reused: boolean, wasIdle: boolean, idleTime: number | undefined): void {
    this.#gotConn = true;
    this.trace.gotConn?.({ conn, reused, wasIdle, idleTime });
    if (this.#req.headersSent) this.#headers();
    else this.#watchHeaders();
    if (this.#finished) this.#wrote(null);
  }

  /** Emits the header hooks once, from the exact block Node built. */
  #headers(): void {
    if (this.#headersWritten) return;
    this.#headersWritten = true;
    this.#unwatchHeaders();
    const trace = this.trace;
    const block = requestHeaderBlock(this.#req);
    if (block !== null && trace.wroteHeaderField !== undefined) {
      for (const [key, values] of headerFields(block)) trace.wroteHeaderField(key, values);
    }
    trace.wroteHeaders?.();
    if (this.#expectsContinue) trace.wait100Continue?.();
  }

  /** A streamed body: the header block goes out with the first write(), end() or flushHeaders(). */
  #watchHeaders(): void {
    const req = this.#req as unknown as Record<Method, (...args: unknown[]) => unknown>;
    const watching = (this.#watching = new Map());
    for (const method of headerWriters) {
      const fn = req[method];
      watching.set(method, { own: Object.hasOwn(req, method), fn });
      req[method] = (...args: unknown[]): unknown => {
        const result = fn.apply(req, args);
        if (this.#req.headersSent) this.#headers();
        return result;
      };
    }
  }

  #unwatchHeaders(): void {
    const watching = this.#watching;
    if (watching === undefined) return;
    this.#watching = undefined;
    const req = this.#req as unknown as Record<Method, unknown>;
    for (const [method, { own, fn }] of watching) {
      if (own) req[method] = fn;
      else delete req[method];
    }
  }

  readonly #data = (): void => {
    this.socket?.off('data', this.#data);
    this.trace.gotFirstResponseByte?.();
  };

  readonly #information = (info: InformationEvent): void => {
    const trace = this.trace;
    if (info.statusCode === 100 && this.#expectsContinue) trace.got100Continue?.();
    const err = trace.got1xxResponse?.(info.statusCode, Object.freeze(headerMap(info.rawHeaders)));
    if (!(err instanceof Error)) return;
    this.#failed = true;
    abortRequest(this.#req, err);
  };

  #wrote(err: Error | null): void {
    if (this.#wroteRequest) return;
    this.#wroteRequest = true;
    if (err === null) this.#headers();
    this.trace.wroteRequest?.({ err });
  }

  /** The request's last byte was written (or `'finish'`, whichever comes first). */
  requestWritten(): void {
    this.#finished = true;
    if (this.#gotConn) this.#wrote(null);
  }

  readonly #finish = (): void => this.requestWritten();

  readonly #error = (err: Error): void => {
    this.#failed = true;
    if (this.#gotConn) this.#wrote(err);
    // Listening must not turn an unhandled 'error' into a handled one.
    if (this.#req.listenerCount('error') === 1) throw err;
  };

  /** This attempt is over without an outcome of its own (the request is retried). */
  retire(): void {
    this.#close();
    this.#failed = true;
    const req = this.#req;
    req.off('socket', this.#socket);
    req.off('finish', this.#finish);
    req.off('error', this.#error);
    req.off('close', this.#close);
  }

  readonly #close = (): void => {
    const socket = this.socket;
    if (socket !== undefined) {
      socket.off('data', this.#data);
      if (this.#onReady !== undefined) socket.off(readyEvent(socket), this.#onReady);
    }
    this.#onReady = undefined;
    this.#unwatchHeaders();
    this.#req.off('information', this.#information);
  };
}
