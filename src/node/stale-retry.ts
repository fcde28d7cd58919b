/**
 * Go's retry of a request that died on a stale keep-alive connection: when a connection taken from
 * the idle pool is closed or reset by the server before any byte of the response arrived, and the
 * request can be replayed (GET, HEAD, OPTIONS, TRACE or an `Idempotency-Key`/`X-Idempotency-Key`
 * header, and no body), the request is sent again on another connection, instead of failing with
 * `ECONNRESET: socket hang up`. The hooks show both attempts, as Go's do. At most
 * {@link maxRetries} times per request, each time only after a failure on a reused connection.
 *
 * Cost: a socket reused from the pool gets its `emit` wrapped once (kept for its life, no listener
 * added); each reuse only updates the socket's watch record.
 */
import type { Agent, ClientRequest } from 'node:http';
import type { Socket } from 'node:net';
import type { Context } from '../context.js';
import { detachFailedSocket, requestHeaderBlock, socketRequest } from './private-fields.js';

/** The most retries for one request. */
export const maxRetries = 10;

const replayableMethods = new Set(['GET', 'HEAD', 'OPTIONS', 'TRACE']);
const attempts = new WeakMap<ClientRequest, number>();

/** What is watched on a reused socket: its current request, how to send it again, the byte counts. */
interface Watch {
  req: ClientRequest | undefined;
  agent: Agent;
  options: object;
  context: Context | undefined;
  beforeRetry: (req: ClientRequest) => void;
  written: number;
  read: number;
}

const watches = new WeakMap<Socket, Watch>();

/**
 * Go's `isReplayable`, for a request fully written since `w.written`: idempotent, and no byte beyond
 * its header block was written (Node may send a body without any framing header).
 */
function replayable(req: ClientRequest, socket: Socket, w: Watch): boolean {
  const block = requestHeaderBlock(req);
  if (block === null || !req.writableFinished) return false;
  if (socket.bytesWritten - w.written > Buffer.byteLength(block, 'latin1')) return false;
  return replayableMethods.has(req.method) || req.hasHeader('idempotency-key') || req.hasHeader('x-idempotency-key');
}

function failed(socket: Socket, keepOwner: boolean): void {
  const w = watches.get(socket);
  const req = w?.req;
  if (w === undefined || req === undefined) return;
  w.req = undefined;
  const tries = attempts.get(req) ?? 0;
  if (socketRequest(socket) !== req || socket.bytesRead !== w.read || req.destroyed || tries >= maxRetries) return;
  if (!replayable(req, socket, w) || !detachFailedSocket(socket, keepOwner)) return;
  attempts.set(req, tries + 1);
  const { agent, context, beforeRetry } = w;
  // The retry runs outside the caller's async context: it carries the context explicitly.
  const options = context === undefined ? w.options : { ...w.options, traceContext: context };
  process.nextTick(() => {
    if (req.destroyed) return;
    beforeRetry(req);
    req.once('socket', (next: Socket) => next.write(requestHeaderBlock(req) ?? ''));
    (agent as Agent & { addRequest(req: ClientRequest, options: object): void }).addRequest(req, options);
  });
}

/**
 * Sees a watched socket's `'end'` and `'error'` before any listener, without adding listeners (a
 * socket's listeners stay exactly as `http.Agent` leaves them): the socket's own `emit` is wrapped.
 */
function watchEmit(socket: Socket): void {
  const emit = socket.emit;
  socket.emit = function watchedEmit(this: Socket, event: string | symbol, ...args: unknown[]): boolean {
    if (event === 'end') failed(this, true);
    else if (event === 'error') failed(this, false);
    return (emit as (this: Socket, ...a: unknown[]) => boolean).call(this, event, ...args);
  } as Socket['emit'];
}

/**
 * Watches `req` on the idle `socket` it was just given: a close or reset before the first response
 * byte sends the request again through `agent.addRequest(req, options)`.
 */
export function retryIfStale(
  socket: Socket,
  req: ClientRequest,
  agent: Agent,
  options: object,
  context: Context | undefined,
  beforeRetry: (req: ClientRequest) => void,
): void {
  const w = watches.get(socket);
  if (w === undefined) {
    const watch: Watch = { req, agent, options, context, beforeRetry, written: socket.bytesWritten, read: socket.bytesRead };
    watches.set(socket, watch);
    watchEmit(socket);
    return;
  }
  w.req = req;
  w.agent = agent;
  w.options = options;
  w.context = context;
  w.beforeRetry = beforeRetry;
  w.written = socket.bytesWritten;
  w.read = socket.bytesRead;
}
