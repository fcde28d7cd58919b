// Loopback HTTP/HTTPS scenario server for the tests (same endpoints and
// semantics as the oracle's /work/shared/oracle/server.mjs, plus a few extras:
// /hints-multi, /slow-body, /drop-mid-body, /reset-mid-body, /reset-early, /echo,
// /continue?delay=|never=).
// One server per test; it is torn down through the test context's `after`.
import http from 'node:http';
import https from 'node:https';
import { TLSSocket } from 'node:tls';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { cert, key } from './tls-fixture.js';

/** Anything with node:test's `TestContext.after` (used to register cleanup). */
export interface AfterHook {
  after(fn: () => unknown): unknown;
}

/** Options for {@link startTestServer}. */
export interface TestServerOptions {
  /** Serve HTTPS with the fixture certificate (trust it with `ca` from tls-fixture). Default false. */
  tls?: boolean;
  /** Address to listen on. Default '127.0.0.1'; use '::1' for IPv6. */
  host?: string;
  /** `server.keepAliveTimeout` in ms. Default 5000 (Node's default). */
  keepAliveTimeout?: number;
  /** Keep each request in `requests`. Default true; turn off for long runs (soak tests). */
  record?: boolean;
}

/** One request as the server saw it. */
export interface RecordedRequest {
  method: string;
  url: string;
  rawHeaders: string[];
  /** 1-based index of this request among the requests received on its socket. */
  socketRequestIndex: number;
}

/** A running test server; see {@link startTestServer}. */
export interface TestServer {
  server: http.Server | https.Server;
  port: number;
  /** Address the server listens on ('127.0.0.1' or '::1', ...). */
  host: string;
  /**
   * Origin to use in requests: `http(s)://localhost:PORT` when listening on 127.0.0.1
   * (localhost resolves via /etc/hosts), otherwise the literal address, e.g. `http://[::1]:PORT`.
   */
  origin: string;
  /** Origin with the literal listen address, e.g. `http://127.0.0.1:PORT` (no name lookup). */
  ipOrigin: string;
  /** `origin + path`. */
  url(path: string): string;
  /** Stops the server and destroys every connection. Idempotent. */
  close(): Promise<void>;
  /** TCP connections accepted so far. */
  readonly connections: number;
  /** Every request received so far, in arrival order. */
  requests: RecordedRequest[];
}

const BIG = Buffer.alloc(1 << 20, 0x61);
const EARLY_HINT_LINK = '</style.css>; rel=preload; as=style';

/**
 * Starts an HTTP (or HTTPS) server on port 0 of `options.host` and registers its
 * cleanup with `t.after`. Endpoints:
 * `/ok`, `/close`, `/early-hints`, `/hints-multi`, `/continue[?delay=MS|?never=1]`,
 * `/reject-continue`, `/big`, `/slow-headers?ms=N`, `/slow-body?ms=N`, `/empty`,
 * `/reset`, `/drop`, `/drop-mid-body`, `/stale`, `/redirect[?to=URL]` (302 to /ok or URL),
 * `/cookie` (200 with a Set-Cookie), `/echo`; anything else 404.
 * With `Expect: 100-continue`, only `/continue` gets a 100; every other path gets
 * 417 + `Connection: close` without its body being read (as in the oracle).
 */
