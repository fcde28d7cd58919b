/**
 * Faults through httptrace/node: for each fault the right hooks fire with the error, the caller is
 * told exactly once (as often as with a plain agent), and nothing is left behind: no request or
 * socket in the agent's pools, no listener of ours on the sockets (same listeners as a plain
 * agent's), and — in a child process running every fault in a row — nothing that keeps the process
 * alive.
 */
import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import https from 'node:https';
import type { Socket } from 'node:net';
import { emptyContext, withClientTrace } from '../src/index.js';
import { TracingAgent, TracingHttpsAgent } from '../src/node/index.js';
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
  nodeFault,
  whenClosed,
  type Fault,
  type FaultPorts,
  type NodeFaultEnv,
  type Outcome,
} from './helpers/faults.js';

const DIALED = 'GetConn DNSStart DNSDone ConnectStart ConnectDone GotConn(new)';
const SENT = `${DIALED} WroteHeaderField×2 WroteHeaders WroteRequest`;

/** The hook sequence of each fault on a fresh agent (README's hook table, node column). */
const expected: Record<Fault, string> = {
  dns: 'GetConn DNSStart DNSDone(err=dns)',
  refused: 'GetConn DNSStart DNSDone ConnectStart ConnectDone(err=refused)',
  tls: 'GetConn DNSStart DNSDone ConnectStart ConnectDone TLSHandshakeStart TLSHandshakeDone(err=tls)',
  reset: SENT,
  // A chunked POST whose body never ends: the reset fails the write.
  'reset-writing': `${DIALED} WroteHeaderField×3 WroteHeaders WroteRequest(err=reset)`,
  'reset-mid-body': `${SENT} GotFirstResponseByte`,
  'drop-mid-body': `${SENT} GotFirstResponseByte`,
  timeout: SENT,
  // Aborted during the lookup: DNSDone reports the abort at once, as Go's does (context canceled);
  // the late answer fires nothing, nothing is dialed.
  'abort-connect': 'GetConn DNSStart DNSDone(err=aborted)',
  'abort-headers': SENT,
  'abort-body': `${SENT} GotFirstResponseByte`,
  '1xx-abort': `${SENT} GotFirstResponseByte Got1xxResponse(103)`,
};

/** The hook whose `error` argument must be the very error the caller got. */
const errorHook: Partial<Record<Fault, string>> = {
  dns: 'DNSDone',
  refused: 'ConnectDone',
  tls: 'TLSHandshakeDone',
  'reset-writing': 'WroteRequest',
  'abort-connect': 'DNSDone',
};

interface Env {
  ports: FaultPorts;
  traced: NodeFaultEnv;
  plain: NodeFaultEnv;
}

async function setup(t: TestContext): Promise<Env> {
  const server = await startTestServer(t);
  const tlsServer = await startTestServer(t, { tls: true });
  const ports = { httpPort: server.port, httpsPort: tlsServer.port, refusedPort: await closedPort() };
  const lookup = faultLookup();
  const traced = { ...ports, lookup, agent: new TracingAgent({ keepAlive: true }), httpsAgent: new TracingHttpsAgent({ keepAlive: true }) };
  const plain = { ...ports, lookup, agent: new http.Agent({ keepAlive: true }), httpsAgent: new https.Agent({ keepAlive: true }) };
  t.after(() => {
    for (const a of [traced.agent, traced.httpsAgent, plain.agent, plain.httpsAgent]) a.destroy();
  });
  return { ports, traced, plain };
}

const closed = whenClosed;

/** Every listener on a socket, by event, as counts. */
function listenerCounts(socket: Socket): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const name of socket.eventNames()) counts[String(name)] = socket.listenerCount(name);
  return counts;
}

function poolSizes(agent: http.Agent): { sockets: number; freeSockets: number; requests: number } {
  const count = (pool: NodeJS.ReadOnlyDict<unknown[]>): number => Object.values(pool).reduce((n, list) => n + (list?.length ?? 0), 0);
  return { sockets: count(agent.sockets), freeSockets: count(agent.freeSockets), requests: count(agent.requests) };
}

/** After destroy() and the sockets' close, nothing is left in the pools. */
async function assertDestroyedEmpty(agent: http.Agent, sockets: Socket[]): Promise<void> {
  agent.destroy();
  await Promise.all(sockets.map(closed));
  assert.deepEqual(poolSizes(agent), { sockets: 0, freeSockets: 0, requests: 0 });
  assert.ok(sockets.every((s) => s.destroyed));
}

function agentOf(env: NodeFaultEnv, fault: Fault): http.Agent {
  return fault === 'tls' ? env.httpsAgent : env.agent;
}

