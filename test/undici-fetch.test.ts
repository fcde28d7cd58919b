/** httptrace/undici with Node's built-in fetch and `fetch(url, { dispatcher })`, no npm undici loaded. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createTracingDispatcher, undiciAgentClass, withDispatcherContext } from '../src/undici/index.js';
import { emptyContext, withClientTrace } from '../src/index.js';
import { startTestServer } from './helpers/test-server.js';
import { undiciScenarios, undiciStaleScenario } from './helpers/undici-scenarios.js';
import { fetchClient } from './helpers/undici-request-client.js';

const builtinFetch = fetchClient(fetch as never, (o) => ({ dispatcher: withDispatcherContext(o.dispatcher, o.context) }));

test("without an Agent option the dispatcher builds on the built-in fetch's own undici", async () => {
  const Agent = await undiciAgentClass();
  // Node 26's bundled undici 8 keeps its Agent in the `.2` slot (`.1` holds a Dispatcher1Wrapper).
  const slot = Number(process.versions.undici!.split('.')[0]) >= 8 ? 'undici.globalDispatcher.2' : 'undici.globalDispatcher.1';
  const global = (globalThis as Record<symbol, unknown>)[Symbol.for(slot)] as object;
  assert.equal(Agent, global.constructor);
  assert.equal(Agent.name, 'Agent');
});

undiciScenarios('built-in fetch', builtinFetch);
undiciStaleScenario('built-in fetch', builtinFetch);

test('withDispatcherContext: the view closes and destroys the dispatcher it views', async () => {
  const dispatcher = await createTracingDispatcher();
  const view = withDispatcherContext(dispatcher, emptyContext);
  await view.close();
  await assert.rejects(fetch('http://127.0.0.1:8/', { dispatcher } as RequestInit), (err: Error & { cause?: { code?: string } }) => err.cause?.code === 'UND_ERR_DESTROYED' || err.cause?.code === 'UND_ERR_CLOSED');
  await withDispatcherContext(await createTracingDispatcher(), emptyContext).destroy();
});

test('a connection last used by an untraced request: gotConn says reused and idle, idle time not measured', async (t) => {
  const server = await startTestServer(t);
  const dispatcher = await createTracingDispatcher();
  t.after(() => dispatcher.destroy());
  await (await fetch(`${server.ipOrigin}/ok`, { dispatcher } as RequestInit)).text();
  await new Promise((resolve) => setImmediate(resolve)); // undici pools the connection asynchronously
  const infos: Array<{ reused: boolean; wasIdle: boolean; idleTime: number | undefined }> = [];
  const ctx = withClientTrace(emptyContext, { gotConn: ({ reused, wasIdle, idleTime }) => void infos.push({ reused, wasIdle, idleTime }) });
  await (await fetch(`${server.ipOrigin}/ok`, { dispatcher: withDispatcherContext(dispatcher, ctx) } as RequestInit)).text();
  assert.deepEqual(infos, [{ reused: true, wasIdle: true, idleTime: undefined }]);
  assert.equal(server.connections, 1);
});
