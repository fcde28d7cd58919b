/**
 * The fault scenarios shared by the fault, throwing-hook and soak tests: one function per adapter
 * that makes one request meeting one fault (DNS failure, refused connection, TLS failure, resets,
 * a server closing mid-body, a client timeout, aborts at three stages, a 1xx abort) and reports what
 * the caller saw — the error, and how many times it was told of an error or of a completed response.
 *
 * Every trigger is an event: the fault lookup holds `slow.test` until released, aborts fire on the
 * request's own events (node) or hooks (undici), the server delays are deliberate endpoint delays.
 */
import http from 'node:http';
import type { LookupAddress } from 'node:dns';
import type { Socket } from 'node:net';
import { Readable } from 'node:stream';
import { withClientTrace, type ClientTrace, type Context } from '../../src/index.js';
import { withDispatcherContext, type DispatchHandler, type Dispatcher } from '../../src/undici/index.js';
import { errorClass } from './recorder.js';

/** Every fault, in the order the child-process checks run them. */
export const FAULTS = [
  'dns',
  'refused',
  'tls',
  'reset',
  'reset-writing',
  'reset-mid-body',
  'drop-mid-body',
  'timeout',
  'abort-connect',
  'abort-headers',
  'abort-body',
  '1xx-abort',
] as const;
export type Fault = (typeof FAULTS)[number];
/** A fault, or a plain successful GET. */
export type Scenario = Fault | 'ok';

/** The client timeout of the `timeout` fault, in ms (the server waits 30 s). */
export const CLIENT_TIMEOUT_MS = 50;

/** The error class the caller must get for each fault (see {@link faultKind}). */
export const expectedKind: Record<Scenario, readonly string[]> = {
  ok: ['ok'],
  dns: ['dns'],
  refused: ['refused'],
  tls: ['tls'],
  reset: ['reset'],
  'reset-writing': ['reset'],
  'reset-mid-body': ['reset', 'closed'],
  'drop-mid-body': ['reset', 'closed'],
  timeout: ['timeout'],
  'abort-connect': ['aborted'],
  'abort-headers': ['aborted'],
  'abort-body': ['aborted'],
  '1xx-abort': ['1xx'],
};

/** Code of the error the `1xx-abort` fault's got1xxResponse returns. */
export const ABORT_1XX_CODE = 'E_TEST_1XX_REFUSED';

/** The class of what the caller got: `ok`, `1xx`, `timeout`, or the recorder's error class. */
export function faultKind(err: unknown): string {
  if (err === undefined || err === null) return 'ok';
  const e = err as { code?: string; cause?: { code?: string } };
  if (e.code === ABORT_1XX_CODE || e.cause?.code === ABORT_1XX_CODE) return '1xx';
  if (e.code === 'UND_ERR_HEADERS_TIMEOUT' || e.code === 'UND_ERR_BODY_TIMEOUT') return 'timeout';
  if ((err as { name?: string }).name === 'TimeoutError') return 'timeout'; // AbortSignal.timeout
  return errorClass(err) ?? 'other';
}

type LookupCallback = (err: NodeJS.ErrnoException | null, address: string | LookupAddress[], family?: number) => void;

/**
 * A `dns.lookup` stand-in for the faults: `faults.test` and `localhost` are 127.0.0.1 (answered
 * on the next turn of the event loop), `slow.test` is 127.0.0.1 too, held until
 * {@link FaultLookup.release} when the gate was armed, every other name fails with ENOTFOUND. Never
 * the machine's resolver.
 */
export interface FaultLookup {
  (hostname: string, options: unknown, callback?: unknown): void;
  /**
   * Arms the gate: the next `slow.test` lookup is held (call it right before the request whose dial
   * should hang in DNS). A lookup made while the gate is not armed (a client redialing later on its
   * own) is answered at once, so nothing waits for a release that will not come.
   */
  arm(): void;
  /** Answers every held `slow.test` lookup, synchronously, and disarms the gate. */
  release(): void;
  /** How many lookups were made, and how many are held. */
  readonly stats: { calls: number; held: number };
}

