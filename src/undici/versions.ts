/**
 * What differs between undici 6, 7 and 8 (npm or bundled with Node 20–26), in one place: which
 * handler API a base `Agent` accepts, how a caller's handler is adapted to it, whether HTTP/2 is
 * offered by default (and so which ALPN protocols a connection offers), and which global-dispatcher
 * slot Node's built-in fetch reads.
 *
 * | undici | handler API accepted | `allowH2` default | global slot it reads |
 * |---|---|---|---|
 * | 6 (Node 20, 22) | legacy | false | `.1` |
 * | 7 (Node 24) | legacy and new | false | `.1` (7.27.0–7.27.1: `.2`) |
 * | 8 (Node 26) | new | true | `.2` |
 */
import { asLegacyHandler, asNewApiHandler, isNewApiHandler, type DispatchHandler } from './handler-api.js';

/** What a base dispatcher (an undici `Agent`) accepts. */
export interface BaseTraits {
  /** It takes legacy handlers (`onConnect`/`onHeaders`/…): undici 6 and 7. */
  readonly legacy: boolean;
  /** It takes new-API handlers (`onRequestStart`/`onResponseStart`/…): undici 7 and 8. */
  readonly newApi: boolean;
  /** HTTP/2 is offered unless `allowH2: false`: undici 8 (the one major that takes only the new API). */
  readonly h2ByDefault: boolean;
}

type DispatchFn = (opts: unknown, handler: DispatchHandler) => unknown;

/**
 * Asks `dispatch` (a base Agent's, on an instance) which APIs it accepts, without any request: a
 * dispatch with no options fails at once and reports the failure to the handler's error method of
 * each API it accepts (undici 6: `onError`; 7: `onError`, adapting a new-API handler; 8:
 * `onResponseError`), or throws.
 */
export function probeBaseTraits(dispatch: DispatchFn): BaseTraits {
  const accepts = (handler: DispatchHandler, reached: () => boolean): boolean => {
    try {
      dispatch(null, handler);
    } catch {
      return false;
    }
    return reached();
  };
  let legacyReached = false;
  let newReached = false;
  const legacy = accepts({ onError: () => void (legacyReached = true) }, () => legacyReached);
  const newApi = accepts({ onRequestStart: () => undefined, onResponseError: () => void (newReached = true) }, () => newReached);
  // Not an undici Agent as we know them (a mock, a wrapper): handlers are passed on as they come.
  if (!legacy && !newApi) return { legacy: true, newApi: true, h2ByDefault: false };
  return { legacy, newApi, h2ByDefault: newApi && !legacy };
}

const traitsByClass = new WeakMap<object, BaseTraits>();

/** What instances of the Agent class `Agent` accept: probed once on a throwaway instance. */
export function traitsOf(Agent: new (options: Record<string, unknown>) => { dispatch: DispatchFn; destroy(): Promise<void> }): BaseTraits {
  let traits = traitsByClass.get(Agent);
  if (traits === undefined) {
    const probe = new Agent({});
    traits = probeBaseTraits((opts, handler) => probe.dispatch(opts, handler));
    void probe.destroy().catch(() => undefined);
    traitsByClass.set(Agent, traits);
  }
  return traits;
}

/**
 * Whether Node's env proxy (an `EnvHttpProxyAgent` of the bundled undici) reaches an http target
 * through a CONNECT tunnel: undici 6 and 7's `ProxyAgent` do; undici 8's asks the proxy in absolute
 * form unless `proxyTunnel: true`.
 */
export function envProxyTunnelsHttp(traits: BaseTraits): boolean {
  return !traits.h2ByDefault;
}

/**
 * The options and handler to give a base with `traits` for a caller's `handler` of either API. A
 * legacy handler on an undici 8 base is held to HTTP/1.1, as undici 8's own `Dispatcher1Wrapper`
 * does for legacy callers, and loses the `dispatcher` option undici 6/7's `request()` leaves in
 * (undici 8 refuses it on an instance).
 */
export function adaptToBase<O extends object>(opts: O, handler: DispatchHandler, traits: BaseTraits): [O, DispatchHandler] {
  if (isNewApiHandler(handler)) return traits.newApi ? [opts, handler] : [opts, asLegacyHandler(handler)];
  if (traits.legacy) return [opts, handler];
  const { dispatcher: _dropped, ...rest } = opts as O & { dispatcher?: unknown };
  return [{ ...rest, allowH2: false } as O, asNewApiHandler(handler)];
}

/** The `connect` options that choose the protocols: undici's own names. */
export interface ProtocolOptions {
  /** Offer HTTP/2 (undici's `allowH2`; default: undici 8 yes, 6 and 7 no). */
  allowH2?: boolean | undefined;
  /** Offer HTTP/2 first (undici 8.4+'s `preferH2`). */
  preferH2?: boolean | undefined;
}

/**
 * The ALPN protocols undici's own connector would offer: `['http/1.1', 'h2']` when HTTP/2 is
 * allowed (`['h2', 'http/1.1']` with undici 8's `preferH2`), else `['http/1.1']`. `paramsAllowH2` is
 * what undici put in the connect call (the Agent's `allowH2`, or `false` for an HTTP/1.1-only pool).
 */
export function alpnProtocols(traits: BaseTraits, paramsAllowH2: boolean | undefined, options: ProtocolOptions, agentAllowH2: unknown): string[] {
  const allowH2 = paramsAllowH2 === false ? false : (options.allowH2 ?? paramsAllowH2 ?? (typeof agentAllowH2 === 'boolean' ? agentAllowH2 : traits.h2ByDefault));
  if (!allowH2) return ['http/1.1'];
  return options.preferH2 === true && traits.h2ByDefault ? ['h2', 'http/1.1'] : ['http/1.1', 'h2'];
}

/** undici's two global-dispatcher slots: `.1` read by undici 6/7, `.2` by undici 8. */
export const legacySlot = Symbol.for('undici.globalDispatcher.1');
export const currentSlot = Symbol.for('undici.globalDispatcher.2');

/** The slot Node's built-in fetch reads: `.2` from bundled undici 8 on (Node 26), else `.1`. */
export function builtinFetchSlot(): symbol {
  return Number(process.versions.undici?.split('.')[0]) >= 8 ? currentSlot : legacySlot;
}
