/** A throwing hook never breaks the request or the pool; got1xxResponse's error aborts the request. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { once } from 'node:events';
import http from 'node:http';
import { emptyContext, goHookNames, withClientTrace, type ClientTrace, type HookName } from '../src/index.js';
import { TracingAgent, TracingHttpsAgent } from '../src/node/index.js';
import { Recorder } from './helpers/recorder.js';
import { send } from './helpers/send.js';
import { startTestServer } from './helpers/test-server.js';
import { fakeLookup } from './helpers/fake-dns.js';
import { ca } from './helpers/tls-fixture.js';

const lookup = fakeLookup({ localhost: ['127.0.0.1'] });

function throwingTrace(fired: Set<HookName>): ClientTrace {
  const trace: Record<string, unknown> = {};
  for (const hook of goHookNames) {
    if (hook === 'got1xxResponse') continue;
    trace[hook] = () => {
      fired.add(hook);
      throw new Error(`boom in ${hook}`);
    };
  }
  return trace as ClientTrace;
}

test('every hook throwing: requests succeed, the pool still reuses, onHookError hears each', async (t) => {
  const server = await startTestServer(t, { tls: true });
  const agent = new TracingHttpsAgent({ keepAlive: true, lookup, ca });
  t.after(() => agent.destroy());
  const fired = new Set<HookName>();
  const reported: string[] = [];
  const onHookError = (err: Error, hook: HookName): void => void reported.push(`${hook}: ${err.message}`);
  const rec = new Recorder();
  // The recorder's trace is older, so it runs after the throwing hooks: it must still see everything.
  for (const n of [1, 2, 3]) {
    const context = withClientTrace(withClientTrace(emptyContext, rec.trace(n)), throwingTrace(fired), { onHookError });
    const res = await send(server.url('/ok'), { agent, rec, req: n, context });
    assert.equal(res.body, 'ok\n');
  }
  assert.equal(server.connections, 1, 'the connection was reused');
  assert.equal(rec.hooks('GotConn', 3)[0]?.args.reused, true);
  for (const hook of ['getConn', 'dnsStart', 'dnsDone', 'connectStart', 'connectDone', 'tlsHandshakeStart', 'tlsHandshakeDone', 'gotConn', 'wroteHeaderField', 'wroteHeaders', 'wroteRequest', 'gotFirstResponseByte', 'putIdleConn'] as const) {
    assert.ok(fired.has(hook), `${hook} fired`);
    assert.ok(reported.includes(`${hook}: boom in ${hook}`), `${hook} reported`);
  }
});

test('by default a throwing hook becomes a process warning with code HTTPTRACE_HOOK_ERROR', async (t) => {
  const server = await startTestServer(t);
  const agent = new TracingAgent({ keepAlive: true });
  t.after(() => agent.destroy());
  const warning = once(process, 'warning');
  const ctx = withClientTrace(emptyContext, { getConn: () => { throw new Error('bad hook'); } });
  const status = await new Promise<number | undefined>((resolve) =>
    http.get(`${server.ipOrigin}/ok`, { agent, traceContext: ctx }, (res) => { res.resume(); resolve(res.statusCode); }),
  );
  assert.equal(status, 200);
  const [w] = (await warning) as [Error & { code?: string }];
  assert.equal(w.code, 'HTTPTRACE_HOOK_ERROR');
  assert.match(w.message, /getConn hook threw: bad hook/);
});

test('an onHookError that throws itself is turned into a warning, the request goes on', async (t) => {
  const server = await startTestServer(t);
  const agent = new TracingAgent({ keepAlive: true });
  t.after(() => agent.destroy());
  const warning = once(process, 'warning');
  const ctx = withClientTrace(emptyContext, { wroteHeaders: () => { throw new Error('a'); } }, {
    onHookError: () => { throw new Error('handler broke'); },
  });
  const status = await new Promise<number | undefined>((resolve) =>
    http.get(`${server.ipOrigin}/ok`, { agent, traceContext: ctx }, (res) => { res.resume(); resolve(res.statusCode); }),
  );
  assert.equal(status, 200);
  const [w] = (await warning) as [Error & { code?: string }];
  assert.match(w.message, /handler broke/);
});

for (const how of ['returns', 'throws'] as const) {
  test(`got1xxResponse ${how} an Error: the request fails with it, the connection is not reused`, async (t) => {
    const server = await startTestServer(t);
    const agent = new TracingAgent({ keepAlive: true, lookup });
    t.after(() => agent.destroy());
    const reason = new Error('no hints, thanks');
    const rec = new Recorder();
    const abort = withClientTrace(withClientTrace(emptyContext, rec.trace(1)), {
      got1xxResponse: (code) => {
        if (code !== 103) return;
        if (how === 'throws') throw reason;
        return reason;
      },
    });
    const res = await send(server.url('/early-hints'), { agent, rec, req: 1, context: abort });
    assert.equal(res.error, reason);
    assert.equal(
      rec.summary(),
      '[request] GetConn DNSStart DNSDone ConnectStart ConnectDone GotConn(new) WroteHeaderField×3 WroteHeaders WroteRequest GotFirstResponseByte Got1xxResponse(103) [response](err=other)',
    );
    const next = await send(server.url('/ok'), { agent, rec, req: 2 });
    assert.equal(next.body, 'ok\n');
    assert.equal(rec.hooks('GotConn', 2)[0]?.args.reused, false);
    assert.equal(server.connections, 2);
  });
}

test('got1xxResponse sees every 1xx: 102, then two 103s, in order', async (t) => {
  const server = await startTestServer(t);
  const agent = new TracingAgent({ keepAlive: true, lookup });
  t.after(() => agent.destroy());
  const rec = new Recorder();
  const res = await send(server.url('/hints-multi'), { agent, rec, req: 1 });
  assert.equal(res.status, 200);
  assert.deepEqual(rec.hooks('Got1xxResponse').map((l) => l.args.code), [102, 103, 103]);
  assert.equal(rec.hooks('Got100Continue').length, 0);
  assert.equal(rec.hooks('GotFirstResponseByte').length, 1);
});
