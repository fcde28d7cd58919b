/**
 * The node adapter reads two private fields of Node's http client (src/node/private-fields.ts).
 * These tests fail loudly if a Node release renames or reshapes them.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { once } from 'node:events';
import http from 'node:http';
import type { Socket } from 'node:net';
import { requestHeaderBlock, socketRequest } from '../src/node/private-fields.js';
import { startTestServer } from './helpers/test-server.js';

test('req._header is the exact header block once built, null before', async (t) => {
  const server = await startTestServer(t);
  const agent = new http.Agent({ keepAlive: true });
  t.after(() => agent.destroy());
  const req = http.request(`${server.ipOrigin}/echo`, { agent, method: 'POST', headers: { 'X-B': '2', 'x-a': '1' } });
  assert.equal(requestHeaderBlock(req), null, 'not built before the first write');
  req.end('body');
  const block = requestHeaderBlock(req);
  assert.equal(
    block,
    `POST /echo HTTP/1.1\r\nX-B: 2\r\nx-a: 1\r\nHost: 127.0.0.1:${server.port}\r\nConnection: keep-alive\r\nContent-Length: 4\r\n\r\n`,
  );
  const [res] = (await once(req, 'response')) as [http.IncomingMessage];
  let body = '';
  for await (const chunk of res) body += String(chunk);
  const echoed = JSON.parse(body) as { rawHeaders: string[] };
  assert.deepEqual(echoed.rawHeaders.filter((_, i) => i % 2 === 0), ['X-B', 'x-a', 'Host', 'Connection', 'Content-Length']);
});

test('socket._httpMessage is the request a socket serves, null once pooled', async (t) => {
  const server = await startTestServer(t);
  const agent = new http.Agent({ keepAlive: true });
  t.after(() => agent.destroy());
  const req = http.get(`${server.ipOrigin}/ok`, { agent });
  const [socket] = (await once(req, 'socket')) as [Socket];
  assert.equal(socketRequest(socket), req);
  const [res] = (await once(req, 'response')) as [http.IncomingMessage];
  res.resume();
  await once(agent, 'free');
  assert.equal(socketRequest(socket), null);
  assert.ok(Object.values(agent.freeSockets).flat().includes(socket));
});

test("Node's client listens on 'close' with socketCloseListener and checks socket._hadError (stale retry)", async (t) => {
  const server = await startTestServer(t);
  const agent = new http.Agent({ keepAlive: true });
  t.after(() => agent.destroy());
  const req = http.get(`${server.ipOrigin}/ok`, { agent });
  const [socket] = (await once(req, 'socket')) as [Socket];
  assert.ok(socket.listeners('close').some((fn) => fn.name === 'socketCloseListener'));
  assert.equal((socket as unknown as { _hadError: unknown })._hadError, false);
  const [res] = (await once(req, 'response')) as [http.IncomingMessage];
  res.resume();
  await once(res, 'end');
});
