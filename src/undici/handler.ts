/**
 * Wraps an undici dispatch handler to see what only the handler learns: the first response byte,
 * 1xx responses (whose hook may abort the request), the end or failure of the request. The wrapper
 * offers exactly the methods of the handler it wraps, so undici sees the same API (legacy, new or
 * both; handler-api.ts reads each) and calls them directly: no `Proxy` or `Object.create`, which
 * undici 7's `#private` handlers do not survive.
 */
import { aboutToWrite, tracedRequestEnded } from './channels.js';
import { legacyHead, newApiHead, type DispatchHandler, type ResponseHead } from './handler-api.js';
import type { UndiciRequestTracer } from './request-tracer.js';

type Fn = (...args: unknown[]) => unknown;
export type { DispatchHandler };

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
  const headersSeen = (head: ResponseHead): void => {
    if (head.status < 200 && head.status !== 101) {
      const err = tracer.informational(head.status, head.header());
      if (err) throw err;
    } else {
      tracer.finalHeaders(head.close(), head.status, head.statusText, head.header);
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
      headersSeen(legacyHead(args));
      return call('onHeaders', args);
    };
  }
  if (names.has('onResponseStart')) {
    wrapper['onResponseStart'] = (...args: unknown[]) => {
      headersSeen(newApiHead(args));
      return call('onResponseStart', args);
    };
  }
  for (const name of ['onComplete', 'onResponseEnd', 'onUpgrade', 'onRequestUpgrade']) {
    if (!names.has(name)) continue;
    const upgrade = name.endsWith('Upgrade'); // the connection leaves the pool
    wrapper[name] = (...args: unknown[]) => {
      if (upgrade) {
        const head = name === 'onUpgrade' ? legacyHead(args) : newApiHead(args);
        tracer.finalHeaders(true, head.status, head.statusText, head.header);
      }
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
