/**
 * HTTP/2 through the tracing dispatcher: an h2 connection is not downgraded (the server sees the
 * protocol it sees without tracing), its requests work exactly as without tracing, and, until the
 * adapter follows h2 streams, they fire `getConn` and the dial's hooks only — no h1 hook
 * (`gotConn`, header hooks, `wroteRequest`, first byte, 1xx, `putIdleConn`) misfires. Against a
 * local `node:http2` server with and without HTTP/1.1 fallback, through the built-in fetch (h2 by
 * default on Node 26), npm undici 8 (h2 by default) and undici 7 with `allowH2`.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { emptyContext, withClientTrace } from '../src/index.js';
import { createTracingDispatcher, undiciAgentClass, withDispatcherContext, type AgentClass, type Dispatcher } from '../src/undici/index.js';
import { Recorder } from './helpers/recorder.js';
import { fakeLookup } from './helpers/fake-dns.js';
import { ca } from './helpers/tls-fixture.js';
import { fetchClient, undiciRequestClient } from './helpers/undici-request-client.js';
import { undiciResume, type UndiciClient } from './helpers/undici-scenarios.js';
import { startH2Server } from './helpers/undici-h2-servers.js';
import { bundledUndiciMajor, undici8Runs } from './helpers/undici-versions.js';

interface H2Client {
  name: string;
  client: UndiciClient;
  Agent: AgentClass;
  agent: Record<string, unknown>;
  /** The client offers h2 with these options (undici 8's default, or `allowH2`). */
  offersH2: boolean;
}

const builtin = await undiciAgentClass(); // before any npm undici loads (it would own the slot)
const viaFetch = fetchClient(fetch as never, (o) => ({ dispatcher: withDispatcherContext(o.dispatcher, o.context) }));
const undici7 = await import('undici7');
const clients: H2Client[] = [
  { name: 'built-in fetch', client: viaFetch, Agent: builtin, agent: {}, offersH2: bundledUndiciMajor >= 8 },
  { name: 'undici 7 request, allowH2', client: undiciRequestClient(undici7.request as never, undefined), Agent: undici7.Agent as never, agent: { allowH2: true }, offersH2: true },
];
if (undici8Runs) {
  const undici8 = await import('undici8');
  clients.push({ name: 'undici 8 request', client: undiciRequestClient(undici8.request as never, undefined), Agent: undici8.Agent as never, agent: {}, offersH2: true });
}

const lookup = fakeLookup({ localhost: ['127.0.0.1'] });
const H2_FRESH = '[request] GetConn DNSStart DNSDone ConnectStart ConnectDone TLSHandshakeStart TLSHandshakeDone [response](200) [body]';
const H2_STREAM = '[request] GetConn [response](200) [body]';

/** Two requests in a row through `dispatcher`; what they gave (body or error code). */
async function twice(c: H2Client, url: string, dispatcher: Dispatcher, rec: Recorder): Promise<string[]> {
  const out: string[] = [];
  for (const req of [1, 2]) {
    const res = await c.client.send(url, { dispatcher, context: withClientTrace(emptyContext, rec.trace(req)), rec, req });
    out.push(res.body ?? `error ${(res.error as { code?: string }).code}`);
    await undiciResume();
  }
  return out;
}

for (const c of clients) {
  for (const allowHTTP1 of [true, false]) {
    test(`${c.name}, http2 server${allowHTTP1 ? ' with HTTP/1.1 fallback' : ' only'}: the same protocol and results as untraced; h2 fires getConn and the dial only`, async (t) => {
      const server = await startH2Server(t, allowHTTP1);
      const url = `https://localhost:${server.port}/`;
      const plain = new c.Agent({ ...c.agent, connect: { ca, lookup } });
      t.after(() => plain.destroy());
      const untraced = await twice(c, url, plain, new Recorder());
      const plainVersions = server.versions.splice(0);
      const dispatcher = await createTracingDispatcher({ Agent: c.Agent, agent: c.agent, connect: { ca, lookup } });
      t.after(() => dispatcher.destroy());
      const rec = new Recorder();
      const results = await twice(c, url, dispatcher, rec);
      assert.deepEqual(results, untraced);
      assert.deepEqual(server.versions, plainVersions, 'the protocol the server saw');
      if (c.offersH2) {
        assert.deepEqual(results, ['v=2.0', 'v=2.0']);
        assert.equal(rec.summary(), `1: ${H2_FRESH} ‖ 2: ${H2_STREAM}`);
        const state = rec.hooks('TLSHandshakeDone')[0]?.args.state as { negotiatedProtocol: string };
        assert.equal(state.negotiatedProtocol, 'h2');
      } else if (allowHTTP1) {
        assert.deepEqual(results, ['v=1.1', 'v=1.1']);
        assert.match(rec.summary(), /^1: .* GotConn\(new\) .* PutIdleConn .*‖ 2: \[request\] GetConn GotConn\(reused,idle\) /);
      } else {
        // The server refuses a client that cannot speak h2 during the TLS handshake, traced or not.
        assert.match(results[0]!, /^error /);
        assert.match(rec.summary().split(' ‖ ')[0]!, /TLSHandshakeStart TLSHandshakeDone\(err=\w+\) \[response\]\(err=\w+\)$/);
      }
    });
  }
}
