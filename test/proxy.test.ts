/**
 * Proxies through both adapters, compared with Go's proxy-http and proxy-https sequences: the
 * proxy's getConn, DNS and connect; the target's TLS inside the CONNECT tunnel; nothing for CONNECT.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { emptyContext, proxyFromEnvironment, withClientTrace } from '../src/index.js';
import { TracingAgent, TracingHttpsAgent } from '../src/node/index.js';
import { createTracingDispatcher, withDispatcherContext } from '../src/undici/index.js';
import { Recorder, errorClass } from './helpers/recorder.js';
import { send } from './helpers/send.js';
import { startTestServer } from './helpers/test-server.js';
import { startProxyServer, proxyAuthorization } from './helpers/proxy-server.js';
import { fakeLookup } from './helpers/fake-dns.js';
import { ca } from './helpers/tls-fixture.js';

const lookup = fakeLookup({ localhost: ['127.0.0.1'] });
const HTTP = '[request] GetConn DNSStart DNSDone ConnectStart ConnectDone GotConn(new) WroteHeaderField×3 WroteHeaders WroteRequest GotFirstResponseByte [response](200) PutIdleConn [body]';
const HTTPS = HTTP.replace('ConnectDone', 'ConnectDone TLSHandshakeStart TLSHandshakeDone');

test('node, proxy-http: absolute form to the proxy, the proxy in every connection hook', async (t) => {
  const server = await startTestServer(t);
  const proxy = await startProxyServer(t);
  const agent = new TracingAgent({ keepAlive: true, lookup, proxy: `http://localhost:${proxy.port}` });
  t.after(() => agent.destroy());
  const rec = new Recorder();
  const res = await send(server.url('/ok'), { agent, rec, req: 1 });
  assert.equal(res.body, 'ok\n');
  assert.equal(rec.summary(), HTTP);
  assert.deepEqual(rec.hooks('GetConn')[0]?.args, { hostPort: `localhost:${proxy.port}` });
  assert.equal(rec.hooks('ConnectDone')[0]?.args.addr, `127.0.0.1:${proxy.port}`);
  assert.equal(rec.hooks('GotConn')[0]?.args.remotePort, proxy.port);
  assert.deepEqual(proxy.requests.map((r) => [r.method, r.url]), [['GET', server.url('/ok')]]);
  const host = rec.hooks('WroteHeaderField').find((l) => l.args.key === 'Host');
  assert.deepEqual(host?.args.values, [`localhost:${server.port}`], 'Host is the target');
  // The pool is the proxy's: another target through the same proxy reuses the connection (Go: same).
  const other = await startTestServer(t);
  await send(other.url('/ok'), { agent, rec, req: 2 });
  assert.equal(rec.hooks('GotConn', 2)[0]?.args.reused, true);
  assert.equal(proxy.connections, 1);
});

test('node, proxy-https: a CONNECT tunnel, then TLS with the target', async (t) => {
  const server = await startTestServer(t, { tls: true });
  const proxy = await startProxyServer(t);
  const agent = new TracingHttpsAgent({ keepAlive: true, lookup, ca, proxy: `http://localhost:${proxy.port}` });
  t.after(() => agent.destroy());
  const rec = new Recorder();
  await send(server.url('/ok'), { agent, rec, req: 1 });
  await send(server.url('/ok'), { agent, rec, req: 2 });
  assert.equal(rec.summary(), `1: ${HTTPS} ‖ 2: ${HTTPS.replace(/GetConn .* GotConn\(new\)/, 'GetConn GotConn(reused,idle)')}`);
  assert.deepEqual(rec.hooks('GetConn')[0]?.args, { hostPort: `localhost:${proxy.port}` });
  assert.equal((rec.hooks('TLSHandshakeDone')[0]?.args.state as { serverName: string }).serverName, 'localhost');
  assert.deepEqual(proxy.requests.map((r) => [r.method, r.url]), [['CONNECT', `localhost:${server.port}`]]);
});

test('node: proxy credentials become Proxy-Authorization, for absolute form and CONNECT', async (t) => {
  const server = await startTestServer(t);
  const tls = await startTestServer(t, { tls: true });
  const proxy = await startProxyServer(t, { auth: { user: 'u@x', password: 'p:w' } });
  const url = `http://${encodeURIComponent('u@x')}:${encodeURIComponent('p:w')}@localhost:${proxy.port}`;
  const agent = new TracingAgent({ lookup, proxy: url });
  const tlsAgent = new TracingHttpsAgent({ lookup, ca, proxy: url });
  t.after(() => { agent.destroy(); tlsAgent.destroy(); });
  const rec = new Recorder();
  assert.equal((await send(server.url('/ok'), { agent, rec, req: 1 })).body, 'ok\n');
  assert.equal((await send(tls.url('/ok'), { agent: tlsAgent, rec, req: 2 })).body, 'ok\n');
  const expected = proxyAuthorization('u@x', 'p:w');
  for (const r of proxy.requests) {
    const i = r.rawHeaders.findIndex((h) => h.toLowerCase() === 'proxy-authorization');
    assert.equal(r.rawHeaders[i + 1], expected, r.method);
  }
  assert.equal(server.requests[0]?.rawHeaders.some((h) => h.toLowerCase() === 'proxy-authorization'), false);
});

test('a proxy refusing CONNECT (407, 502): a clear error naming the proxy and its status', async (t) => {
  const tls = await startTestServer(t, { tls: true });
  for (const [options, status] of [[{ auth: { user: 'u', password: 'p' } }, 407], [{ refuseConnect: 502 }, 502]] as const) {
    const proxy = await startProxyServer(t, options);
    const agent = new TracingHttpsAgent({ lookup, ca, proxy: `http://localhost:${proxy.port}` });
    t.after(() => agent.destroy());
    const rec = new Recorder();
    const res = await send(tls.url('/ok'), { agent, rec, req: 1 });
    const err = res.error as Error & { code?: string; status?: number };
    assert.equal(err.code, 'ERR_HTTPTRACE_PROXY_CONNECT_FAILED');
    assert.equal(err.status, status);
    assert.match(err.message, new RegExp(`proxy http://localhost:${proxy.port} refused CONNECT localhost:${tls.port}: ${status}`));
    assert.equal(rec.summary(), '[request] GetConn DNSStart DNSDone ConnectStart ConnectDone [response](err=other)');
  }
});

test('proxyFromEnvironment: NO_PROXY and loopback decide per target, through the agent', async (t) => {
  const server = await startTestServer(t);
  const proxy = await startProxyServer(t);
  const choose = proxyFromEnvironment({ HTTP_PROXY: `http://127.0.0.1:${proxy.port}`, NO_PROXY: 'skip.test' });
  const agent = new TracingAgent({ lookup: fakeLookup({ 'far.test': ['127.0.0.1'], 'skip.test': ['127.0.0.1'] }), proxy: choose });
  t.after(() => agent.destroy());
  const rec = new Recorder();
  await send(`http://far.test:${server.port}/ok`, { agent, rec, req: 1 });
  await send(`http://skip.test:${server.port}/ok`, { agent, rec, req: 2 });
  await send(`http://localhost:${server.port}/ok`, { agent, rec, req: 3 });
  assert.deepEqual(proxy.requests.map((r) => r.url), [`http://far.test:${server.port}/ok`]);
  assert.deepEqual(rec.hooks('GetConn').map((l) => l.args.hostPort), [`127.0.0.1:${proxy.port}`, `skip.test:${server.port}`, `localhost:${server.port}`]);
});

for (const target of ['http', 'https'] as const) {
  test(`undici fetch, proxy-${target}: the same sequence as Go, no hook for CONNECT`, async (t) => {
    const server = await startTestServer(t, { tls: target === 'https' });
    const proxy = await startProxyServer(t);
    const dispatcher = await createTracingDispatcher({ connect: { lookup, ca }, proxy: `http://localhost:${proxy.port}` });
    t.after(() => dispatcher.destroy());
    const rec = new Recorder();
    rec.mark('request', 1);
    const res = await fetch(server.url('/ok'), { dispatcher: withDispatcherContext(dispatcher, withClientTrace(emptyContext, rec.trace(1))) } as RequestInit);
    rec.mark('response', 1, { status: res.status });
    assert.equal(await res.text(), 'ok\n');
    rec.mark('body', 1);
    const expected = (target === 'http' ? HTTP : HTTPS).replace(/WroteHeaderField×\d+/, 'WroteHeaderField×*').replace(' [response](200) PutIdleConn', ' PutIdleConn [response](200)');
    assert.equal(rec.summary().replace(/WroteHeaderField×\d+/, 'WroteHeaderField×*').replace(' [response](200) PutIdleConn', ' PutIdleConn [response](200)'), expected);
    assert.deepEqual(rec.hooks('GetConn')[0]?.args, { hostPort: `localhost:${proxy.port}` });
    assert.deepEqual(proxy.requests.map((r) => r.method), [target === 'http' ? 'GET' : 'CONNECT']);
  });
}

test('undici: a refused CONNECT fails fetch with the proxy error as its cause', async (t) => {
  const tls = await startTestServer(t, { tls: true });
  const proxy = await startProxyServer(t, { refuseConnect: 502 });
  const dispatcher = await createTracingDispatcher({ connect: { lookup, ca }, proxy: `http://localhost:${proxy.port}` });
  t.after(() => dispatcher.destroy());
  const err = await fetch(tls.url('/ok'), { dispatcher } as RequestInit).then(() => undefined, (e: Error & { cause?: Error & { code?: string } }) => e);
  assert.equal(err?.cause?.code, 'ERR_HTTPTRACE_PROXY_CONNECT_FAILED');
  assert.equal(errorClass(err?.cause), 'other');
  assert.match(String(err?.cause?.message), /refused CONNECT .*: 502/);
});
