/**
 * The two undici handler APIs, and a handler of one API seen through the other. undici 6 accepts
 * only the legacy API (`onConnect`, `onHeaders(status, rawHeaders, resume)`, `onData`,
 * `onComplete`, `onError`, `onUpgrade`), undici 8 only the new one (`onRequestStart(controller)`,
 * `onResponseStart(controller, status, headers)`, `onResponseData`, `onResponseEnd`,
 * `onResponseError`, `onRequestUpgrade`), undici 7 both. Written from undici's documented handler
 * contract (docs/api/Dispatcher.md of each major).
 */
import type { Socket } from 'node:net';

/** An undici dispatch handler, of either API. */
export type DispatchHandler = Record<string, unknown>;
type Fn = (...args: unknown[]) => unknown;
/** What undici calls a legacy handler's `rawHeaders`: `[name, value, …]`, Buffers or strings. */
type RawHeaders = Array<Buffer | string | Array<Buffer | string>>;
type HeaderObject = Record<string, string | string[] | undefined>;

/** The new API's controller, as undici 8 passes it. */
interface Controller {
  readonly rawHeaders?: unknown;
  readonly rawTrailers?: unknown;
  pause(): void;
  resume(): void;
  abort(reason: Error): void;
}

/** `true` for a handler of the new API (undici 7's own test: `onRequestStart` is a function). */
export function isNewApiHandler(handler: DispatchHandler): boolean {
  return typeof handler['onRequestStart'] === 'function';
}

/** Raw headers (`[name, value, …]`) as the new API's object: lower-case names, repeated ones as arrays. */
export function headerObject(raw: unknown): HeaderObject {
  const out: HeaderObject = {};
  if (!Array.isArray(raw)) return out;
  for (let i = 0; i + 1 < raw.length; i += 2) {
    const key = String(raw[i]).toLowerCase();
    const item = raw[i + 1] as unknown;
    const value = Array.isArray(item) ? item.map(String) : String(item);
    const prev = out[key];
    if (prev === undefined) out[key] = value;
    else out[key] = [...(Array.isArray(prev) ? prev : [prev]), ...(Array.isArray(value) ? value : [value])];
  }
  return out;
}

/** The new API's header object (or an h2 `controller.rawHeaders` object) as legacy raw headers (Buffers). */
export function rawHeaderList(headers: unknown): Buffer[] {
  if (Array.isArray(headers)) return headers.map((v) => (Buffer.isBuffer(v) ? v : Buffer.from(String(v), 'latin1')));
  const out: Buffer[] = [];
  for (const [key, value] of Object.entries((headers ?? {}) as HeaderObject)) {
    if (value === undefined) continue;
    for (const v of Array.isArray(value) ? value : [value]) out.push(Buffer.from(key, 'latin1'), Buffer.from(String(v), 'latin1'));
  }
  return out;
}

/** A legacy handler's raw headers from a new-API call: the controller's when they are a list. */
function rawFrom(controller: Controller | null | undefined, headers: unknown): Buffer[] {
  const raw = controller?.rawHeaders;
  return rawHeaderList(Array.isArray(raw) ? raw : (raw ?? headers));
}

/** What both facades share: the wrapped handler, and the three methods both APIs name alike. */
class Facade {
  protected readonly handler: DispatchHandler;
  constructor(handler: DispatchHandler) {
    this.handler = handler;
  }
  protected call(name: string, ...args: unknown[]): unknown {
    const fn = this.handler[name] as Fn | undefined;
    return fn?.apply(this.handler, args);
  }
  onBodySent(chunk: unknown): void {
    this.call('onBodySent', chunk);
  }
  onRequestSent(): void {
    this.call('onRequestSent');
  }
  onResponseStarted(): void {
    this.call('onResponseStarted');
  }
}

/**
 * A new-API handler seen as a legacy one (for undici 6): a controller built on the `abort` and
 * `resume` functions the legacy calls give, `pause()` turned into the `false` a legacy method returns.
 */
