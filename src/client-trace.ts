/**
 * The contract: {@link ClientTrace}, its hooks (Go's 16 and two extensions) and the info types they receive.
 * Nothing here depends on an HTTP client; the adapters (`httptrace/node`, …) call these hooks.
 *
 * Source: Go's `net/http/httptrace/trace.go`, hook for hook.
 * @module
 */
import type { Socket } from 'node:net';
import type { X509Certificate } from 'node:crypto';

/** Argument of {@link ClientTrace.dnsStart}. */
export interface DNSStartInfo {
  /** The name being resolved, without port (the proxy's name when a proxy is used). */
  readonly host: string;
}

/** Argument of {@link ClientTrace.dnsDone}. */
export interface DNSDoneInfo {
  /**
   * The addresses found, in the order the resolver returned them (IPv6 without brackets,
   * e.g. `["::1", "127.0.0.1"]`). An empty array on error. Do not mutate it.
   */
  readonly addrs: readonly string[];
  /** The lookup error (Node's `ENOTFOUND`, `EAI_AGAIN`, … with their `code`), or `null`. */
  readonly err: Error | null;
  /**
   * `true` when the answer was shared with another concurrent lookup of the same name
   * (both the lookup that made the query and the one that joined it see `true`, as in Go).
   */
  readonly coalesced: boolean;
}

/** Argument of {@link ClientTrace.gotConn}. */
export interface GotConnInfo {
  /**
   * The connection obtained (a `net.Socket`, or a `tls.TLSSocket` for https). It is owned by
   * the HTTP client: do not read, write, pause or destroy it.
   */
  readonly conn: Socket;
  /** `true` when this connection carried an earlier request (from the idle pool or handed over). */
  readonly reused: boolean;
  /** `true` when the connection was taken from the idle pool. */
  readonly wasIdle: boolean;
  /**
   * How long the connection sat idle, in milliseconds with fractions, when `wasIdle`; `0` otherwise.
   * `undefined` when `wasIdle` but the moment it became idle was not observed (it was pooled
   * before any traced request used this agent).
   */
  readonly idleTime: number | undefined;
}

/** Argument of {@link ClientTrace.wroteRequest}. */
export interface WroteRequestInfo {
  /** Why writing the request failed, or `null` when it was fully written. */
  readonly err: Error | null;
}

/**
 * The state of a TLS connection, shaped after Go's `tls.ConnectionState`, filled from Node's
 * `TLSSocket`. After a failed handshake every field is empty (`""`, `false`, `[]`), as in Go.
 */
export interface TLSConnectionState {
  /** Protocol version in Node's spelling: `"TLSv1.3"`, `"TLSv1.2"`; `""` when unknown. */
  readonly version: string;
  /** IANA cipher suite name, e.g. `"TLS_AES_256_GCM_SHA384"`; `""` when unknown. */
  readonly cipherSuite: string;
  /** The ALPN protocol agreed on (`"http/1.1"`, `"h2"`), or `""` when none was negotiated. */
  readonly negotiatedProtocol: string;
  /** The SNI name sent to the server, or `""` when none was sent (IP address targets). */
  readonly serverName: string;
  /**
   * The server's certificate chain, leaf first. On a resumed session Node does not expose it;
   * the adapters then repeat the chain seen in the last full handshake with the same server, if any.
   */
  readonly peerCertificates: readonly X509Certificate[];
  /** `true` when the session was resumed (TLS session ticket or ID). */
  readonly didResume: boolean;
  /** `true` once the handshake completed. */
  readonly handshakeComplete: boolean;
}

/** Header map passed to {@link ClientTrace.got1xxResponse}: lower-case names, every value kept. */
export type Header = Readonly<Record<string, readonly string[]>>;

/** Argument of {@link ClientTrace.gotResponse}. */
export interface GotResponseInfo {
  /** The final status code (`200`, `404`, `101` for an upgrade; never another 1xx). */
  readonly statusCode: number;
  /** The reason phrase (`"OK"`), or `undefined` when the client does not report it (HTTP/2). */
  readonly statusMessage: string | undefined;
  /** `"1.1"`, `"1.0"` or `"2.0"`. */
  readonly httpVersion: string;
  /** The response headers: lower-case names, every value kept. Do not mutate it. */
  readonly header: Header;
}

