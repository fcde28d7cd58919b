/** httptrace/undici with npm undici 7: `request()` and `fetch()` on a dispatcher built on undici 7's Agent. */
import { Agent, fetch as undiciFetch, request } from 'undici7';
import type { AgentClass } from '../src/undici/index.js';
import { withDispatcherContext } from '../src/undici/index.js';
import { undiciScenarios } from './helpers/undici-scenarios.js';
import { undiciRequestClient } from './helpers/undici-request-client.js';
import { errorClass } from './helpers/recorder.js';

undiciScenarios('undici 7 request', undiciRequestClient(request as never, Agent as unknown as AgentClass));

undiciScenarios('undici 7 fetch', {
  followsRedirects: true,
  dispatcherOptions: { Agent: Agent as unknown as AgentClass },
  async send(url, o) {
    o.rec.mark('request', o.req, { method: o.method ?? 'GET', url });
    try {
      const res = await undiciFetch(url, {
        dispatcher: withDispatcherContext(o.dispatcher, o.context) as never,
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
  },
});
