/**
 * The tracing dispatcher for undici and `fetch`: undici's own `Agent` with the traced connector,
 * whose `dispatch()` fires `getConn` and follows each traced request. A request
 * without a trace (none in its `traceContext` option, none active) goes straight to the Agent.
 */
import type { ClientTrace } from '../client-trace.js';
import { contextClientTrace, requestContext, requestTrace, runWithContext, type Context } from '../context.js';
import { HttpTraceError } from '../errors.js';
import { peerChainMemory } from '../internal/dial-tracer.js';
import { canonicalHostPort } from '../internal/host-port.js';
import { proxyAuthorization, proxyChooser, type ProxyChooser, type ProxyOption } from '../internal/proxy-config.js';
import { dispatchTraced } from './channels.js';
import { tracedConnector, type ConnectOptions } from './connector.js';
import { traceHandler, type DispatchHandler } from './handler.js';
import { UndiciRequestTracer } from './request-tracer.js';

/** The part of undici's `Dispatcher` API the adapter relies on. */
export interface Dispatcher {
  dispatch(options: DispatchOptions, handler: DispatchHandler): boolean;
  close(): Promise<void>;
  destroy(err?: Error | null): Promise<void>;
}
/** undici's dispatch options (the fields the adapter reads). */
export interface DispatchOptions {
  origin?: string | URL;
  path: string;
  method: string;
  /** httptrace: the context whose trace this request fires (default: the active context). */
  traceContext?: Context;
  [key: string]: unknown;
}
/** undici's `Agent` class, from npm undici 6 or 7 or from Node's built-in fetch. */
export type AgentClass = new (options: Record<string, unknown>) => Dispatcher;

/** Options of {@link createTracingDispatcher}. */
export interface TracingDispatcherOptions {
  /** Options of the connections: `tls.connect` options, `lookup`, `timeout` (ms), `maxCachedSessions`. */
  connect?: ConnectOptions;
  /** Other options for undici's `Agent` (`connections`, `keepAliveTimeout`, `pipelining`, …). */
  agent?: Record<string, unknown>;
  /** undici's `Agent` class to build on (e.g. `(await import('undici')).Agent`). Default: see {@link undiciAgentClass}. */
  Agent?: AgentClass;
  /**
   * The proxy: a URL for every request, or a function choosing per target such as
   * `proxyFromEnvironment()`. http targets are asked for in absolute form, https targets through a
   * `CONNECT` tunnel, as Go does. Default: none.
   */
  proxy?: ProxyOption;
}

const globalDispatcherKey = Symbol.for('undici.globalDispatcher.1');
/** The Agent class each tracing dispatcher is built on (it may have become the global dispatcher). */
const agentClasses = new WeakMap<Dispatcher, AgentClass>();
type GlobalWithDispatcher = { [globalDispatcherKey]?: Dispatcher };

/**
 * The `Agent` class of the undici that Node's global `fetch` uses: read from its global dispatcher
 * (undici shares it through `Symbol.for('undici.globalDispatcher.1')`; one `fetch` of a `data:` URL
 * makes Node create it). Falls back to npm `undici` when the global dispatcher is not an Agent.
 */
export async function undiciAgentClass(): Promise<AgentClass> {
  const g = globalThis as GlobalWithDispatcher;
  if (g[globalDispatcherKey] === undefined) await (await fetch('data:,')).arrayBuffer();
  const current = g[globalDispatcherKey] as (Dispatcher & { constructor: AgentClass }) | undefined;
  const ours = current === undefined ? undefined : agentClasses.get(current);
  if (ours !== undefined) return ours;
  if (current !== undefined && current.constructor.name === 'Agent') return current.constructor;
  try {
    const undici = (await import('undici' as string)) as { Agent: AgentClass };
    return undici.Agent;
  } catch (cause) {
    throw new HttpTraceError('ERR_HTTPTRACE_UNDICI_UNAVAILABLE', 'no undici Agent class found: pass options.Agent', { cause });
  }
}

/**
 * Go's proxying for an undici request: an http target becomes an absolute-form request to the
 * proxy (with `Proxy-Authorization` from the proxy URL); an https target is left to the connector,
 * which tunnels. Returns the options to dispatch and the proxy, if any.
 */
function routeThroughProxy(opts: DispatchOptions, choose: ProxyChooser): { opts: DispatchOptions; proxy: URL | undefined } {
  if (opts.origin === undefined) return { opts, proxy: undefined };
  const origin = new URL(String(opts.origin));
  const proxy = choose(new URL(opts.path, origin));
  if (proxy === undefined || origin.protocol !== 'http:') return { opts, proxy };
  const extra = ['host', origin.host];
  const auth = proxyAuthorization(proxy);
  if (auth !== undefined) extra.push('proxy-authorization', auth);
  return { opts: { ...opts, origin: `http://${proxy.host}`, path: new URL(opts.path, origin).href, headers: withHeaders(opts.headers, extra) }, proxy };
}

