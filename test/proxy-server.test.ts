// Self-tests for the loopback forward proxy fixture (test/helpers/proxy-server.ts):
// absolute-form forwarding, CONNECT tunnelling, Basic proxy authentication,
// refuseConnect, refusal of non-loopback targets, and a clean teardown.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { createHook } from 'node:async_hooks';
import { spawn } from 'node:child_process';
import http from 'node:http';
import net from 'node:net';
import type { IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { proxyAuthorization, startProxyServer } from './helpers/proxy-server.js';
import type { ProxyServer } from './helpers/proxy-server.js';
import type { AfterHook } from './helpers/test-server.js';
import { closedPort, ipv6Available } from './helpers/ports.js';

/** What the target saw, echoed back as JSON. */
interface Echo {
  method: string;
  url: string;
  rawHeaders: string[];
  body: string;
}

interface Target {
  port: number;
  /** `127.0.0.1:PORT` (or `[::1]:PORT`). */
  authority: string;
  readonly connections: number;
}

/** A tiny loopback origin server that echoes each request as JSON (`/hang` never answers). */
async function startTarget(t: AfterHook, host = '127.0.0.1'): Promise<Target> {
  let connections = 0;
  const server = http.createServer((req, res) => {
    if (req.url === '/hang') return;
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const echo: Echo = { method: req.method ?? '', url: req.url ?? '', rawHeaders: req.rawHeaders, body: Buffer.concat(chunks).toString('utf8') };
      const body = Buffer.from(JSON.stringify(echo));
      res.writeHead(200, { 'Content-Type': 'application/json', 'Content-Length': body.length, 'X-Target': 'yes', 'Keep-Alive': 'timeout=1' });
      res.end(body);
    });
  });
  server.on('connection', () => connections++);
  await new Promise<void>((resolve) => server.listen({ port: 0, host }, resolve));
  t.after(
    () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  );
  const port = (server.address() as AddressInfo).port;
  return {
    port,
    authority: host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`,
    get connections() {
      return connections;
    },
  };
}

interface Reply {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: string;
  reusedSocket: boolean;
}

/** Sends `target` (any request-target form) to the proxy and reads the whole response. */
async function viaProxy(
  proxy: ProxyServer,
  target: string,
  options: { method?: string; headers?: http.OutgoingHttpHeaders; body?: string[]; agent?: http.Agent | false } = {},
): Promise<Reply> {
  const req = http.request({
    host: '127.0.0.1',
    port: proxy.port,
    method: options.method ?? 'GET',
    path: target,
    headers: options.headers ?? {},
    agent: options.agent ?? false,
  });
  for (const chunk of options.body ?? []) req.write(chunk);
  req.end();
  const [res] = (await once(req, 'response')) as [IncomingMessage];
  res.setEncoding('utf8');
  let body = '';
  for await (const chunk of res) body += chunk as string;
  return { status: res.statusCode ?? 0, headers: res.headers, body, reusedSocket: req.reusedSocket };
}

/** Lower-cased header names of a rawHeaders list. */
function names(rawHeaders: string[]): string[] {
  return rawHeaders.filter((_, i) => i % 2 === 0).map((n) => n.toLowerCase());
}

/**
 * Opens a raw TCP connection to the proxy, sends `CONNECT authority` (plus `extra` header lines),
 * and resolves with the response head once `\r\n\r\n` arrived (bytes after it are unshifted back).
 */
async function connect(proxy: ProxyServer, authority: string, extra: string[] = []): Promise<{ socket: net.Socket; head: string }> {
  const socket = net.connect(proxy.port, '127.0.0.1');
  socket.on('error', () => {});
  await once(socket, 'connect');
  socket.write([`CONNECT ${authority} HTTP/1.1`, `Host: ${authority}`, ...extra].join('\r\n') + '\r\n\r\n');
  let buf = Buffer.alloc(0);
  for (;;) {
    const [chunk] = (await Promise.race([once(socket, 'data'), once(socket, 'end').then(() => [null])])) as [Buffer | null];
    if (chunk === null) throw new Error(`proxy ended the connection before a response head: ${JSON.stringify(buf.toString())}`);
    buf = Buffer.concat([buf, chunk]);
    const end = buf.indexOf('\r\n\r\n');
    if (end >= 0) {
      socket.pause();
      if (end + 4 < buf.length) socket.unshift(buf.subarray(end + 4));
      return { socket, head: buf.subarray(0, end).toString('latin1') };
    }
  }
}

/** Reads a socket until the peer ends it; resolves with everything received. */
async function readToEnd(socket: net.Socket): Promise<string> {
  socket.setEncoding('latin1');
  let s = '';
  for await (const chunk of socket) s += chunk as string;
  return s;
}

/** Sends one `Connection: close` GET through an established tunnel and returns the raw response. */
async function getThroughTunnel(socket: net.Socket, authority: string, path: string): Promise<{ statusLine: string; echo: Echo }> {
  socket.write(`GET ${path} HTTP/1.1\r\nHost: ${authority}\r\nConnection: close\r\n\r\n`);
  const raw = await readToEnd(socket);
  const split = raw.indexOf('\r\n\r\n');
  assert.ok(split > 0, `no response through the tunnel: ${JSON.stringify(raw)}`);
  return { statusLine: raw.slice(0, raw.indexOf('\r\n')), echo: JSON.parse(raw.slice(split + 4)) as Echo };
}

test('absolute-form: forwarded to the loopback target, hop-by-hop headers stripped, client keep-alive kept', async (t) => {
  const target = await startTarget(t);
  const proxy = await startProxyServer(t);
  const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
  t.after(() => agent.destroy());
  const url = `http://${target.authority}/first?x=1`;

  const first = await viaProxy(proxy, url, {
    agent,
    headers: { 'X-Custom': 'kept', 'Proxy-Connection': 'keep-alive', 'Keep-Alive': 'timeout=9', Connection: 'keep-alive, X-Private', 'X-Private': 'dropped' },
  });
  assert.equal(first.status, 200);
  assert.equal(first.headers['x-target'], 'yes');
  // The target's `Keep-Alive: timeout=1` is hop-by-hop; the proxy's own keep-alive header replaces it.
  assert.equal(first.headers['keep-alive'], 'timeout=5', 'the upstream Keep-Alive header is not forwarded');
  const echo = JSON.parse(first.body) as Echo;
  assert.equal(echo.method, 'GET');
  assert.equal(echo.url, '/first?x=1', 'the target gets the origin form');
  const seen = names(echo.rawHeaders);
  assert.ok(seen.includes('x-custom'));
  // Node's client sent `Host: 127.0.0.1:PROXYPORT`; the proxy replaces it with the target's authority.
  assert.equal(seen.filter((h) => h === 'host').length, 1);
  assert.equal(echo.rawHeaders[seen.indexOf('host') * 2 + 1], target.authority);
  for (const hop of ['proxy-connection', 'keep-alive', 'x-private']) assert.ok(!seen.includes(hop), `${hop} must not be forwarded`);

  // A chunked POST body is forwarded intact, on the same client connection.
  const second = await viaProxy(proxy, `http://${target.authority}/second`, { agent, method: 'POST', body: ['hello ', 'proxy'] });
  assert.equal(second.status, 200);
  assert.equal(second.reusedSocket, true, 'the client connection to the proxy was kept alive');
  const echo2 = JSON.parse(second.body) as Echo;
  assert.deepEqual([echo2.method, echo2.url, echo2.body], ['POST', '/second', 'hello proxy']);

  // `localhost` works too (resolved through the loopback-only lookup).
  const third = await viaProxy(proxy, `http://localhost:${target.port}/third`, { agent });
  assert.equal(third.status, 200);
  assert.equal((JSON.parse(third.body) as Echo).url, '/third');

  assert.equal(proxy.connections, 1);
  assert.equal(target.connections, 3, 'one upstream connection per forwarded request');
  assert.deepEqual(
    proxy.requests.map((r) => [r.method, r.url]),
    [
      ['GET', url],
      ['POST', `http://${target.authority}/second`],
      ['GET', `http://localhost:${target.port}/third`],
    ],
  );
  assert.ok(names(proxy.requests[0]?.rawHeaders ?? []).includes('proxy-connection'), 'requests are recorded as received');
});

