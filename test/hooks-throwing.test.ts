/**
 * Hooks that throw at random never hurt the traffic: 1,000 requests per adapter, each with a trace
 * whose hooks throw with probability 0.3 (a seeded PRNG per request, so a failure is reproducible
 * with HTTPTRACE_SEED), give 1,000 correct responses; every throw reaches `onHookError` with its
 * hook's name; an older trace stacked below still sees every hook; and the pool keeps reusing its
 * connections.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import { Agent as Undici7Agent, request as undici7Request } from 'undici7';
import { emptyContext, goHookNames, withClientTrace, type ClientTrace, type HookName } from '../src/index.js';
import { TracingAgent } from '../src/node/index.js';
import { createTracingDispatcher, type AgentClass } from '../src/undici/index.js';
import { startTestServer } from './helpers/test-server.js';
import { fakeLookup } from './helpers/fake-dns.js';
import { prng } from './helpers/prng.js';

const SEED = Number(process.env['HTTPTRACE_SEED'] ?? 0x5eed);
const REQUESTS = 1000;
const CONCURRENCY = 4;
const THROW_PROBABILITY = 0.3;

/** What the whole run saw. */
interface Tally {
  thrown: Map<HookName, number>;
  reported: Map<HookName, number>;
  /** Reports whose error is not the one its hook threw. */
  mismatched: string[];
  /** Per request, how many times the observing (older) trace saw each hook. */
  seen: Array<Partial<Record<HookName, number>>>;
  reusedConns: number;
}

function newTally(): Tally {
  return { thrown: new Map(), reported: new Map(), mismatched: [], seen: [], reusedConns: 0 };
}

const bump = (map: Map<HookName, number>, hook: HookName): void => void map.set(hook, (map.get(hook) ?? 0) + 1);

/** Request `i`'s context: an observing trace, with a trace whose hooks throw at random stacked on it. */
function contextFor(i: number, tally: Tally) {
  const random = prng(SEED ^ Math.imul(i + 1, 0x9e3779b9));
  const seen: Partial<Record<HookName, number>> = {};
  tally.seen[i] = seen;
  const observer: Record<string, unknown> = {};
  const throwing: Record<string, unknown> = {};
  for (const hook of goHookNames) {
    observer[hook] = (...args: unknown[]) => {
      seen[hook] = (seen[hook] ?? 0) + 1;
      if (hook === 'gotConn' && (args[0] as { reused: boolean }).reused) tally.reusedConns++;
    };
    if (hook === 'got1xxResponse') continue; // its throw aborts the request, by contract
    throwing[hook] = () => {
      if (random() >= THROW_PROBABILITY) return;
      bump(tally.thrown, hook);
      throw new Error(`random throw in ${hook}`);
    };
  }
  const onHookError = (err: Error, hook: HookName): void => {
    bump(tally.reported, hook);
    if (err.message !== `random throw in ${hook}`) tally.mismatched.push(`${hook}: ${err.message}`);
  };
  return withClientTrace(withClientTrace(emptyContext, observer as ClientTrace), throwing as ClientTrace, { onHookError });
}

/** Runs `count` requests, `concurrency` at a time. */
async function runAll(count: number, concurrency: number, one: (i: number) => Promise<void>): Promise<void> {
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < count) await one(next++);
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
}

function checkTally(tally: Tally, perRequest: readonly HookName[]): void {
  const total = (m: Map<HookName, number>): number => [...m.values()].reduce((a, b) => a + b, 0);
  assert.ok(total(tally.thrown) > REQUESTS, `hooks threw ${total(tally.thrown)} times`);
  assert.deepEqual(Object.fromEntries(tally.reported), Object.fromEntries(tally.thrown), 'every throw reached onHookError, with its hook');
  assert.deepEqual(tally.mismatched, []);
  for (const hook of perRequest) {
    const off = tally.seen.map((s, i) => [i, s[hook] ?? 0]).filter(([, n]) => n !== 1);
    assert.deepEqual(off.slice(0, 5), [], `the observing trace saw ${hook} once per request`);
  }
}

