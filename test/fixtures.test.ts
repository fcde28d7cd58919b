// Self-tests for the test fixtures and helpers (TLS material, scenario server,
// fake DNS, port helpers), so failures elsewhere can't be blamed on them.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { once } from 'node:events';
import http from 'node:http';
import https from 'node:https';
import net from 'node:net';
import { X509Certificate, createPrivateKey } from 'node:crypto';
import type { IncomingMessage, InformationEvent } from 'node:http';
import type { LookupAddress } from 'node:dns';
import { ca, cert, key } from './helpers/tls-fixture.js';
import { startTestServer } from './helpers/test-server.js';
import { fakeLookup } from './helpers/fake-dns.js';
import { closedPort, ipv6Available } from './helpers/ports.js';

/** Reads a response body as utf8. */
async function text(res: IncomingMessage): Promise<string> {
  res.setEncoding('utf8');
  let s = '';
  for await (const chunk of res) s += chunk as string;
  return s;
}

/** Sends a request and waits for its response. */
async function get(url: string, options: http.RequestOptions = {}): Promise<IncomingMessage> {
  const req = http.get(url, { agent: false, ...options });
  const [res] = (await once(req, 'response')) as [IncomingMessage];
  return res;
}

test('TLS fixtures: the CA signs a localhost/127.0.0.1/::1 certificate valid for a century', () => {
  const caCert = new X509Certificate(ca);
  const leaf = new X509Certificate(cert);
  assert.equal(caCert.ca, true);
  assert.match(caCert.subject, /CN=httptrace test CA/);
  assert.equal(leaf.ca, false);
  assert.equal(leaf.checkIssued(caCert), true);
  assert.equal(leaf.verify(caCert.publicKey), true);
  assert.equal(leaf.checkHost('localhost'), 'localhost');
  assert.equal(leaf.checkIP('127.0.0.1'), '127.0.0.1');
  assert.equal(leaf.checkIP('::1'), '::1');
  assert.equal(leaf.checkPrivateKey(createPrivateKey(key)), true);
  assert.ok(new Date(leaf.validTo).getUTCFullYear() >= 2100);
  assert.ok(new Date(caCert.validTo).getUTCFullYear() >= 2100);
});

test('http server answers /ok and records the request', async (t) => {
  const srv = await startTestServer(t);
  assert.equal(srv.origin, `http://localhost:${srv.port}`);
  assert.equal(srv.ipOrigin, `http://127.0.0.1:${srv.port}`);
  const res = await get(srv.url('/ok'));
  assert.equal(res.statusCode, 200);
  assert.equal(res.headers['content-length'], '3');
  assert.equal(await text(res), 'ok\n');
  assert.equal(srv.connections, 1);
  assert.equal(srv.requests.length, 1);
  const [r] = srv.requests;
  assert.equal(r?.method, 'GET');
  assert.equal(r?.url, '/ok');
  assert.equal(r?.socketRequestIndex, 1);
  assert.ok(r?.rawHeaders.includes('Host'));

  const missing = await get(srv.ipOrigin + '/nope');
  assert.equal(missing.statusCode, 404);
  await text(missing);
});

test('https server answers /ok with the fixture CA', async (t) => {
  const srv = await startTestServer(t, { tls: true });
  assert.equal(srv.origin, `https://localhost:${srv.port}`);
  for (const url of [srv.url('/ok'), srv.ipOrigin + '/ok']) {
    const req = https.get(url, { ca, agent: false });
    const [res] = (await once(req, 'response')) as [IncomingMessage];
    assert.equal(res.statusCode, 200);
    assert.equal(await text(res), 'ok\n');
  }
  assert.equal(srv.connections, 2);
});

test('https server is rejected without the fixture CA', async (t) => {
  const srv = await startTestServer(t, { tls: true });
  const req = https.get(srv.url('/ok'), { agent: false });
  const [err] = (await once(req, 'error')) as [NodeJS.ErrnoException];
  assert.equal(err.code, 'UNABLE_TO_VERIFY_LEAF_SIGNATURE');
});

