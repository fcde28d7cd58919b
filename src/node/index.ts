/**
 * httptrace/node: tracing agents for `node:http` and `node:https`. Pass one as `agent` (or set it as
 * `http.globalAgent`) and every request made with a trace in its context fires the hooks.
 * @module
 */
export {
  TracingAgent,
  TracingHttpsAgent,
  type TracingAgentConstructor,
  type TracingAgentOptions,
  type TracingHttpsAgentConstructor,
} from './tracing-agent.js';