/** Argument of {@link ClientTrace.requestDone}. */
export interface RequestDoneInfo {
  /**
   * `null` when the response body was read to the end; otherwise why the request did not complete:
   * the client's error (`ECONNREFUSED`, `ENOTFOUND`, a TLS error, …), or, when it was aborted (an
   * `AbortSignal`, `req.destroy()`, a response destroyed before its end), an error with code
   * `ERR_HTTPTRACE_ABORTED` whose `cause` is the abort reason, if there was one.
   */
  readonly err: Error | null;
  /**
   * Bytes received on the connection while this request used it (response head and body, after
   * TLS decryption), or `undefined` when no connection was obtained or it is not known (HTTP/2).
   */
  readonly bytesRead: number | undefined;
}

/**
 * A set of hooks run at the stages of an outgoing HTTP request, after Go's
 * `net/http/httptrace.ClientTrace`.
 *
 * @remarks
 * The whole-set contract:
 * - Every hook is optional. A trace with no hooks is valid and costs almost nothing.
 * - Hooks are called synchronously, on the event that triggers them. Their return value is ignored,
 *   except for {@link ClientTrace.got1xxResponse}, which may abort the request.
 * - A hook that throws never breaks the request or the connection pool: the error is reported (a
 *   process warning with code `HTTPTRACE_HOOK_ERROR`, or the `onHookError` handler given to
 *   {@link withClientTrace}) and the request goes on. The one exception is `got1xxResponse`.
 * - Several traces can be stacked with {@link withClientTrace}: the newest trace's hook runs first,
 *   then the older ones, as in Go. The traces you pass are never modified.
 * - Some hooks fire after the response was delivered (`putIdleConn`, while or after the body is
 *   read) and dial hooks may fire for a dial that ends up serving another request, as in Go.
 * - One trace covers one request. A client that follows redirects or retries fires the sequence
 *   again for each hop or attempt on the same trace, as Go does.
 *
 * The hook names and argument lists are Go's, camel-cased. Where Go passes `nil`, these hooks pass `null`.
 */
export interface ClientTrace {
  /**
   * Called before a connection is created or taken from the idle pool.
   *
   * @remarks
   * - Arguments: `hostPort` is the `"host:port"` of the target, or of the proxy when one is used;
   *   the port is always present (80/443 filled in), IPv6 addresses are bracketed (`"[::1]:80"`)
   *   and international names are punycoded.
   * - Fires once per request attempt, even when an idle connection is available, and before the
   *   request waits for a free slot (`maxSockets`). A retried attempt (the node agents' retry on a
   *   stale connection) and each redirect hop fetch follows fire it again.
   * - Does not fire when the request never reaches the connection pool (a bad URL or option
   *   rejected by `http.request`, or `agent: false`, which bypasses the agent).
   * - Differences from Go: none.
   *
   * @example
   * ```ts
   * getConn: (hostPort) => console.log(`connecting to ${hostPort}`)
   * ```
   */
  getConn?: ((hostPort: string) => void) | undefined;

  /**
   * Called after a usable connection is obtained: dialed (and, for https, handshaken) or taken
   * from the pool.
   *
   * @remarks
   * - Arguments: see {@link GotConnInfo}. A fresh connection is `{reused: false, wasIdle: false,
   *   idleTime: 0}`; one from the idle pool is `{reused: true, wasIdle: true, idleTime: ms}`; one
   *   handed straight from a finished request to a queued one is `{reused: true, wasIdle: false}`.
   * - Fires once per attempt, only on success. There is no hook for failing to get a connection:
   *   use the request's error.
   * - Differences from Go: none in what is reported. Node hands the request its socket before TCP
   *   connects; the hook is held back until the connection (and TLS) is ready, to keep Go's order.
   *   undici/fetch: fires when undici writes the headers; a connection last used by an untraced
   *   request reports `wasIdle: true` with `idleTime: undefined`. undici returns a connection to its
   *   pool asynchronously, so a request made in the same tick the previous one completed gets a new one.
   *
   * @example
   * ```ts
   * gotConn: ({ reused, idleTime }) => console.log(reused ? `reused, idle ${idleTime} ms` : 'new connection')
   * ```
   */
  gotConn?: ((info: GotConnInfo) => void) | undefined;