test('origin-form requests get 400; an unreachable loopback target gets 502', async (t) => {
  const proxy = await startProxyServer(t);
  const origin = await viaProxy(proxy, '/ok');
  assert.equal(origin.status, 400);
  const port = await closedPort();
  const down = await viaProxy(proxy, `http://127.0.0.1:${port}/ok`);
  assert.equal(down.status, 502);
  const { socket, head } = await connect(proxy, `127.0.0.1:${port}`);
  assert.match(head, /^HTTP\/1\.1 502 /);
  assert.equal(await readToEnd(socket), '');
  assert.deepEqual(
    proxy.requests.map((r) => [r.method, r.url]),
    [
      ['GET', '/ok'],
      ['GET', `http://127.0.0.1:${port}/ok`],
      ['CONNECT', `127.0.0.1:${port}`],
    ],
  );
});

test('CONNECT: 200 Connection Established, then an HTTP exchange through the tunnel', async (t) => {
  const target = await startTarget(t);
  const proxy = await startProxyServer(t);
  const { socket, head } = await connect(proxy, target.authority);
  assert.equal(head, 'HTTP/1.1 200 Connection Established');
  const { statusLine, echo } = await getThroughTunnel(socket, target.authority, '/through-tunnel');
  assert.equal(statusLine, 'HTTP/1.1 200 OK');
  assert.equal(echo.url, '/through-tunnel');
  assert.equal(target.connections, 1);
  assert.equal(proxy.connections, 1);
  assert.deepEqual(proxy.requests.map((r) => [r.method, r.url]), [['CONNECT', target.authority]]);
});

