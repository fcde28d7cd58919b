/**
 * Node's built-in env proxy (the `proxyEnv` agent option, set on `http.globalAgent` by
 * `NODE_USE_ENV_PROXY=1`; Node 22.21+/24+) and the tracing agents' own `proxy` option: the explicit
 * `proxy` wins (the env proxy sees nothing); without it, `proxyEnv` is Node's, exactly as with
 * `http.Agent` / `https.Agent` (on Node 20, which has no env proxy, both go direct).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import https from 'node:https';
import { TracingAgent, TracingHttpsAgent } from '../src/node/index.js';
import { Recorder } from './helpers/recorder.js';
import { send } from './helpers/send.js';
import { startTestServer, type AfterHook } from './helpers/test-server.js';
import { startProxyServer, type ProxyServer } from './helpers/proxy-server.js';
import { ca } from './helpers/tls-fixture.js';

const env = (proxy: ProxyServer): Record<string, string> => ({ HTTP_PROXY: proxy.url, HTTPS_PROXY: proxy.url });
type Options = http.AgentOptions & { proxyEnv?: Record<string, string> };

/** What the env proxy and the explicit proxy saw of one GET through `agent`, and the body. */
async function through(t: AfterHook, agent: http.Agent, url: string, envProxy: ProxyServer, own?: ProxyServer): Promise<unknown> {
  t.after(() => agent.destroy());
  const rec = new Recorder();
  const before = { env: envProxy.requests.length, own: own?.requests.length ?? 0 };
  const res = await send(url, { agent, rec, req: 1 });
  return {
    body: res.body,
    env: envProxy.requests.slice(before.env).map((r) => r.method),
    own: own?.requests.slice(before.own).map((r) => r.method) ?? [],
    traced: rec.hooks('GotConn').length,
  };
}

test('proxyEnv without the proxy option: the request goes where http.Agent / https.Agent send it, traced', async (t) => {
  const server = await startTestServer(t);
  const tls = await startTestServer(t, { tls: true });
  const envProxy = await startProxyServer(t);
  const plain = (await through(t, new http.Agent({ proxyEnv: env(envProxy) } as Options), `${server.ipOrigin}/ok`, envProxy)) as { traced: number };
  const ours = await through(t, new TracingAgent({ proxyEnv: env(envProxy) } as Options), `${server.ipOrigin}/ok`, envProxy);
  assert.deepEqual(ours, { ...plain, traced: 1 });
  const plainTls = (await through(t, new https.Agent({ ca, proxyEnv: env(envProxy) } as Options), `${tls.ipOrigin}/ok`, envProxy)) as { traced: number };
  const oursTls = await through(t, new TracingHttpsAgent({ ca, proxyEnv: env(envProxy) } as Options), `${tls.ipOrigin}/ok`, envProxy);
  assert.deepEqual(oursTls, { ...plainTls, traced: 1 });
});

test('proxyEnv and the proxy option: the explicit proxy wins, the env proxy sees nothing', async (t) => {
  const server = await startTestServer(t);
  const tls = await startTestServer(t, { tls: true });
  const envProxy = await startProxyServer(t);
  const own = await startProxyServer(t);
  const options = { proxyEnv: env(envProxy), proxy: own.url } as Options & { proxy: string };
  assert.deepEqual(await through(t, new TracingAgent(options), `${server.ipOrigin}/ok`, envProxy, own), {
    body: 'ok\n',
    env: [],
    own: ['GET'],
    traced: 1,
  });
  assert.deepEqual(await through(t, new TracingHttpsAgent({ ...options, ca }), `${tls.ipOrigin}/ok`, envProxy, own), {
    body: 'ok\n',
    env: [],
    own: ['CONNECT'],
    traced: 1,
  });
  // Copying http.globalAgent.options (which carry proxyEnv under NODE_USE_ENV_PROXY) is safe too.
  const copied = new TracingAgent({ ...(http.globalAgent as unknown as { options: object }).options, ...options });
  assert.deepEqual(await through(t, copied, `${server.ipOrigin}/ok`, envProxy, own), { body: 'ok\n', env: [], own: ['GET'], traced: 1 });
});