export function faultLookup(): FaultLookup {
  let held: Array<() => void> = [];
  let armed = 0;
  const stats = { calls: 0, held: 0 };
  const lookup = (hostname: string, options: unknown, callback?: unknown): void => {
    const cb = (typeof options === 'function' ? options : callback) as LookupCallback;
    const all = typeof options === 'object' && options !== null && (options as { all?: boolean }).all === true;
    stats.calls++;
    const answer = (address: string | null): void => {
      if (address === null) {
        const err = Object.assign(new Error(`getaddrinfo ENOTFOUND ${hostname}`), {
          errno: -3008, code: 'ENOTFOUND', syscall: 'getaddrinfo', hostname,
        });
        (cb as (err: NodeJS.ErrnoException) => void)(err);
      } else if (all) cb(null, [{ address, family: 4 }]);
      else cb(null, address, 4);
    };
    const name = hostname.toLowerCase();
    if (name === 'slow.test' && armed > 0) {
      armed--;
      stats.held++;
      held.push(() => answer('127.0.0.1'));
    } else {
      setImmediate(answer, name === 'faults.test' || name === 'localhost' || name === 'slow.test' ? '127.0.0.1' : null);
    }
  };
  return Object.assign(lookup, {
    arm(): void {
      armed++;
    },
    release(): void {
      const waiting = held;
      held = [];
      armed = 0;
      stats.held = 0;
      for (const answer of waiting) answer();
    },
    stats,
  });
}

/** The ports the faults need: the http and https test servers, and a port nobody listens on. */
export interface FaultPorts {
  httpPort: number;
  httpsPort: number;
  refusedPort: number;
}

/** The URL that produces `scenario`. */
export function faultUrl(scenario: Scenario, ports: FaultPorts): string {
  const origin = `http://faults.test:${ports.httpPort}`;
  switch (scenario) {
    case 'ok': return `${origin}/ok`;
    case 'dns': return `http://nonexistent.invalid:${ports.httpPort}/ok`;
    case 'refused': return `http://faults.test:${ports.refusedPort}/ok`;
    case 'tls': return `https://faults.test:${ports.httpsPort}/ok`; // no trusted CA: the handshake fails
    case 'reset': return `${origin}/reset`;
    case 'reset-writing': return `${origin}/reset-early`;
    case 'reset-mid-body': return `${origin}/reset-mid-body`;
    case 'drop-mid-body': return `${origin}/drop-mid-body`;
    case 'timeout': return `${origin}/slow-headers?ms=30000`;
    case 'abort-connect': return `http://slow.test:${ports.httpPort}/slow-headers?ms=30000`;
    case 'abort-headers': return `${origin}/slow-headers?ms=30000`;
    case 'abort-body': return `${origin}/slow-body?ms=30000`;
    case '1xx-abort': return `${origin}/early-hints`;
  }
}

/** What the caller of one request saw. */
export interface Outcome {
  scenario: Scenario;
  status: number | undefined;
  body: string | undefined;
  /** The first error the caller got. */
  error: Error | undefined;
  /**
   * How many errors the caller was told of. node: `'error'` events of the request before a response,
   * or of the response after (what a promise-based client such as got settles on); undici: handler
   * `onError`/`onResponseError` calls.
   */
  errors: number;
  /** How many times the response completed (node: `'end'`; undici: handler `onComplete`/`onResponseEnd`). */
  completions: number;
  /** node: `'error'` events of the request, and of the response. */
  reqErrors: number;
  resErrors: number;
  /** node: the sockets the request was given. */
  sockets: Socket[];
}

const closing = new WeakMap<Socket, Promise<void>>();

/**
 * Starts watching `socket` for its `'close'` event (call it as soon as the socket is seen: the
 * event's listeners, the agent's among them, have all run once the promise resolves).
 */
export function trackClose(socket: Socket): void {
  if (!closing.has(socket)) closing.set(socket, new Promise((resolve) => socket.once('close', () => resolve())));
}

/** Resolves after `socket`'s `'close'` event (see {@link trackClose}). */
export function whenClosed(socket: Socket): Promise<void> {
  trackClose(socket);
  return closing.get(socket)!;
}

function newOutcome(scenario: Scenario): Outcome {
  return { scenario, status: undefined, body: undefined, error: undefined, errors: 0, completions: 0, reqErrors: 0, resErrors: 0, sockets: [] };
}

/** The trace the `1xx-abort` fault stacks on the caller's: refuse every 1xx. */
function refuse1xx(): ClientTrace {
  return { got1xxResponse: (code) => Object.assign(new Error(`test refuses ${code}`), { code: ABORT_1XX_CODE }) };
}

/** Options of {@link nodeFault} and {@link undiciFault}. */
export interface FaultOptions {
  /** Called at each event counted in `errors` or `completions`, even one coming after the outcome resolved. */
  notify?: (event: 'error' | 'complete') => void;
  /** undici: time out with `headersTimeout` (default) or with an abort after the timeout (faster: undici's own timers tick at ~1 s). */
  timeoutBy?: 'option' | 'signal';
}

/** What a node fault request needs. */
export interface NodeFaultEnv extends FaultPorts {
  agent: http.Agent;
  /** An https agent that does not trust the test CA. */
  httpsAgent: http.Agent;
  lookup: FaultLookup;
}

