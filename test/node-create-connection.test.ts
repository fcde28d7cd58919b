/**
 * `agent.createConnection(...)` called directly, in every form `https.Agent` takes, as Node's own
 * test-https-agent-create-connection.js calls it: `(port, host, options)`, `(port, options)`,
 * `(options)`, with `options` null or undefined. The tracing agents must pass every argument as
 * given, so `rejectUnauthorized: false` is honoured, and the outcome is `https.Agent`'s.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import https from 'node:https';
import type { TLSSocket } from 'node:tls';
import { TracingHttpsAgent } from '../src/node/index.js';
import { startTestServer, type AfterHook } from './helpers/test-server.js';

type Form = (agent: https.Agent, port: number) => TLSSocket;
type Call = (...args: unknown[]) => TLSSocket;

function call(agent: https.Agent, ...args: unknown[]): TLSSocket {
  return ((agent as unknown as { createConnection: Call }).createConnection as Call).apply(agent, args);
}

const forms: Record<string, Form> = {
  '(port, host, options)': (a, port) => call(a, port, '127.0.0.1', { rejectUnauthorized: false }),
  '(port, options)': (a, port) => call(a, port, { rejectUnauthorized: false, host: '127.0.0.1' }),
  '(options)': (a, port) => call(a, { port, host: '127.0.0.1', rejectUnauthorized: false }),
  '(port, host, options) without host in options, servername given': (a, port) => call(a, port, '127.0.0.1', { rejectUnauthorized: false, servername: 'localhost' }),
  '(port, host, null)': (a, port) => call(a, port, '127.0.0.1', null),
  '(port, host, undefined)': (a, port) => call(a, port, '127.0.0.1', undefined),
  '(port, null)': (a, port) => call(a, port, null),
  '(port, host, options, callback)': (a, port) => call(a, port, '127.0.0.1', { rejectUnauthorized: false }, () => {}),
};

/** How the socket ends up: connected (with the host it reports) or the error code. */
async function outcome(t: AfterHook, socket: TLSSocket): Promise<string> {
  t.after(() => socket.destroy());
  const result = await new Promise<string>((resolve) => {
    socket.once('secureConnect', () => resolve(`connected ${socket.remoteAddress}`));
    socket.once('error', (err: Error & { code?: string }) => resolve(`error ${err.code}`));
  });
  socket.destroy();
  return result;
}

test('createConnection: every https.Agent call form and its options reach the TLS connect as with https.Agent', async (t) => {
  const server = await startTestServer(t, { tls: true });
  for (const [name, form] of Object.entries(forms)) {
    const results: string[] = [];
    for (const agent of [new https.Agent(), new TracingHttpsAgent()]) {
      t.after(() => agent.destroy());
      results.push(await outcome(t, form(agent, server.port)));
    }
    assert.equal(results[1], results[0], `${name}: TracingHttpsAgent differs from https.Agent`);
  }
  // The forms with rejectUnauthorized: false connect to the self-signed server.
  const agent = new TracingHttpsAgent();
  t.after(() => agent.destroy());
  assert.equal(await outcome(t, forms['(port, host, options)']!(agent, server.port)), 'connected 127.0.0.1');
  assert.equal(await outcome(t, forms['(port, options)']!(agent, server.port)), 'connected 127.0.0.1');
});
