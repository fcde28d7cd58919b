// Loopback HTTP forward proxy for the tests (the same behaviour as the proxy in
// /work/shared/oracle/server.mjs, plus Basic proxy authentication, a switch that
// refuses every CONNECT, and a record of what it saw):
// absolute-form requests are forwarded to the target, CONNECT opens a TCP tunnel.
// Only loopback targets (localhost, 127.x.x.x, ::1) are ever contacted; anything
// else is refused with 403 before any name lookup or connection.
// One proxy per test; it is torn down through the test context's `after`.
import http from 'node:http';
import net from 'node:net';
import dns from 'node:dns';
import { pipeline } from 'node:stream';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo, LookupFunction, Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import type { AfterHook } from './test-server.js';

/** Options for {@link startProxyServer}. */
export interface ProxyServerOptions {
  /**
   * Require `Proxy-Authorization: Basic base64(user:password)` on every request and CONNECT;
   * without it (or with other credentials) the answer is 407 with `Proxy-Authenticate: Basic realm="test"`.
   */
  auth?: { user: string; password: string };
  /**
   * Answer every CONNECT with this status (e.g. 502) and end the connection, without
   * contacting the target. Checked after `auth`, so a CONNECT without credentials still gets 407.
   */
  refuseConnect?: number;
}

/** One request line as the proxy saw it (CONNECT included). */
export interface ProxyRequest {
  method: string;
  /** The request target as sent: `http://host:port/path` (absolute form), `host:port` (CONNECT), `/path`... */
  url: string;
  rawHeaders: string[];
}

/** A running proxy; see {@link startProxyServer}. */
export interface ProxyServer {
  port: number;
  /** `http://127.0.0.1:PORT`, to use as the proxy URL. */
  url: string;
  /** Stops the proxy and destroys every client and upstream connection. Idempotent. */
  close(): Promise<void>;
  /** TCP connections accepted so far (client side). */
  readonly connections: number;
  /** Every request received so far, in arrival order, CONNECT included. */
  requests: ProxyRequest[];
}

/** The `Proxy-Authorization` value for `user:password` (Basic scheme). */
export function proxyAuthorization(user: string, password: string): string {
  return `Basic ${Buffer.from(`${user}:${password}`, 'utf8').toString('base64')}`;
}

/**
 * Starts a forward proxy on port 0 of 127.0.0.1 and registers its cleanup with `t.after`.
 * - `GET http://host:port/path HTTP/1.1` (absolute form) to a loopback host: forwarded with
 *   `http.request` (one fresh upstream connection per request), hop-by-hop headers (and those
 *   named in `Connection`) stripped both ways, `Proxy-Authorization` never forwarded, `Host` set to
 *   the target's authority (RFC 9112 3.2.2); the response is streamed back and the client
 *   connection stays keep-alive. Upstream failure: 502 (or a destroyed connection mid-body).
 *   Non-loopback host or a scheme other than http: 403. Origin form (`GET /path`): 400.
 * - `CONNECT host:port` to a loopback host: `HTTP/1.1 200 Connection Established`, then bytes are
 *   piped both ways; non-loopback: 403; malformed authority: 400; target unreachable: 502.
 * `localhost` is resolved with a lookup that only accepts loopback addresses.
 */
