/**
 * Drop-in `http.Agent`/`https.Agent` subclasses that fire a request's {@link ClientTrace} hooks.
 * A request without a trace (no `traceContext` option, none active) takes Node's own path: the
 * overrides below check one value and call the base method.
 */
import * as http from 'node:http';
import * as https from 'node:https';
import type { Duplex } from 'node:stream';
import type { Socket } from 'node:net';
import type { X509Certificate } from 'node:crypto';
import type { ClientTrace } from '../client-trace.js';
import type { Context } from '../context.js';
import { requestTrace } from '../context.js';
import { HttpTraceTypeError } from '../errors.js';
import { traceDial, type PeerChainMemory } from '../internal/dial-tracer.js';
import { canonicalHostPort } from '../internal/host-port.js';
import { tracedLookup, type LookupFunction } from '../internal/resolver.js';
import { expectsContinue, holdBodyUntilContinue } from './expect-continue.js';
import { socketState, watchPool } from './pool-tracker.js';
import { RequestTracer } from './request-tracer.js';

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
}

type NodeOptions = http.RequestOptions & { host?: string; port?: number | string; traceContext?: unknown };
type CreateConnection = (options: NodeOptions, callback: (err: Error | null, socket: Duplex) => void) => Duplex;

const maxRememberedChains = 100;

function chainMemory(): PeerChainMemory {
  const chains = new Map<string, readonly X509Certificate[]>();
  return {
    get: (key) => chains.get(key),
    set(key, chain) {
      chains.delete(key);
      chains.set(key, chain);
      if (chains.size > maxRememberedChains) chains.delete(chains.keys().next().value!);
    },
  };
}

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

// eslint-disable-next-line @typescript-eslint/no-explicit-any
function withTracing<Options extends object, Base extends new (...args: any[]) => http.Agent>(Base: Base) {
  return class TracingAgent extends Base {
    readonly #expectContinueTimeout: number;
    readonly #peerChains = chainMemory();
    #adding: RequestTracer | undefined;
    #dialing: ClientTrace | undefined;

    constructor(...args: any[]) {
      const options = (args[0] ?? {}) as Options & TracingAgentOptions;
      const timeout = validTimeout(options.expectContinueTimeout);
      super(...args);
      this.#expectContinueTimeout = timeout;
    }

    /** Node: queue `req` for a socket. Here: also `getConn`, and the request's own tracer. */
    addRequest(req: http.ClientRequest, options: NodeOptions): void {
      const trace = requestTrace(options.traceContext);
      if (this.#expectContinueTimeout > 0 && expectsContinue(req)) holdBodyUntilContinue(req, this.#expectContinueTimeout);
      const addRequest = (Base.prototype as unknown as { addRequest: TracingAgent['addRequest'] }).addRequest;
      if (trace === undefined) return addRequest.call(this, req, options);
      trace.getConn?.(
        options.socketPath ?? canonicalHostPort(options.host ?? 'localhost', options.port ?? (this as { defaultPort?: number }).defaultPort ?? 80),
      );
      watchPool(this);
      const tracer = new RequestTracer(req, trace, expectsContinue(req));
      dialTraces.set(req, trace);
      this.#adding = tracer;
      try {
        addRequest.call(this, req, options);
      } finally {
        this.#adding = undefined;
      }
    }

    /** Node: an idle socket is taken from the pool for `req`. */
    override reuseSocket(socket: Socket, req: http.ClientRequest): void {
      if (this.#adding !== undefined) this.#adding.fromIdlePool = true;
      super.reuseSocket(socket, req);
    }

    /** Node (undocumented, dispatched through `this`): open a socket for `req`. */
    createSocket(req: http.ClientRequest, options: NodeOptions, cb: (err: Error | null, socket?: Duplex) => void): void {
      const createSocket = (Base.prototype as unknown as { createSocket: TracingAgent['createSocket'] }).createSocket;
      this.#dialing = dialTraces.get(req);
      try {
        createSocket.call(this, req, options, cb);
      } finally {
        this.#dialing = undefined;
      }
    }

    /** Node: dial. Here: trace the lookup, each connection attempt and the TLS handshake. */
    override createConnection(options: NodeOptions, callback: (err: Error | null, socket: Duplex) => void): Duplex {
      const base = super.createConnection as unknown as CreateConnection;
      const trace = this.#dialing;
      if (trace === undefined) return base.call(this, options, callback);
      const traced = { ...options, lookup: tracedLookup(trace, options.lookup as LookupFunction | undefined) };
      const socket = base.call(this, traced, callback) as Socket;
      socketState(socket);
      const tls = (socket as { encrypted?: boolean }).encrypted === true;
      traceDial(socket, trace, {
        tls,
        peerChains: this.#peerChains,
        serverKey: `${options.host}:${options.port}:${(options as { servername?: string }).servername ?? ''}`,
      });
      return socket;
    }
  };
}

const dialTraces = new WeakMap<http.ClientRequest, ClientTrace>();

/** Lets a class be called without `new`, as Node's `http.Agent` can. */
function callable<C extends abstract new (...args: any[]) => unknown>(Class: C): C & ((...args: ConstructorParameters<C>) => InstanceType<C>) {
  return new Proxy(Class, {
    apply: (target, _this, args) => Reflect.construct(target, args),
  }) as C & ((...args: ConstructorParameters<C>) => InstanceType<C>);
}

const HttpAgentBase = withTracing<http.AgentOptions, typeof http.Agent>(http.Agent);
const HttpsAgentBase = withTracing<https.AgentOptions, typeof https.Agent>(https.Agent);

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

Object.defineProperty(HttpAgentBase, 'name', { value: 'TracingAgent' });
Object.defineProperty(HttpsAgentBase, 'name', { value: 'TracingHttpsAgent' });

/** A drop-in `http.Agent` that fires the hooks of each request's trace. */
export const TracingAgent: TracingAgentConstructor = callable(HttpAgentBase) as unknown as TracingAgentConstructor;
/** A drop-in `https.Agent` that fires the hooks of each request's trace. */
export const TracingHttpsAgent: TracingHttpsAgentConstructor = callable(HttpsAgentBase) as unknown as TracingHttpsAgentConstructor;
