/** gotConn's reuse facts and putIdleConn's verdicts, from the agent's pool. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { once } from 'node:events';
import http from 'node:http';
import { TracingAgent } from '../src/node/index.js';
import { Recorder } from './helpers/recorder.js';
import { send } from './helpers/send.js';
import { startTestServer } from './helpers/test-server.js';

test('a socket handed straight to a queued request: reused, not idle (req.reusedSocket says false)', async (t) => {
  const server = await startTestServer(t);
  const agent = new TracingAgent({ keepAlive: true, maxSockets: 1 });
  t.after(() => agent.destroy());
  const rec = new Recorder();
  const [a, b] = await Promise.all([
    send(`${server.ipOrigin}/ok`, { agent, rec, req: 1 }),
    send(`${server.ipOrigin}/ok`, { agent, rec, req: 2 }),
  ]);
  assert.equal(a.body, 'ok\n');
  assert.equal(b.body, 'ok\n');
  assert.equal(server.connections, 1);
  assert.deepEqual(rec.hooks('GotConn').map((l) => [l.req, l.args.reused, l.args.wasIdle, l.args.idleTime]), [
    [1, false, false, 0],
    [2, true, false, 0],
  ]);
  assert.equal((b.res as unknown as { req: { reusedSocket: boolean } }).req.reusedSocket, false, "Node's own flag misses this case");
  assert.deepEqual(rec.hooks('PutIdleConn').map((l) => [l.req, l.args.err]), [[1, null], [2, null]]);
  // GetConn fires for the queued request before it waits for the slot.
  assert.deepEqual(rec.lines.filter((l) => l.hook === 'GetConn').map((l) => l.req), [1, 2]);
  assert.ok(rec.lines.findIndex((l) => l.hook === 'GetConn' && l.req === 2) < rec.lines.findIndex((l) => l.hook === 'GotConn'));
});

test('idleTime: how long the connection sat in the pool', async (t) => {
  const server = await startTestServer(t);
  const agent = new TracingAgent({ keepAlive: true });
  t.after(() => agent.destroy());
  const rec = new Recorder();
  await send(`${server.ipOrigin}/ok`, { agent, rec, req: 1 });
  await sleep(50);
  await send(`${server.ipOrigin}/ok`, { agent, rec, req: 2 });
  const idle = rec.hooks('GotConn', 2)[0]?.args.idleTime as number;
  assert.ok(idle >= 45 && idle < 150, `idleTime ${idle} ms after a 50 ms pause`);
  assert.notEqual(Math.round(idle), idle, 'milliseconds with fractions');
});

test('putIdleConn(err) when the pool refuses the connection (maxFreeSockets)', async (t) => {
  const server = await startTestServer(t);
  const agent = new TracingAgent({ keepAlive: true, maxFreeSockets: 1 });
  t.after(() => agent.destroy());
  const rec = new Recorder();
  await Promise.all([1, 2].map((n) => send(`${server.ipOrigin}/ok`, { agent, rec, req: n })));
  const puts = rec.hooks('PutIdleConn').map((l) => l.args.error as (Error & { code?: string }) | null);
  assert.equal(puts.length, 2);
  assert.equal(puts[0], null);
  assert.equal(puts[1]?.code, 'ERR_HTTPTRACE_PUT_IDLE_REFUSED');
  assert.match(puts[1]!.message, /too many idle connections for host \(maxFreeSockets\)/);
  assert.equal(Object.values(agent.freeSockets).flat().length, 1);
});

test('putIdleConn(err) when keepSocketAlive() refuses (a subclass says no)', async (t) => {
  const server = await startTestServer(t);
  class Picky extends TracingAgent {
    override keepSocketAlive(): boolean {
      return false;
    }
  }
  const agent = new Picky({ keepAlive: true });
  t.after(() => agent.destroy());
  const rec = new Recorder();
  await send(`${server.ipOrigin}/ok`, { agent, rec, req: 1 });
  const err = rec.hooks('PutIdleConn')[0]?.args.error as Error;
  assert.match(err.message, /keepSocketAlive\(\) refused the connection/);
});

test('no putIdleConn for a response body left unread (Go: unread-body)', async (t) => {
  const server = await startTestServer(t);
  const agent = new TracingAgent({ keepAlive: true });
  t.after(() => agent.destroy());
  const rec = new Recorder();
  await send(`${server.ipOrigin}/big`, { agent, rec, req: 1, discardBody: true });
  await send(`${server.ipOrigin}/ok`, { agent, rec, req: 2 });
  assert.equal(
    rec.summary(),
    '1: [request] GetConn ConnectStart ConnectDone GotConn(new) WroteHeaderField×3 WroteHeaders WroteRequest GotFirstResponseByte [response](200) [bodyClosed] ‖ ' +
      '2: [request] GetConn ConnectStart ConnectDone GotConn(new) WroteHeaderField×3 WroteHeaders WroteRequest GotFirstResponseByte [response](200) PutIdleConn [body]',
  );
});

test('stale-reuse without the retry: the request fails as with Node, after GotConn(reused,idle)', async (t) => {
  const server = await startTestServer(t);
  const agent = new TracingAgent({ keepAlive: true, retryOnStaleConnection: false });
  t.after(() => agent.destroy());
  const rec = new Recorder();
  await send(`${server.ipOrigin}/stale`, { agent, rec, req: 1 });
  const second = await send(`${server.ipOrigin}/stale`, { agent, rec, req: 2 });
  assert.equal((second.error as NodeJS.ErrnoException).code, 'ECONNRESET');
  assert.equal(
    rec.summary().split(' ‖ ')[1],
    '2: [request] GetConn GotConn(reused,idle) WroteHeaderField×3 WroteHeaders WroteRequest [response](err=closed)',
  );
});

test('a socket pooled before the agent carried any traced request: reused and idle, idle time not measured', async (t) => {
  const server = await startTestServer(t);
  const agent = new TracingAgent({ keepAlive: true });
  t.after(() => agent.destroy());
  const freed = once(agent, 'free');
  http.get(`${server.ipOrigin}/ok`, { agent }, (res) => res.resume());
  await freed;
  const rec = new Recorder();
  await send(`${server.ipOrigin}/ok`, { agent, rec, req: 1 });
  assert.deepEqual(
    [rec.hooks('GotConn')[0]?.args.reused, rec.hooks('GotConn')[0]?.args.wasIdle, rec.hooks('GotConn')[0]?.args.idleTime],
    [true, true, undefined],
  );
  assert.equal(server.connections, 1);
});
