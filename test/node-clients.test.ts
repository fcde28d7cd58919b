/**
 * Real clients through the tracing agent: node-fetch 3, superagent 10, axios 1 and got 14, two
 * sequential GETs each on one keep-alive connection, with the whole hook sequence asserted.
 *
 * The agent's sockets acknowledge writes late: each write's callback waits for the next bytes
 * from the server, the way a loaded machine or a TLS socket delays it. Node's `'finish'` then comes
 * after the response's first byte, although the request was completely written long before.
 * `wroteRequest` must still come before `gotFirstResponseByte` (Go: once the last byte is written),
 * and `putIdleConn(null)` still comes for both requests, when Node pools the socket (after
 * `'finish'`: a check right after the client's promise resolves may come too early).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type http from 'node:http';
import type { Duplex } from 'node:stream';
import type { Socket } from 'node:net';
import { createRequire } from 'node:module';
import axios from 'axios';
import got from 'got';
import nodeFetch from 'node-fetch';
import { TracingAgent } from '../src/node/index.js';
import { emptyContext, runWithContext, withClientTrace } from '../src/index.js';
import { Recorder } from './helpers/recorder.js';
import { startTestServer } from './helpers/test-server.js';

type SuperAgent = { get(url: string): { agent(a: http.Agent): Promise<{ text: string }> } };
const superagent = createRequire(import.meta.url)('superagent') as SuperAgent;

type WriteCallback = (err?: Error | null) => void;
type Writer = (this: Socket, ...args: unknown[]) => void;

/** Each write's callback is held until the server sends something (the response). */
function lateAcks(socket: Socket): void {
  const raw = socket as unknown as Record<'_write' | '_writev', Writer>;
  for (const method of ['_write', '_writev'] as const) {
    const original = raw[method];
    raw[method] = function lateAck(this: Socket, ...args: unknown[]): void {
      const cb = args.pop() as WriteCallback;
      original.call(this, ...args, (err?: Error | null) => (err ? cb(err) : socket.once('data', () => cb())));
    };
  }
}

class LateAckAgent extends TracingAgent {
  override createConnection(options: http.ClientRequestArgs, callback?: (err: Error | null, stream: Duplex) => void): Duplex | null | undefined {
    const socket = super.createConnection(options, callback) as Socket;
    lateAcks(socket);
    return socket;
  }
}

const clients: Record<string, (url: string, agent: http.Agent) => Promise<string>> = {
  'node-fetch 3': async (url, agent) => (await nodeFetch(url, { agent })).text(),
  'superagent 10': async (url, agent) => (await superagent.get(url).agent(agent)).text,
  'axios 1': async (url, agent) => (await axios.get<string>(url, { httpAgent: agent, responseType: 'text' })).data,
  'got 14': async (url, agent) => got(url, { agent: { http: agent }, retry: { limit: 0 } }).text(),
};

const expected =
  '1: GetConn ConnectStart ConnectDone GotConn(new) WroteHeaders WroteRequest GotFirstResponseByte PutIdleConn' +
  ' ‖ 2: GetConn GotConn(reused,idle) WroteHeaders WroteRequest GotFirstResponseByte PutIdleConn';

for (const [name, client] of Object.entries(clients)) {
  test(`${name}: two GETs on one connection, wroteRequest before gotFirstResponseByte, putIdleConn(null) on both`, async (t) => {
    const server = await startTestServer(t);
    const agent = new LateAckAgent({ keepAlive: true });
    t.after(() => agent.destroy());
    const rec = new Recorder();
    const bodies: string[] = [];
    for (const req of [1, 2]) {
      const trace = rec.trace(req);
      let pooled!: () => void;
      const putIdle = new Promise<void>((resolve) => (pooled = resolve));
      const ctx = withClientTrace(emptyContext, {
        ...trace,
        putIdleConn: (err) => {
          trace.putIdleConn!(err);
          pooled();
        },
      });
      bodies.push(await runWithContext(ctx, () => client(`${server.ipOrigin}/ok`, agent)));
      await putIdle;
    }
    const withoutFields = rec.lines.filter((l) => l.hook !== 'WroteHeaderField');
    const summary = new Recorder();
    summary.lines.push(...withoutFields);
    assert.equal(summary.summary(), expected);
    assert.deepEqual(rec.hooks('PutIdleConn').map((l) => l.args['err']), [null, null]);
    assert.deepEqual(bodies, ['ok\n', 'ok\n']);
    assert.equal(server.connections, 1);
  });
}