export async function startTestServer(t: AfterHook, options: TestServerOptions = {}): Promise<TestServer> {
  const host = options.host ?? '127.0.0.1';
  const tls = options.tls ?? false;
  const sockets = new Set<Socket>();
  const timers = new Set<NodeJS.Timeout>();
  const perSocket = new WeakMap<Socket, number>();
  const requests: RecordedRequest[] = [];
  let connections = 0;

  const later = (ms: number, res: ServerResponse, fn: () => void): void => {
    const timer = setTimeout(() => {
      timers.delete(timer);
      if (!res.destroyed) fn();
    }, ms);
    timers.add(timer);
    res.once('close', () => {
      clearTimeout(timer);
      timers.delete(timer);
    });
  };

  const record = (req: IncomingMessage): number => {
    const index = (perSocket.get(req.socket) ?? 0) + 1;
    perSocket.set(req.socket, index);
    if (options.record !== false) {
      requests.push({ method: req.method ?? '', url: req.url ?? '', rawHeaders: [...req.rawHeaders], socketRequestIndex: index });
    }
    return index;
  };

  const onRequest = (req: IncomingMessage, res: ServerResponse): void => {
    const index = record(req);
    handle(req, res, index, later);
  };

  const onCheckContinue = (req: IncomingMessage, res: ServerResponse): void => {
    record(req);
    const url = parseUrl(req);
    if (url.pathname !== '/continue') {
      send(res, 417, 'expectation failed\n', { Connection: 'close' });
      return;
    }
    const reply = (): void => {
      readBody(req, (body) => send(res, 200, `got ${body.length} bytes\n`));
    };
    if (url.searchParams.get('never') === '1') {
      reply(); // no 100: the client must give up waiting and send the body anyway
      return;
    }
    const delay = msParam(url, 'delay', 0);
    if (delay > 0) {
      later(delay, res, () => {
        res.writeContinue();
        reply();
      });
    } else {
      res.writeContinue();
      reply();
    }
  };

  const server = tls ? https.createServer({ key, cert }, onRequest) : http.createServer(onRequest);
  server.keepAliveTimeout = options.keepAliveTimeout ?? 5000;
  server.on('checkContinue', onCheckContinue);
  server.on('clientError', (_err: Error, socket: Socket) => socket.destroy());
  server.on('tlsClientError', (_err: Error, socket: Socket) => socket.destroy());
  const track = (socket: Socket): void => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
  };
  server.on('connection', (socket: Socket) => {
    connections++;
    track(socket);
  });
  if (tls) server.on('secureConnection', track);

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen({ port: 0, host }, () => {
      server.removeListener('error', reject);
      resolve();
    });
  });
  const port = (server.address() as AddressInfo).port;
  const scheme = tls ? 'https' : 'http';
  const literal = host.includes(':') ? `[${host}]` : host;
  const ipOrigin = `${scheme}://${literal}:${port}`;
  const origin = host === '127.0.0.1' ? `${scheme}://localhost:${port}` : ipOrigin;

  let closing: Promise<void> | undefined;
  const close = (): Promise<void> => {
    closing ??= new Promise<void>((resolve) => {
      for (const timer of timers) clearTimeout(timer);
      timers.clear();
      server.close(() => resolve());
      server.closeAllConnections();
      for (const socket of sockets) socket.destroy();
    });
    return closing;
  };
  t.after(close);

  return {
    server,
    port,
    host,
    origin,
    ipOrigin,
    url: (path: string) => origin + path,
    close,
    get connections() {
      return connections;
    },
    requests,
  };
}

type Later = (ms: number, res: ServerResponse, fn: () => void) => void;