test('/early-hints delivers a 103 information event before the 200', async (t) => {
  const srv = await startTestServer(t);
  const req = http.get(srv.url('/early-hints'), { agent: false });
  // Both listeners up front: the 103 and the 200 may be parsed in the same tick.
  const information = once(req, 'information');
  const response = once(req, 'response');
  const [info] = (await information) as [InformationEvent];
  assert.equal(info.statusCode, 103);
  assert.equal(info.headers.link, '</style.css>; rel=preload; as=style');
  const [res] = (await response) as [IncomingMessage];
  assert.equal(res.statusCode, 200);
  assert.equal(await text(res), 'ok\n');
});

test('/hints-multi delivers 102 then two 103s then 200', async (t) => {
  const srv = await startTestServer(t);
  const req = http.get(srv.url('/hints-multi'), { agent: false });
  const infos: InformationEvent[] = [];
  req.on('information', (i: InformationEvent) => infos.push(i));
  const [res] = (await once(req, 'response')) as [IncomingMessage];
  assert.deepEqual(infos.map((i) => i.statusCode), [102, 103, 103]);
  assert.notEqual(infos[1]?.headers.link, infos[2]?.headers.link);
  assert.equal(res.statusCode, 200);
  await text(res);
});

/** POSTs `body` with "Expect: 100-continue", writing the body on 'continue' (or at once if `eager`). */
async function expectContinue(url: string, body: string, eager = false): Promise<{ res: IncomingMessage; continued: boolean }> {
  const req = http.request(url, {
    method: 'POST',
    agent: false,
    headers: { Expect: '100-continue', 'Content-Length': Buffer.byteLength(body) },
  });
  let continued = false;
  req.on('continue', () => {
    continued = true;
    if (!eager) req.end(body);
  });
  if (eager) req.end(body);
  else req.flushHeaders();
  const [res] = (await once(req, 'response')) as [IncomingMessage];
  return { res, continued };
}

test('/continue sends 100 for Expect: 100-continue, then reads the body', async (t) => {
  const srv = await startTestServer(t);
  const { res, continued } = await expectContinue(srv.url('/continue'), 'hello');
  assert.equal(continued, true);
  assert.equal(res.statusCode, 200);
  assert.equal(await text(res), 'got 5 bytes\n');
  assert.equal(srv.requests[0]?.url, '/continue');
});

test('/continue?delay=MS and ?never=1', async (t) => {
  const srv = await startTestServer(t);
  const delayed = await expectContinue(srv.url('/continue?delay=20'), 'abc');
  assert.equal(delayed.continued, true);
  assert.equal(await text(delayed.res), 'got 3 bytes\n');

  const never = await expectContinue(srv.url('/continue?never=1'), 'abcd', true);
  assert.equal(never.continued, false);
  assert.equal(never.res.statusCode, 200);
  assert.equal(await text(never.res), 'got 4 bytes\n');
});

test('/reject-continue answers 417 + Connection: close without a 100', async (t) => {
  const srv = await startTestServer(t);
  const req = http.request(srv.url('/reject-continue'), {
    method: 'POST',
    agent: false,
    headers: { Expect: '100-continue', 'Content-Length': 5 },
  });
  let continued = false;
  req.on('continue', () => {
    continued = true;
  });
  req.flushHeaders();
  const [res] = (await once(req, 'response')) as [IncomingMessage];
  assert.equal(continued, false);
  assert.equal(res.statusCode, 417);
  assert.equal(res.headers.connection, 'close');
  await text(res);
  req.destroy();
});

test('/stale serves the first request on a keep-alive socket and drops the second', async (t) => {
  const srv = await startTestServer(t);
  const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
  t.after(() => agent.destroy());

  const first = await get(srv.url('/stale'), { agent });
  assert.equal(first.statusCode, 200);
  assert.equal(await text(first), 'ok\n');

  const req = http.get(srv.url('/stale'), { agent });
  const [err] = (await once(req, 'error')) as [NodeJS.ErrnoException];
  assert.equal(err.code, 'ECONNRESET');
  assert.equal(req.reusedSocket, true);
  assert.equal(srv.connections, 1);
  assert.deepEqual(srv.requests.map((r) => r.socketRequestIndex), [1, 2]);
});