test('CONNECT to [::1] (when IPv6 loopback is usable)', async (t) => {
  if (!(await ipv6Available())) {
    t.skip('no IPv6 loopback');
    return;
  }
  const target = await startTarget(t, '::1');
  const proxy = await startProxyServer(t);
  const { socket, head } = await connect(proxy, target.authority);
  assert.equal(head, 'HTTP/1.1 200 Connection Established');
  const { echo } = await getThroughTunnel(socket, target.authority, '/v6');
  assert.equal(echo.url, '/v6');
  const forwarded = await viaProxy(proxy, `http://${target.authority}/v6-forward`);
  assert.equal((JSON.parse(forwarded.body) as Echo).url, '/v6-forward');
});

test('auth: 407 without or with wrong credentials, success with the right ones', async (t) => {
  const target = await startTarget(t);
  const proxy = await startProxyServer(t, { auth: { user: 'alice', password: 's3cret' } });
  const url = `http://${target.authority}/secret`;
  const right = proxyAuthorization('alice', 's3cret');
  const wrong = proxyAuthorization('alice', 'nope');
  assert.equal(right, `Basic ${Buffer.from('alice:s3cret').toString('base64')}`);

  for (const headers of [{}, { 'Proxy-Authorization': wrong }, { 'Proxy-Authorization': 'Bearer s3cret' }]) {
    const r = await viaProxy(proxy, url, { headers });
    assert.equal(r.status, 407, JSON.stringify(headers));
    assert.equal(r.headers['proxy-authenticate'], 'Basic realm="test"');
  }
  assert.equal(target.connections, 0, 'nothing reached the target without credentials');

  const ok = await viaProxy(proxy, url, { headers: { 'Proxy-Authorization': right } });
  assert.equal(ok.status, 200);
  assert.ok(!names((JSON.parse(ok.body) as Echo).rawHeaders).includes('proxy-authorization'), 'Proxy-Authorization is never forwarded');

  for (const extra of [[], [`Proxy-Authorization: ${wrong}`]]) {
    const { socket, head } = await connect(proxy, target.authority, extra);
    assert.match(head, /^HTTP\/1\.1 407 Proxy Authentication Required\r\n/);
    assert.match(head, /\r\nProxy-Authenticate: Basic realm="test"(\r\n|$)/);
    assert.equal(await readToEnd(socket), '', 'the proxy ends the connection after the 407');
  }
  assert.equal(target.connections, 1);

  const { socket, head } = await connect(proxy, target.authority, [`Proxy-Authorization: ${right}`]);
  assert.equal(head, 'HTTP/1.1 200 Connection Established');
  const { echo } = await getThroughTunnel(socket, target.authority, '/tunnelled-secret');
  assert.equal(echo.url, '/tunnelled-secret');
  assert.ok(!names(echo.rawHeaders).includes('proxy-authorization'));
  assert.equal(target.connections, 2);
  assert.equal(proxy.requests.length, 7);
});

test('refuseConnect: every CONNECT gets that status and the connection is ended', async (t) => {
  const target = await startTarget(t);
  const proxy = await startProxyServer(t, { refuseConnect: 502 });
  const { socket, head } = await connect(proxy, target.authority);
  assert.equal(head, 'HTTP/1.1 502 Bad Gateway\r\nContent-Length: 0\r\nConnection: close');
  assert.equal(await readToEnd(socket), '');
  assert.equal(target.connections, 0, 'the target was never contacted');
  assert.deepEqual(proxy.requests.map((r) => [r.method, r.url]), [['CONNECT', target.authority]]);
  // Absolute-form forwarding is unaffected.
  assert.equal((await viaProxy(proxy, `http://${target.authority}/still-ok`)).status, 200);
});

