/**
 * Node's env proxy (`NODE_USE_ENV_PROXY=1` with `HTTP_PROXY`/`HTTPS_PROXY`, Node 22.21+, 24, 26):
 * it puts an `EnvHttpProxyAgent` in the built-in fetch's global slot at startup. A tracing dispatcher
 * built then (and installed as the global dispatcher) sends every request where Node would — the
 * same proxy, the same request form (undici 6/7 on Node 22/24 tunnel http targets with CONNECT,
 * undici 8 on Node 26 asks in absolute form) — and traces it. An https:// proxy, which the tracing
 * connector cannot speak, is refused at createTracingDispatcher with a code. Child processes, as the
 * env proxy is set up at startup. On Node 20 the variable does nothing, traced or not.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { join } from 'node:path';
import * as undici6 from 'undici6';
import * as undici7 from 'undici7';
import { envProxyDirectAgent } from '../src/undici/base-agent.js';
import { helperScript } from './helpers/child.js';
import { startProxyServer } from './helpers/proxy-server.js';
import { startTestServer } from './helpers/test-server.js';
import { fixturesDir } from './helpers/tls-fixture.js';
import type { EnvProxyChildArgs, EnvProxyChildReport } from './helpers/undici-env-proxy-child.js';
import { bundledUndiciMajor, undici8Runs } from './helpers/undici-versions.js';

const run = promisify(execFile);
const [major, minor] = process.versions.node.split('.').map(Number) as [number, number];
const nodeHasEnvProxy = major >= 24 || (major === 22 && minor >= 21);

async function child(args: EnvProxyChildArgs, env: Record<string, string>): Promise<EnvProxyChildReport> {
  const { stdout } = await run(process.execPath, [helperScript('undici-env-proxy-child.js'), JSON.stringify(args)], {
    env: { ...process.env, NODE_USE_ENV_PROXY: '1', NODE_EXTRA_CA_CERTS: join(fixturesDir, 'ca.pem'), NODE_NO_WARNINGS: '1', ...env },
    timeout: 20_000,
  });
  return JSON.parse(stdout) as EnvProxyChildReport;
}

for (const secure of [false, true]) {
  test(`env proxy, ${secure ? 'https' : 'http'} target: traced plain fetch() goes where untraced fetch() goes, and fires the hooks`, async (t) => {
    const server = await startTestServer(t, { tls: secure });
    const proxy = await startProxyServer(t);
    const env = { HTTP_PROXY: proxy.url, HTTPS_PROXY: proxy.url };
    const untraced = await child({ url: server.url('/ok'), traced: false }, env);
    const untracedSeen = proxy.requests.splice(0).map((r) => [r.method, r.url]);
    const traced = await child({ url: server.url('/ok'), traced: true }, env);
    const tracedSeen = proxy.requests.map((r) => [r.method, r.url]);
    assert.equal(untraced.result, '200 ok\n');
    assert.equal(traced.result, '200 ok\n');
    assert.deepEqual(tracedSeen, untracedSeen, 'the proxy saw the same requests');
    const tls = secure ? ['tlsHandshakeStart', 'tlsHandshakeDone'] : [];
    // The proxy URL is an IP literal (no DNS); a direct request looks `localhost` up.
    const dns = nodeHasEnvProxy ? [] : ['dnsStart'];
    assert.deepEqual(traced.hooks, ['getConn', ...dns, 'connectStart', ...tls, 'gotConn', 'gotFirstResponseByte']);
    if (!nodeHasEnvProxy) {
      assert.equal(traced.globalDispatcher, 'Agent');
      assert.deepEqual(tracedSeen, [], 'no env proxy on this Node: direct');
      assert.equal(traced.hostPort, `localhost:${server.port}`);
      return;
    }
    assert.equal(traced.globalDispatcher, 'EnvHttpProxyAgent');
    assert.equal(traced.hostPort, `127.0.0.1:${proxy.port}`, 'getConn names the proxy, as Go does');
    const absolute = !secure && bundledUndiciMajor >= 8;
    assert.deepEqual(tracedSeen, [absolute ? ['GET', server.url('/ok')] : ['CONNECT', `localhost:${server.port}`]]);
  });
}

test('env proxy: NO_PROXY exempts a target, traced as untraced', async (t) => {
  const server = await startTestServer(t);
  const proxy = await startProxyServer(t);
  const env = { HTTP_PROXY: proxy.url, NO_PROXY: 'localhost' };
  const untraced = await child({ url: server.url('/ok'), traced: false }, env);
  const traced = await child({ url: server.url('/ok'), traced: true }, env);
  assert.deepEqual([untraced.result, traced.result], ['200 ok\n', '200 ok\n']);
  assert.deepEqual(proxy.requests, []);
  assert.equal(traced.hostPort, `localhost:${server.port}`);
});

test('env proxy with an https:// proxy: createTracingDispatcher says it cannot (ERR_HTTPTRACE_INVALID_OPTION)', async (t) => {
  const server = await startTestServer(t);
  const traced = await child({ url: server.url('/ok'), traced: true }, { HTTP_PROXY: 'https://127.0.0.1:9' });
  assert.equal(traced.result, nodeHasEnvProxy ? 'createTracingDispatcher ERR_HTTPTRACE_INVALID_OPTION' : '200 ok\n');
});

test("envProxyDirectAgent: the Agent inside undici's EnvHttpProxyAgent (a private field), for npm undici 6, 7 and 8", async () => {
  const modules: Array<{ EnvHttpProxyAgent: new (o: object) => object; Agent: Function }> = [undici6 as never, undici7 as never];
  if (undici8Runs) modules.push((await import('undici8')) as never);
  for (const undici of modules) {
    const agent = new undici.EnvHttpProxyAgent({ httpProxy: 'http://127.0.0.1:9' });
    const direct = envProxyDirectAgent(agent);
    assert.ok(direct instanceof undici.Agent, 'the direct Agent was found');
    await (agent as { destroy(): Promise<void> }).destroy();
  }
});
