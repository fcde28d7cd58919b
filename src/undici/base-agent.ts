/**
 * The undici `Agent` class a tracing dispatcher builds on when none is given: the one Node's built-in
 * fetch uses, read from the global-dispatcher slot that fetch reads (Node exposes no other way:
 * there is no `node:undici`). With Node's env proxy (`NODE_USE_ENV_PROXY=1`/`--use-env-proxy`) that
 * slot holds an `EnvHttpProxyAgent`, whose direct-connection Agent gives the class.
 */
import { HttpTraceError } from '../errors.js';
import type { AgentClass } from './options.js';
import { builtinFetchSlot, currentSlot, type BaseTraits } from './versions.js';

/** What a tracing dispatcher was built on. */
export interface Base {
  readonly Agent: AgentClass;
  /** The built-in fetch was using Node's env proxy: the dispatcher proxies the same way. */
  readonly envProxy: boolean;
  /** What the Agent accepts (known once a dispatcher was built on it). */
  readonly traits?: BaseTraits;
}

/** The base of each tracing dispatcher, and of each view of one (it may be in the global slot). */
const bases = new WeakMap<object, Base>();

/** Records what `dispatcher` (a tracing dispatcher or a view of one) is built on. */
export function rememberBase(dispatcher: object, base: Base): void {
  bases.set(dispatcher, base);
}

/** What `dispatcher` is built on, when it is a tracing dispatcher or a view of one. */
export function baseOf(dispatcher: object): Base | undefined {
  return bases.get(dispatcher);
}

/** The dispatcher Node's built-in fetch uses now; one `fetch` of a `data:` URL makes Node create it. */
export async function builtinFetchDispatcher(): Promise<object | undefined> {
  const g = globalThis as Record<symbol, object | undefined>;
  const slot = builtinFetchSlot();
  if (g[slot] === undefined) await (await fetch('data:,')).arrayBuffer();
  // npm undici 8 loaded before the first fetch (Node 20–24) put its Agent in `.2` and a
  // Dispatcher1Wrapper of it in `.1`, the slot fetch reads: fetch's requests go to that Agent.
  if (className(g[slot]) === 'Dispatcher1Wrapper' && g[currentSlot] !== undefined) return g[currentSlot];
  return g[slot];
}

/**
 * The Agent an `EnvHttpProxyAgent` sends unproxied requests through: undici keeps it under its
 * internal `Symbol('no proxy agent')` (`kNoProxyAgent`, the same in undici 6, 7 and 8). A private
 * field, read here only; test/undici-env-proxy.test.ts fails loudly if undici renames it.
 */
export function envProxyDirectAgent(envProxyAgent: object): object | undefined {
  for (const key of Object.getOwnPropertySymbols(envProxyAgent)) {
    if (key.description === 'no proxy agent') return (envProxyAgent as Record<symbol, object | undefined>)[key];
  }
  return undefined;
}

function className(value: object | undefined): string | undefined {
  return (value?.constructor as { name?: string } | undefined)?.name;
}

/** What a tracing dispatcher without an `Agent` option builds on (see the module comment). */
export async function defaultBase(): Promise<Base> {
  const current = await builtinFetchDispatcher();
  const ours = current === undefined ? undefined : bases.get(current);
  if (ours !== undefined) return { Agent: ours.Agent, envProxy: ours.envProxy };
  if (className(current) === 'Agent') return { Agent: current!.constructor as AgentClass, envProxy: false };
  if (className(current) === 'EnvHttpProxyAgent') {
    const direct = envProxyDirectAgent(current!);
    if (className(direct) === 'Agent') return { Agent: direct!.constructor as AgentClass, envProxy: true };
  }
  try {
    const undici = (await import('undici' as string)) as { Agent: AgentClass };
    return { Agent: undici.Agent, envProxy: false };
  } catch (cause) {
    const found = className(current) ?? 'nothing';
    throw new HttpTraceError(
      'ERR_HTTPTRACE_UNDICI_UNAVAILABLE',
      `no undici Agent class found (the built-in fetch's global dispatcher is ${found}, and npm undici is not installed): pass options.Agent`,
      { cause },
    );
  }
}

/**
 * The `Agent` class of the undici that Node's global `fetch` uses (on Node 20–26, from its global
 * dispatcher: `Symbol.for('undici.globalDispatcher.1')`, or `.2` from Node 26's undici 8 on). Falls
 * back to npm `undici` when that dispatcher is not an Agent (e.g. a `MockAgent` someone installed).
 * Throws `ERR_HTTPTRACE_UNDICI_UNAVAILABLE` when neither gives one.
 */
export async function undiciAgentClass(): Promise<AgentClass> {
  return (await defaultBase()).Agent;
}
