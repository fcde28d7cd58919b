/** An {@link UndiciClient} for npm undici's `request()`, with the context passed as a dispatch option. */
import type { UndiciClient } from './undici-scenarios.js';
import type { TracingDispatcherOptions } from '../../src/undici/index.js';
import { errorClass } from './recorder.js';

type RequestFn = (url: string, options: Record<string, unknown>) => Promise<{ statusCode: number; body: { text(): Promise<string> } }>;

/** npm undici's `request`, through a dispatcher built on that undici's `Agent`. */
export function undiciRequestClient(request: RequestFn, Agent: NonNullable<TracingDispatcherOptions['Agent']>): UndiciClient {
  return {
    followsRedirects: false,
    dispatcherOptions: { Agent },
    async send(url, o) {
      o.rec.mark('request', o.req, { method: o.method ?? 'GET', url });
      try {
        const res = await request(url, {
          dispatcher: o.dispatcher,
          traceContext: o.context,
          ...(o.signal ? { signal: o.signal } : {}),
          ...(o.method ? { method: o.method } : {}),
          ...(o.body ? { body: o.body } : {}),
          ...(o.headers ? { headers: o.headers } : {}),
        });
        o.rec.mark('response', o.req, { status: res.statusCode, err: null });
        const body = await res.body.text();
        o.rec.mark('body', o.req, { bytes: body.length, err: null });
        return { status: res.statusCode, body };
      } catch (err) {
        o.rec.mark('response', o.req, { status: null, err: errorClass(err) });
        return { error: err as Error };
      }
    },
  };
}