test('/reset, /drop and /drop-mid-body break the connection', async (t) => {
  const srv = await startTestServer(t);
  for (const path of ['/reset', '/drop']) {
    const req = http.get(srv.url(path), { agent: false });
    const [err] = (await once(req, 'error')) as [NodeJS.ErrnoException];
    assert.equal(err.code, 'ECONNRESET', path);
  }
  let got = 0;
  let aborted: Promise<unknown[]> | undefined;
  const req = http.get(srv.url('/drop-mid-body'), { agent: false }, (res) => {
    aborted = once(res, 'error'); // the response is destroyed with 'aborted' (ECONNRESET)
    res.on('data', (c: Buffer) => {
      got += c.length;
    });
  });
  const [res] = (await once(req, 'response')) as [IncomingMessage];
  assert.equal(res.headers['content-length'], '100');
  const [abortErr] = (await aborted) as [NodeJS.ErrnoException];
  assert.equal(abortErr.code, 'ECONNRESET');
  assert.equal(abortErr.message, 'aborted');
  assert.equal(res.complete, false);
  assert.equal(got, 10);
});

test('/big, /empty, /redirect, /slow-body, /slow-headers, /close, /echo', async (t) => {
  const srv = await startTestServer(t);
  const big = await get(srv.url('/big'));
  assert.equal(big.headers['content-length'], String(1 << 20));
  assert.equal((await text(big)).length, 1 << 20);

  const empty = await get(srv.url('/empty'));
  assert.equal(empty.statusCode, 204);
  assert.equal(await text(empty), '');

  const redirect = await get(srv.url('/redirect'));
  assert.equal(redirect.statusCode, 302);
  assert.equal(redirect.headers.location, '/ok');
  await text(redirect);

  const slowBody = await get(srv.url('/slow-body?ms=30'));
  assert.equal(slowBody.statusCode, 200);
  assert.equal(await text(slowBody), 'ok\n');

  const slowHeaders = await get(srv.url('/slow-headers?ms=30'));
  assert.equal(await text(slowHeaders), 'ok\n');

  const close = await get(srv.url('/close'));
  assert.equal(close.headers.connection, 'close');
  await text(close);

  const req = http.request(srv.url('/echo?x=1'), { method: 'PUT', agent: false, headers: { 'X-Test': 'yes' } });
  req.end('héllo');
  const [echoRes] = (await once(req, 'response')) as [IncomingMessage];
  const echo = JSON.parse(await text(echoRes)) as { method: string; url: string; rawHeaders: string[]; body: string };
  assert.equal(echo.method, 'PUT');
  assert.equal(echo.url, '/echo?x=1');
  assert.equal(echo.body, 'héllo');
  assert.ok(echo.rawHeaders.includes('X-Test'));
});

test('keepAliveTimeout defaults to 5000 ms and can be overridden', async (t) => {
  // Only the setting and its Keep-Alive hint are checked: Node >= 20.20 really closes an
  // idle socket keepAliveTimeout + 1000 ms after the response, too slow for a unit test.
  for (const [options, ms, hint] of [
    [{}, 5000, 'timeout=5'],
    [{ keepAliveTimeout: 2000 }, 2000, 'timeout=2'],
  ] as const) {
    const srv = await startTestServer(t, options);
    assert.equal(srv.server.keepAliveTimeout, ms);
    const agent = new http.Agent({ keepAlive: true });
    t.after(() => agent.destroy());
    const res = await get(srv.url('/ok'), { agent });
    assert.equal(res.headers['keep-alive'], hint);
    await text(res);
  }
});

test('IPv6 server on ::1', async (t) => {
  if (!(await ipv6Available())) {
    t.skip('IPv6 loopback not available');
    return;
  }
  const srv = await startTestServer(t, { host: '::1' });
  assert.equal(srv.origin, `http://[::1]:${srv.port}`);
  const res = await get(srv.url('/ok'));
  assert.equal(await text(res), 'ok\n');
});

