/** httptrace/undici with npm undici 7: `request()` and `fetch()` on a dispatcher built on undici 7's Agent. */
import { Agent, fetch as undiciFetch, request } from 'undici7';
import type { AgentClass } from '../src/undici/index.js';
import { withDispatcherContext } from '../src/undici/index.js';
import { undiciScenarios, undiciStaleScenario } from './helpers/undici-scenarios.js';
import { fetchClient, undiciRequestClient } from './helpers/undici-request-client.js';

const requestClient = undiciRequestClient(request as never, Agent as unknown as AgentClass);
undiciScenarios('undici 7 request', requestClient);
undiciStaleScenario('undici 7 request', requestClient);

undiciScenarios(
  'undici 7 fetch',
  fetchClient(undiciFetch as never, (o) => ({ dispatcher: withDispatcherContext(o.dispatcher, o.context) }), {
    dispatcherOptions: { Agent: Agent as unknown as AgentClass },
  }),
);