  /**
   * Called when the connection is given back to the pool after the response was read.
   *
   * @remarks
   * - Arguments: `err` is `null` when the connection went to the idle pool or straight to a
   *   queued request; otherwise it says why the pool refused it (e.g. "too many idle connections
   *   for host", "connection is in bad state", "server keep-alive hint too short"), code
   *   `ERR_HTTPTRACE_PUT_IDLE_REFUSED`.
   * - Does not fire when keep-alive is off (`keepAlive: false`), when the request or the response
   *   said `Connection: close`, or when the response or its body failed or was not read to the end.
   * - Fires in the tick after the response's `'end'` event, before any promise awaiting the body
   *   resumes.
   * - Differences from Go: Go fires it inside the body read that reaches EOF, so a listener on the
   *   response's `'end'` event runs before it here. For a response without body (204, HEAD) Go
   *   fires it before the response is returned; here it fires once the caller consumes the
   *   (empty) body. For HTTP/2 neither fires it. undici/fetch: fires when undici completes the
   *   response on a connection neither side closes (always `null`: undici never refuses one); undici
   *   reads a small response ahead of the caller, so it may fire before `fetch`/`request` resolves.
   *
   * @example
   * ```ts
   * putIdleConn: (err) => err && console.warn(`connection dropped: ${err.message}`)
   * ```
   */
  putIdleConn?: ((err: Error | null) => void) | undefined;

  /**
   * Called when the first byte of the response headers arrives.
   *
   * @remarks
   * - Fires once per request attempt; with 1xx responses, at the first byte of the first 1xx.
   * - Does not fire when the connection fails or closes before any response byte.
   * - Differences from Go: none. node:http: the byte is seen on the socket's `'data'` event
   *   (decrypted for https); undici: the handler's `onResponseStarted`.
   *
   * @example
   * ```ts
   * gotFirstResponseByte: () => { ttfb = performance.now() - start; }
   * ```
   */
  gotFirstResponseByte?: (() => void) | undefined;

  /**
   * Called when the server replies `100 Continue` to a request sent with `Expect: 100-continue`.
   *
   * @remarks
   * - Fires at most once per request, before `got1xxResponse(100, …)` for the same response.
   * - Does not fire for a 100 the request did not ask for (that one still reaches `got1xxResponse`).
   * - Differences from Go: none for node:http. undici refuses `Expect: 100-continue`
   *   (`UND_ERR_NOT_SUPPORTED`), so it never fires there.
   *
   * @example
   * ```ts
   * got100Continue: () => console.log('server accepted the body')
   * ```
   */
  got100Continue?: (() => void) | undefined;

  /**
   * Called for each informational (1xx) response before the final response: 100, 102, 103 Early
   * Hints and unknown 1xx codes. 101 Switching Protocols is final and never passed here.
   *
   * @remarks
   * - Arguments: `code` is the status; `header` the 1xx response's headers (lower-case names,
   *   every value kept, in arrival order).
   * - Return (or throw) an `Error` to abort the request with it: the request fails with that
   *   error and its connection is closed. Any other return value is ignored.
   * - Fires once per 1xx response, possibly several times per request.
   * - Differences from Go (better): when traces are stacked, an error from *any* of them aborts
   *   the request (Go keeps only the oldest hook's result). Header names are lower-case (Node's
   *   convention) where Go canonicalises them (`Link`). With fetch the abort error is the `cause`
   *   of fetch's `TypeError`.
   *
   * @example
   * ```ts
   * got1xxResponse: (code, header) => { if (code === 103) preload(header.link ?? []); }
   * ```
   */
  got1xxResponse?: ((code: number, header: Header) => Error | void | undefined) | undefined;

  /**
   * Called when a DNS lookup begins.
   *
   * @remarks
   * - Arguments: see {@link DNSStartInfo}.
   * - Fires once per new connection that needs a name resolved. Does not fire for IP-address
   *   hosts, for reused connections, or for the target host behind a proxy.
   * - Differences from Go: none. Lookups go through the `lookup` option (Node's `dns.lookup` by
   *   default), so `/etc/hosts` answers count as lookups, as they do in Go.
   *
   * @example
   * ```ts
   * dnsStart: ({ host }) => console.log(`resolving ${host}`)
   * ```
   */
  dnsStart?: ((info: DNSStartInfo) => void) | undefined;

  /**
   * Called when a DNS lookup ends.
   *
   * @remarks
   * - Arguments: see {@link DNSDoneInfo}; concurrent lookups of the same name share one query and
   *   both report `coalesced: true`.
   * - Fires once after each `dnsStart`.
   * - Differences from Go: none (Node itself does not coalesce; the adapters do).
   *
   * @example
   * ```ts
   * dnsDone: ({ addrs, err }) => console.log(err ? `lookup failed: ${err.message}` : addrs.join(', '))
   * ```
   */
  dnsDone?: ((info: DNSDoneInfo) => void) | undefined;

