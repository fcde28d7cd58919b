/**
 * Drop-in `http.Agent`/`https.Agent` subclasses that fire a request's {@link ClientTrace} hooks.
 * A request without a trace (no `traceContext` option, none active) takes Node's own path: the
 * overrides below check one value and call the base method.
 */
import * as http from 'node:http';
import * as https from 'node:https';
import type { Socket } from 'node:net';
import type { ClientTrace } from '../client-trace.js';
import type { Context } from '../context.js';
import { requestContext } from '../context.js';
import { resolveRequestTrace, type RequestDescription } from '../default-trace.js';
import { describeRequest, followRequest, scopeOf } from './request-outcome.js';
import { HttpTraceTypeError } from '../errors.js';
import { peerChainMemory, traceDial, type PeerChainMemory } from '../internal/dial-tracer.js';
import { canonicalHostPort } from '../internal/host-port.js';
import { tracedLookup, type LookupFunction } from '../internal/resolver.js';
import { expectsContinue, holdBodyUntilContinue } from './expect-continue.js';
import { newSocket, watchPool } from './pool-tracker.js';
import { RequestTracer, retireTracer, tracerOf } from './request-tracer.js';
import { routeThroughProxy, tunnelProxy } from './proxy.js';
import { openTunnel } from '../internal/proxy-tunnel.js';
import { proxyChooser, type ProxyChooser, type ProxyOption } from '../internal/proxy-config.js';
import { retryIfStale } from './stale-retry.js';

declare module 'node:http' {
  interface RequestOptions {
    /** httptrace: the context whose trace this request fires (default: the active context). */
    traceContext?: Context | undefined;
  }
}

/** Options of the tracing agents: Node's agent options, plus Go's `ExpectContinueTimeout`. */
export interface TracingAgentOptions {
  /**
   * How long a request sent with `Expect: 100-continue` holds its body back waiting for
   * `100 Continue`, in ms, once its connection is ready. Default 1000 (Go's default transport).
   * `0` sends the body at once, as Node does.
   */
  expectContinueTimeout?: number;
  /**
   * Send a request again on another connection when the idle connection it was given turns out to
   * be closed by the server before any response byte, as Go does (idempotent requests without body
   * only). Default `true`; `false` leaves Node's behaviour (the request fails with `ECONNRESET`).
   */
  retryOnStaleConnection?: boolean;
  /**
   * The proxy to use: a URL for every request (Go's `http.ProxyURL`; `http://user:pass@host:port`
   * sends `Proxy-Authorization`), or a function choosing per target URL, such as
   * `proxyFromEnvironment()` (`HTTP_PROXY`, `HTTPS_PROXY`, `NO_PROXY`, as Go). Default: none.
   * When set, it wins over Node's own env proxy: a `proxyEnv` option (which `http.globalAgent`'s
   * options carry under `NODE_USE_ENV_PROXY=1`) is ignored. Without it, `proxyEnv` works as on
   * `http.Agent`.
   */
  proxy?: ProxyOption;
}

type NodeOptions = http.RequestOptions & { host?: string | null | undefined; port?: number | string | null | undefined; traceContext?: unknown };

function validTimeout(value: unknown): number {
  if (value === undefined) return 1000;
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) {
    throw new HttpTraceTypeError(
      'ERR_HTTPTRACE_INVALID_OPTION',
      `expectContinueTimeout must be a finite number of milliseconds >= 0, got ${String(value)}`,
    );
  }
  return value;
}

/** What a tracing agent keeps besides Node's own fields. */
interface AgentState {
  readonly expectContinueTimeout: number;
  readonly retryOnStaleConnection: boolean;
  readonly proxy: ProxyChooser | undefined;
  readonly peerChains: PeerChainMemory;
  /** The options and context of the request inside `addRequest`, for `reuseSocket`. */
  addingOptions: object | undefined;
  addingContext: Context | undefined;
  /** The tracer of the request inside `addRequest`, for `reuseSocket`. */
  adding: RequestTracer | undefined;
  /** The trace of the request a socket is being created for, for `createConnection`. */
  dialing: ClientTrace | undefined;
}

const agentStates = new WeakMap<http.Agent, AgentState>();

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type AnyFunction = (this: any, ...args: any[]) => unknown;
type Proto = Record<'addRequest' | 'reuseSocket' | 'createSocket' | 'createConnection', AnyFunction>;

/**
 * Defines a tracing agent on top of Node's `Base` agent the way Node defines its own: a function
 * constructor, callable without `new`, usable with `class … extends` and with ES5-style
 * `Base.call(this, options)` subclassing.
 */