/**
 * One node:http request meeting `scenario`, traced with `context` (none: untraced, e.g. for a plain
 * agent). Resolves once the request and its response have closed and the caller's callbacks ran.
 * Triggers use node's own events (a plain agent works too); `1xx-abort` needs a tracing agent.
 */
export function nodeFault(env: NodeFaultEnv, scenario: Scenario, context: Context | undefined, options: FaultOptions = {}): Promise<Outcome> {
  const notify = options.notify;
  const out = newOutcome(scenario);
  const url = faultUrl(scenario, env);
  const controller = new AbortController();
  const traceContext = scenario === '1xx-abort' && context !== undefined ? withClientTrace(context, refuse1xx()) : context;
  return new Promise((resolve) => {
    let reqClosed = false;
    let res: http.IncomingMessage | undefined;
    let resClosed = false;
    const failRequest = (err: Error): void => {
      out.reqErrors++;
      if (res === undefined) {
        out.errors++;
        notify?.('error');
      }
      out.error ??= err;
    };
    const failResponse = (err: Error): void => {
      out.resErrors++;
      out.errors++;
      notify?.('error');
      out.error ??= err;
    };
    const maybeDone = (): void => {
      if (reqClosed && (res === undefined || resClosed)) setImmediate(resolve, out);
    };
    const writing = scenario === 'reset-writing';
    if (scenario === 'abort-connect') env.lookup.arm();
    const req = http.request(url, {
      agent: scenario === 'tls' ? env.httpsAgent : env.agent,
      lookup: env.lookup as never,
      method: writing ? 'POST' : 'GET',
      signal: controller.signal,
      ...(traceContext !== undefined ? { traceContext } : {}),
      ...(scenario === 'timeout' ? { timeout: CLIENT_TIMEOUT_MS } : {}),
    });
    req.on('error', failRequest);
    req.on('socket', (socket: Socket) => {
      out.sockets.push(socket);
      trackClose(socket);
      if (scenario === 'abort-connect') {
        // The lookup of slow.test is held (the socket is connecting): abort while resolving, then
        // let the lookup answer.
        controller.abort();
        setImmediate(() => env.lookup.release());
      }
    });
    if (scenario === 'timeout') {
      req.on('timeout', () => req.destroy(Object.assign(new Error('client timeout'), { code: 'ETIMEDOUT' })));
    }
    if (scenario === 'abort-headers') req.on('finish', () => controller.abort());
    req.on('close', () => {
      reqClosed = true;
      maybeDone();
    });
    req.on('response', (response: http.IncomingMessage) => {
      res = response;
      out.status = response.statusCode;
      let body = '';
      response.setEncoding('utf8');
      response.on('data', (chunk: string) => (body += chunk));
      response.on('error', failResponse);
      response.on('end', () => {
        out.completions++;
        notify?.('complete');
        out.body = body;
      });
      response.on('close', () => {
        resClosed = true;
        maybeDone();
      });
      if (scenario === 'abort-body') controller.abort();
    });
    if (writing) req.write('the first chunk of a body that never ends\n');
    else req.end();
  });
}

/** undici's `request()` shape (what {@link undiciFault} calls). */
export type RequestFn = (url: string, options: Record<string, unknown>) => Promise<{ statusCode: number; body: { text(): Promise<string> } }>;

/**
 * Node's built-in `fetch` in `request()`'s shape, for {@link undiciFault}: the context goes in with
 * `withDispatcherContext`, a stream body as a web stream, and fetch's `TypeError('fetch failed')` is
 * unwrapped to its cause (the error undici gave). No `headersTimeout`: use `timeoutBy: 'signal'`.
 */
export const fetchRequest: RequestFn = async (url, options) => {
  const { dispatcher, traceContext, signal, method, body } = options as {
    dispatcher: Dispatcher; traceContext: Context; signal?: AbortSignal; method?: string; body?: Readable;
  };
  try {
    const res = await fetch(url, {
      dispatcher: withDispatcherContext(dispatcher, traceContext),
      ...(signal ? { signal } : {}),
      ...(method ? { method } : {}),
      ...(body ? { body: Readable.toWeb(body), duplex: 'half' } : {}),
    } as unknown as RequestInit);
    return { statusCode: res.status, body: { text: () => res.text().catch((err: unknown) => Promise.reject(unwrapFetchError(err))) } };
  } catch (err) {
    throw unwrapFetchError(err);
  }
};

function unwrapFetchError(err: unknown): unknown {
  const e = err as Error & { cause?: Error };
  return e.name === 'TypeError' && e.cause !== undefined ? e.cause : e;
}

