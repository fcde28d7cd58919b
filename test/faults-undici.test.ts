/**
 * Faults through httptrace/undici, with two clients: npm undici 7's `request` on a tracing dispatcher
 * built on its Agent, and Node's built-in `fetch` on one built on fetch's own Agent. For each fault the right hooks fire with the error, undici tells the caller's handler
 * exactly once, and nothing is left behind: no request in the Agent's pools, no diagnostics-channel
 * subscription of ours once the request ended, no dial listener on the sockets, every socket closed
 * by `destroy()` — and, in a child process running every fault in a row, nothing that keeps the
 * process alive.
 */
import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import diagnostics from 'node:diagnostics_channel';
import type { Socket } from 'node:net';
import { Readable } from 'node:stream';
import { Agent as Undici7Agent, request as undici7Request } from 'undici7';
import { emptyContext, withClientTrace } from '../src/index.js';
import { createTracingDispatcher, undiciAgentClass, type AgentClass, type Dispatcher } from '../src/undici/index.js';
import { Recorder } from './helpers/recorder.js';
import { startTestServer } from './helpers/test-server.js';
import { closedPort } from './helpers/ports.js';
import { helperScript, runChild } from './helpers/child.js';
import type { FaultChildArgs, FaultChildReport } from './helpers/fault-child.js';
import {
  FAULTS,
  expectedKind,
  faultKind,
  faultLookup,
  fetchRequest,
  trackClose,
  undiciFault,
  whenClosed,
  type Fault,
  type FaultOptions,
  type RequestFn,
  type UndiciFaultEnv,
} from './helpers/faults.js';

/** A client of the tracing dispatcher. */
interface Client {
  name: string;
  request: RequestFn;
  /** The undici Agent class to build the dispatcher on. */
  Agent: () => Promise<AgentClass>;
  /** How the `timeout` fault times out. */
  timeoutBy: NonNullable<FaultOptions['timeoutBy']>;
}

const clients: Client[] = [
  { name: 'undici 7 request', request: undici7Request as never, Agent: async () => Undici7Agent as unknown as AgentClass, timeoutBy: 'option' },
  { name: 'built-in fetch', request: fetchRequest, Agent: undiciAgentClass, timeoutBy: 'signal' },
];

const DIALED = 'GetConn DNSStart DNSDone ConnectStart ConnectDone GotConn(new)';
const SENT = `${DIALED} WroteHeaderField×* WroteHeaders WroteRequest`;

/** The hook sequence of each fault on a fresh dispatcher (README's hook table, undici column). */
const expected: Record<Fault, string> = {
  dns: 'GetConn DNSStart DNSDone(err=dns)',
  refused: 'GetConn DNSStart DNSDone ConnectStart ConnectDone(err=refused)',
  tls: 'GetConn DNSStart DNSDone ConnectStart ConnectDone TLSHandshakeStart TLSHandshakeDone(err=tls)',
  reset: SENT,
  // A POST whose stream body never ends: the reset fails the write. (undici dials for a body of
  // unknown length after dispatch() returned: see the 'stream body' test below.)
  'reset-writing': `${DIALED} WroteHeaderField×* WroteHeaders WroteRequest(err=reset)`,
  'reset-mid-body': `${SENT} GotFirstResponseByte`,
  'drop-mid-body': `${SENT} GotFirstResponseByte`,
  timeout: SENT,
  // undici keeps dialing for an aborted request (the connection then waits in the pool): the dial
  // hooks fire on the aborted request's trace, as the contract allows ("dial hooks may fire for a
  // dial that ends up serving another request").
  'abort-connect': 'GetConn DNSStart DNSDone ConnectStart ConnectDone',
  'abort-headers': SENT,
  'abort-body': `${SENT} GotFirstResponseByte`,
  '1xx-abort': `${SENT} GotFirstResponseByte Got1xxResponse(103)`,
};

/** The hook whose `error` argument must be the error the caller got. */
const errorHook: Partial<Record<Fault, string>> = {
  dns: 'DNSDone',
  refused: 'ConnectDone',
  tls: 'TLSHandshakeDone',
  'reset-writing': 'WroteRequest',
};

const OUR_CHANNELS = ['undici:request:create', 'undici:client:sendHeaders', 'undici:request:bodySent'];
/** The dial tracer's events: the first three are its own; on a live socket, `connect`/`secureConnect` too. */
const DIAL_EVENTS = ['connectionAttempt', 'connectionAttemptFailed', 'connectionAttemptTimeout', 'connect', 'secureConnect'];

interface Stats {
  connected: number;
  free: number;
  pending: number;
  queued: number;
  running: number;
  size: number;
}

interface Env extends UndiciFaultEnv {
  /** The undici Agent under the dispatcher (`stats` from undici 7 only). */
  agent: { stats?: Record<string, Stats> };
  /** Every socket undici connected, and every plain TCP socket it dialed, in order. */
  sockets: Socket[];
}