export async function startProxyServer(t: AfterHook, options: ProxyServerOptions = {}): Promise<ProxyServer> {
  const sockets = new Set<Duplex>();
  const upstreamRequests = new Set<http.ClientRequest>();
  const requests: ProxyRequest[] = [];
  const expectedAuth = options.auth ? proxyAuthorization(options.auth.user, options.auth.password) : undefined;
  let connections = 0;
  let closed = false;

  const track = (socket: Duplex): void => {
    if (closed) {
      socket.destroy();
      return;
    }
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
  };

  const record = (req: IncomingMessage): void => {
    requests.push({ method: req.method ?? '', url: req.url ?? '', rawHeaders: [...req.rawHeaders] });
  };

  const authorized = (req: IncomingMessage): boolean => {
    if (expectedAuth === undefined) return true;
    const value = req.headers['proxy-authorization'];
    if (typeof value !== 'string') return false;
    const m = /^basic[ \t]+(\S+)[ \t]*$/i.exec(value);
    return m !== null && `Basic ${m[1]}` === expectedAuth;
  };

  const onRequest = (req: IncomingMessage, res: ServerResponse): void => {
    record(req);
    if (!authorized(req)) {
      send(res, 407, 'proxy: authentication required\n', { 'Proxy-Authenticate': 'Basic realm="test"' });
      return;
    }
    let target: URL;
    try {
      target = new URL(req.url ?? '');
    } catch {
      send(res, 400, 'proxy: absolute-form request-target required\n');
      return;
    }
    if (target.protocol !== 'http:' || !isLoopbackHost(target.hostname)) {
      send(res, 403, 'proxy: only http:// loopback targets\n');
      return;
    }
    if (closed) {
      send(res, 503, 'proxy: closing\n', { Connection: 'close' });
      return;
    }

    // RFC 9112 3.2.2: with an absolute-form target the Host header is replaced by the target's authority.
    const headers = setHost(stripHopByHop(req.rawHeaders), target.host);
    // The body was de-chunked by the server; send it chunked again (Node frames it).
    if (req.headers['transfer-encoding'] !== undefined) headers.push('Transfer-Encoding', 'chunked');

    const up = http.request(
      {
        host: unbracket(target.hostname),
        port: target.port === '' ? 80 : Number(target.port),
        method: req.method ?? 'GET',
        path: target.pathname + target.search,
        headers,
        agent: false,
        lookup: loopbackLookup,
      },
      (upRes) => {
        res.writeHead(upRes.statusCode ?? 502, upRes.statusMessage, stripHopByHop(upRes.rawHeaders));
        // An upstream failure mid-body destroys the client connection (the client sees the truncation);
        // a client that goes away destroys the upstream response.
        pipeline(upRes, res, () => {});
      },
    );
    upstreamRequests.add(up);
    up.once('close', () => upstreamRequests.delete(up));
    up.on('socket', track);
    up.on('error', () => {
      if (!res.headersSent) send(res, 502, 'proxy: upstream error\n');
      else res.destroy();
    });
    res.once('close', () => {
      if (!res.writableFinished) up.destroy();
    });
    req.pipe(up);
  };

  const onConnect = (req: IncomingMessage, duplex: Duplex, head: Buffer): void => {
    record(req);
    const client = duplex as Socket;
    client.on('error', () => {}); // the 'close' handlers below clean up
    if (!authorized(req)) {
      endRaw(client, 407, ['Proxy-Authenticate: Basic realm="test"']);
      return;
    }
    if (options.refuseConnect !== undefined) {
      endRaw(client, options.refuseConnect);
      return;
    }
    const target = parseAuthority(req.url ?? '');
    if (target === undefined) {
      endRaw(client, 400);
      return;
    }
    if (!isLoopbackHost(target.host)) {
      endRaw(client, 403);
      return;
    }
    if (closed) {
      client.destroy();
      return;
    }

    const up = net.connect({ host: unbracket(target.host), port: target.port, lookup: loopbackLookup });
    track(up);
    let established = false;
    up.once('connect', () => {
      if (client.destroyed) {
        up.destroy();
        return;
      }
      established = true;
      client.write('HTTP/1.1 200 Connection Established\r\n\r\n');
      if (head.length > 0) up.write(head);
      up.pipe(client);
      client.pipe(up);
    });
    up.on('error', () => {
      if (!established) endRaw(client, 502);
    });
    up.once('close', (hadError: boolean) => {
      if (!established) return;
      // Abrupt upstream end: abrupt client end. Otherwise flush what is buffered, then close.
      if (hadError) client.destroy();
      else client.destroySoon();
    });
    client.once('close', (hadError: boolean) => {
      if (hadError || !established) up.destroy();
      else up.destroySoon();
    });
  };

  const server = http.createServer({ requireHostHeader: false }, onRequest);
  server.on('connect', onConnect);
  server.on('clientError', (_err: Error, socket: Duplex) => socket.destroy());
  server.on('connection', (socket: Socket) => {
    connections++;
    track(socket);
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen({ port: 0, host: '127.0.0.1' }, () => {
      server.removeListener('error', reject);
      resolve();
    });
  });
  const port = (server.address() as AddressInfo).port;

  let closing: Promise<void> | undefined;
  const close = (): Promise<void> => {
    closing ??= new Promise<void>((resolve) => {
      closed = true;
      server.close(() => resolve());
      server.closeAllConnections();
      for (const req of upstreamRequests) req.destroy();
      for (const socket of sockets) socket.destroy();
    });
    return closing;
  };
  t.after(close);

  return {
    port,
    url: `http://127.0.0.1:${port}`,
    close,
    get connections() {
      return connections;
    },
    requests,
  };
}

/** Hop-by-hop headers (RFC 9110 7.6.1, plus the legacy Proxy-Connection); never forwarded. */
const HOP_BY_HOP = [
  'connection',
  'proxy-connection',
  'keep-alive',
  'proxy-authorization',
  'proxy-authenticate',
  'te',
  'trailer',
  'transfer-encoding',
  'upgrade',
];

