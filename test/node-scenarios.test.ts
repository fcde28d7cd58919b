/**
 * The oracle's scenarios through `httptrace/node`, compared with the hook sequences Go's real client
 * recorded (`../shared/oracle/expected`, copied here as text). One documented mask applies to every
 * scenario: Node always writes a `Connection` header, Go only when closing, so each request writes
 * one more header field (`nodeOf`). Where Node cannot match Go, the test pins Node's sequence and
 * says why; the README's hook table lists the same differences.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { TracingAgent, TracingHttpsAgent } from '../src/node/index.js';
import { Recorder } from './helpers/recorder.js';
import { send } from './helpers/send.js';
import { startTestServer } from './helpers/test-server.js';
import { fakeLookup } from './helpers/fake-dns.js';
import { closedPort, ipv6Available } from './helpers/ports.js';
import { ca } from './helpers/tls-fixture.js';

/** Go's sequence with Node's extra `Connection: keep-alive` header field on each request. */
function nodeOf(go: string): string {
  return go.replace(/WroteHeaderField×(\d+)/g, (_, n: string) => `WroteHeaderField×${Number(n) + 1}`);
}

const FRESH = 'GetConn DNSStart DNSDone ConnectStart ConnectDone GotConn(new) WroteHeaderField×2 WroteHeaders WroteRequest GotFirstResponseByte [response](200) PutIdleConn [body]';
const REUSED = 'GetConn GotConn(reused,idle) WroteHeaderField×2 WroteHeaders WroteRequest GotFirstResponseByte [response](200) PutIdleConn [body]';

const lookup = fakeLookup({ localhost: ['127.0.0.1'] });

function agentFor(t: { after(fn: () => void): void }, options: ConstructorParameters<typeof TracingAgent>[0] = {}) {
  const agent = new TracingAgent({ keepAlive: true, lookup, ...options });
  t.after(() => agent.destroy());
  return agent;
}

test('fresh-http: a GET on a new connection', async (t) => {
  const server = await startTestServer(t);
  const rec = new Recorder();
  const res = await send(server.url('/ok'), { agent: agentFor(t), rec, req: 1 });
  assert.equal(res.body, 'ok\n');
  assert.equal(rec.summary(), nodeOf(`[request] ${FRESH}`));
  assert.deepEqual(rec.hooks('GetConn')[0]?.args, { hostPort: `localhost:${server.port}` });
  assert.deepEqual(rec.hooks('DNSDone')[0]?.args.addrs, ['127.0.0.1']);
  assert.deepEqual(rec.hooks('ConnectStart')[0]?.args, { network: 'tcp', addr: `127.0.0.1:${server.port}` });
  assert.deepEqual(
    rec.hooks('WroteHeaderField').map((l) => [l.args.key, l.args.values]),
    [['User-Agent', ['httptrace-oracle']], ['Host', [`localhost:${server.port}`]], ['Connection', ['keep-alive']]],
  );
  assert.deepEqual(rec.hooks('GotConn')[0]?.args.idleTime, 0);
});

test('fresh-http with the default lookup (localhost from /etc/hosts)', async (t) => {
  const server = await startTestServer(t);
  const agent = new TracingAgent({ keepAlive: true, family: 4 });
  t.after(() => agent.destroy());
  const rec = new Recorder();
  await send(server.url('/ok'), { agent, rec, req: 1 });
  assert.equal(rec.summary(), nodeOf(`[request] ${FRESH}`));
  assert.deepEqual(rec.hooks('DNSDone')[0]?.args.addrs, ['127.0.0.1']);
});

test('ip-literal: no DNS hooks', async (t) => {
  const server = await startTestServer(t);
  const rec = new Recorder();
  await send(`${server.ipOrigin}/ok`, { agent: agentFor(t), rec, req: 1 });
  assert.equal(
    rec.summary(),
    nodeOf('[request] GetConn ConnectStart ConnectDone GotConn(new) WroteHeaderField×2 WroteHeaders WroteRequest GotFirstResponseByte [response](200) PutIdleConn [body]'),
  );
});

