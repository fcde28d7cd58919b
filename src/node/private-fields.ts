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
