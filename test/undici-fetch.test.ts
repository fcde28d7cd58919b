/** httptrace/undici with Node's built-in fetch and `fetch(url, { dispatcher })`, no npm undici loaded. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { undiciAgentClass, withDispatcherContext } from '../src/undici/index.js';
import { undiciScenarios, undiciStaleScenario, type UndiciClient } from './helpers/undici-scenarios.js';
import { errorClass } from './helpers/recorder.js';

const builtinFetch: UndiciClient = {
  followsRedirects: true,
  async send(url, o) {
    o.rec.mark('request', o.req, { method: o.method ?? 'GET', url });
    try {
      const res = await fetch(url, {
        dispatcher: withDispatcherContext(o.dispatcher, o.context),
        ...(o.signal ? { signal: o.signal } : {}),
        ...(o.method ? { method: o.method } : {}),
        ...(o.body ? { body: o.body } : {}),
        ...(o.headers ? { headers: o.headers } : {}),
      } as RequestInit);
      o.rec.mark('response', o.req, { status: res.status, err: null });
      const body = await res.text();
      o.rec.mark('body', o.req, { bytes: body.length, err: null });
      return { status: res.status, body };
    } catch (err) {
      const error = err as Error & { cause?: Error };
      o.rec.mark('response', o.req, { status: null, err: errorClass(error.name === 'TypeError' && error.cause ? error.cause : error) });
      return { error: error.name === 'TypeError' && error.cause ? error.cause : error };
    }
  },
};

test("without an Agent option the dispatcher builds on the built-in fetch's own undici", async () => {
  const Agent = await undiciAgentClass();
  const global = (globalThis as Record<symbol, unknown>)[Symbol.for('undici.globalDispatcher.1')] as object;
  assert.equal(Agent, global.constructor);
  assert.equal(Agent.name, 'Agent');
});

undiciScenarios('built-in fetch', builtinFetch);
undiciStaleScenario('built-in fetch', builtinFetch);
