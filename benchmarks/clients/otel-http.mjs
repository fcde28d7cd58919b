/**
 * OpenTelemetry's `@opentelemetry/instrumentation-http` on a plain keep-alive `http.Agent`: a
 * `NodeTracerProvider` (AsyncLocalStorage context, W3C propagation) with a batch span processor
 * and an exporter that drops every span. A span per request, as a production setup makes.
 */
import { createRequire } from 'node:module';
import { registerInstrumentations } from '@opentelemetry/instrumentation';
import { HttpInstrumentation } from '@opentelemetry/instrumentation-http';
import { BatchSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { NodeTracerProvider } from '@opentelemetry/sdk-trace-node';

/** Accepts and drops every span. */
const noopExporter = {
  export(_spans, done) {
    done({ code: 0 });
  },
  shutdown: () => Promise.resolve(),
  forceFlush: () => Promise.resolve(),
};

export async function setup(_variant, url) {
  const provider = new NodeTracerProvider({ spanProcessors: [new BatchSpanProcessor(noopExporter)] });
  provider.register();
  registerInstrumentations({ instrumentations: [new HttpInstrumentation()] });
  // The instrumentation patches `http` when it is required after registration; ESM's default
  // import shares the same exports object, but load it here so the patch surely applies.
  const http = createRequire(import.meta.url)('node:http');
  if (!http.get.__wrapped && !http.request.__wrapped) throw new Error('otel: http is not instrumented');
  const { hostname, port } = new URL(url);
  const agent = new http.Agent({ keepAlive: true, maxSockets: 16 });
  const request = () =>
    new Promise((resolve, reject) => {
      http
        .get({ host: hostname, port, path: '/', agent }, (res) => {
          res.resume();
          res.on('end', resolve);
        })
        .on('error', reject);
    });
  return { agent, request, close: () => (agent.destroy(), provider.shutdown()) };
}
