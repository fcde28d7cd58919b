/**
 * Node's built-in `fetch` (its bundled undici; npm undici is never loaded in this process): a plain
 * `Agent` of the bundled undici (no connection limit), the tracing dispatcher on that class with no
 * trace and with 16 empty hooks (`withDispatcherContext`), and the plain `Agent` with a bare
 * diagnostics_channel subscriber on every undici channel.
 */
import { createTracingDispatcher, undiciAgentClass, withDispatcherContext } from '../../dist/undici/index.js';
import { subscribeBare } from '../lib/undici-channels.mjs';
import { emptyHooksContext } from '../lib/traces.mjs';

// No connection limit, as Node's global dispatcher: with `connections: 16` a request queued in
// undici's Pool is created after dispatch returns and loses its socket-level hooks (see BENCHMARKS.md).
const agentOptions = {};

async function dispatcherFor(variant) {
  const BundledAgent = await undiciAgentClass();
  if (variant === 'plain') return new BundledAgent(agentOptions);
  if (variant === 'dc') {
    subscribeBare();
    return new BundledAgent(agentOptions);
  }
  const tracing = await createTracingDispatcher({ agent: agentOptions });
  if (variant === 'no-trace') return tracing;
  if (variant === 'full') return [withDispatcherContext(tracing, emptyHooksContext), tracing];
  throw new Error(`fetch: unknown variant ${variant}`);
}

export async function setup(variant, url) {
  // The view made by withDispatcherContext cannot be closed itself (the bundled undici's
  // ComposedDispatcher keeps its target in a #private field): close the dispatcher under it.
  const made = await dispatcherFor(variant);
  const [dispatcher, owner] = Array.isArray(made) ? made : [made, made];
  const request = async () => {
    const res = await fetch(url, { dispatcher });
    await res.arrayBuffer();
    if (res.status !== 200) throw new Error(`status ${res.status}`);
  };
  return { dispatcher, request, close: () => owner.close() };
}