test('non-loopback targets get 403 without any name lookup or outgoing connection', async (t) => {
  const proxy = await startProxyServer(t);
  const seen: string[] = [];
  const hook = createHook({
    init(_id, type) {
      if (type === 'GETADDRINFOREQWRAP' || type === 'TCPCONNECTWRAP') seen.push(type);
    },
  });
  hook.enable();
  t.after(() => hook.disable());

  const forwarded = await viaProxy(proxy, 'http://example.invalid/ok');
  assert.equal(forwarded.status, 403);
  const { socket, head } = await connect(proxy, 'example.invalid:443');
  assert.match(head, /^HTTP\/1\.1 403 Forbidden\r\n/);
  assert.equal(await readToEnd(socket), '');
  // Other non-loopback forms: public and private IPs, a name that merely starts with 127.
  for (const host of ['93.184.215.14', '10.0.0.1', '127.0.0.1.example.invalid', '[2001:db8::1]']) {
    assert.equal((await viaProxy(proxy, `http://${host}/`)).status, 403, host);
  }
  hook.disable();

  assert.deepEqual(seen, Array(6).fill('TCPCONNECTWRAP'), 'only the test\'s own 6 connections to the proxy; no lookup');
  assert.deepEqual(
    proxy.requests.slice(0, 2).map((r) => [r.method, r.url]),
    [
      ['GET', 'http://example.invalid/ok'],
      ['CONNECT', 'example.invalid:443'],
    ],
  );
});

/**
 * Child script: a target, a proxy, then a keep-alive forwarded request (agent kept), a forwarded
 * request the target never answers, and an idle CONNECT tunnel; then the `after` hooks run (unless
 * SKIP_CLEANUP) and the target is closed gently (server.close() only), so it only finishes if the
 * proxy destroyed every upstream connection; client sockets only close if it destroyed those too.
 */
const EXIT_SCRIPT = `
  import http from 'node:http';
  import net from 'node:net';
  import { once } from 'node:events';
  const { startProxyServer } = await import(process.env.PROXY_HELPER);
  const hooks = [];
  const t = { after: (fn) => { hooks.push(fn); } };
  let hung;
  const hangSeen = new Promise((resolve) => { hung = resolve; });
  const target = http.createServer((req, res) => {
    if (req.url === '/hang') return hung();
    res.end('ok\\n');
  });
  await new Promise((resolve) => target.listen(0, '127.0.0.1', resolve));
  const authority = '127.0.0.1:' + target.address().port;
  const proxy = await startProxyServer(t);

  const agent = new http.Agent({ keepAlive: true });
  const body = await new Promise((resolve, reject) => {
    http.get({ host: '127.0.0.1', port: proxy.port, path: 'http://' + authority + '/ok', agent }, (res) => {
      let b = '';
      res.setEncoding('utf8');
      res.on('data', (c) => { b += c; });
      res.on('end', () => resolve(b));
    }).on('error', reject);
  });
  const hanging = http.get({ host: '127.0.0.1', port: proxy.port, path: 'http://' + authority + '/hang', agent: false });
  hanging.on('error', () => {});
  await hangSeen;
  const tunnel = net.connect(proxy.port, '127.0.0.1');
  tunnel.on('error', () => {});
  tunnel.write('CONNECT ' + authority + ' HTTP/1.1\\r\\nHost: ' + authority + '\\r\\n\\r\\n');
  const [established] = await once(tunnel, 'data');

  process.stdout.write(JSON.stringify({ body, established: established.toString('latin1'), connections: proxy.connections }));
  if (process.env.SKIP_CLEANUP !== '1') for (const fn of hooks) await fn();
  target.close();
`;

async function runExitChild(t: AfterHook, skipCleanup: boolean, deadlineMs: number): Promise<{ code: number | null; timedOut: boolean; stdout: string; stderr: string }> {
  const child = spawn(process.execPath, ['--input-type=module', '-e', EXIT_SCRIPT], {
    env: { ...process.env, PROXY_HELPER: new URL('./helpers/proxy-server.js', import.meta.url).href, SKIP_CLEANUP: skipCleanup ? '1' : '0' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  t.after(() => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  });
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (c: string) => (stdout += c));
  child.stderr.setEncoding('utf8').on('data', (c: string) => (stderr += c));
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    child.kill('SIGKILL');
  }, deadlineMs);
  const [code] = (await once(child, 'close')) as [number | null];
  clearTimeout(timer);
  return { code, timedOut, stdout, stderr };
}

test('cleanup: after the after-hooks, the process exits on its own (keep-alive, in-flight and tunnel connections)', async (t) => {
  const done = await runExitChild(t, false, 4000);
  assert.equal(done.timedOut, false, `the child did not exit by itself; stderr: ${done.stderr}`);
  assert.equal(done.code, 0, done.stderr);
  assert.deepEqual(JSON.parse(done.stdout), { body: 'ok\n', established: 'HTTP/1.1 200 Connection Established\r\n\r\n', connections: 3 });

  // Control: the same script without the cleanup hooks stays alive (so the check above means something).
  const stuck = await runExitChild(t, true, 1500);
  assert.equal(stuck.timedOut, true, `without cleanup the child should hang; code ${stuck.code}, stderr: ${stuck.stderr}`);
  assert.equal((JSON.parse(stuck.stdout) as { body: string }).body, 'ok\n');
});
