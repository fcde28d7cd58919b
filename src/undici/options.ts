/**
 * The options of httptrace/undici's public functions, checked at the call: a bad one throws a
 * `TypeError` with code `ERR_HTTPTRACE_INVALID_OPTION` naming it, instead of failing later inside a
 * request.
 */
import type * as tls from 'node:tls';
import { HttpTraceTypeError } from '../errors.js';
import type { LookupFunction } from '../internal/resolver.js';
import type { ProxyOption } from '../internal/proxy-config.js';
import type { DispatchHandler } from './handler-api.js';
import type { ProtocolOptions } from './versions.js';

/** The part of undici's `Dispatcher` API the adapter relies on. */
export interface Dispatcher {
  dispatch(options: DispatchOptions, handler: DispatchHandler): boolean;
  close(): Promise<void>;
  destroy(err?: Error | null): Promise<void>;
}
/** undici's dispatch options (the fields the adapter reads). */
export interface DispatchOptions {
  origin?: string | URL;
  path: string;
  method: string;
  /** httptrace: the context whose trace this request fires (default: the active context). */
  traceContext?: import('../context.js').Context;
  [key: string]: unknown;
}
/** undici's `Agent` class, from npm undici 6, 7 or 8 or from Node's built-in fetch. */
export type AgentClass = new (options: Record<string, unknown>) => Dispatcher;

/** The `connect` option of a tracing dispatcher: `tls.connect` options plus these. */
export interface ConnectOptions extends Omit<tls.ConnectionOptions, 'lookup' | 'timeout'>, ProtocolOptions {
  /** The `dns.lookup`-shaped resolver (default: Node's `dns.lookup`). */
  lookup?: LookupFunction | undefined;
  /** Connect timeout in ms (undici's default: 10000). */
  timeout?: number | undefined;
  /** TLS sessions kept for resumption, per server name (undici's default: 100). */
  maxCachedSessions?: number | undefined;
}

/** Options of `createTracingDispatcher`. */
export interface TracingDispatcherOptions {
  /**
   * Options of the connections: `tls.connect` options, `lookup`, `timeout` (ms),
   * `maxCachedSessions`, and undici's `allowH2`/`preferH2` (which protocols ALPN offers).
   */
  connect?: ConnectOptions;
  /** Other options for undici's `Agent` (`connections`, `keepAliveTimeout`, `pipelining`, `allowH2`, …). */
  agent?: Record<string, unknown>;
  /** undici's `Agent` class to build on (e.g. `(await import('undici')).Agent`). Default: see `undiciAgentClass`. */
  Agent?: AgentClass;
  /**
   * The proxy: a URL for every request, or a function choosing per target such as
   * `proxyFromEnvironment()`. http targets are asked for in absolute form, https targets through a
   * `CONNECT` tunnel, as Go does. Default: none, or Node's own env proxy when `NODE_USE_ENV_PROXY`
   * put one in place (see the README).
   */
  proxy?: ProxyOption;
}

function invalid(message: string): HttpTraceTypeError {
  return new HttpTraceTypeError('ERR_HTTPTRACE_INVALID_OPTION', message);
}

function kind(value: unknown): string {
  return value === null ? 'null' : Array.isArray(value) ? 'an array' : typeof value;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

const dispatcherKeys = new Set(['connect', 'agent', 'Agent', 'proxy']);

/** Checks `createTracingDispatcher`'s options (the types; a proxy URL is parsed later, also at the call). */
export function checkDispatcherOptions(options: unknown): asserts options is TracingDispatcherOptions {
  const where = 'createTracingDispatcher';
  if (!isPlainObject(options)) throw invalid(`${where}: the options must be an object, got ${kind(options)}`);
  for (const key of Object.keys(options)) {
    if (!dispatcherKeys.has(key)) throw invalid(`${where}: unknown option ${JSON.stringify(key)} (known: ${[...dispatcherKeys].join(', ')})`);
  }
  const { connect, agent, Agent, proxy } = options;
  if (connect !== undefined) checkConnectOptions(connect);
  if (agent !== undefined && !isPlainObject(agent)) throw invalid(`${where}: options.agent must be an object of undici Agent options, got ${kind(agent)}`);
  if (Agent !== undefined && typeof Agent !== 'function') throw invalid(`${where}: options.Agent must be undici's Agent class, got ${kind(Agent)}`);
  if (proxy !== undefined && typeof proxy !== 'string' && typeof proxy !== 'function' && !(proxy instanceof URL)) {
    throw invalid(`${where}: options.proxy must be a URL (string or URL) or a function choosing one, got ${kind(proxy)}`);
  }
}

function checkConnectOptions(connect: unknown): void {
  const where = 'createTracingDispatcher: options.connect';
  if (!isPlainObject(connect)) throw invalid(`${where} must be an object of connection options, got ${kind(connect)}`);
  const { lookup, timeout, maxCachedSessions, allowH2, preferH2 } = connect;
  if (lookup !== undefined && typeof lookup !== 'function') throw invalid(`${where}.lookup must be a dns.lookup-shaped function, got ${kind(lookup)}`);
  if (timeout !== undefined && !(typeof timeout === 'number' && timeout >= 0 && Number.isFinite(timeout))) {
    throw invalid(`${where}.timeout must be a non-negative number of ms, got ${kind(timeout) === 'number' ? timeout : kind(timeout)}`);
  }
  if (maxCachedSessions !== undefined && !(Number.isInteger(maxCachedSessions) && (maxCachedSessions as number) >= 0)) {
    throw invalid(`${where}.maxCachedSessions must be a non-negative integer, got ${kind(maxCachedSessions) === 'number' ? maxCachedSessions : kind(maxCachedSessions)}`);
  }
  for (const [name, value] of [['allowH2', allowH2], ['preferH2', preferH2]] as const) {
    if (value !== undefined && typeof value !== 'boolean') throw invalid(`${where}.${name} must be a boolean, got ${kind(value)}`);
  }
}

/** Checks that `value` is a dispatcher (`dispatch`, `close` and `destroy` methods). */
export function checkDispatcher(value: unknown, where: string): asserts value is Dispatcher {
  const d = value as Partial<Dispatcher> | null | undefined;
  if (typeof d !== 'object' || d === null || typeof d.dispatch !== 'function' || typeof d.close !== 'function' || typeof d.destroy !== 'function') {
    throw invalid(`${where}: the dispatcher must be an undici dispatcher (dispatch, close and destroy methods), e.g. from createTracingDispatcher(), got ${kind(value)}`);
  }
}