function handle(req: IncomingMessage, res: ServerResponse, index: number, later: Later): void {
  const url = parseUrl(req);
  const socket = req.socket;
  switch (url.pathname) {
    case '/ok':
      return send(res, 200, 'ok\n');
    case '/close':
      return send(res, 200, 'closing\n', { Connection: 'close' });
    case '/early-hints':
      res.writeEarlyHints({ link: EARLY_HINT_LINK });
      return send(res, 200, 'ok\n');
    case '/hints-multi':
      res.writeProcessing();
      res.writeEarlyHints({ link: EARLY_HINT_LINK });
      res.writeEarlyHints({ link: '</script.js>; rel=preload; as=script' });
      return send(res, 200, 'ok\n');
    case '/continue':
      // Reached without "Expect: 100-continue" (with it, onCheckContinue answers).
      return readBody(req, (body) => send(res, 200, `got ${body.length} bytes\n`));
    case '/reject-continue':
      return send(res, 417, 'expectation failed\n', { Connection: 'close' });
    case '/big':
      return send(res, 200, BIG);
    case '/slow-headers':
      return later(msParam(url, 'ms', 200), res, () => send(res, 200, 'ok\n'));
    case '/slow-body': {
      const body = Buffer.from('ok\n');
      res.writeHead(200, { 'Content-Type': 'text/plain', 'Content-Length': body.length });
      res.flushHeaders();
      return later(msParam(url, 'ms', 200), res, () => res.end(body));
    }
    case '/empty':
      res.writeHead(204);
      res.end();
      return;
    case '/reset':
      return readBody(req, () => {
        if (socket instanceof TLSSocket) socket.destroy();
        else socket.resetAndDestroy(); // RST
      });
    case '/drop':
      return readBody(req, () => socket.destroy()); // FIN
    case '/drop-mid-body':
      res.writeHead(200, { 'Content-Type': 'text/plain', 'Content-Length': 100 });
      res.write(Buffer.alloc(10, 0x61), () => socket.destroy());
      return;
    case '/reset-mid-body':
      res.writeHead(200, { 'Content-Type': 'text/plain', 'Content-Length': 100 });
      res.write(Buffer.alloc(10, 0x61), () => {
        if (socket instanceof TLSSocket) socket.destroy();
        else socket.resetAndDestroy(); // RST while the client reads the body
      });
      return;
    case '/reset-early':
      if (socket instanceof TLSSocket) socket.destroy();
      else socket.resetAndDestroy(); // RST before the body was read
      return;
    case '/stale':
      if (index > 1) {
        socket.destroy(); // reused keep-alive socket: FIN, no answer
        return;
      }
      return send(res, 200, 'ok\n');
    case '/redirect': {
      const to = url.searchParams.get('to') ?? '/ok';
      return send(res, 302, `Found. Redirecting to ${to}\n`, { Location: to });
    }
    case '/cookie':
      return send(res, 200, 'ok\n', { 'Set-Cookie': 'session=s3cret; Path=/; HttpOnly' });
    case '/echo':
      return readBody(req, (body) => {
        const json = JSON.stringify({ method: req.method, url: req.url, rawHeaders: req.rawHeaders, body: body.toString('utf8') });
        send(res, 200, json, { 'Content-Type': 'application/json' });
      });
    default:
      return send(res, 404, 'not found\n');
  }
}

function send(res: ServerResponse, status: number, body: string | Buffer, headers: Record<string, string> = {}): void {
  if (res.destroyed) return;
  const b = typeof body === 'string' ? Buffer.from(body) : body;
  res.writeHead(status, { 'Content-Type': 'text/plain', 'Content-Length': b.length, ...headers });
  res.end(b);
}

/** Reads the whole request body, then calls `fn` (never if the request is aborted). */
function readBody(req: IncomingMessage, fn: (body: Buffer) => void): void {
  const chunks: Buffer[] = [];
  req.on('data', (c: Buffer) => chunks.push(c));
  req.once('end', () => fn(Buffer.concat(chunks)));
}

function parseUrl(req: IncomingMessage): URL {
  try {
    return new URL(req.url ?? '/', 'http://placeholder');
  } catch {
    return new URL('http://placeholder/');
  }
}

function msParam(url: URL, name: string, fallback: number): number {
  const v = url.searchParams.get(name);
  const n = v === null ? NaN : Number(v);
  return Number.isFinite(n) && n >= 0 ? n : fallback;
}

/**
 * The oracle's "idle" listener: answers `ok\n` and closes a kept-alive connection with a FIN once it
 * has been idle `idleMs` after a response. Closed through `t.after`.
 */
export async function startIdleClosingServer(t: AfterHook, idleMs = 50): Promise<{ port: number }> {
  const server = http.createServer((req, res) => {
    res.on('finish', () => setTimeout(() => req.socket.end(), idleMs));
    res.end('ok\n');
  });
  server.listen(0, '127.0.0.1');
  await new Promise((resolve) => server.once('listening', resolve));
  t.after(() => {
    server.closeAllConnections();
    server.close();
  });
  return { port: (server.address() as AddressInfo).port };
}
