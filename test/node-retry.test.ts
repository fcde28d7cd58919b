/** Go's retry of a replayable request that died on a stale keep-alive connection (node adapter). */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import { runWithContext, withClientTrace, emptyContext } from '../src/index.js';
import { TracingAgent } from '../src/node/index.js';
import { Recorder } from './helpers/recorder.js';
import { send } from './helpers/send.js';
import { startIdleClosingServer, startTestServer } from './helpers/test-server.js';
import { fakeLookup } from './helpers/fake-dns.js';

const lookup = fakeLookup({ localhost: ['127.0.0.1'] });

test('stale-reuse-retry: the failed attempt, then GetConn and a fresh dial, as Go', async (t) => {
  const server = await startTestServer(t);
  const agent = new TracingAgent({ keepAlive: true, lookup });
  t.after(() => agent.destroy());
  const rec = new Recorder();
  await send(server.url('/ok'), { agent, rec, req: 1 });
  const res = await send(server.url('/stale'), { agent, rec, req: 2 });
  assert.equal(res.body, 'ok\n');
  // Go's expected/stale-reuse-retry.jsonl, with Node's extra Connection header on each attempt.
  assert.equal(
    rec.summary(),
    '1: [request] GetConn DNSStart DNSDone ConnectStart ConnectDone GotConn(new) WroteHeaderField×3 WroteHeaders WroteRequest GotFirstResponseByte [response](200) PutIdleConn [body] ‖ ' +
      '2: [request] GetConn GotConn(reused,idle) WroteHeaderField×3 WroteHeaders WroteRequest GetConn DNSStart DNSDone ConnectStart ConnectDone GotConn(new) WroteHeaderField×3 WroteHeaders WroteRequest GotFirstResponseByte [response](200) PutIdleConn [body]',
  );
  assert.deepEqual(server.requests.map((r) => [r.url, r.socketRequestIndex]), [['/ok', 1], ['/stale', 2], ['/stale', 1]]);
});

test('the retry keeps the trace of a request traced through the async context', async (t) => {
  const server = await startTestServer(t);
  const agent = new TracingAgent({ keepAlive: true });
  t.after(() => agent.destroy());
  const getConns: string[] = [];
  const ctx = withClientTrace(emptyContext, { getConn: (hp) => void getConns.push(hp) });
  const get = (path: string) =>
    new Promise<string>((resolve, reject) => {
      http.get(`${server.ipOrigin}${path}`, { agent }, (res) => {
        let body = '';
        res.on('data', (c) => (body += String(c))).on('end', () => resolve(body));
      }).on('error', reject);
    });
  await runWithContext(ctx, async () => {
    await get('/ok');
    assert.equal(await get('/stale'), 'ok\n');
  });
  assert.equal(getConns.length, 3, 'GetConn for /ok, for the failed attempt and for the retry');
});

test('a POST with a body is never sent twice; an idempotent POST without body is retried', async (t) => {
  const server = await startTestServer(t);
  const agent = new TracingAgent({ keepAlive: true });
  t.after(() => agent.destroy());
  const rec = new Recorder();
  await send(`${server.ipOrigin}/ok`, { agent, rec, req: 1 });
  const post = await send(`${server.ipOrigin}/stale`, { agent, rec, req: 2, method: 'POST', body: 'not replayable' });
  assert.equal((post.error as NodeJS.ErrnoException).code, 'ECONNRESET');
  assert.equal(server.requests.filter((r) => r.method === 'POST').length, 1);
  await send(`${server.ipOrigin}/ok`, { agent, rec, req: 3 });
  const keyed = await send(`${server.ipOrigin}/stale`, { agent, rec, req: 4, method: 'POST', headers: { 'Idempotency-Key': 'k1' } });
  assert.equal(keyed.body, 'ok\n');
  assert.equal(server.requests.filter((r) => r.method === 'POST').length, 3, 'the keyed POST went twice');
  const getWithBody = await send(`${server.ipOrigin}/ok`, { agent, rec, req: 5 });
  assert.equal(getWithBody.body, 'ok\n');
  const failed = await send(`${server.ipOrigin}/stale`, { agent, rec, req: 6, method: 'GET', body: 'x' });
  const seen = JSON.stringify(server.requests.map((r) => [r.method, r.url, r.socketRequestIndex]));
  assert.equal((failed.error as NodeJS.ErrnoException | undefined)?.code, 'ECONNRESET', `a GET with a body is not replayable: ${seen} ${rec.summary()}`);
});

test('retryOnStaleConnection: false keeps Node behaviour; a bad value is a TypeError', async (t) => {
  const server = await startTestServer(t);
  const agent = new TracingAgent({ keepAlive: true, retryOnStaleConnection: false });
  t.after(() => agent.destroy());
  const rec = new Recorder();
  await send(`${server.ipOrigin}/ok`, { agent, rec, req: 1 });
  const res = await send(`${server.ipOrigin}/stale`, { agent, rec, req: 2 });
  assert.equal((res.error as NodeJS.ErrnoException).code, 'ECONNRESET');
  assert.throws(() => new TracingAgent({ retryOnStaleConnection: 'yes' as never }), {
    code: 'ERR_HTTPTRACE_INVALID_OPTION',
    message: /retryOnStaleConnection must be a boolean/,
  });
});

test('race: 2,000 sequential GETs against a server that closes connections as they are reused', async (t) => {
  let n = 0;
  // Closes every connection right after its response, at varying moments: the client's next
  // request often takes the connection from the pool before the FIN arrives.
  const server = http.createServer((req, res) => {
    const k = n++;
    res.on('finish', () => {
      const socket = req.socket;
      if (k % 3 === 0) socket.destroy();
      else if (k % 3 === 1) setImmediate(() => socket.destroy());
      else setTimeout(() => socket.destroy(), 1);
    });
    res.end('ok');
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  t.after(() => server.close());
  const { port } = server.address() as AddressInfo;
  const run = async (agent: http.Agent): Promise<number> => {
    let failures = 0;
    for (let i = 0; i < 2000; i++) {
      await new Promise<void>((resolve) => {
        http
          .get({ host: '127.0.0.1', port, agent }, (res) => res.resume().on('end', resolve))
          .on('error', () => {
            failures++;
            resolve();
          });
      });
    }
    agent.destroy();
    return failures;
  };
  const plain = await run(new http.Agent({ keepAlive: true }));
  const tracing = await run(new TracingAgent({ keepAlive: true }));
  t.diagnostic(`failed requests: http.Agent ${plain}, TracingAgent ${tracing}`);
  assert.ok(plain > 0, 'the server races the reuse (http.Agent fails some requests)');
  assert.equal(tracing, 0);
});

test('idle-close-retry: a connection the server closed while idle leaves the pool; the next request dials (no retry)', async (t) => {
  const { port } = await startIdleClosingServer(t);
  const agent = new TracingAgent({ keepAlive: true, lookup });
  t.after(() => agent.destroy());
  const rec = new Recorder();
  await send(`http://localhost:${port}/idle-close`, { agent, rec, req: 1 });
  rec.mark('sleep', 0, { ms: 300 });
  await new Promise((resolve) => setTimeout(resolve, 300)); // the scenario's own pause, as Go's harness
  await send(`http://localhost:${port}/idle-close`, { agent, rec, req: 2 });
  const one = '[request] GetConn DNSStart DNSDone ConnectStart ConnectDone GotConn(new) WroteHeaderField×3 WroteHeaders WroteRequest GotFirstResponseByte [response](200) PutIdleConn [body]';
  assert.equal(rec.summary(), `1: ${one} ‖ [sleep] ‖ 2: ${one}`);
});
