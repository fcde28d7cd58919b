/** httptrace/undici with npm undici 6: `request()` on a dispatcher built on undici 6's Agent. */
import { Agent, request } from 'undici6';
import type { AgentClass } from '../src/undici/index.js';
import { undiciScenarios, undiciStaleScenario } from './helpers/undici-scenarios.js';
import { undiciRequestClient } from './helpers/undici-request-client.js';

const client = undiciRequestClient(request as never, Agent as unknown as AgentClass);
undiciScenarios('undici 6 request', client);
undiciStaleScenario('undici 6 request', client);