/** What an undici fault request needs. */
export interface UndiciFaultEnv extends FaultPorts {
  /** A tracing dispatcher (its connector's `lookup` is `lookup`, no trusted CA). */
  dispatcher: Dispatcher;
  /** npm undici's `request`, of the undici whose Agent the dispatcher is built on. */
  request: RequestFn;
  lookup: FaultLookup;
}

type Fn = (...args: unknown[]) => unknown;

/** Wraps the caller's handler to count what undici tells the caller, keeping its exact API. */
export function countingHandler(inner: DispatchHandler, out: { errors: number; completions: number }, notify?: FaultOptions['notify']): DispatchHandler {
  const wrapper: DispatchHandler = {};
  for (let o: object | null = inner; o !== null && o !== Object.prototype; o = Object.getPrototypeOf(o) as object | null) {
    for (const name of Object.getOwnPropertyNames(o)) {
      if (name === 'constructor' || name in wrapper || typeof inner[name] !== 'function') continue;
      const counted = name === 'onError' || name === 'onResponseError' ? 'errors' : name === 'onComplete' || name === 'onResponseEnd' ? 'completions' : undefined;
      wrapper[name] = (...args: unknown[]) => {
        if (counted !== undefined) {
          out[counted]++;
          notify?.(counted === 'errors' ? 'error' : 'complete');
        }
        return (inner[name] as Fn).apply(inner, args);
      };
    }
  }
  return wrapper;
}

/** A view of `dispatcher` that counts, in `out`, what undici tells the caller's handler. */
export function countingDispatcher(dispatcher: Dispatcher, out: { errors: number; completions: number }, notify?: FaultOptions['notify']): Dispatcher {
  return {
    dispatch: (opts, handler) => dispatcher.dispatch(opts, countingHandler(handler, out, notify)),
    close: () => dispatcher.close(),
    destroy: (err) => dispatcher.destroy(err),
  };
}

/**
 * One undici `request()` meeting `scenario`, traced with `context`. Aborts are triggered by hooks of
 * a trace stacked on `context` (undici exposes no other event for them). Resolves once the caller
 * got its response body or its error.
 */
export async function undiciFault(env: UndiciFaultEnv, scenario: Scenario, context: Context, options: FaultOptions = {}): Promise<Outcome> {
  const out = newOutcome(scenario);
  const controller = new AbortController();
  let control: ClientTrace | undefined;
  if (scenario === '1xx-abort') control = refuse1xx();
  if (scenario === 'abort-connect') {
    // getConn fires inside dispatch(), where undici starts the dial: the lookup of slow.test is
    // then held. Abort while resolving (or, if undici picked an idle connection to slow.test, while
    // waiting for headers), then let the lookup answer.
    let fired = false;
    const abort = (): void => {
      if (fired) return;
      fired = true;
      setImmediate(() => {
        controller.abort();
        env.lookup.release();
      });
    };
    control = { getConn: abort };
  }
  if (scenario === 'abort-headers') control = { wroteRequest: () => setImmediate(() => controller.abort()) };
  const traceContext = control ? withClientTrace(context, control) : context;
  // fetch settles on an abort at once; undici tells the handler when it drops the request (for an
  // abort before connect: once the dial ended). The outcome waits for that too.
  let handlerDone!: () => void;
  const handlerEnded = new Promise<void>((resolve) => (handlerDone = resolve));
  const notify = (event: 'error' | 'complete'): void => {
    options.notify?.(event);
    handlerDone();
  };
  const writing = scenario === 'reset-writing';
  if (scenario === 'abort-connect') env.lookup.arm();
  const timeout = scenario === 'timeout' ? (options.timeoutBy ?? 'option') : undefined;
  // A caller's timeout through the signal (not AbortSignal.any + AbortSignal.timeout: Node 20 may
  // collect such a timeout signal before it fires).
  const timer = timeout === 'signal'
    ? setTimeout(() => controller.abort(new DOMException('client timeout', 'TimeoutError')), CLIENT_TIMEOUT_MS)
    : undefined;
  const signal = controller.signal;
  try {
    const res = await env.request(faultUrl(scenario, env), {
      dispatcher: countingDispatcher(env.dispatcher, out, notify),
      traceContext,
      signal,
      ...(writing ? { method: 'POST', body: endlessBody() } : {}),
      ...(timeout === 'option' ? { headersTimeout: CLIENT_TIMEOUT_MS } : {}),
    });
    out.status = res.statusCode;
    if (scenario === 'abort-body') controller.abort();
    out.body = await res.body.text();
  } catch (err) {
    out.error = err as Error;
  } finally {
    clearTimeout(timer);
  }
  await handlerEnded;
  return out;
}

/** A request body that sends one chunk and never ends. */
function endlessBody(): Readable {
  const body = new Readable({ read() {} });
  body.push('the first chunk of a body that never ends\n');
  return body;
}
