/**
 * httptrace: Go's `net/http/httptrace` for Node.js. The contract and the context; the adapters
 * live in `httptrace/node` (node:http, node:https).
 * @module
 */
export {
  extensionHookNames,
  goHookNames,
  hookNames,
  type ClientTrace,
  type DNSDoneInfo,
  type DNSStartInfo,
  type GotConnInfo,
  type GotResponseInfo,
  type GoHookName,
  type Header,
  type HookName,
  type RequestDoneInfo,
  type TLSConnectionState,
  type WroteRequestInfo,
} from './client-trace.js';
export {
  activeContext,
  contextClientTrace,
  emptyContext,
  runWithClientTrace,
  runWithContext,
  setActiveContextSource,
  withClientTrace,
  type Context,
} from './context.js';
export {
  getDefaultClientTrace,
  setDefaultClientTrace,
  type DefaultTraceFactory,
  type RequestDescription,
} from './default-trace.js';
export { warnHookError, type HookErrorHandler, type TraceOptions } from './compose.js';
export { HttpTraceError, HttpTraceTypeError, type HttpTraceErrorCode } from './errors.js';
export { proxyFromEnvironment, type ProxyChooser, type ProxyOption } from './internal/proxy-config.js';