  /**
   * Called when a TCP connection attempt to one address begins.
   *
   * @remarks
   * - Arguments: `network` is `"tcp"`; `addr` is `"ip:port"` (`"[::1]:8080"` for IPv6).
   * - Fires once per address tried: several times when the first address fails and Node's Happy
   *   Eyeballs (`autoSelectFamily`) tries the next.
   * - Does not fire for reused connections or when DNS failed.
   * - Differences from Go: Node tries addresses one after another (an attempt is abandoned after
   *   `autoSelectFamilyAttemptTimeout`, 250 ms by default) where Go races two families after 300 ms.
   *
   * @example
   * ```ts
   * connectStart: (network, addr) => console.log(`dialing ${network} ${addr}`)
   * ```
   */
  connectStart?: ((network: string, addr: string) => void) | undefined;

  /**
   * Called when a TCP connection attempt ends.
   *
   * @remarks
   * - Arguments: as {@link ClientTrace.connectStart}, plus `err`: `null` on success, else the
   *   error (`ECONNREFUSED`, `ETIMEDOUT` for an attempt Node abandoned, the abort reason when the
   *   request was aborted while connecting).
   * - Fires once after each `connectStart`; at most one attempt succeeds.
   * - Differences from Go: an attempt abandoned by Node's Happy Eyeballs gets an `ETIMEDOUT`
   *   error, where Go's losing racer reports a cancellation.
   *
   * @example
   * ```ts
   * connectDone: (network, addr, err) => err && console.warn(`${addr}: ${err.message}`)
   * ```
   */
  connectDone?: ((network: string, addr: string, err: Error | null) => void) | undefined;

  /**
   * Called when the TLS handshake starts, right after the TCP connection is up.
   *
   * @remarks
   * - Fires once per new https connection; never for plain http or reused connections. Behind a
   *   proxy it fires for the handshake with the target inside the `CONNECT` tunnel.
   * - Differences from Go: none.
   *
   * @example
   * ```ts
   * tlsHandshakeStart: () => { tlsStart = performance.now(); }
   * ```
   */
  tlsHandshakeStart?: (() => void) | undefined;

  /**
   * Called when the TLS handshake ends, with the connection state or the error.
   *
   * @remarks
   * - Arguments: see {@link TLSConnectionState}; `err` is `null` on success, else the error
   *   (`DEPTH_ZERO_SELF_SIGNED_CERT`, `ERR_TLS_CERT_ALTNAME_INVALID`, …) with an empty state.
   * - Fires once after each `tlsHandshakeStart`.
   * - Differences from Go: certificate and host-name checks are part of the handshake in both.
   *   On a resumed session Node hides the peer certificates (see `peerCertificates`).
   *
   * @example
   * ```ts
   * tlsHandshakeDone: (state, err) => console.log(err ? err.message : `${state.version} ${state.cipherSuite}`)
   * ```
   */
  tlsHandshakeDone?: ((state: TLSConnectionState, err: Error | null) => void) | undefined;

  /**
   * Called for each request header, in the order it was written on the wire.
   *
   * @remarks
   * - Arguments: `key` as written (Node keeps the caller's case); `values` every value of
   *   consecutive lines with that name (Node writes an array value as one line per value).
   * - Fires for every header, including those Node adds: `Host`, `Connection`, `Content-Length`,
   *   `Transfer-Encoding`, `Authorization` from `auth`. The values may still be buffered.
   * - Fires after `gotConn`; again for each retried attempt.
   * - Differences from Go: Go writes `Host`, `User-Agent`, then the other headers sorted by name;
   *   Node writes the caller's headers in the order given, then `Host` and its own; undici writes
   *   `host` first, lower-case names (fetch adds `accept`, `user-agent`, …). This hook reports each
   *   client's real order.
   *
   * @example
   * ```ts
   * wroteHeaderField: (key, values) => console.log(`> ${key}: ${values.join(', ')}`)
   * ```
   */
  wroteHeaderField?: ((key: string, values: readonly string[]) => void) | undefined;

  /**
   * Called after all request headers were written.
   *
   * @remarks
   * - Fires once per attempt, after the last `wroteHeaderField`, when the header block is handed
   *   to the connection (with a streamed body: at the first `write()`, `end()` or `flushHeaders()`).
   * - Differences from Go: none.
   *
   * @example
   * ```ts
   * wroteHeaders: () => { headersAt = performance.now(); }
   * ```
   */
  wroteHeaders?: (() => void) | undefined;