async function setup(t: TestContext, client: Client = clients[0]!): Promise<Env> {
  const server = await startTestServer(t);
  const tlsServer = await startTestServer(t, { tls: true });
  const lookup = faultLookup();
  const sockets: Socket[] = [];
  // Sockets undici connected, and (net.connect only: plain TCP) those whose dial failed.
  const onConnected = (message: unknown): void => {
    const { socket } = message as { socket: Socket };
    if (sockets.includes(socket)) return;
    sockets.push(socket);
    trackClose(socket);
  };
  diagnostics.subscribe('undici:client:connected', onConnected);
  diagnostics.subscribe('net.client.socket', onConnected);
  let agent: Env['agent'] | undefined;
  const Base = (await client.Agent()) as unknown as typeof Undici7Agent;
  class RecordingAgent extends Base {
    constructor(options: ConstructorParameters<typeof Undici7Agent>[0]) {
      super(options);
      agent = this as unknown as Env['agent'];
    }
  }
  const dispatcher: Dispatcher = await createTracingDispatcher({ Agent: RecordingAgent as unknown as AgentClass, connect: { lookup } });
  t.after(async () => {
    await dispatcher.destroy();
    diagnostics.unsubscribe('undici:client:connected', onConnected);
    diagnostics.unsubscribe('net.client.socket', onConnected);
  });
  return {
    httpPort: server.port,
    httpsPort: tlsServer.port,
    refusedPort: await closedPort(),
    lookup,
    dispatcher,
    request: client.request,
    agent: agent!,
    sockets,
  };
}

function mask(summary: string): string {
  return summary.replace(/WroteHeaderField(×\d+)?/g, 'WroteHeaderField×*');
}

function describe(socket: Socket): string {
  return JSON.stringify(Object.fromEntries(socket.eventNames().map((n) => [n, socket.listeners(n).map((l) => l.name || '(anonymous)')])));
}

function listenerCounts(socket: Socket): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const name of socket.eventNames()) counts[String(name)] = socket.listenerCount(name);
  return counts;
}

/** No request waits or runs in any of the Agent's pools. */
function assertNoRequestInPools(env: Env): void {
  for (const [origin, s] of Object.entries(env.agent.stats ?? {})) {
    assert.deepEqual({ pending: s.pending, queued: s.queued, running: s.running }, { pending: 0, queued: 0, running: 0 }, origin);
  }
}

/** destroy() closes every socket undici connected. */
async function assertDestroyedEmpty(env: Env): Promise<void> {
  await env.dispatcher.destroy();
  await Promise.all(env.sockets.map(whenClosed));
  assert.ok(env.sockets.every((s) => s.destroyed));
  if (env.agent.stats !== undefined) assert.deepEqual(env.agent.stats, {});
}

for (const client of clients) for (const fault of FAULTS) {
  test(`${client.name} ${fault}: the hooks see the error, the caller's handler hears it once, nothing is left behind`, { timeout: 10_000 }, async (t) => {
    const env = await setup(t, client);
    const rec = new Recorder();
    const out = await undiciFault(env, fault, withClientTrace(emptyContext, rec.trace(1)), { timeoutBy: client.timeoutBy });

    assert.ok(expectedKind[fault].includes(faultKind(out.error)), `${fault}: the caller got ${String(out.error)}`);
    assert.equal(mask(rec.summary()), expected[fault]);
    assert.equal(out.errors, 1, 'onError exactly once');
    assert.equal(out.completions, 0);
    const hook = errorHook[fault];
    if (hook !== undefined) {
      const withError = rec.lines.filter((l) => l.args['error'] instanceof Error);
      assert.deepEqual(withError.map((l) => l.hook), [hook]);
      const err = withError[0]?.args['error'];
      assert.ok(err === out.error || err === (out.error as { cause?: unknown }).cause, `${hook} got the caller's error`);
    }

    // The traced request has ended: our channel subscriptions are gone, the pools hold no request
    // (once the connections undici destroyed have closed), and no dial listener of ours stays on a socket.
    assert.deepEqual(OUR_CHANNELS.filter((name) => diagnostics.channel(name).hasSubscribers), []);
    await Promise.all(env.sockets.filter((s) => s.destroyed).map(whenClosed));
    assertNoRequestInPools(env);
    if (fault === 'dns' || fault === 'refused') assert.equal(env.sockets.length, 1, 'the failed dial was seen');
    for (const socket of env.sockets) {
      // A dial still in progress has them (undici redials after some aborts: see the test below).
      if (socket.connecting) continue;
      const events = socket.destroyed ? DIAL_EVENTS.slice(0, 3) : DIAL_EVENTS;
      assert.deepEqual(events.map((e) => socket.listenerCount(e)), events.map(() => 0), describe(socket));
    }
    if (fault === 'abort-connect') {
      // The dial went on after the abort; undici then closed the connection it no longer needed.
      assert.equal(env.sockets.length, 1);
      assert.equal(env.sockets[0]?.destroyed, true);
    }
    await assertDestroyedEmpty(env);
  });
}

