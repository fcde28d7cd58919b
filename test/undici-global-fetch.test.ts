/**
 * Plain `fetch(url)`, no dispatcher option: the tracing dispatcher installed as the global
 * dispatcher traces requests made inside a traced async context, and only those.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { emptyContext, runWithClientTrace, runWithContext, withClientTrace } from '../src/index.js';
import { createTracingDispatcher, installGlobalDispatcher, type Dispatcher } from '../src/undici/index.js';
import { undiciScenarios, type UndiciClient } from './helpers/undici-scenarios.js';
import { errorClass } from './helpers/recorder.js';
import { startTestServer } from './helpers/test-server.js';

let installed: Dispatcher | undefined;
let restore: (() => void) | undefined;

const globalFetch: UndiciClient = {
  followsRedirects: true,
  async send(url, o) {
    if (installed !== o.dispatcher) {
      restore?.();
      restore = installGlobalDispatcher(o.dispatcher);
      installed = o.dispatcher;
    }
    o.rec.mark('request', o.req, { method: o.method ?? 'GET', url });
    return runWithContext(o.context, async () => {
      try {
        const res = await fetch(url, {
          ...(o.signal ? { signal: o.signal } : {}),
          ...(o.method ? { method: o.method } : {}),
          ...(o.body ? { body: o.body } : {}),
          ...(o.headers ? { headers: o.headers } : {}),
        });
        o.rec.mark('response', o.req, { status: res.status, err: null });
        const body = await res.text();
        o.rec.mark('body', o.req, { bytes: body.length, err: null });
        return { status: res.status, body };
      } catch (err) {
        const error = err as Error & { cause?: Error };
        const root = error.name === 'TypeError' && error.cause ? error.cause : error;
        o.rec.mark('response', o.req, { status: null, err: errorClass(root) });
        return { error: root };
      }
    });
  },
};

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