test('reuse: the second GET takes the idle connection', async (t) => {
  const server = await startTestServer(t);
  const agent = agentFor(t);
  const rec = new Recorder();
  await send(server.url('/ok'), { agent, rec, req: 1 });
  await send(server.url('/ok'), { agent, rec, req: 2 });
  assert.equal(rec.summary(), nodeOf(`1: [request] ${FRESH} ‖ 2: [request] ${REUSED}`));
  const idle = rec.hooks('GotConn', 2)[0]?.args.idleTime as number;
  assert.ok(idle > 0 && idle < 1000, `idleTime ${idle} ms`);
  assert.equal(server.connections, 1);
});

test('fresh-https and https-reuse: TLS hooks with the connection state', async (t) => {
  const server = await startTestServer(t, { tls: true });
  const agent = new TracingHttpsAgent({ keepAlive: true, lookup, ca });
  t.after(() => agent.destroy());
  const rec = new Recorder();
  await send(server.url('/ok'), { agent, rec, req: 1 });
  await send(server.url('/ok'), { agent, rec, req: 2 });
  const freshTLS = FRESH.replace('ConnectDone', 'ConnectDone TLSHandshakeStart TLSHandshakeDone');
  assert.equal(rec.summary(), nodeOf(`1: [request] ${freshTLS} ‖ 2: [request] ${REUSED}`));
  const state = rec.hooks('TLSHandshakeDone')[0]?.args.state as {
    version: string; cipherSuite: string; serverName: string; negotiatedProtocol: string;
    peerCertificates: Array<{ subject: string }>; didResume: boolean; handshakeComplete: boolean;
  };
  assert.equal(state.version, 'TLSv1.3');
  assert.match(state.cipherSuite, /^TLS_/);
  assert.equal(state.serverName, 'localhost');
  assert.equal(state.negotiatedProtocol, '');
  assert.equal(state.didResume, false);
  assert.equal(state.handshakeComplete, true);
  // Node gives the verified chain, leaf first, up to the trusted CA (Go: the certificates sent).
  assert.deepEqual(state.peerCertificates.map((c) => c.subject), ['CN=localhost', 'CN=httptrace test CA']);
});

test('tls-bad-cert: the handshake fails with an empty state', async (t) => {
  const server = await startTestServer(t, { tls: true });
  const agent = new TracingHttpsAgent({ keepAlive: true, lookup });
  t.after(() => agent.destroy());
  const rec = new Recorder();
  const res = await send(server.url('/ok'), { agent, rec, req: 1 });
  assert.equal(res.error?.message.includes('certificate'), true, res.error?.message);
  assert.equal(
    rec.summary(),
    '[request] GetConn DNSStart DNSDone ConnectStart ConnectDone TLSHandshakeStart TLSHandshakeDone(err=tls) [response](err=tls)',
  );
  const done = rec.hooks('TLSHandshakeDone')[0]!.args;
  assert.deepEqual({ ...(done.state as object), peerCertificates: [] }, {
    version: '', cipherSuite: '', negotiatedProtocol: '', serverName: '', peerCertificates: [], didResume: false, handshakeComplete: false,
  });
  assert.equal(done.error, res.error);
});

test('dns-fail: DNSDone carries the error, nothing is dialed', async (t) => {
  const rec = new Recorder();
  const res = await send('http://nonexistent.invalid/', { agent: agentFor(t), rec, req: 1 });
  assert.equal((res.error as NodeJS.ErrnoException).code, 'ENOTFOUND');
  assert.equal(rec.summary(), '[request] GetConn DNSStart DNSDone(err=dns) [response](err=dns)');
  assert.deepEqual(rec.hooks('DNSDone')[0]?.args.addrs, []);
  assert.deepEqual(rec.hooks('GetConn')[0]?.args, { hostPort: 'nonexistent.invalid:80' });
});

test('refused: ConnectDone carries ECONNREFUSED', async (t) => {
  const port = await closedPort();
  const rec = new Recorder();
  const res = await send(`http://localhost:${port}/ok`, { agent: agentFor(t), rec, req: 1 });
  assert.equal((res.error as NodeJS.ErrnoException).code, 'ECONNREFUSED');
  assert.equal(rec.summary(), '[request] GetConn DNSStart DNSDone ConnectStart ConnectDone(err=refused) [response](err=refused)');
});

const CONTINUE_HEADERS = { 'Content-Type': 'text/plain', Expect: '100-continue', 'Content-Length': '11' };