test('undici: a traced connection carries the same socket listeners as an untraced one', async (t) => {
  const env = await setup(t);
  const rec = new Recorder();
  const traced = await undiciFault(env, 'ok', withClientTrace(emptyContext, rec.trace(1)));
  assert.equal(traced.body, 'ok\n');
  assert.match(mask(rec.summary()), /GotConn\(new\).* PutIdleConn$/);
  // Another origin (localhost: the fault lookup's other name), so that undici dials again.
  const res = await env.request(`http://localhost:${env.httpPort}/ok`, { dispatcher: env.dispatcher });
  assert.equal(await res.body.text(), 'ok\n');
  assert.equal(env.sockets.length, 2);
  const [a, b] = env.sockets as [Socket, Socket];
  assert.ok(!a.destroyed && !b.destroyed);
  assert.deepEqual(listenerCounts(a), listenerCounts(b));
  // Reusing the traced connection for more traced requests adds nothing.
  for (let i = 0; i < 3; i++) {
    await new Promise((resolve) => setImmediate(resolve)); // let undici pool the connection (README)
    await undiciFault(env, 'ok', withClientTrace(emptyContext, rec.trace(2 + i)));
  }
  assert.equal(env.sockets.length, 2, 'the connection was reused');
  assert.deepEqual(listenerCounts(a), listenerCounts(b));
  assert.deepEqual(OUR_CHANNELS.filter((name) => diagnostics.channel(name).hasSubscribers), []);
  await assertDestroyedEmpty(env);
});

// undici dials in a microtask for a body of unknown length, after dispatch() returned.
test(
  'undici request() with a stream body and the traceContext option: the dial hooks fire',
  async (t) => {
    const env = await setup(t);
    const rec = new Recorder();
    const res = await env.request(`http://faults.test:${env.httpPort}/echo`, {
      dispatcher: env.dispatcher,
      method: 'POST',
      body: Readable.from(['hello']),
      traceContext: withClientTrace(emptyContext, rec.trace(1)),
    });
    assert.equal(JSON.parse(await res.body.text()).body, 'hello');
    assert.equal(mask(rec.summary()), `${SENT} GotFirstResponseByte PutIdleConn`);
  },
);

for (const client of clients) {
  test(
    // undici redials for the aborted request (client-h1 onHttpSocketClose: UND_ERR_INFO puts it
    // back to pending); the connector must not trace that dial on the ended request.
    `${client.name}: no hook fires on a trace once its request was aborted while waiting for headers`,
    async (t) => {
      const env = await setup(t, client);
      const rec = new Recorder();
      const out = await undiciFault(env, 'abort-headers', withClientTrace(emptyContext, rec.trace(1)), { timeoutBy: client.timeoutBy });
      assert.equal(faultKind(out.error), 'aborted');
      const atError = rec.summary();
      // Once the aborted connection has closed, undici has done what it does next.
      await Promise.all(env.sockets.filter((s) => s.destroyed).map(whenClosed));
      const dials = env.sockets.length;
      await env.dispatcher.destroy();
      await Promise.all(env.sockets.map(whenClosed));
      assert.equal(rec.summary(), atError, `${dials} connections dialed; hooks after the error: ${rec.summary().slice(atError.length)}`);
    },
  );
}

test('undici: every fault in a row in a child process, which then exits by itself', { timeout: 20_000 }, async (t) => {
  // Idle connections are kept for a minute and the slow endpoints wait 30 s: a socket the child
  // left open would keep it alive past the deadline.
  const server = await startTestServer(t, { keepAliveTimeout: 60_000 });
  const tlsServer = await startTestServer(t, { tls: true, keepAliveTimeout: 60_000 });
  const args: FaultChildArgs = { adapter: 'undici', rounds: 1, httpPort: server.port, httpsPort: tlsServer.port, refusedPort: await closedPort() };
  const child = await runChild(helperScript('fault-child.js'), args, { deadlineMs: 5_000 });
  t.diagnostic(`child ran ${FAULTS.length + 2} requests and exited in ${Math.round(child.ms)} ms`);
  assert.equal(child.timedOut, false, `the child did not exit within 5 s\n${child.stdout}\n${child.stderr}`);
  assert.equal(child.stderr, '');
  const report = JSON.parse(child.stdout) as FaultChildReport;
  assert.deepEqual(report.problems, []);
  assert.equal(child.code, 0);
  assert.deepEqual(report.results.map((r) => r.scenario), ['ok', ...FAULTS, 'ok']);
  assert.ok(report.results.every((r) => r.hooks > 0), 'every request was traced');
  assert.deepEqual(report.subscribed, []);
  for (const stats of report.pools as Array<Record<string, Stats>>) {
    for (const s of Object.values(stats)) assert.deepEqual([s.pending, s.queued, s.running], [0, 0, 0]);
  }
  assert.equal(report.socketsOpen, 0);
  assert.ok(report.socketsSeen >= 5, `${report.socketsSeen} sockets`);
});