function defineTracingAgent(Base: typeof http.Agent | typeof https.Agent, name: string): AnyFunction {
  const base = Base.prototype as unknown as Proto;
  const Agent = {
    [name]: function (this: http.Agent, options?: TracingAgentOptions) {
      if (!(this instanceof Agent)) return new (Agent as unknown as new (o?: unknown) => http.Agent)(options);
      const expectContinueTimeout = validTimeout(options?.expectContinueTimeout);
      // The explicit `proxy` option wins over Node's env proxy (`proxyEnv`, Node 22.21+/24+): Node
      // would rewrite and dial the request its own way under ours.
      const nodeOptions = options?.proxy !== undefined && options.proxy !== null ? { ...options, proxyEnv: undefined } : options;
      (Base as unknown as AnyFunction).call(this, nodeOptions);
      const retryOnStaleConnection = options?.retryOnStaleConnection ?? true;
      if (typeof retryOnStaleConnection !== 'boolean') {
        throw new HttpTraceTypeError('ERR_HTTPTRACE_INVALID_OPTION', `retryOnStaleConnection must be a boolean, got ${typeof retryOnStaleConnection}`);
      }
      const proxy = proxyChooser(options?.proxy);
      agentStates.set(this, {
        expectContinueTimeout,
        retryOnStaleConnection,
        proxy,
        peerChains: peerChainMemory(),
        addingOptions: undefined,
        addingContext: undefined,
        adding: undefined,
        dialing: undefined,
      });
      return undefined;
    },
  }[name] as AnyFunction & { prototype: Proto };
  Object.setPrototypeOf(Agent, Base);
  Agent.prototype = Object.create(Base.prototype, {
    constructor: { value: Agent, writable: true, configurable: true },
  }) as Proto;
  const proto = Agent.prototype;

  /** Node: queue `req` for a socket. Here: also `getConn`, and the request's own tracer. */
  proto.addRequest = function addRequest(this: http.Agent, req: unknown, options: unknown, ...legacy: unknown[]) {
    const request = req as http.ClientRequest;
    // Node's legacy form addRequest(req, host, port, localAddress).
    let opts = (typeof options === 'string' ? { host: options, port: legacy[0], localAddress: legacy[1] } : options) as
      | NodeOptions
      | undefined;
    const state = agentStates.get(this);
    const defaultPort = (this as { defaultPort?: number }).defaultPort ?? 80;
    let proxy: URL | undefined;
    if (state?.proxy !== undefined) {
      const protocol = (this as { protocol?: string }).protocol === 'https:' ? 'https:' : 'http:';
      ({ options: opts, proxy } = routeThroughProxy(request, opts ?? {}, state.proxy, protocol, defaultPort));
    }
    const ctx = requestContext(opts?.traceContext);
    const expect = expectsContinue(request);
    if (expect && state !== undefined && state.expectContinueTimeout > 0) holdBodyUntilContinue(request, state.expectContinueTimeout);
    if (state === undefined) return base.addRequest.call(this, request, opts);
    const trace = traceOf(this, request, opts);
    state.addingOptions = opts;
    state.addingContext = ctx;
    try {
      if (trace !== undefined) {
        if (trace.getConn !== undefined) trace.getConn(proxy !== undefined ? canonicalHostPort(proxy.hostname, proxy.port || 80) : hostPortOf(this, opts, defaultPort));
        watchPool(this, tracerOf);
        state.adding = new RequestTracer(request, trace, expect);
      }
      return base.addRequest.call(this, request, opts);
    } finally {
      state.adding = undefined;
      state.addingOptions = undefined;
      state.addingContext = undefined;
    }
  };

  /** Node: an idle socket is taken from the pool for `req`. */
  proto.reuseSocket = function reuseSocket(this: http.Agent, socket: unknown, req: unknown) {
    const state = agentStates.get(this);
    if (state?.adding !== undefined) state.adding.fromIdlePool = true;
    if (state?.retryOnStaleConnection && state.addingOptions !== undefined) {
      retryIfStale(socket as Socket, req as http.ClientRequest, this, state.addingOptions, state.addingContext, retireTracer);
    }
    return base.reuseSocket.call(this, socket, req);
  };

  /** Node (undocumented, dispatched through `this`): open a socket for `req`. */
  proto.createSocket = function createSocket(this: http.Agent, req: unknown, options: unknown, cb: unknown) {
    const state = agentStates.get(this);
    const trace = tracerOf(req as http.ClientRequest)?.trace;
    if (state === undefined || trace === undefined) return base.createSocket.call(this, req, options, cb);
    const created = (err: Error | null, socket?: Socket): void => {
      if (socket) newSocket(socket); // new, whichever way createConnection made it
      (cb as (err: Error | null, socket?: Socket) => void)(err, socket);
    };
    state.dialing = trace;
    try {
      return base.createSocket.call(this, req, options, created);
    } finally {
      state.dialing = undefined;
    }
  };

  /** Node: dial. Here: trace the lookup, each connection attempt and the TLS handshake. */
  proto.createConnection = function createConnection(this: http.Agent, ...args: unknown[]) {
    const [options, callback] = args;
    // Other call forms ((port, host, options), (port, options), (path), ...) are the caller's own:
    // every argument goes to Node's method as given.
    if (typeof options !== 'object' || options === null || args.length > 2) return base.createConnection.apply(this, args);
    const trace = agentStates.get(this)?.dialing;
    if ((options as { [tunnelProxy]?: URL })[tunnelProxy] !== undefined) {
      return connectThroughTunnel(this, base, options as TunnelOptions, callback as TunnelCallback, trace);
    }
    if (trace === undefined) return base.createConnection.apply(this, args);
    const opts = options as NodeOptions & { servername?: string };
    const lookup = tracedLookup(trace, opts.lookup as LookupFunction | undefined);
    const socket = base.createConnection.call(this, { ...opts, lookup }, callback) as Socket;
    newSocket(socket);
    traceDial(socket, trace, {
      lookup,
      tls: (socket as { encrypted?: boolean }).encrypted === true,
      peerChains: agentStates.get(this)!.peerChains,
      serverKey: `${opts.host}:${opts.port}:${opts.servername ?? ''}`,
    });
    return socket;
  };
  return Agent;
}