/** `rawHeaders` without the hop-by-hop headers and those named in `Connection`. */
function stripHopByHop(rawHeaders: readonly string[]): string[] {
  const drop = new Set(HOP_BY_HOP);
  for (let i = 0; i + 1 < rawHeaders.length; i += 2) {
    if (rawHeaders[i]?.toLowerCase() !== 'connection') continue;
    for (const token of (rawHeaders[i + 1] ?? '').split(',')) {
      const name = token.trim().toLowerCase();
      if (name !== '') drop.add(name);
    }
  }
  const out: string[] = [];
  for (let i = 0; i + 1 < rawHeaders.length; i += 2) {
    const name = rawHeaders[i] ?? '';
    if (!drop.has(name.toLowerCase())) out.push(name, rawHeaders[i + 1] ?? '');
  }
  return out;
}

/** `rawHeaders` with every Host header removed and one `Host: host` in place of the first. */
function setHost(rawHeaders: string[], host: string): string[] {
  const out: string[] = [];
  let done = false;
  for (let i = 0; i + 1 < rawHeaders.length; i += 2) {
    const name = rawHeaders[i] ?? '';
    if (name.toLowerCase() !== 'host') out.push(name, rawHeaders[i + 1] ?? '');
    else if (!done) {
      out.push(name, host);
      done = true;
    }
  }
  if (!done) out.unshift('Host', host);
  return out;
}

const LOOPBACK = new net.BlockList();
LOOPBACK.addSubnet('127.0.0.0', 8, 'ipv4');
LOOPBACK.addAddress('::1', 'ipv6');

/** Whether `address` is a literal loopback IP (127.0.0.0/8 or ::1). */
function isLoopbackAddress(address: string): boolean {
  const family = net.isIP(address);
  if (family === 4) return LOOPBACK.check(address, 'ipv4');
  if (family === 6) return LOOPBACK.check(address, 'ipv6');
  return false;
}

/** Whether a target host (possibly `[bracketed]`) is `localhost` or a loopback IP. Never resolves names. */
function isLoopbackHost(host: string): boolean {
  const h = unbracket(host).toLowerCase();
  return h === 'localhost' || isLoopbackAddress(h);
}

function unbracket(host: string): string {
  return host.startsWith('[') && host.endsWith(']') ? host.slice(1, -1) : host;
}

/** Parses a CONNECT authority `host:port` / `[v6]:port`. */
function parseAuthority(authority: string): { host: string; port: number } | undefined {
  const m = /^(\[[^\]]+\]|[^:[\]]+):(\d{1,5})$/.exec(authority);
  if (m === null) return undefined;
  const port = Number(m[2]);
  if (m[1] === undefined || port < 1 || port > 65535) return undefined;
  return { host: m[1], port };
}

/**
 * `dns.lookup` that only ever yields loopback addresses (for `localhost`; IP literals never reach
 * a lookup), so the proxy cannot connect anywhere else whatever the resolver says.
 */
const loopbackLookup: LookupFunction = (hostname, options, callback) => {
  dns.lookup(hostname, { ...options, all: true }, (err, addresses) => {
    if (err) {
      callback(err, '');
      return;
    }
    const usable = addresses.filter((a) => isLoopbackAddress(a.address));
    const first = usable[0];
    if (first === undefined) {
      const error: NodeJS.ErrnoException = new Error(`proxy: ${hostname} does not resolve to a loopback address`);
      error.code = 'ENOTFOUND';
      callback(error, '');
      return;
    }
    if (options.all === true) callback(null, usable);
    else callback(null, first.address, first.family);
  });
};

/** Writes a bodyless raw response on a CONNECT socket and ends it (what the client still sends is discarded). */
function endRaw(socket: Socket, status: number, extraHeaders: string[] = []): void {
  if (socket.destroyed) return;
  const reason = http.STATUS_CODES[status] ?? 'Unknown';
  const head = [`HTTP/1.1 ${status} ${reason}`, ...extraHeaders, 'Content-Length: 0', 'Connection: close'];
  socket.resume();
  socket.end(head.join('\r\n') + '\r\n\r\n');
}

function send(res: ServerResponse, status: number, body: string, headers: Record<string, string> = {}): void {
  if (res.destroyed || res.headersSent) return;
  const b = Buffer.from(body);
  res.writeHead(status, { 'Content-Type': 'text/plain', 'Content-Length': b.length, ...headers });
  res.end(b);
}
