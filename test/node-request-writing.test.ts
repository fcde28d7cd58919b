/** wroteHeaderField / wroteHeaders / wait100Continue / wroteRequest: what was written, when. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { once } from 'node:events';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { emptyContext, withClientTrace } from '../src/index.js';
import { TracingAgent } from '../src/node/index.js';
import { Recorder } from './helpers/recorder.js';
import { send } from './helpers/send.js';
import { startTestServer } from './helpers/test-server.js';

async function readBody(res: http.IncomingMessage): Promise<string> {
  let body = '';
  for await (const chunk of res) body += String(chunk);
  return body;
}

test('a streamed body: headers are reported when the first write sends them, chunked encoding included', async (t) => {
  const server = await startTestServer(t);
  const agent = new TracingAgent({ keepAlive: true });
  t.after(() => agent.destroy());
  const rec = new Recorder();
  const req = http.request(`${server.ipOrigin}/echo`, {
    agent,
    method: 'POST',
    auth: 'user:secret',
    headers: { 'X-Multi': ['a', 'b'], 'x-single': '1' },
    traceContext: withClientTrace(emptyContext, rec.trace(1)),
  });
  await once(req, 'socket');
  await once(req.socket!, 'connect');
  rec.mark('write', 1);
  req.write('hello ');
  rec.mark('ended', 1);
  req.end('world');
  const [res] = (await once(req, 'response')) as [http.IncomingMessage];
  const echoed = JSON.parse(await readBody(res)) as { body: string };
  assert.equal(echoed.body, 'hello world');
  assert.equal(
    rec.summary(),
    'GetConn ConnectStart ConnectDone GotConn(new) [write] WroteHeaderField×6 WroteHeaders [ended] WroteRequest GotFirstResponseByte PutIdleConn',
  );
  assert.deepEqual(rec.hooks('WroteHeaderField').map((l) => [l.args.key, l.args.values]), [
    ['X-Multi', ['a', 'b']],
    ['x-single', ['1']],
    ['Host', [`127.0.0.1:${server.port}`]],
    ['Authorization', ['Basic dXNlcjpzZWNyZXQ=']],
    ['Connection', ['keep-alive']],
    ['Transfer-Encoding', ['chunked']],
  ]);
  assert.equal(Object.hasOwn(req, 'write'), false, 'the header watch is removed once headers are out');
});

test('flushHeaders() sends the headers of a request whose body comes later', async (t) => {
  const server = await startTestServer(t);
  const agent = new TracingAgent({ keepAlive: true });
  t.after(() => agent.destroy());
  const rec = new Recorder();
  const req = http.request(`${server.ipOrigin}/echo`, {
    agent, method: 'PUT', headers: { 'Content-Length': '2' }, traceContext: withClientTrace(emptyContext, rec.trace(1)),
  });
  await once(req.once('socket', () => undefined), 'socket');
  await once(req.socket!, 'connect');
  req.flushHeaders();
  rec.mark('flushed', 1);
  req.end('hi');
  const [res] = (await once(req, 'response')) as [http.IncomingMessage];
  await readBody(res);
  assert.match(rec.summary(), /GotConn\(new\) WroteHeaderField×3 WroteHeaders \[flushed\] WroteRequest/);
});

test('Expect: 100-continue with a server that never answers 100: the body goes after expectContinueTimeout', async (t) => {
  const server = await startTestServer(t);
  const agent = new TracingAgent({ keepAlive: true, expectContinueTimeout: 100 });
  t.after(() => agent.destroy());
  const rec = new Recorder();
  const times: Record<string, number> = {};
  const trace = withClientTrace(withClientTrace(emptyContext, rec.trace(1)), {
    wait100Continue: () => void (times.wait = performance.now()),
    wroteRequest: () => void (times.wrote = performance.now()),
  });
  const res = await send(`${server.ipOrigin}/continue?never=1`, {
    agent, rec, req: 1, method: 'POST', body: 'hello world', context: trace,
    headers: { Expect: '100-continue', 'Content-Length': '11' },
  });
  assert.equal(res.body, 'got 11 bytes\n');
  const waited = times.wrote! - times.wait!;
  assert.ok(waited >= 95 && waited < 250, `body held ${waited} ms for a 100 ms timeout`);
  assert.equal(rec.hooks('Got100Continue').length, 0);
  assert.match(rec.summary(), /WroteHeaders Wait100Continue WroteRequest GotFirstResponseByte \[response\]\(200\)/);
});

test('Expect: 100-continue with expectContinueTimeout 0: Node sends the body at once, Wait100Continue still fires', async (t) => {
  const server = await startTestServer(t);
  const agent = new TracingAgent({ keepAlive: true, expectContinueTimeout: 0 });
  t.after(() => agent.destroy());
  const rec = new Recorder();
  const res = await send(`${server.ipOrigin}/continue?delay=200`, {
    agent, rec, req: 1, method: 'POST', body: 'hello world', headers: { Expect: '100-continue', 'Content-Length': '11' },
  });
  assert.equal(res.body, 'got 11 bytes\n');
  // The body went out with the headers: WroteRequest precedes the (delayed) 100.
  assert.match(rec.summary(), /WroteHeaders Wait100Continue WroteRequest GotFirstResponseByte Got100Continue Got1xxResponse\(100\)/);
});

test('Expect: 100-continue is held for untraced requests too: tracing does not change what is sent', async (t) => {
  const server = await startTestServer(t);
  const agent = new TracingAgent({ keepAlive: true });
  t.after(() => agent.destroy());
  const req = http.request(`${server.ipOrigin}/continue?delay=50`, {
    agent, method: 'POST', headers: { Expect: '100-continue', 'Content-Length': '11' },
  });
  const order: string[] = [];
  req.on('continue', () => order.push('continue'));
  req.end('hello world', () => order.push('body written'));
  const [res] = (await once(req, 'response')) as [http.IncomingMessage];
  assert.equal(await readBody(res), 'got 11 bytes\n');
  assert.deepEqual(order, ['continue', 'body written']);
});

test('wroteRequest({err}) when the connection fails while the body is being written', async (t) => {
  const server = http.createServer((req) => req.socket.destroy()).listen(0, '127.0.0.1');
  t.after(() => server.close());
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  const agent = new TracingAgent({ keepAlive: true });
  t.after(() => agent.destroy());
  const rec = new Recorder();
  const req = http.request(`http://127.0.0.1:${port}/`, {
    agent, method: 'POST', traceContext: withClientTrace(emptyContext, rec.trace(1)),
  });
  req.write('part one');
  const [err] = (await once(req, 'error')) as [NodeJS.ErrnoException];
  assert.equal(err.code, 'ECONNRESET');
  const wrote = rec.hooks('WroteRequest');
  assert.equal(wrote.length, 1);
  assert.equal(wrote[0]?.args.error, err);
  assert.match(rec.summary(), /GotConn\(new\) WroteHeaderField×3 WroteHeaders WroteRequest\(err=closed\)$/);
});

test('an unhandled request error still crashes the process, as without the agent', async (t) => {
  const server = await startTestServer(t);
  const root = fileURLToPath(new URL('../src/', import.meta.url));
  const script = `
    import http from 'node:http';
    import { withClientTrace, emptyContext } from ${JSON.stringify(root + 'index.js')};
    import { TracingAgent } from ${JSON.stringify(root + 'node/index.js')};
    const agent = new TracingAgent();
    http.get(${JSON.stringify(server.ipOrigin + '/drop')}, { agent, traceContext: withClientTrace(emptyContext, { wroteRequest() {} }) });
  `;
  const child = spawn(process.execPath, ['--input-type=module', '-e', script], { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (chunk) => (stderr += String(chunk)));
  const [code] = (await once(child, 'exit')) as [number];
  assert.equal(code, 1);
  assert.match(stderr, /socket hang up/);
  assert.match(stderr, /ECONNRESET/);
});
