/**
 * What the CLI needs from a transport: send one request with a trace context, get the status, the
 * headers and the body stream. Redirects are followed by the runner, the same way for every client.
 * @module
 */
import type { Context } from '../context.js';
import type { ProxyChooser } from '../internal/proxy-config.js';
import type { ClientKind } from './args.js';
import type { LookupFunction } from './lookup.js';
import { nodeClient } from './node-client.js';
import { fetchClient, loadUndici, undiciClient, type UndiciModule } from './undici-client.js';

/** One request as the runner asks for it. */
export interface ClientRequestSpec {
  method: string;
  url: URL;
  /** In order, caller's case; several values of one name are sent as separate lines. */
  headers: ReadonlyArray<readonly [string, string]>;
  body: Buffer | undefined;
  signal: AbortSignal | undefined;
  traceContext: Context;
}

/** The final (non-1xx) response of one request. */
export interface ClientResponse {
  status: number;
  statusText: string;
  /** `"HTTP/1.1"`. */
  httpVersion: string;
  /** In arrival order. */
  headers: Array<[string, string]>;
  body: AsyncIterable<Uint8Array>;
}

/** A transport with its own connection pool. */
export interface Client {
  request(spec: ClientRequestSpec): Promise<ClientResponse>;
  /** Closes the pool's connections. */
  close(): void;
}

/** What the transports are built with. */
export interface ClientOptions {
  keepAlive: boolean;
  insecure: boolean;
  /** PEM text of `--cacert`. */
  ca: string | undefined;
  /** The lookup for connections to a port, or `undefined` for the default. */
  lookupFor: (port: number) => LookupFunction | undefined;
  /** `-x URL`, or the environment's `HTTP_PROXY`/`HTTPS_PROXY`/`NO_PROXY` (Go's rules). */
  proxy: ProxyChooser | undefined;
}

/**
 * The transport for `--client`. `undici` needs npm undici installed (a {@link CliError}, exit 2,
 * otherwise); `load` replaces the import of npm undici (tests pass a pinned copy).
 */
export async function createClient(kind: ClientKind, options: ClientOptions, load: () => Promise<UndiciModule> = loadUndici): Promise<Client> {
  if (kind === 'node') return nodeClient(options);
  if (kind === 'fetch') return fetchClient(options);
  return undiciClient(options, await load());
}
