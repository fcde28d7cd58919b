/**
 * httptrace/undici: a tracing dispatcher for Node's built-in `fetch` (Node 20–26) and npm undici 6,
 * 7 and 8.
 * @module
 */
export { createTracingDispatcher, withDispatcherContext } from './dispatcher.js';
export { installGlobalDispatcher } from './global-dispatcher.js';
export { undiciAgentClass } from './base-agent.js';
export type { AgentClass, ConnectOptions, DispatchOptions, Dispatcher, TracingDispatcherOptions } from './options.js';
export type { DispatchHandler } from './handler-api.js';