test('fakeLookup: single address, all, family filter, calls', async () => {
  const lookup = fakeLookup({ 'dual.test': ['127.0.0.1', '::1'], 'v6.test': ['::1'] });

  const single = await new Promise<[string, number | undefined]>((resolve, reject) =>
    lookup('dual.test', {}, (err, address, family) => (err ? reject(err) : resolve([address as string, family]))),
  );
  assert.deepEqual(single, ['127.0.0.1', 4]);

  const v6 = await new Promise<[string, number | undefined]>((resolve, reject) =>
    lookup('dual.test', { family: 6 }, (err, address, family) => (err ? reject(err) : resolve([address as string, family]))),
  );
  assert.deepEqual(v6, ['::1', 6]);

  const numericFamily = await new Promise<string>((resolve, reject) =>
    lookup('dual.test', 6, (err, address) => (err ? reject(err) : resolve(address as string))),
  );
  assert.equal(numericFamily, '::1');

  const all = await new Promise<LookupAddress[]>((resolve, reject) =>
    lookup('dual.test', { all: true }, (err, addresses) => (err ? reject(err) : resolve(addresses as LookupAddress[]))),
  );
  assert.deepEqual(all, [
    { address: '127.0.0.1', family: 4 },
    { address: '::1', family: 6 },
  ]);

  const allV4 = await new Promise<LookupAddress[]>((resolve, reject) =>
    lookup('dual.test', { all: true, family: 4 }, (err, addresses) => (err ? reject(err) : resolve(addresses as LookupAddress[]))),
  );
  assert.deepEqual(allV4, [{ address: '127.0.0.1', family: 4 }]);

  const twoArg = await new Promise<string>((resolve, reject) =>
    lookup('v6.test', (err, address) => (err ? reject(err) : resolve(address as string))),
  );
  assert.equal(twoArg, '::1');

  assert.deepEqual(lookup.calls, ['dual.test', 'dual.test', 'dual.test', 'dual.test', 'dual.test', 'v6.test']);
});

test('fakeLookup: unknown names and missing families fail with ENOTFOUND', async () => {
  const lookup = fakeLookup({ 'v4.test': ['127.0.0.1'] });
  for (const [name, family] of [['nope.test', 0], ['v4.test', 6]] as const) {
    const err = await new Promise<NodeJS.ErrnoException>((resolve) => lookup(name, { family }, (e) => resolve(e!)));
    assert.ok(err instanceof Error);
    assert.equal(err.message, `getaddrinfo ENOTFOUND ${name}`);
    assert.equal(err.code, 'ENOTFOUND');
    assert.equal(err.errno, -3008);
    assert.equal(err.syscall, 'getaddrinfo');
    assert.equal((err as { hostname?: string }).hostname, name);
  }
  assert.deepEqual(lookup.calls, ['nope.test', 'v4.test']);
});

test('fakeLookup always calls back asynchronously, after delayMs when given', async () => {
  const order: string[] = [];
  const immediate = fakeLookup({ 'a.test': ['127.0.0.1'] });
  const done = new Promise<void>((resolve) =>
    immediate('a.test', {}, () => {
      order.push('callback');
      resolve();
    }),
  );
  order.push('returned');
  await done;
  assert.deepEqual(order, ['returned', 'callback']);

  const delayed = fakeLookup({}, { delayMs: 25 });
  const start = performance.now();
  await new Promise<void>((resolve) => delayed('nope.test', {}, () => resolve()));
  assert.ok(performance.now() - start >= 20, 'delayMs was not honoured');
});

test('fakeLookup works as the lookup of an http request', async (t) => {
  const srv = await startTestServer(t);
  const lookup = fakeLookup({ 'fake.test': ['127.0.0.1'] });
  const res = await get(`http://fake.test:${srv.port}/ok`, { lookup });
  assert.equal(await text(res), 'ok\n');
  assert.deepEqual(lookup.calls, ['fake.test']);
  assert.equal(srv.requests[0]?.rawHeaders[srv.requests[0].rawHeaders.indexOf('Host') + 1], `fake.test:${srv.port}`);

  const req = http.get(`http://unknown.test:${srv.port}/ok`, { agent: false, lookup });
  const [err] = (await once(req, 'error')) as [NodeJS.ErrnoException];
  assert.equal(err.code, 'ENOTFOUND');
});

test('closedPort refuses connections', async () => {
  const port = await closedPort();
  assert.ok(port > 0);
  const socket = net.connect({ host: '127.0.0.1', port });
  const [err] = (await once(socket, 'error')) as [NodeJS.ErrnoException];
  assert.equal(err.code, 'ECONNREFUSED');
});
