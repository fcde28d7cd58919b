/**
 * The tracing dispatcher for undici and `fetch`: undici's own `Agent` with the traced connector,
 * whose `dispatch()` takes a handler of either API (adapted to what the Agent accepts, see
 * versions.ts), fires `getConn` and follows each traced request. A request without a trace (none in
 * its `traceContext` option, none active) goes straight to the Agent.
 */
import type { ClientTrace } from '../client-trace.js';
import { AsyncLocalStorage } from 'node:async_hooks';
import { assertContext, runWithContext, type Context } from '../context.js';
import { resolveRequestTrace, type RequestDescription } from '../default-trace.js';
import { RequestScope } from '../internal/request-scope.js';
import { peerChainMemory } from '../internal/dial-tracer.js';
import { canonicalHostPort } from '../internal/host-port.js';
import { proxyChooser, type ProxyChooser } from '../internal/proxy-config.js';
import { baseOf, defaultBase, rememberBase, type Base } from './base-agent.js';
import { dispatchTraced } from './channels.js';
import { tracedConnector } from './connector.js';
import { nodeEnvProxy } from './env-proxy.js';
import { traceHandler, type DispatchHandler } from './handler.js';
import { checkDispatcher, checkDispatcherOptions, type Dispatcher, type DispatchOptions, type TracingDispatcherOptions } from './options.js';
import { routeThroughProxy } from './proxy-route.js';
import { UndiciRequestTracer } from './request-tracer.js';
import { adaptToBase, alpnProtocols, envProxyTunnelsHttp, traitsOf } from './versions.js';
import { dispatcherView } from './view.js';

function hostPortOf(origin: string | URL | undefined): string {
  const url = typeof origin === 'string' ? new URL(origin) : origin;
  if (url === undefined) return '';
  return canonicalHostPort(url.hostname, url.port || (url.protocol === 'https:' ? 443 : 80));
}

/** What a default-trace factory is told about an undici request (fetch's handler is the one with `onResponseStarted`). */
function describeDispatch(opts: DispatchOptions, handler: DispatchHandler): RequestDescription {
  const fetch = typeof handler['onResponseStarted'] === 'function' && Object.getPrototypeOf(handler) === Object.prototype;
  const origin = String(opts.origin ?? '').replace(/\/$/, '');
  return { client: fetch ? 'fetch' : 'undici', method: String(opts.method ?? 'GET'), url: `${origin}${String(opts.path ?? '/')}` };
}

/**
 * Creates a dispatcher that traces the requests made through it: `fetch(url, { dispatcher })`,
 * `undici.request(url, { dispatcher })`, or as the global dispatcher ({@link installGlobalDispatcher}).
 * Bad options throw a `TypeError` (`ERR_HTTPTRACE_INVALID_OPTION`) at the call.
 */
export function createTracingDispatcher(options: TracingDispatcherOptions = {}): Promise<Dispatcher> {
  checkDispatcherOptions(options);
  const chosen = proxyChooser(options.proxy);
  return build(options, chosen);
}

async function build(options: TracingDispatcherOptions, chosen: ProxyChooser | undefined): Promise<Dispatcher> {
  const base: Base = options.Agent !== undefined ? { Agent: options.Agent, envProxy: false } : await defaultBase();
  const { Agent } = base;
  const choose = chosen ?? (base.envProxy ? nodeEnvProxy() : undefined);
  // The trace of the request being dispatched, for the dial undici starts synchronously inside it.
  let dialing: ClientTrace | undefined;
  // A dial undici starts later (a body of unknown length, or a redial after an aborted request) is
  // traced only if the request of its async context is still in flight.
  const inFlight = new AsyncLocalStorage<RequestScope>();
  const laterDial = (): ClientTrace | undefined => {
    const scope = inFlight.getStore();
    return scope !== undefined && !scope.settled ? scope.trace : undefined;
  };
  const connectOptions = options.connect ?? {};
  const traits = traitsOf(Agent as never);
  // Node's env proxy on undici 6/7 tunnels http targets too: so do we, to send the same bytes.
  const tunnelHttp = chosen === undefined && base.envProxy && envProxyTunnelsHttp(traits);
  const connect = tracedConnector(connectOptions, {
    traceOf: () => dialing ?? laterDial(),
    peerChains: peerChainMemory(),
    alpn: (params) => alpnProtocols(traits, params.allowH2, connectOptions, options.agent?.['allowH2']),
    choose,
    tunnelHttp,
  });
  // undici's Agent, with its dispatch() overridden: an untraced request costs one context read, a
  // handler check and a super call (undici's compose() would add its own layers to every request).
  class TracingDispatcher extends (Agent as new (options: Record<string, unknown>) => Dispatcher) {
    override dispatch(original: DispatchOptions, callerHandler: DispatchHandler): boolean {
      let [opts, handler] = adaptToBase(original, callerHandler, traits);
      let proxy: URL | undefined;
      if (choose !== undefined) ({ opts, proxy } = routeThroughProxy(opts, choose, tunnelHttp));
      const found = resolveRequestTrace(opts.traceContext, describeDispatch, original, callerHandler, undefined);
      if (found === undefined) return super.dispatch(opts, handler);
      const hostPort = proxy !== undefined ? canonicalHostPort(proxy.hostname, proxy.port || 80) : hostPortOf(opts.origin);
      const scope = new RequestScope(found);
      const trace = scope.trace;
      const tracer = new UndiciRequestTracer(scope, hostPort);
      const traced = traceHandler(handler, tracer);
      const outer = dialing;
      dialing = trace;
      try {
        // Bound to the request, so that a dial undici starts later (after a body of unknown length
        // was read, say) still finds the trace through the connector's async context.
        const result = inFlight.run(scope, () => dispatchTraced(tracer, () => super.dispatch(opts, traced)));
        tracer.created(); // a pool queued it for a free connection: undici creates it later
        return result;
      } finally {
        dialing = outer;
      }
    }
  }
  Object.defineProperty(TracingDispatcher, 'name', { value: 'TracingDispatcher' });
  const dispatcher = new TracingDispatcher({ ...options.agent, connect });
  rememberBase(dispatcher, { ...base, traits });
  return dispatcher;
}

/**
 * A view of `dispatcher` whose requests use `ctx`'s trace, for `fetch`, which has no option to
 * pass a context: `fetch(url, { dispatcher: withDispatcherContext(dispatcher, ctx) })`. A bad
 * dispatcher or context throws a `TypeError` (`ERR_HTTPTRACE_INVALID_OPTION`,
 * `ERR_HTTPTRACE_INVALID_CONTEXT`) at the call.
 */
export function withDispatcherContext(dispatcher: Dispatcher, ctx: Context): Dispatcher {
  checkDispatcher(dispatcher, 'withDispatcherContext');
  assertContext(ctx, 'withDispatcherContext: the context');
  const view = dispatcherView(dispatcher, (opts, handler) => runWithContext(ctx, () => dispatcher.dispatch(opts, handler)));
  const base = baseOf(dispatcher);
  if (base !== undefined) rememberBase(view, base);
  return view;
}
