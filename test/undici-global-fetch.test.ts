/**
 * Plain `fetch(url)`, no dispatcher option: the tracing dispatcher installed as the global
 * dispatcher traces requests made inside a traced async context, and only those.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { emptyContext, runWithClientTrace, runWithContext, withClientTrace } from '../src/index.js';
import { createTracingDispatcher, installGlobalDispatcher, type Dispatcher } from '../src/undici/index.js';
import { undiciScenarios } from './helpers/undici-scenarios.js';
import { fetchClient } from './helpers/undici-request-client.js';
import { startTestServer } from './helpers/test-server.js';

let installed: Dispatcher | undefined;
let restore: (() => void) | undefined;

const globalFetch = fetchClient(fetch as never, () => ({}), {
  around(o, fn) {
    if (installed !== o.dispatcher) {
      restore?.();
      restore = installGlobalDispatcher(o.dispatcher);
      installed = o.dispatcher;
    }
    return runWithContext(o.context, fn);
  },
});

undiciScenarios('global fetch', globalFetch);

test('global fetch: only requests inside a traced context are traced', async (t) => {
  const server = await startTestServer(t);
  const dispatcher = await createTracingDispatcher();
  t.after(() => dispatcher.destroy());
  restore?.();
  restore = installGlobalDispatcher(dispatcher);
  installed = dispatcher;
  const seen: string[] = [];
  await (await fetch(`${server.ipOrigin}/ok`)).text();
  await runWithClientTrace({ getConn: (hp) => void seen.push(hp) }, async () => {
    await (await fetch(`${server.ipOrigin}/ok`)).text();
  });
  await runWithContext(emptyContext, async () => (await fetch(`${server.ipOrigin}/ok`)).text());
  const explicit = withClientTrace(emptyContext, { getConn: () => void seen.push('explicit') });
  await runWithContext(explicit, async () => (await fetch(`${server.ipOrigin}/ok`)).text());
  assert.deepEqual(seen, [`127.0.0.1:${server.port}`, 'explicit']);
  restore();
  restore = undefined;
});

test('installGlobalDispatcher writes both slots (.2 for undici 8 readers, .1 for 6/7) and restore puts both back', async (t) => {
  const dispatcher = await createTracingDispatcher();
  t.after(() => dispatcher.destroy());
  const g = globalThis as Record<symbol, unknown>;
  const [one, two] = [Symbol.for('undici.globalDispatcher.1'), Symbol.for('undici.globalDispatcher.2')];
  const before = [g[one], g[two]];
  const undo = installGlobalDispatcher(dispatcher);
  assert.equal(g[two], dispatcher);
  // On Node 26 the dispatcher is built on undici 8: `.1` is an HTTP/1.1-only view of it.
  const legacy = g[one] as object;
  assert.ok(legacy === dispatcher || Object.getPrototypeOf(legacy) === dispatcher);
  assert.equal(legacy === dispatcher, Number(process.versions.undici!.split('.')[0]) < 8);
  for (const s of [one, two]) assert.equal(Object.getOwnPropertyDescriptor(globalThis, s)?.enumerable, false);
  undo();
  assert.deepEqual([g[one], g[two]], before);
});
