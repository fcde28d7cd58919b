/**
 * Go's retry of a request that died on a stale keep-alive connection: when a connection taken from
 * the idle pool is closed or reset by the server before any byte of the response arrived, and the
 * request can be replayed (GET, HEAD, OPTIONS, TRACE or an `Idempotency-Key`/`X-Idempotency-Key`
 * header, and no body), the request is sent again on another connection, instead of failing with
 * `ECONNRESET: socket hang up`. The hooks show both attempts, as Go's do. At most
 * {@link maxRetries} times per request, each time only after a failure on a reused connection.
 */
import type { Agent, ClientRequest } from 'node:http';
import type { Socket } from 'node:net';
import { detachFailedSocket, requestHeaderBlock } from './private-fields.js';

/** The most retries for one request. */
export const maxRetries = 10;

const replayableMethods = new Set(['GET', 'HEAD', 'OPTIONS', 'TRACE']);
const attempts = new WeakMap<ClientRequest, number>();

/**
 * Go's `isReplayable`, for a request fully written on `socket` since `startBytes`: idempotent, and
 * no byte beyond its header block was written (Node may send a body without any framing header).
 */
function replayable(req: ClientRequest, socket: Socket, startBytes: number): boolean {
  const block = requestHeaderBlock(req);
  if (block === null || !req.writableFinished) return false;
  if (socket.bytesWritten - startBytes > Buffer.byteLength(block, 'latin1')) return false;
  return replayableMethods.has(req.method) || req.hasHeader('idempotency-key') || req.hasHeader('x-idempotency-key');
}

/** What the retry needs to send the request again. */
export interface Redispatch {
  readonly agent: Agent;
  readonly options: object;
  /** Called before the request is queued again (e.g. to retire its tracer). */
  readonly beforeRetry?: () => void;
}

/**
 * Watches `req` on the idle `socket` it was just given, until the first response byte: a close or
 * reset before then sends the request again through `redispatch.agent.addRequest`.
 */
export function retryIfStale(socket: Socket, req: ClientRequest, redispatch: Redispatch): void {
  const startBytes = socket.bytesWritten;
  const done = (): void => {
    socket.off('end', onEnd);
    socket.off('error', onError);
    socket.off('data', done);
    req.off('close', done);
  };
  const fail = (keepOwner: boolean): void => {
    done();
    const tries = attempts.get(req) ?? 0;
    if (req.destroyed || tries >= maxRetries || !replayable(req, socket, startBytes)) return;
    if (!detachFailedSocket(socket, keepOwner)) return;
    attempts.set(req, tries + 1);
    process.nextTick(() => {
      if (req.destroyed) return;
      redispatch.beforeRetry?.();
      req.once('socket', (next: Socket) => next.write(requestHeaderBlock(req) ?? ''));
      (redispatch.agent as Agent & { addRequest(req: ClientRequest, options: object): void }).addRequest(req, redispatch.options);
    });
  };
  const onEnd = (): void => fail(true);
  const onError = (): void => fail(false);
  socket.prependOnceListener('end', onEnd);
  socket.prependOnceListener('error', onError);
  socket.once('data', done);
  req.once('close', done);
}
