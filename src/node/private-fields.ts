/**
 * The only places where the node adapter reads Node's private fields. Node offers no public way to
 * get these; `test/node-private-fields.test.ts` fails loudly if a Node release changes them.
 */
import type { ClientRequest } from 'node:http';
import type { Socket } from 'node:net';

/**
 * The exact request header block Node built (`req._header`: request line, header lines, blank
 * line), or `null` while it is not built yet.
 */
export function requestHeaderBlock(req: ClientRequest): string | null {
  const header = (req as unknown as { _header?: unknown })._header;
  return typeof header === 'string' ? header : null;
}

/** The request a pooled socket currently serves (`socket._httpMessage`), if any. */
export function socketRequest(socket: Socket): ClientRequest | null {
  return ((socket as unknown as { _httpMessage?: ClientRequest | null })._httpMessage ?? null);
}

/**
 * Detaches a request from a socket that failed before any response byte, so that Node's client
 * does not fail the request (the stale-connection retry gives it another socket): marks the socket
 * as already errored (`_hadError`, which Node's `'end'` handler checks), forgets its request
 * (`_httpMessage`, which Node's `'error'` handler checks) unless `keepOwner` (Node's `'end'`
 * handler reads it), and removes Node's `'close'` handler (`socketCloseListener`), which would
 * destroy the request. Returns `false` if Node's handlers are not where expected.
 */
export function detachFailedSocket(socket: Socket, keepOwner: boolean): boolean {
  const closeListener = socket.listeners('close').find((fn) => fn.name === 'socketCloseListener');
  if (closeListener === undefined) return false;
  socket.off('close', closeListener as (...args: unknown[]) => void);
  const fields = socket as unknown as { _hadError: boolean; _httpMessage: unknown };
  fields._hadError = true;
  if (!keepOwner) fields._httpMessage = null;
  return true;
}

/**
 * Rewrites the header block Node already built (`req._header`, built in the constructor when the
 * request has an `Expect` header), before it is sent. Returns `false` when it was not built yet.
 */
export function rewriteHeaderBlock(req: ClientRequest, rewrite: (block: string) => string): boolean {
  const fields = req as unknown as { _header?: unknown };
  if (typeof fields._header !== 'string') return false;
  fields._header = rewrite(fields._header);
  return true;
}