test('continue: the body waits for 100 Continue', async (t) => {
  const server = await startTestServer(t);
  const rec = new Recorder();
  const res = await send(server.url('/continue'), {
    agent: agentFor(t), rec, req: 1, method: 'POST', headers: CONTINUE_HEADERS, body: 'hello world',
  });
  assert.equal(res.body, 'got 11 bytes\n');
  assert.equal(
    rec.summary(),
    nodeOf('[request] GetConn DNSStart DNSDone ConnectStart ConnectDone GotConn(new) WroteHeaderField×5 WroteHeaders Wait100Continue GotFirstResponseByte Got100Continue Got1xxResponse(100) WroteRequest [response](200) PutIdleConn [body]'),
  );
});

test('reject-continue: a 417 without 100 means the body is never sent', async (t) => {
  const server = await startTestServer(t);
  const rec = new Recorder();
  const res = await send(server.url('/reject-continue'), {
    agent: agentFor(t), rec, req: 1, method: 'POST', headers: CONTINUE_HEADERS, body: 'hello world',
  });
  assert.equal(res.status, 417);
  // Go's WroteRequest races with [response] and [body]: the oracle recorded it after [response]
  // (24 of 50 runs), after [body] (22) and before [response] (4). Node ends the held request as
  // soon as the final response is parsed, before the caller's 'response' listener runs.
  const go = '[request] GetConn DNSStart DNSDone ConnectStart ConnectDone GotConn(new) WroteHeaderField×5 WroteHeaders Wait100Continue GotFirstResponseByte WroteRequest [response](417) [body]';
  assert.equal(rec.summary(), nodeOf(go));
  assert.deepEqual(server.requests.length, 1);
});

test('early-hints: a 103 reaches got1xxResponse', async (t) => {
  const server = await startTestServer(t);
  const rec = new Recorder();
  await send(server.url('/early-hints'), { agent: agentFor(t), rec, req: 1 });
  assert.equal(
    rec.summary(),
    nodeOf('[request] GetConn DNSStart DNSDone ConnectStart ConnectDone GotConn(new) WroteHeaderField×2 WroteHeaders WroteRequest GotFirstResponseByte Got1xxResponse(103) [response](200) PutIdleConn [body]'),
  );
  assert.deepEqual({ ...(rec.hooks('Got1xxResponse')[0]?.args.header as object) }, { link: ['</style.css>; rel=preload; as=style'] });
});

test('empty-body: PutIdleConn once the empty body is consumed (Go: before the response returns)', async (t) => {
  const server = await startTestServer(t);
  const rec = new Recorder();
  await send(server.url('/empty'), { agent: agentFor(t), rec, req: 1 });
  // Go: … GotFirstResponseByte PutIdleConn [response](204) [body]. Node only frees the socket when
  // the (empty) body stream ends, which is after the response is handed to the caller.
  assert.equal(
    rec.summary(),
    nodeOf('[request] GetConn DNSStart DNSDone ConnectStart ConnectDone GotConn(new) WroteHeaderField×2 WroteHeaders WroteRequest GotFirstResponseByte [response](204) PutIdleConn [body]'),
  );
});

test('conn-close: no PutIdleConn after Connection: close, the next request dials', async (t) => {
  const server = await startTestServer(t);
  const agent = agentFor(t);
  const rec = new Recorder();
  await send(server.url('/close'), { agent, rec, req: 1 });
  await send(server.url('/ok'), { agent, rec, req: 2 });
  assert.equal(
    rec.summary(),
    nodeOf(`1: [request] ${FRESH.replace(' PutIdleConn', '')} ‖ 2: [request] ${FRESH}`),
  );
});

test('no-keepalive: Connection: close on every request, no PutIdleConn', async (t) => {
  const server = await startTestServer(t);
  const agent = agentFor(t, { keepAlive: false });
  const rec = new Recorder();
  await send(server.url('/ok'), { agent, rec, req: 1 });
  await send(server.url('/ok'), { agent, rec, req: 2 });
  // Go writes Host, User-Agent, Connection: close; Node User-Agent, Host, Connection: close.
  const one = '[request] GetConn DNSStart DNSDone ConnectStart ConnectDone GotConn(new) WroteHeaderField×3 WroteHeaders WroteRequest GotFirstResponseByte [response](200) [body]';
  assert.equal(rec.summary(), `1: ${one} ‖ 2: ${one}`);
  assert.deepEqual(rec.hooks('WroteHeaderField', 1)[2]?.args, { key: 'Connection', values: ['close'] });
});

