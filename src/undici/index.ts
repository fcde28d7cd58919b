/**
 * httptrace/undici: a tracing dispatcher for Node's built-in `fetch` and npm undici 6 and 7.
 * @module
 */
export {
  createTracingDispatcher,
  installGlobalDispatcher,
  undiciAgentClass,
  withDispatcherContext,
  type AgentClass,
  type DispatchOptions,
  type Dispatcher,
  type TracingDispatcherOptions,
} from './dispatcher.js';
export type { ConnectOptions } from './connector.js';
export type { DispatchHandler } from './handler.js';
