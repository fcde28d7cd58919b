/**
 * Go's `Expect: 100-continue` for node:http: the request's headers go out at once, its body is held
 * back until the server answers `100 Continue`, a final response arrives, or `timeoutMs` passes
 * after the connection is ready (Go's `ExpectContinueTimeout`). A final response that closes the
 * connection means the body is never sent, as in Go. Node itself sends the body immediately.
 */
import type { ClientRequest, IncomingMessage, InformationEvent } from 'node:http';
import type { Socket } from 'node:net';
import { isReady, readyEvent } from '../internal/socket-ready.js';

type Callback = (err?: Error | null) => void;
type Call = { end: boolean; args: unknown[] };

/** `true` when the request asks for `100-continue`. */
export function expectsContinue(req: ClientRequest): boolean {
  const expect = req.getHeader('expect');
  return expect !== undefined && /(^|,)\s*100-continue\s*(,|$)/i.test(String(expect));
}

function lastCallback(args: unknown[]): Callback | undefined {
  const last = args[args.length - 1];
  return typeof last === 'function' ? (last as Callback) : undefined;
}

/** Holds `req`'s body until the server agrees, the final response arrives, or `timeoutMs` passes. */
export function holdBodyUntilContinue(req: ClientRequest, timeoutMs: number): void {
  const { write, end } = req;
  const queue: Call[] = [];
  let mode: 'hold' | 'send' | 'drop' = 'hold';
  let timer: NodeJS.Timeout | undefined;

  req.write = function heldWrite(this: ClientRequest, ...args: unknown[]): boolean {
    if (mode === 'hold') {
      queue.push({ end: false, args });
      return true;
    }
    if (mode === 'drop') {
      const cb = lastCallback(args);
      if (cb) process.nextTick(cb, null);
      return true;
    }
    return (write as (...a: unknown[]) => boolean).apply(this, args);
  } as ClientRequest['write'];

  req.end = function heldEnd(this: ClientRequest, ...args: unknown[]): ClientRequest {
    if (mode === 'hold') {
      queue.push({ end: true, args });
      return this;
    }
    if (mode === 'drop') {
      const cb = lastCallback(args);
      return (end as (...a: unknown[]) => ClientRequest).apply(this, cb ? [cb] : []);
    }
    return (end as (...a: unknown[]) => ClientRequest).apply(this, args);
  } as ClientRequest['end'];

  const release = (next: 'send' | 'drop'): void => {
    if (mode !== 'hold') return;
    mode = next;
    clearTimeout(timer);
    req.off('information', onInformation);
    req.off('response', onResponse);
    if (next === 'send') {
      req.write = write;
      req.end = end;
    }
    for (const call of queue.splice(0)) {
      if (call.end) req.end(...(call.args as []));
      else req.write(...(call.args as [string]));
    }
  };
  // On 'information' (100), not 'continue' (emitted first): listening from 'socket' on, after the
  // request tracer's own listener, Got100Continue comes before the body is written (as in Go).
  const onInformation = (info: InformationEvent): void => {
    if (info.statusCode === 100) release('send');
  };
  const onResponse = (res: IncomingMessage): void => {
    const closing = /(^|,)\s*close\s*(,|$)/i.test(String(res.headers.connection ?? '')) || !req.shouldKeepAlive;
    release(closing ? 'drop' : 'send');
  };
  const onSocket = (socket: Socket): void => {
    if (req.destroyed) return;
    if (mode === 'hold') req.on('information', onInformation);
    req.flushHeaders();
    const start = (): void => {
      if (mode === 'hold') timer = setTimeout(release, timeoutMs, 'send');
    };
    if (isReady(socket)) start();
    else socket.once(readyEvent(socket), start);
  };

  req.once('socket', onSocket);
  req.on('response', onResponse);
  req.once('close', () => {
    clearTimeout(timer);
    if (mode === 'hold') mode = 'drop';
    req.off('information', onInformation);
    req.off('response', onResponse);
  });
}