/**
 * The trace of `req`'s hop: the one it already has (a retried attempt), else its context's composed
 * with the default trace (`undefined`: untraced). Followed to its outcome from here on.
 */
function traceOf(agent: http.Agent, req: http.ClientRequest, opts: NodeOptions | undefined): ClientTrace | undefined {
  const known = scopeOf(req);
  if (known !== undefined) return known.settled ? undefined : known.trace;
  const trace = resolveRequestTrace(opts?.traceContext, describeAgentRequest, agent, req, opts);
  return trace === undefined ? undefined : followRequest(req, trace).trace;
}

/** What a default-trace factory is told about `req`, made by `agent` with `opts`. */
function describeAgentRequest(agent: http.Agent, req: http.ClientRequest, opts: NodeOptions | undefined): RequestDescription {
  const { protocol = 'http:', defaultPort = 80 } = agent as { protocol?: string; defaultPort?: number };
  return describeRequest(req, protocol, hostPortOf(agent, opts, defaultPort));
}

/** The `host:port` (or socket path) Node will dial for `opts`: the agent's options win, as in Node. */
function hostPortOf(agent: http.Agent, opts: NodeOptions | undefined, defaultPort: number): string {
  const own = (agent as { options?: NodeOptions }).options;
  const socketPath = own?.socketPath ?? opts?.socketPath;
  if (socketPath !== undefined && socketPath !== null) return socketPath;
  return canonicalHostPort(own?.host ?? opts?.host ?? 'localhost', own?.port ?? opts?.port ?? defaultPort);
}

type TunnelOptions = NodeOptions & { [tunnelProxy]: URL; servername?: string };
type TunnelCallback = (err: Error | null, socket?: Socket) => void;

/** An https connection through a proxy: the tunnel, then TLS with the target over it. */
function connectThroughTunnel(
  agent: http.Agent,
  base: Proto,
  options: TunnelOptions,
  callback: TunnelCallback,
  trace: ClientTrace | undefined,
): undefined {
  const host = options.host ?? 'localhost';
  const port = Number(options.port) || 443;
  openTunnel({ proxy: options[tunnelProxy], host, port, lookup: options.lookup as LookupFunction | undefined, trace }, (err, tunnel) => {
    if (err !== null) return callback(err);
    const socket = base.createConnection.call(agent, { ...options, socket: tunnel }) as Socket;
    if (trace !== undefined) {
      traceDial(socket, trace, {
        tls: true,
        handshakeOnly: true,
        peerChains: agentStates.get(agent)!.peerChains,
        serverKey: `${host}:${port}:${options.servername ?? ''}`,
      });
    }
    callback(null, socket);
  });
  return undefined;
}

/** An `http.Agent` whose requests fire their {@link ClientTrace} hooks. Callable without `new`. */
export interface TracingAgent extends http.Agent {}
/** Constructor of {@link TracingAgent}. */
export interface TracingAgentConstructor {
  new (options?: http.AgentOptions & TracingAgentOptions): TracingAgent;
  (options?: http.AgentOptions & TracingAgentOptions): TracingAgent;
  readonly prototype: TracingAgent;
}
/** An `https.Agent` whose requests fire their {@link ClientTrace} hooks. Callable without `new`. */
export interface TracingHttpsAgent extends https.Agent {}
/** Constructor of {@link TracingHttpsAgent}. */
export interface TracingHttpsAgentConstructor {
  new (options?: https.AgentOptions & TracingAgentOptions): TracingHttpsAgent;
  (options?: https.AgentOptions & TracingAgentOptions): TracingHttpsAgent;
  readonly prototype: TracingHttpsAgent;
}

/** A drop-in `http.Agent` that fires the hooks of each request's trace. */
export const TracingAgent = defineTracingAgent(http.Agent, 'TracingAgent') as unknown as TracingAgentConstructor;
/** A drop-in `https.Agent` that fires the hooks of each request's trace. */
export const TracingHttpsAgent = defineTracingAgent(https.Agent, 'TracingHttpsAgent') as unknown as TracingHttpsAgentConstructor;
