/**
 * The outcome of a traced `http.ClientRequest`: `gotResponse` when its final response head arrives,
 * `requestDone` once it settled (its `'close'` and its response's end or close), as the last hook.
 * Seen through the request's own `emit`, so no listener is added: a response nobody listens to is
 * still dumped by Node, an unhandled `'error'` stays unhandled.
 */
import type { ClientRequest, IncomingMessage } from 'node:http';
import type { Socket } from 'node:net';
import type { ClientTrace, GotResponseInfo } from '../client-trace.js';
import type { RequestDescription } from '../default-trace.js';
import { headerMap } from '../internal/header-block.js';
import { RequestScope } from '../internal/request-scope.js';

const scopes = new WeakMap<ClientRequest, RequestScope>();

/** The scope of `req` when it is already traced (a retried attempt keeps its request's trace). */
export function scopeOf(req: ClientRequest): RequestScope | undefined {
  return scopes.get(req);
}

/** What a default-trace factory is told about `req`, sent to `hostPort` by an agent for `protocol`. */
export function describeRequest(req: ClientRequest, protocol: string, hostPort: string): RequestDescription {
  const path = req.path;
  const raw = /^[a-z][a-z0-9+.-]*:\/\//i.test(path) ? path : `${protocol}//${hostPort}${path}`;
  let url = raw;
  try {
    url = new URL(raw).href;
  } catch {
    // A socket path or an odd host: reported as built.
  }
  return { client: 'node', method: req.method, url };
}

function responseInfo(message: IncomingMessage): GotResponseInfo {
  return {
    statusCode: message.statusCode ?? 0,
    statusMessage: message.statusMessage,
    httpVersion: message.httpVersion,
    header: Object.freeze(headerMap(message.rawHeaders)),
  };
}

/** Starts following `req` with `trace`; returns the scope whose `trace` the request's hooks use. */
export function followRequest(req: ClientRequest, trace: ClientTrace): RequestScope {
  const scope = new RequestScope(trace);
  scopes.set(req, scope);
  let socket: Socket | undefined;
  let readAtStart = 0;
  let error: unknown;
  let res: IncomingMessage | undefined;
  let responseOver = false;
  let closed = false;
  let upgraded = false;

  const settle = (err: unknown): void => {
    const bytesRead = socket === undefined ? undefined : socket.bytesRead - readAtStart;
    // A microtask: Node frees a kept-alive socket (putIdleConn) right after the request's 'close'.
    queueMicrotask(() => scope.settle(err, bytesRead));
  };
  const maybeSettle = (): void => {
    if (!closed || (res !== undefined && !responseOver)) return;
    if (upgraded || (res !== undefined && res.complete && error === undefined)) return settle(null);
    settle(error ?? (res as { errored?: unknown } | undefined)?.errored ?? undefined);
  };
  const response = (message: IncomingMessage): void => {
    res = message;
    scope.gotResponse(responseInfo(message));
    const over = (): void => {
      if (responseOver) return;
      responseOver = true;
      maybeSettle();
    };
    message.once('end', over);
    message.once('close', over);
  };

  const emit = req.emit;
  req.emit = function tracedEmit(this: ClientRequest, event: string | symbol, ...args: unknown[]): boolean {
    switch (event) {
      case 'socket':
        socket = args[0] as Socket;
        readAtStart = socket.bytesRead;
        break;
      case 'response':
        response(args[0] as IncomingMessage);
        break;
      case 'upgrade':
      case 'connect':
        // The connection was handed to the caller: the request is over, successfully.
        res = args[0] as IncomingMessage;
        responseOver = upgraded = true;
        scope.gotResponse(responseInfo(res));
        break;
      case 'error':
        error ??= args[0];
        break;
      case 'close':
        closed = true;
        maybeSettle();
        break;
    }
    return emit.call(this, event, ...args);
  } as ClientRequest['emit'];
  return scope;
}