for (const fault of FAULTS) {
  test(`node ${fault}: the hooks see the error, the caller gets it once, nothing is left behind`, { timeout: 10_000 }, async (t) => {
    const { traced, plain } = await setup(t);
    const rec = new Recorder();
    const out = await nodeFault(traced, fault, withClientTrace(emptyContext, rec.trace(1)));

    assert.ok(expectedKind[fault].includes(faultKind(out.error)), `${fault}: the caller got ${String(out.error)}`);
    assert.equal(rec.summary(), expected[fault]);
    assert.equal(out.errors, 1, 'told of the error exactly once');
    assert.equal(out.completions, 0);
    const hook = errorHook[fault];
    if (hook !== undefined) {
      const withError = rec.lines.filter((l) => l.args['error'] instanceof Error);
      assert.deepEqual(withError.map((l) => l.hook), [hook]);
      assert.equal(withError[0]?.args['error'], out.error, `${hook} got the caller's error`);
    }
    if (fault === '1xx-abort') assert.equal((out.error as { code?: string }).code, 'E_TEST_1XX_REFUSED');

    // Nothing waits in the pool, the sockets are gone from it once closed.
    const agent = agentOf(traced, fault);
    await Promise.all(out.sockets.map(closed));
    assert.deepEqual(poolSizes(agent), { sockets: 0, freeSockets: 0, requests: 0 });

    // The same fault through a plain agent: the same events for the caller, the same listeners left
    // on the (closed) socket — none of ours.
    if (fault !== '1xx-abort') {
      const base: Outcome = await nodeFault(plain, fault, undefined);
      assert.equal(faultKind(base.error), faultKind(out.error));
      assert.deepEqual([out.reqErrors, out.resErrors], [base.reqErrors, base.resErrors], 'as many error events as a plain agent');
      assert.equal(out.sockets.length, base.sockets.length);
      await Promise.all(base.sockets.map(closed));
      assert.deepEqual(out.sockets.map(listenerCounts), base.sockets.map(listenerCounts));
      await assertDestroyedEmpty(agentOf(plain, fault), base.sockets);
    }
    await assertDestroyedEmpty(agent, out.sockets);
  });
}

test('node: an idle socket after a traced request carries the same listeners as a plain agent\'s', async (t) => {
  const { traced, plain } = await setup(t);
  const rec = new Recorder();
  const a = await nodeFault(traced, 'ok', withClientTrace(emptyContext, rec.trace(1)));
  const b = await nodeFault(plain, 'ok', undefined);
  assert.equal(a.body, 'ok\n');
  assert.match(rec.summary(), /GotConn\(new\).* PutIdleConn$/);
  const [sa] = a.sockets;
  const [sb] = b.sockets;
  assert.ok(sa && sb && !sa.destroyed && !sb.destroyed);
  assert.deepEqual(poolSizes(traced.agent), { sockets: 0, freeSockets: 1, requests: 0 });
  assert.deepEqual(listenerCounts(sa), listenerCounts(sb));
  // The agent itself: the pool tracker's two 'free' listeners, installed once.
  for (let i = 0; i < 3; i++) await nodeFault(traced, 'ok', withClientTrace(emptyContext, rec.trace(2 + i)));
  assert.equal(traced.agent.listenerCount('free'), plain.agent.listenerCount('free') + 2);
  // Reusing it added no listener either (the stale-connection retry watches through emit).
  assert.deepEqual(listenerCounts(sa), listenerCounts(sb), 'reusing the socket added no listener');
  await assertDestroyedEmpty(traced.agent, [sa]);
  await assertDestroyedEmpty(plain.agent, [sb]);
});

test('node reset on a reused connection: retried once on a new connection, the caller gets one error', async (t) => {
  const { traced } = await setup(t);
  const rec = new Recorder();
  await nodeFault(traced, 'ok', withClientTrace(emptyContext, rec.trace(1)));
  const out = await nodeFault(traced, 'reset', withClientTrace(emptyContext, rec.trace(2)));
  assert.equal(faultKind(out.error), 'reset');
  assert.equal(out.errors, 1);
  assert.equal(out.reqErrors, 1);
  // Go's retry on a stale idle connection: both attempts show, the second on a new connection.
  assert.equal(
    rec.summary({ perReq: true }).split(' ‖ ')[1],
    `2: GetConn GotConn(reused,idle) WroteHeaderField×2 WroteHeaders WroteRequest GetConn ${SENT.replace('GetConn ', '')}`,
  );
  assert.equal(out.sockets.length, 2);
  await Promise.all(out.sockets.map(closed));
  assert.deepEqual(poolSizes(traced.agent), { sockets: 0, freeSockets: 0, requests: 0 });
  await assertDestroyedEmpty(traced.agent, out.sockets);
});

test('node: every fault in a row in a child process, which then exits by itself', { timeout: 20_000 }, async (t) => {
  // Idle connections are kept for a minute and the slow endpoints wait 30 s: a socket the child
  // left open would keep it alive past the deadline.
  const server = await startTestServer(t, { keepAliveTimeout: 60_000 });
  const tlsServer = await startTestServer(t, { tls: true, keepAliveTimeout: 60_000 });
  const args: FaultChildArgs = { adapter: 'node', rounds: 1, httpPort: server.port, httpsPort: tlsServer.port, refusedPort: await closedPort() };
  const child = await runChild(helperScript('fault-child.js'), args, { deadlineMs: 5_000 });
  t.diagnostic(`child ran ${FAULTS.length + 2} requests and exited in ${Math.round(child.ms)} ms`);
  assert.equal(child.timedOut, false, `the child did not exit within 5 s\n${child.stdout}\n${child.stderr}`);
  assert.equal(child.stderr, '');
  const report = JSON.parse(child.stdout) as FaultChildReport;
  assert.deepEqual(report.problems, []);
  assert.equal(child.code, 0);
  assert.deepEqual(report.results.map((r) => r.scenario), ['ok', ...FAULTS, 'ok']);
  assert.ok(report.results.every((r) => r.hooks > 0), 'every request was traced');
  const empty = { sockets: 0, freeSockets: 0, requests: 0 };
  assert.deepEqual(report.pools, { http: empty, https: empty });
  assert.equal(report.socketsOpen, 0);
  assert.ok(report.socketsSeen >= FAULTS.length - 1, `${report.socketsSeen} sockets`);
});
