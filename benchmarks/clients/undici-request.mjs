/**
 * npm undici 7 `request`: a plain `Agent` (no connection limit), the tracing dispatcher built on the
 * same `Agent` class with no trace and with 16 empty hooks (`traceContext` option), and the plain
 * `Agent` with a bare diagnostics_channel subscriber on every undici channel, and the plain `Agent`
 * composed with an identity interceptor (undici's own cost of `compose()`).
 */
import { Agent, request as undiciRequest } from 'undici';
import { createTracingDispatcher } from '../../dist/undici/index.js';
import { subscribeBare } from '../lib/undici-channels.mjs';
import { emptyHooksContext } from '../lib/traces.mjs';

// No connection limit, as Node's global dispatcher: with `connections: 16` a request queued in
// undici's Pool is created after dispatch returns and loses its socket-level hooks (see BENCHMARKS.md).
const agentOptions = {};

async function dispatcherFor(variant) {
  if (variant === 'plain') return new Agent(agentOptions);
  // What undici's own compose() costs: the tracing dispatcher's shape with an interceptor that does nothing.
  if (variant === 'compose-identity') return new Agent(agentOptions).compose((dispatch) => (opts, handler) => dispatch(opts, handler));
  if (variant === 'dc') {
    subscribeBare();
    return new Agent(agentOptions);
  }
  return createTracingDispatcher({ Agent, agent: agentOptions });
}

export async function setup(variant, url) {
  const dispatcher = await dispatcherFor(variant);
  const traceContext = variant === 'full' ? emptyHooksContext : undefined;
  if (!['full', 'no-trace', 'plain', 'dc', 'compose-identity'].includes(variant)) {
    throw new Error(`undici-request: unknown variant ${variant}`);
  }
  const options = traceContext ? { dispatcher, traceContext } : { dispatcher };
  const request = async () => {
    const { statusCode, body } = await undiciRequest(url, options);
    await body.dump();
    if (statusCode !== 200) throw new Error(`status ${statusCode}`);
  };
  return { dispatcher, request, close: () => dispatcher.close() };
}
