/**
 * Every client configuration: its name, the family whose first row is the untraced baseline,
 * the module and variant that build it, and the row label of the results table.
 */
import { existsSync } from 'node:fs';

/** The timing collector row exists only once the library has one (dist/collector). */
export const hasCollector = existsSync(new URL('../../dist/collector/index.js', import.meta.url));

const all = [
  { name: 'http-agent', family: 'node:http', module: 'node-http', variant: 'plain', label: 'plain `http.Agent` (baseline)' },
  { name: 'http-agent-again', family: 'node:http', module: 'node-http', variant: 'plain', label: 'plain `http.Agent` again (A/A: the noise)' },
  { name: 'tracing-agent-no-trace', family: 'node:http', module: 'node-http', variant: 'no-trace', label: '`TracingAgent`, no trace' },
  { name: 'tracing-agent-no-trace-no-retry', family: 'node:http', module: 'node-http', variant: 'no-trace-no-retry', label: '`TracingAgent`, no trace, `retryOnStaleConnection: false`' },
  { name: 'tracing-agent-16-hooks', family: 'node:http', module: 'node-http', variant: 'empty-hooks', label: '`TracingAgent`, 16 empty hooks' },
  { name: 'tracing-agent-collector', family: 'node:http', module: 'node-http', variant: 'collector', label: '`TracingAgent` + `TraceCollector` per request', collector: true },
  { name: 'http-timer', family: 'node:http', module: 'http-timer', variant: 'plain', label: '`@szmarczak/http-timer` on `http.Agent`' },
  { name: 'otel-http', family: 'node:http', module: 'otel-http', variant: 'plain', label: 'OpenTelemetry instrumentation-http, no-op exporter' },
  { name: 'undici-request', family: 'undici.request', module: 'undici-request', variant: 'plain', label: 'plain `undici.request` (baseline)' },
  { name: 'undici-request-again', family: 'undici.request', module: 'undici-request', variant: 'plain', label: 'plain `undici.request` again (A/A: the noise)' },
  { name: 'undici-compose-identity', family: 'undici.request', module: 'undici-request', variant: 'compose-identity', label: 'plain `Agent` composed with an identity interceptor' },
  { name: 'undici-dispatcher-no-trace', family: 'undici.request', module: 'undici-request', variant: 'no-trace', label: 'tracing dispatcher, no trace' },
  { name: 'undici-dispatcher-16-hooks', family: 'undici.request', module: 'undici-request', variant: 'full', label: 'tracing dispatcher, 16 empty hooks' },
  { name: 'undici-dc-subscriber', family: 'undici.request', module: 'undici-request', variant: 'dc', label: 'bare `diagnostics_channel` subscriber' },
  { name: 'fetch', family: 'fetch', module: 'fetch', variant: 'plain', label: 'plain built-in `fetch` (baseline)' },
  { name: 'fetch-dispatcher-no-trace', family: 'fetch', module: 'fetch', variant: 'no-trace', label: 'tracing dispatcher, no trace' },
  { name: 'fetch-dispatcher-16-hooks', family: 'fetch', module: 'fetch', variant: 'full', label: 'tracing dispatcher, 16 empty hooks' },
  { name: 'fetch-dc-subscriber', family: 'fetch', module: 'fetch', variant: 'dc', label: 'bare `diagnostics_channel` subscriber' },
];

export const configs = all.filter((c) => !c.collector || hasCollector);

export function configNamed(name) {
  const config = all.find((c) => c.name === name);
  if (!config) throw new Error(`unknown configuration ${name}; known: ${all.map((c) => c.name).join(', ')}`);
  return config;
}
