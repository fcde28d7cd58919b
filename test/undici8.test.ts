/**
 * httptrace/undici with npm undici 8 (new handler API only, HTTP/2 offered by default): `request()`
 * and `fetch()` on a dispatcher built on undici 8's Agent. undici 8 needs Node 22.19 or later: on
 * an older Node this file checks that loading it fails, the reason it does not run there.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { AgentClass } from '../src/undici/index.js';
import { withDispatcherContext } from '../src/undici/index.js';
import { undiciScenarios, undiciStaleScenario } from './helpers/undici-scenarios.js';
import { fetchClient, undiciRequestClient } from './helpers/undici-request-client.js';
import { undici8Runs } from './helpers/undici-versions.js';

if (undici8Runs) {
  const { Agent, fetch: undiciFetch, request } = await import('undici8');
  const requestClient = undiciRequestClient(request as never, Agent as unknown as AgentClass);
  undiciScenarios('undici 8 request', requestClient);
  undiciStaleScenario('undici 8 request', requestClient);
  undiciScenarios(
    'undici 8 fetch',
    fetchClient(undiciFetch as never, (o) => ({ dispatcher: withDispatcherContext(o.dispatcher, o.context) }), {
      dispatcherOptions: { Agent: Agent as unknown as AgentClass },
    }),
  );
} else {
  test(`undici 8 does not load on Node ${process.versions.node} (it needs 22.19+), so its scenarios run on 22, 24 and 26 only`, async () => {
    await assert.rejects(import('undici8'));
  });
}