class LegacyFacade extends Facade {
  readonly #controller = new FacadeController();
  onConnect(abort: (reason?: Error) => void, context?: unknown): void {
    this.#controller.abortWith = abort;
    this.call('onRequestStart', this.#controller, context);
  }
  onHeaders(status: number, raw: RawHeaders, resume: () => void, statusText?: string): boolean {
    this.#controller.rawHeaders = raw;
    this.#controller.resumeWith = resume;
    this.call('onResponseStart', this.#controller, status, headerObject(raw), statusText);
    return !this.#controller.paused;
  }
  onData(chunk: Buffer): boolean {
    this.call('onResponseData', this.#controller, chunk);
    return !this.#controller.paused;
  }
  onComplete(rawTrailers: RawHeaders | null): void {
    this.#controller.rawTrailers = rawTrailers ?? [];
    this.call('onResponseEnd', this.#controller, headerObject(rawTrailers ?? []));
  }
  onError(err: Error): void {
    if (typeof this.handler['onResponseError'] !== 'function') throw err;
    this.call('onResponseError', this.#controller, err);
  }
  onUpgrade(status: number, raw: RawHeaders, socket: Socket): void {
    this.#controller.rawHeaders = raw;
    this.call('onRequestUpgrade', this.#controller, status, headerObject(raw), socket);
  }
}

class FacadeController implements Controller {
  rawHeaders: unknown = null;
  rawTrailers: unknown = null;
  abortWith: ((reason?: Error) => void) | undefined;
  resumeWith: (() => void) | undefined;
  paused = false;
  aborted = false;
  reason: Error | undefined;
  pause(): void {
    this.paused = true;
  }
  resume(): void {
    if (!this.paused) return;
    this.paused = false;
    this.resumeWith?.();
  }
  abort(reason: Error): void {
    if (this.aborted) return;
    this.aborted = true;
    this.reason = reason;
    this.abortWith?.(reason);
  }
}

/**
 * A legacy handler seen as a new-API one (for undici 8): `onHeaders` gets the controller's raw
 * headers (an h2 header object becomes a list), a `false` from a legacy method pauses.
 */
class NewApiFacade extends Facade {
  onRequestStart(controller: Controller, context?: unknown): void {
    this.call('onConnect', (reason: Error) => controller.abort(reason), context);
  }
  onResponseStart(controller: Controller, status: number, headers: unknown, statusText?: string): void {
    if (this.call('onHeaders', status, rawFrom(controller, headers), () => controller.resume(), statusText) === false) controller.pause();
  }
  onResponseData(controller: Controller, chunk: Buffer): void {
    if (this.call('onData', chunk) === false) controller.pause();
  }
  onResponseEnd(controller: Controller, trailers: unknown): void {
    const raw = controller?.rawTrailers;
    this.call('onComplete', rawHeaderList(Array.isArray(raw) ? raw : (raw ?? trailers)));
  }
  onResponseError(_controller: Controller | null, err: Error): void {
    if (typeof this.handler['onError'] !== 'function') throw err;
    this.call('onError', err);
  }
  onRequestUpgrade(controller: Controller, status: number, headers: unknown, socket: Socket): void {
    this.call('onUpgrade', status, rawFrom(controller, headers), socket);
  }
}

/** `handler` (new API) as a legacy handler. */
export function asLegacyHandler(handler: DispatchHandler): DispatchHandler {
  return new LegacyFacade(handler) as unknown as DispatchHandler;
}

/** `handler` (legacy) as a new-API handler. */
export function asNewApiHandler(handler: DispatchHandler): DispatchHandler {
  return new NewApiFacade(handler) as unknown as DispatchHandler;
}

/** What a traced request needs from a response head, read from either API's call. */
export interface ResponseHead {
  status: number;
  /** The reason phrase, when undici passed one. */
  statusText: string | undefined;
  /** The header map, lower-case names (built only when asked). */
  header(): Record<string, string[]>;
  /** The connection will not be kept (`connection: close`). */
  close(): boolean;
}

const closeToken = /(^|,)\s*close\s*(,|$)/i;

function headMap(headers: HeaderObject): Record<string, string[]> {
  const map: Record<string, string[]> = Object.create(null);
  for (const [key, value] of Object.entries(headers)) {
    if (value !== undefined) map[key.toLowerCase()] = Array.isArray(value) ? value.map(String) : [String(value)];
  }
  return Object.freeze(map);
}

/** The head of a legacy `onHeaders(status, rawHeaders, …)`/`onUpgrade` call. */
export function legacyHead(args: unknown[]): ResponseHead {
  const raw = args[1];
  return {
    status: args[0] as number,
    statusText: typeof args[3] === 'string' ? args[3] : undefined,
    header: () => headMap(headerObject(raw)),
    close: () => {
      if (!Array.isArray(raw)) return false;
      for (let i = 0; i + 1 < raw.length; i += 2) {
        const name = String(raw[i]);
        if (name.length === 10 && name.toLowerCase() === 'connection' && closeToken.test(String(raw[i + 1]))) return true;
      }
      return false;
    },
  };
}

/** The head of a new-API `onResponseStart(controller, status, headers, …)`/`onRequestUpgrade` call. */
export function newApiHead(args: unknown[]): ResponseHead {
  const headers = (args[2] ?? {}) as HeaderObject;
  return {
    status: args[1] as number,
    statusText: typeof args[3] === 'string' ? args[3] : undefined,
    header: () => headMap(headers),
    close: () => {
      const value = headers['connection'];
      return (Array.isArray(value) ? value : value === undefined ? [] : [value]).some((v) => closeToken.test(String(v)));
    },
  };
}