test('reset: the request error, no response hooks', async (t) => {
  const server = await startTestServer(t);
  const rec = new Recorder();
  await send(server.url('/reset'), { agent: agentFor(t), rec, req: 1 });
  assert.equal(
    rec.summary(),
    nodeOf('[request] GetConn DNSStart DNSDone ConnectStart ConnectDone GotConn(new) WroteHeaderField×2 WroteHeaders WroteRequest [response](err=reset)'),
  );
});

test('drop: the server closes after reading the request', async (t) => {
  const server = await startTestServer(t);
  const rec = new Recorder();
  await send(server.url('/drop'), { agent: agentFor(t), rec, req: 1 });
  assert.equal(
    rec.summary(),
    nodeOf('[request] GetConn DNSStart DNSDone ConnectStart ConnectDone GotConn(new) WroteHeaderField×2 WroteHeaders WroteRequest [response](err=closed)'),
  );
});

test('cancel: an AbortSignal aborts the request while it waits for headers', async (t) => {
  const server = await startTestServer(t);
  const rec = new Recorder();
  const controller = new AbortController();
  const agent = agentFor(t);
  const pending = send(server.url('/slow-headers?ms=2000'), { agent, rec, req: 1, signal: controller.signal });
  await once(server.server, 'request');
  rec.mark('cancel', 1);
  controller.abort();
  const res = await pending;
  assert.equal(res.error?.name, 'AbortError');
  assert.equal(
    rec.summary(),
    nodeOf('[request] GetConn DNSStart DNSDone ConnectStart ConnectDone GotConn(new) WroteHeaderField×2 WroteHeaders WroteRequest [cancel] [response](err=aborted)'),
  );
});

test('concurrent-dns: two agents sharing a lookup share one query, both coalesced', async (t) => {
  const server = await startTestServer(t);
  const slow = fakeLookup({ 'slow.test': ['127.0.0.1'] }, { delayMs: 50 });
  const a = new TracingAgent({ keepAlive: true, lookup: slow });
  const b = new TracingAgent({ keepAlive: true, lookup: slow });
  t.after(() => { a.destroy(); b.destroy(); });
  const rec = new Recorder();
  const url = `http://slow.test:${server.port}/ok`;
  await Promise.all([send(url, { agent: a, rec, req: 1 }), send(url, { agent: b, rec, req: 2 })]);
  const one = nodeOf('[request] GetConn DNSStart DNSDone(coalesced) ConnectStart ConnectDone GotConn(new) WroteHeaderField×2 WroteHeaders WroteRequest GotFirstResponseByte [response](200) PutIdleConn [body]');
  assert.equal(rec.summary({ perReq: true }), `1: ${one} ‖ 2: ${one}`);
  assert.deepEqual(slow.calls, ['slow.test']);
  const order = rec.lines.filter((l) => l.hook?.startsWith('DNS')).map((l) => l.hook);
  assert.deepEqual(order, ['DNSStart', 'DNSStart', 'DNSDone', 'DNSDone']);
});

test('ipv6-fallback: ::1 is refused, 127.0.0.1 answers', async (t) => {
  assert.equal(await ipv6Available(), true, 'this machine must have ::1 for the fallback scenario');
  const server = await startTestServer(t);
  const dual = fakeLookup({ 'dual.test': ['::1', '127.0.0.1'] });
  const agent = new TracingAgent({ keepAlive: true, lookup: dual });
  t.after(() => agent.destroy());
  const rec = new Recorder();
  await send(`http://dual.test:${server.port}/ok`, { agent, rec, req: 1 });
  assert.equal(
    rec.summary(),
    nodeOf('[request] GetConn DNSStart DNSDone ConnectStart ConnectDone(err=refused) ConnectStart ConnectDone GotConn(new) WroteHeaderField×2 WroteHeaders WroteRequest GotFirstResponseByte [response](200) PutIdleConn [body]'),
  );
  assert.deepEqual(rec.hooks('DNSDone')[0]?.args.addrs, ['::1', '127.0.0.1']);
  assert.deepEqual(rec.hooks('ConnectStart').map((l) => l.args.addr), [`[::1]:${server.port}`, `127.0.0.1:${server.port}`]);
});
