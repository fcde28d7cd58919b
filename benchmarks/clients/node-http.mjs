/**
 * node:http clients: a plain keep-alive `http.Agent`, and httptrace's `TracingAgent` with no trace
 * (with and without its stale-connection retry), with a trace of 16 empty hooks, and with the timing collector (a `TraceCollector` per request,
 * its timings computed when the body ends).
 */
import http from 'node:http';
import { emptyContext, withClientTrace } from '../../dist/index.js';
import { TracingAgent } from '../../dist/node/index.js';
import { emptyHooksContext } from '../lib/traces.mjs';

const agentOptions = { keepAlive: true, maxSockets: 16 };

function get(options, onEnd) {
  return new Promise((resolve, reject) => {
    http
      .get(options, (res) => {
        res.resume();
        res.on('end', () => {
          if (onEnd) onEnd(res);
          resolve();
        });
        res.on('error', reject);
      })
      .on('error', reject);
  });
}

export async function setup(variant, url) {
  const { hostname, port } = new URL(url);
  const base = { host: hostname, port, path: '/' };
  if (variant === 'plain') {
    const agent = new http.Agent(agentOptions);
    return { agent, request: () => get({ ...base, agent }), close: () => agent.destroy() };
  }
  if (variant === 'no-trace-no-retry') {
    const agent = new TracingAgent({ ...agentOptions, retryOnStaleConnection: false });
    return { agent, request: () => get({ ...base, agent }), close: () => agent.destroy() };
  }
  const agent = new TracingAgent(agentOptions);
  if (variant === 'no-trace') {
    return { agent, request: () => get({ ...base, agent }), close: () => agent.destroy() };
  }
  if (variant === 'empty-hooks') {
    return { agent, request: () => get({ ...base, agent, traceContext: emptyHooksContext }), close: () => agent.destroy() };
  }
  if (variant === 'collector') {
    const { TraceCollector } = await import('../../dist/collector/index.js');
    const request = () => {
      const collector = new TraceCollector();
      const traceContext = withClientTrace(emptyContext, collector.trace(1));
      return get({ ...base, agent, traceContext }, () => {
        collector.mark('body', 1);
        if (collector.timings(1).length !== 1) throw new Error('collector: expected one hop');
      });
    };
    return { agent, request, close: () => agent.destroy() };
  }
  throw new Error(`node-http: unknown variant ${variant}`);
}