  /**
   * Called when the request said `Expect: 100-continue`, its headers were written, and the body
   * is held back until the server answers `100 Continue`.
   *
   * @remarks
   * - Fires once per attempt, after `wroteHeaders`.
   * - The node adapter holds the body as Go does: until a 100, a final response, or
   *   `expectContinueTimeout` (1000 ms by default, as Go's default transport) passes.
   * - Differences from Go: none for node:http; undici refuses `Expect: 100-continue`, so it never fires there.
   *
   * @example
   * ```ts
   * wait100Continue: () => console.log('waiting for 100 Continue')
   * ```
   */
  wait100Continue?: (() => void) | undefined;

  /**
   * Called when the request (headers and body) was fully written, or writing it failed.
   *
   * @remarks
   * - Arguments: see {@link WroteRequestInfo}.
   * - Fires once per attempt that got a connection; may fire after the response arrived (a server
   *   that answers before the body is sent, or a refused `Expect: 100-continue`, which reports
   *   `err: null` although the body was never sent, as in Go).
   * - Does not fire when no connection was obtained.
   * - Differences from Go: Node reports it when the data was handed to the kernel; Go when it was
   *   put in its write buffer. undici: when undici reports the body sent (`undici:request:bodySent`).
   *
   * @example
   * ```ts
   * wroteRequest: ({ err }) => err && console.warn(`write failed: ${err.message}`)
   * ```
   */
  wroteRequest?: ((info: WroteRequestInfo) => void) | undefined;

  /**
   * Called when the final response head arrives (an httptrace extension, not one of Go's hooks).
   *
   * @remarks
   * - Arguments: see {@link GotResponseInfo}.
   * - Fires once per request hop, after `gotFirstResponseByte` and any `got1xxResponse`, before the
   *   caller sees the response (node:http: before the `'response'` listeners; undici: before the
   *   handler's `onHeaders`/`onResponseStart`).
   * - Does not fire for 1xx responses, or when the request failed before a final response.
   * - Differences from Go: Go has no such hook (the caller gets the `*http.Response` instead). It is
   *   here so that code that cannot see the caller's response (a default trace, `httptrace/register`)
   *   still learns the status.
   *
   * @example
   * ```ts
   * gotResponse: ({ statusCode }) => console.log(`status ${statusCode}`)
   * ```
   */
  gotResponse?: ((info: GotResponseInfo) => void) | undefined;

  /**
   * Called exactly once per request hop, when it settles (an httptrace extension, not one of Go's
   * hooks): the response body was read to the end, or the request failed or was aborted.
   *
   * @remarks
   * - Arguments: see {@link RequestDoneInfo}; an abort gives `err.code === 'ERR_HTTPTRACE_ABORTED'`.
   * - It is the last hook fired on the trace for that request: after it, no hook of the request
   *   fires (not even `putIdleConn` or a late `connectDone`; they fire before it, or not at all).
   * - Does not fire for an attempt the node agents retry on a stale connection (the retry is the
   *   same hop; the request settles once). A redirect hop followed by fetch fires it again.
   * - Fires after the response's `'end'` (node:http: after the request's `'close'` and
   *   `putIdleConn`, a microtask later), so a caller's own `'end'` listener runs before it.
   * - Differences from Go: Go has no such hook.
   *
   * @example
   * ```ts
   * requestDone: ({ err }) => console.log(err ? `failed: ${err.message}` : 'done')
   * ```
   */
  requestDone?: ((info: RequestDoneInfo) => void) | undefined;
}

/** The names of Go's 16 hooks, in Go's declaration order. */
export const goHookNames = Object.freeze([
  'getConn',
  'gotConn',
  'putIdleConn',
  'gotFirstResponseByte',
  'got100Continue',
  'got1xxResponse',
  'dnsStart',
  'dnsDone',
  'connectStart',
  'connectDone',
  'tlsHandshakeStart',
  'tlsHandshakeDone',
  'wroteHeaderField',
  'wroteHeaders',
  'wait100Continue',
  'wroteRequest',
] as const);

/** The names of httptrace's own hooks, which Go does not have. */
export const extensionHookNames = Object.freeze(['gotResponse', 'requestDone'] as const);

/** The names of every hook of {@link ClientTrace}: Go's 16 ({@link goHookNames}), then {@link extensionHookNames}. */
export const hookNames = Object.freeze([...goHookNames, ...extensionHookNames] as const);

/** The name of one of Go's 16 hooks. */
export type GoHookName = (typeof goHookNames)[number];
/** The name of one hook of {@link ClientTrace}. */
export type HookName = (typeof hookNames)[number];