const PER_REQUEST: readonly HookName[] = ['getConn', 'gotConn', 'wroteHeaders', 'wroteRequest', 'gotFirstResponseByte', 'putIdleConn'];

test(`node: ${REQUESTS} requests with randomly throwing hooks (seed ${SEED})`, { timeout: 30_000 }, async (t) => {
  const server = await startTestServer(t, { record: false });
  const agent = new TracingAgent({ keepAlive: true, lookup: fakeLookup({ 'throwing.test': ['127.0.0.1'] }) });
  t.after(() => agent.destroy());
  const tally = newTally();
  const bodies: string[] = [];
  await runAll(REQUESTS, CONCURRENCY, (i) =>
    new Promise<void>((resolve, reject) => {
      const req = http.get(`http://throwing.test:${server.port}/echo?i=${i}`, { agent, traceContext: contextFor(i, tally) }, (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => (body += chunk));
        res.on('end', () => {
          bodies[i] = body;
          resolve();
        });
        res.on('error', reject);
      });
      req.on('error', reject);
    }),
  );
  // putIdleConn fires in the tick after the last 'end'.
  await new Promise((resolve) => setImmediate(resolve));
  const wrong = bodies.map((b, i) => [i, b] as const).filter(([i, b]) => JSON.parse(b ?? '{}').url !== `/echo?i=${i}`);
  assert.deepEqual(wrong.slice(0, 3), [], 'every request got its own response');
  assert.equal(bodies.length, REQUESTS);
  checkTally(tally, PER_REQUEST);
  t.diagnostic(`${server.connections} connections for ${REQUESTS} requests, ${tally.reusedConns} reused; ${[...tally.thrown.values()].reduce((a, b) => a + b)} throws`);
  assert.ok(server.connections <= CONCURRENCY, `${server.connections} connections`);
  assert.ok(tally.reusedConns >= REQUESTS - CONCURRENCY, `${tally.reusedConns} reused`);
  assert.equal(agent.listenerCount('free'), new http.Agent().listenerCount('free') + 2);
});

test(`undici: ${REQUESTS} requests with randomly throwing hooks (seed ${SEED})`, { timeout: 30_000 }, async (t) => {
  const server = await startTestServer(t, { record: false });
  const dispatcher = await createTracingDispatcher({
    Agent: Undici7Agent as unknown as AgentClass,
    connect: { lookup: fakeLookup({ 'throwing.test': ['127.0.0.1'] }) },
  });
  t.after(() => dispatcher.destroy());
  const tally = newTally();
  const bodies: string[] = [];
  await runAll(REQUESTS, CONCURRENCY, async (i) => {
    const res = await undici7Request(`http://throwing.test:${server.port}/echo?i=${i}`, {
      dispatcher: dispatcher as never,
      traceContext: contextFor(i, tally),
    } as never);
    bodies[i] = await res.body.text();
    // undici pools a connection asynchronously once the response completed (README): a request made
    // in the same tick would dial anew, whatever the trace.
    await new Promise((resolve) => setImmediate(resolve));
  });
  const wrong = bodies.map((b, i) => [i, b] as const).filter(([i, b]) => JSON.parse(b ?? '{}').url !== `/echo?i=${i}`);
  assert.deepEqual(wrong.slice(0, 3), [], 'every request got its own response');
  assert.equal(bodies.length, REQUESTS);
  checkTally(tally, PER_REQUEST);
  t.diagnostic(`${server.connections} connections for ${REQUESTS} requests, ${tally.reusedConns} reused; ${[...tally.thrown.values()].reduce((a, b) => a + b)} throws`);
  assert.ok(server.connections <= CONCURRENCY * 2, `${server.connections} connections`);
  assert.ok(tally.reusedConns >= REQUESTS - CONCURRENCY * 2, `${tally.reusedConns} reused`);
});
