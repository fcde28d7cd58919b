/** The CLI through a proxy: `-x`, the environment's HTTP_PROXY, credentials never printed, exit 56. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { jsonLines, runCli } from './helpers/cli-io.js';
import { startTestServer } from './helpers/test-server.js';
import { startProxyServer } from './helpers/proxy-server.js';
import { fixturesDir } from './helpers/tls-fixture.js';

const caFile = join(fixturesDir, 'ca.pem');

for (const client of ['node', 'fetch'] as const) {
  test(`${client}: -x with credentials, http and https targets; the secret is never printed`, async (t) => {
    const server = await startTestServer(t);
    const tls = await startTestServer(t, { tls: true });
    const proxy = await startProxyServer(t, { auth: { user: 'alice', password: 's3cret' } });
    const proxyUrl = `http://alice:s3cret@127.0.0.1:${proxy.port}`;
    const r = await runCli(['--client', client, '--trace-json', '-', '--cacert', caFile, '-x', proxyUrl, server.url('/ok'), tls.url('/ok')]);
    assert.equal(r.code, 0, r.stderr);
    const lines = jsonLines(r.stdout);
    const getConns = lines.filter((l) => l.hook === 'getConn').map((l) => l.args.hostPort);
    assert.deepEqual(getConns, [`127.0.0.1:${proxy.port}`, `127.0.0.1:${proxy.port}`]);
    assert.deepEqual(proxy.requests.map((p) => p.method), ['GET', 'CONNECT']);
    assert.doesNotMatch(r.stdout + r.stderr, /s3cret|YWxpY2U6czNjcmV0/);
    const plain = await runCli(['--client', client, '-v', '--cacert', caFile, '-x', proxyUrl, server.url('/ok')]);
    assert.equal(plain.code, 0, plain.stderr);
    assert.doesNotMatch(plain.stdout + plain.stderr, /s3cret|YWxpY2U6czNjcmV0/);
  });
}

test('HTTP_PROXY from the environment; loopback targets stay direct (Go), NO_PROXY respected', async (t) => {
  const server = await startTestServer(t);
  const proxy = await startProxyServer(t);
  const env = { HTTP_PROXY: `http://127.0.0.1:${proxy.port}`, NO_PROXY: 'skip.test' };
  const direct = await runCli(['--trace-json', '-', server.url('/ok')], '', { env });
  assert.equal(direct.code, 0, direct.stderr);
  assert.equal(proxy.requests.length, 0, 'localhost is never proxied from the environment');
  const far = await runCli(['--trace-json', '-', '--resolve', `far.test:${server.port}:127.0.0.1`, `http://far.test:${server.port}/ok`], '', { env });
  assert.equal(far.code, 0, far.stderr);
  assert.deepEqual(proxy.requests.map((p) => p.url), [`http://far.test:${server.port}/ok`]);
  const skip = await runCli(['--trace-json', '-', '--resolve', `skip.test:${server.port}:127.0.0.1`, `http://skip.test:${server.port}/ok`], '', { env });
  assert.equal(skip.code, 0, skip.stderr);
  assert.equal(proxy.requests.length, 1);
});

test('a proxy refusing CONNECT: exit 56 and a one-line error naming the proxy and the status', async (t) => {
  const tls = await startTestServer(t, { tls: true });
  const proxy = await startProxyServer(t, { refuseConnect: 502 });
  const r = await runCli(['--cacert', caFile, '-x', `http://127.0.0.1:${proxy.port}`, tls.url('/ok')]);
  assert.equal(r.code, 56, r.stdout + r.stderr);
  assert.match(r.stdout + r.stderr, new RegExp(`proxy http://127\\.0\\.0\\.1:${proxy.port} refused CONNECT localhost:${tls.port}: 502`));
});
