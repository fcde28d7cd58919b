/**
 * Wraps an undici dispatch handler to see what only the handler learns: the first response byte,
 * 1xx responses (whose hook may abort the request), the end or failure of the request. The wrapper
 * offers exactly the methods of the handler it wraps, so undici sees the same API (v6 legacy, v7
 * new or both) and calls them directly: no `Proxy` or `Object.create`, which undici 7's `#private`
 * handlers do not survive.
 */
import type { Header } from '../client-trace.js';
import { headerMap } from '../internal/header-block.js';
import { aboutToWrite, tracedRequestEnded } from './channels.js';
import type { UndiciRequestTracer } from './request-tracer.js';

type Fn = (...args: unknown[]) => unknown;
/** An undici dispatch handler, of any API version. */
export type DispatchHandler = Record<string, unknown>;

const protoNames = new WeakMap<object, ReadonlySet<string>>();

/** The method names of `handler`: its prototype chain's (memoised per prototype) and its own. */
function methodNames(handler: object): Set<string> {
  const proto = Object.getPrototypeOf(handler) as object | null;
  let inherited = proto === null ? undefined : protoNames.get(proto);
  if (inherited === undefined) {
    const found = new Set<string>();
    for (let o = proto; o !== null && o !== Object.prototype; o = Object.getPrototypeOf(o) as object | null) {
      for (const name of Object.getOwnPropertyNames(o)) {
        if (name !== 'constructor' && typeof (o as Record<string, unknown>)[name] === 'function') found.add(name);
      }
    }
    inherited = found;
    if (proto !== null) protoNames.set(proto, inherited);
  }
  const names = new Set(inherited);
  for (const name of Object.keys(handler)) {
    if (typeof (handler as Record<string, unknown>)[name] === 'function') names.add(name);
  }
  return names;
}

function rawHeaderMap(raw: unknown): Header {
  const list = Array.isArray(raw) ? raw.map((v) => (Array.isArray(v) ? v.map(String).join(', ') : String(v))) : [];
  return Object.freeze(headerMap(list));
}

function objectHeaderMap(headers: unknown): Header {
  const map: Record<string, string[]> = Object.create(null);
  for (const [key, value] of Object.entries((headers ?? {}) as Record<string, unknown>)) {
    map[key.toLowerCase()] = Array.isArray(value) ? value.map(String) : [String(value)];
  }
  return Object.freeze(map);
}

/** `connection: close` in undici's raw headers (`[name, value, …]`), without building a map. */
function rawSaysClose(raw: unknown): boolean {
  if (!Array.isArray(raw)) return false;
  for (let i = 0; i + 1 < raw.length; i += 2) {
    if (String(raw[i]).length === 10 && String(raw[i]).toLowerCase() === 'connection' && /(^|,)\s*close\s*(,|$)/i.test(String(raw[i + 1]))) return true;
  }
  return false;
}

function saysClose(header: Header): boolean {
  return (header['connection'] ?? []).some((v) => /(^|,)\s*close\s*(,|$)/i.test(v));
}

/** Returns the handler undici should be given for a traced request. */
export function traceHandler(inner: DispatchHandler, tracer: UndiciRequestTracer): DispatchHandler {
  const names = methodNames(inner);
  const call = (name: string, args: unknown[]): unknown => (inner[name] as Fn).apply(inner, args);
  const wrapper: DispatchHandler = {};
  for (const name of names) wrapper[name] = (...args: unknown[]) => call(name, args);

  let ended = false;
  const end = (): void => {
    if (ended) return;
    ended = true;
    tracedRequestEnded();
  };
  const headersSeen = (status: number, header: () => Header, close: () => boolean): void => {
    if (status < 200 && status !== 101) {
      const err = tracer.informational(status, header());
      if (err) throw err;
    } else {
      tracer.finalHeaders(close());
    }
  };

  for (const name of ['onConnect', 'onRequestStart']) {
    if (!names.has(name)) continue;
    wrapper[name] = (...args: unknown[]) => {
      aboutToWrite(tracer);
      return call(name, args);
    };
  }
  wrapper['onResponseStarted'] = (...args: unknown[]) => {
    tracer.responseStarted();
    return names.has('onResponseStarted') ? call('onResponseStarted', args) : undefined;
  };
  if (names.has('onHeaders')) {
    wrapper['onHeaders'] = (...args: unknown[]) => {
      headersSeen(args[0] as number, () => rawHeaderMap(args[1]), () => rawSaysClose(args[1]));
      return call('onHeaders', args);
    };
  }
  if (names.has('onResponseStart')) {
    wrapper['onResponseStart'] = (...args: unknown[]) => {
      headersSeen(args[1] as number, () => objectHeaderMap(args[2]), () => saysClose(objectHeaderMap(args[2])));
      return call('onResponseStart', args);
    };
  }
  for (const name of ['onComplete', 'onResponseEnd', 'onUpgrade', 'onRequestUpgrade']) {
    if (!names.has(name)) continue;
    const upgrade = name.endsWith('Upgrade'); // the connection leaves the pool
    wrapper[name] = (...args: unknown[]) => {
      if (upgrade) tracer.finalHeaders(true);
      tracer.complete();
      end();
      return call(name, args);
    };
  }
  for (const name of ['onError', 'onResponseError']) {
    if (!names.has(name)) continue;
    wrapper[name] = (...args: unknown[]) => {
      tracer.failed(args[name === 'onError' ? 0 : 1] as Error);
      end();
      return call(name, args);
    };
  }
  return wrapper;
}
