/** An {@link UndiciClient} for npm undici's `request()`, with the context passed as a dispatch option. */
import { undiciScenarios, undiciStaleScenario, type UndiciClient } from './undici-scenarios.js';
import { withDispatcherContext, type AgentClass, type Dispatcher, type TracingDispatcherOptions } from '../../src/undici/index.js';
import { errorClass } from './recorder.js';

type RequestFn = (url: string, options: Record<string, unknown>) => Promise<{ statusCode: number; body: { text(): Promise<string> } }>;

/**
 * npm undici's `request`, through a dispatcher built on `Agent` (default: the built-in fetch's).
 * With `viaGlobal`, the dispatcher is installed as the global one (`install` returns the restore
 * function) and `request` finds it through its own `getGlobalDispatcher()`.
 */
export function undiciRequestClient(
  request: RequestFn,
  Agent: TracingDispatcherOptions['Agent'],
  viaGlobal?: (dispatcher: Dispatcher) => () => void,
): UndiciClient {
  let installed: { dispatcher: Dispatcher; restore: () => void } | undefined;
  const route = (dispatcher: Dispatcher): Record<string, unknown> => {
    if (viaGlobal === undefined) return { dispatcher };
    if (installed?.dispatcher !== dispatcher) {
      installed?.restore();
      installed = { dispatcher, restore: viaGlobal(dispatcher) };
    }
    return {};
  };
  return {
    followsRedirects: false,
    ...(Agent !== undefined ? { dispatcherOptions: { Agent } } : {}),
    async send(url, o) {
      o.rec.mark('request', o.req, { method: o.method ?? 'GET', url });
      try {
        const res = await request(url, {
          ...route(o.dispatcher),
          traceContext: o.context,
          ...(o.signal ? { signal: o.signal } : {}),
          ...(o.method ? { method: o.method } : {}),
          ...(o.body ? { body: o.body } : {}),
          ...(o.headers ? { headers: o.headers } : {}),
        });
        o.rec.mark('response', o.req, { status: res.statusCode, err: null });
        const body = await res.body.text();
        o.rec.mark('body', o.req, { bytes: body.length, err: null });
        return { status: res.statusCode, body };
      } catch (err) {
        o.rec.mark('response', o.req, { status: null, err: errorClass(err) });
        return { error: err as Error };
      }
    },
  };
}

type FetchFn = (url: string, init: Record<string, unknown>) => Promise<{ status: number; text(): Promise<string> }>;

/**
 * A `fetch` (built-in or npm undici's) as an {@link UndiciClient}: `init(o)` gives the options that
 * route it through the dispatcher (a `dispatcher` option, or none for the global dispatcher);
 * `around` wraps the call (e.g. in the request's async context). fetch's `TypeError: fetch failed`
 * is unwrapped to its cause.
 */
export function fetchClient(
  fetchFn: FetchFn,
  init: (o: Parameters<UndiciClient['send']>[1]) => Record<string, unknown>,
  extra: { around?: <R>(o: Parameters<UndiciClient['send']>[1], fn: () => Promise<R>) => Promise<R>; dispatcherOptions?: TracingDispatcherOptions } = {},
): UndiciClient {
  return {
    followsRedirects: true,
    ...(extra.dispatcherOptions ? { dispatcherOptions: extra.dispatcherOptions } : {}),
    async send(url, o) {
      o.rec.mark('request', o.req, { method: o.method ?? 'GET', url });
      const call = async () => {
        try {
          const res = await fetchFn(url, {
            ...init(o),
            ...(o.signal ? { signal: o.signal } : {}),
            ...(o.method ? { method: o.method } : {}),
            ...(o.body ? { body: o.body } : {}),
            ...(o.headers ? { headers: o.headers } : {}),
          });
          o.rec.mark('response', o.req, { status: res.status, err: null });
          const body = await res.text();
          o.rec.mark('body', o.req, { bytes: body.length, err: null });
          return { status: res.status, body };
        } catch (err) {
          const error = err as Error & { cause?: Error };
          const root = error.name === 'TypeError' && error.cause ? error.cause : error;
          o.rec.mark('response', o.req, { status: null, err: errorClass(root) });
          return { error: root };
        }
      };
      return extra.around ? extra.around(o, call) : call();
    },
  };
}

/** What the npm undici modules export that the scenarios use. */
export interface NpmUndici {
  Agent: unknown;
  fetch: unknown;
  request: unknown;
}

/** The scenarios through an npm undici's `request()` and `fetch()`, on a dispatcher built on its Agent. */
export function npmUndiciScenarios(label: string, undici: NpmUndici): void {
  const Agent = undici.Agent as AgentClass;
  const requestClient = undiciRequestClient(undici.request as never, Agent);
  undiciScenarios(`${label} request`, requestClient);
  undiciStaleScenario(`${label} request`, requestClient);
  undiciScenarios(
    `${label} fetch`,
    fetchClient(undici.fetch as never, (o) => ({ dispatcher: withDispatcherContext(o.dispatcher, o.context) }), { dispatcherOptions: { Agent } }),
  );
}