/** undici's headers (flat array, array of pairs, or object) with `extra` (`[name, value, …]`) added. */
function withHeaders(headers: unknown, extra: string[]): unknown {
  if (headers === undefined || headers === null) return extra;
  if (Array.isArray(headers)) return Array.isArray(headers[0]) ? [...(headers as string[][]).flat(), ...extra] : [...(headers as string[]), ...extra];
  const out: Record<string, unknown> = { ...(headers as Record<string, unknown>) };
  for (let i = 0; i < extra.length; i += 2) out[extra[i]!] = extra[i + 1];
  return out;
}

function hostPortOf(origin: string | URL | undefined): string {
  const url = typeof origin === 'string' ? new URL(origin) : origin;
  if (url === undefined) return '';
  return canonicalHostPort(url.hostname, url.port || (url.protocol === 'https:' ? 443 : 80));
}

/**
 * Creates a dispatcher that traces the requests made through it: `fetch(url, { dispatcher })`,
 * `undici.request(url, { dispatcher })`, or as the global dispatcher ({@link installGlobalDispatcher}).
 */
export async function createTracingDispatcher(options: TracingDispatcherOptions = {}): Promise<Dispatcher> {
  const Agent = options.Agent ?? (await undiciAgentClass());
  // The trace of the request being dispatched, for the dial undici starts synchronously inside it.
  let dialing: ClientTrace | undefined;
  // Traces with a request in flight: a dial undici starts later (a body of unknown length, or a
  // redial after an aborted request) is traced only if its async context's trace still has one.
  const live = new Map<ClientTrace, number>();
  const laterDial = (): ClientTrace | undefined => {
    const trace = requestTrace(undefined);
    return trace !== undefined && live.has(trace) ? trace : undefined;
  };
  const choose = proxyChooser(options.proxy);
  const connect = tracedConnector(options.connect ?? {}, () => dialing ?? laterDial(), peerChainMemory(), choose);
  // undici's Agent, with its dispatch() overridden: an untraced request costs one context read and
  // a super call (undici's compose() would add its own layers to every request).
  class TracingDispatcher extends (Agent as new (options: Record<string, unknown>) => Dispatcher) {
    override dispatch(original: DispatchOptions, handler: DispatchHandler): boolean {
      let opts = original;
      let proxy: URL | undefined;
      if (choose !== undefined) ({ opts, proxy } = routeThroughProxy(original, choose));
      const ctx = requestContext(opts.traceContext);
      const trace = ctx === undefined ? undefined : contextClientTrace(ctx);
      if (trace === undefined) return super.dispatch(opts, handler);
      const hostPort = proxy !== undefined ? canonicalHostPort(proxy.hostname, proxy.port || 80) : hostPortOf(opts.origin);
      live.set(trace, (live.get(trace) ?? 0) + 1);
      const tracer = new UndiciRequestTracer(trace, hostPort, () => {
        const n = live.get(trace)! - 1;
        if (n === 0) live.delete(trace);
        else live.set(trace, n);
      });
      const traced = traceHandler(handler, tracer);
      const outer = dialing;
      dialing = trace;
      try {
        // Bound to the request's context, so that a dial undici starts later (after a body of unknown
        // length was read, say) still finds the trace through the connector's async context.
        const result = runWithContext(ctx!, () => dispatchTraced(tracer, () => super.dispatch(opts, traced)));
        tracer.created(); // a pool queued it for a free connection: undici creates it later
        return result;
      } finally {
        dialing = outer;
      }
    }
  }
  Object.defineProperty(TracingDispatcher, 'name', { value: 'TracingDispatcher' });
  const dispatcher = new TracingDispatcher({ ...options.agent, connect });
  agentClasses.set(dispatcher, Agent);
  return dispatcher;
}

/**
 * A view of `dispatcher` whose requests use `ctx`'s trace, for `fetch`, which has no option to
 * pass a context: `fetch(url, { dispatcher: withDispatcherContext(dispatcher, ctx) })`.
 */
export function withDispatcherContext(dispatcher: Dispatcher, ctx: Context): Dispatcher {
  // undici's methods that read `#private` fields must run on the dispatcher itself.
  return Object.create(dispatcher, {
    dispatch: { value: (opts: DispatchOptions, handler: DispatchHandler) => runWithContext(ctx, () => dispatcher.dispatch(opts, handler)) },
    close: { value: () => dispatcher.close() },
    destroy: { value: (err?: Error | null) => dispatcher.destroy(err) },
  }) as Dispatcher;
}

/**
 * Makes `dispatcher` the process's global dispatcher (as undici's `setGlobalDispatcher` does, for
 * Node's built-in `fetch` and npm undici alike), so that a plain `fetch(url)` made inside a traced
 * context is traced. Returns a function that puts the previous dispatcher back.
 */
export function installGlobalDispatcher(dispatcher: Dispatcher): () => void {
  const g = globalThis as GlobalWithDispatcher;
  const previous = g[globalDispatcherKey];
  Object.defineProperty(globalThis, globalDispatcherKey, { value: dispatcher, writable: true, enumerable: false, configurable: false });
  return () => {
    (globalThis as GlobalWithDispatcher)[globalDispatcherKey] = previous as Dispatcher;
  };
}
