/**
 * Tracing never changes the protocol: a tracing dispatcher's connections offer exactly the ALPN
 * protocols undici's own connector offers with the same options, for the built-in fetch's undici
 * and npm undici 6, 7 and 8 (undici 8: HTTP/2 by default, `preferH2` first; 6 and 7 only with
 * `allowH2`), and a legacy caller on an undici 8 base gets HTTP/1.1 only, as undici 8's
 * `Dispatcher1Wrapper` gives it.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { emptyContext, withClientTrace } from '../src/index.js';
import { createTracingDispatcher, installGlobalDispatcher, undiciAgentClass, withDispatcherContext, type AgentClass, type Dispatcher } from '../src/undici/index.js';
import { startAlpnRecorder } from './helpers/undici-h2-servers.js';
import { ca } from './helpers/tls-fixture.js';
import { undici8Runs } from './helpers/undici-versions.js';

type Send = (url: string, dispatcher: Dispatcher) => Promise<unknown>;
interface Base {
  name: string;
  Agent: AgentClass;
  send: Send;
}

// The built-in fetch's Agent first: an npm undici loaded before the first fetch would own the slot.
const builtin = await undiciAgentClass();
const traced = withClientTrace(emptyContext, { getConn: () => undefined });
const fetchSend: Send = async (url, dispatcher) => (await fetch(url, { dispatcher: withDispatcherContext(dispatcher, traced) } as RequestInit)).text();
type Request = (url: string, o: object) => Promise<{ body: { text(): Promise<string> } }>;
const requestSend = (request: Request): Send => async (url, dispatcher) => (await request(url, { dispatcher, traceContext: traced })).body.text();

const bases: Base[] = [{ name: 'built-in fetch', Agent: builtin, send: fetchSend }];
const undici7 = await import('undici7');
for (const [major, undici] of [['6', await import('undici6')], ['7', undici7], ...(undici8Runs ? [['8', await import('undici8')] as const] : [])] as const) {
  bases.push({ name: `undici ${major} request`, Agent: undici.Agent as unknown as AgentClass, send: requestSend(undici.request as unknown as Request) });
}

const configs: Array<{ agent?: Record<string, unknown>; connect?: Record<string, unknown> }> = [
  {},
  { agent: { allowH2: true } },
  { agent: { allowH2: false } },
  { connect: { preferH2: true } },
  { agent: { allowH2: true }, connect: { preferH2: true } },
];

for (const base of bases) {
  test(`${base.name}: the traced connections offer the protocols undici's own connector offers`, async (t) => {
    const server = await startAlpnRecorder(t);
    const url = `https://localhost:${server.port}/`;
    for (const config of configs) {
      const plain = new base.Agent({ ...config.agent, connect: { ca, ...config.connect } });
      await base.send(url, plain);
      await plain.destroy();
      const dispatcher = await createTracingDispatcher({ Agent: base.Agent, agent: config.agent ?? {}, connect: { ca, ...config.connect } });
      await base.send(url, dispatcher);
      await dispatcher.destroy();
      const [own, ours] = server.offers.splice(0);
      assert.ok(own !== undefined && ours !== undefined, JSON.stringify(config));
      assert.deepEqual(ours, own, `${JSON.stringify(config)}: offered ${JSON.stringify(ours)}, undici offers ${JSON.stringify(own)}`);
    }
  });
}

if (undici8Runs) {
  const undici8 = await import('undici8');
  const Agent8 = undici8.Agent as unknown as AgentClass;

  test('undici 8 base: a legacy caller (undici 7 fetch) offers HTTP/1.1 only, as through undici 8 Dispatcher1Wrapper; a new-API caller offers h2', async (t) => {
    const server = await startAlpnRecorder(t);
    const url = `https://localhost:${server.port}/`;
    const legacyFetch = async (dispatcher: unknown) => (await undici7.fetch(url, { dispatcher: dispatcher as never })).text();
    const wrapped = new undici8.Dispatcher1Wrapper(new undici8.Agent({ connect: { ca } }));
    await legacyFetch(wrapped);
    await wrapped.destroy();
    const dispatcher = await createTracingDispatcher({ Agent: Agent8, connect: { ca } });
    t.after(() => dispatcher.destroy());
    await legacyFetch(withDispatcherContext(dispatcher, traced));
    await requestSend(undici8.request as unknown as Request)(url, dispatcher);
    assert.deepEqual(server.offers, [['http/1.1'], ['http/1.1'], ['http/1.1', 'h2']]);
  });

  test('undici 8 base as the global dispatcher: readers of the .1 slot (undici 7) get HTTP/1.1, of .2 (undici 8) h2 as well', async (t) => {
    const server = await startAlpnRecorder(t);
    const url = `https://localhost:${server.port}/`;
    const dispatcher = await createTracingDispatcher({ Agent: Agent8, connect: { ca } });
    t.after(() => dispatcher.destroy());
    const restore = installGlobalDispatcher(dispatcher);
    try {
      await (await undici7.request(url, { traceContext: traced } as never)).body.text();
      await (await undici8.request(url, { traceContext: traced } as never)).body.text();
    } finally {
      restore();
    }
    assert.deepEqual(server.offers, [['http/1.1'], ['http/1.1', 'h2']]);
  });
}
