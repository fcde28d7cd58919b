/**
 * The `--client node` transport: `node:http`/`node:https` with the tracing agents of
 * `httptrace/node`, one pool per run.
 * @module
 */
import http from 'node:http';
import https from 'node:https';
import { TracingAgent, TracingHttpsAgent } from '../node/index.js';
import type { Client, ClientOptions, ClientRequestSpec, ClientResponse } from './client.js';

function headerObject(pairs: ClientRequestSpec['headers']): Record<string, string | string[]> {
  const out: Record<string, string | string[]> = {};
  const byLower = new Map<string, string>();
  for (const [name, value] of pairs) {
    const key = byLower.get(name.toLowerCase()) ?? name;
    byLower.set(name.toLowerCase(), key);
    const had = out[key];
    out[key] = had === undefined ? value : [...(Array.isArray(had) ? had : [had]), value];
  }
  return out;
}

function pairs(raw: readonly string[]): Array<[string, string]> {
  const out: Array<[string, string]> = [];
  for (let i = 0; i + 1 < raw.length; i += 2) out.push([raw[i]!, raw[i + 1]!]);
  return out;
}

/** A {@link Client} over `TracingAgent`/`TracingHttpsAgent`. */
export function nodeClient(options: ClientOptions): Client {
  const agents = {
    http: new TracingAgent({ keepAlive: options.keepAlive, ...(options.proxy ? { proxy: options.proxy } : {}) }),
    https: new TracingHttpsAgent({
      keepAlive: options.keepAlive,
      ...(options.proxy ? { proxy: options.proxy } : {}),
      rejectUnauthorized: !options.insecure,
      ...(options.ca === undefined ? {} : { ca: options.ca }),
    }),
  };
  return {
    request(spec: ClientRequestSpec): Promise<ClientResponse> {
      const tls = spec.url.protocol === 'https:';
      const port = Number(spec.url.port || (tls ? 443 : 80));
      const lookup = options.lookupFor(port);
      // As curl and Go: a body with Expect: 100-continue waits for the 100 (at most 1 s), never chunked.
      const expect = spec.headers.some(([n, v]) => n.toLowerCase() === 'expect' && v.toLowerCase() === '100-continue');
      return new Promise((resolve, reject) => {
        const req = (tls ? https : http).request(spec.url, {
          method: spec.method,
          headers: headerObject(expect && spec.body !== undefined && !spec.headers.some(([n]) => n.toLowerCase() === 'content-length') ? [...spec.headers, ['Content-Length', String(spec.body.length)]] : spec.headers),
          agent: tls ? agents.https : agents.http,
          traceContext: spec.traceContext,
          ...(lookup === undefined ? {} : { lookup: lookup as never }),
          ...(spec.signal === undefined ? {} : { signal: spec.signal }),
        });
        req.once('error', reject);
        req.once('response', (res) => {
          resolve({
            status: res.statusCode ?? 0,
            statusText: res.statusMessage ?? '',
            httpVersion: `HTTP/${res.httpVersion}`,
            headers: pairs(res.rawHeaders),
            body: res,
          });
        });
        if (spec.body === undefined || !expect) return void req.end(spec.body);
        req.flushHeaders();
        const send = (): void => {
          clearTimeout(timer);
          if (!req.writableEnded) req.end(spec.body);
        };
        const timer = setTimeout(send, 1000);
        req.once('continue', send);
        req.once('response', () => clearTimeout(timer));
        req.once('close', () => clearTimeout(timer));
      });
    },
    close() {
      agents.http.destroy();
      agents.https.destroy();
    },
  };
}
