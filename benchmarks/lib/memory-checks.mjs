/**
 * The two memory checks used by memory.mjs: TracingAgent (node:http) and the tracing dispatcher
 * (npm undici 7 `request`). Each first runs a plain agent under the same load to learn which
 * listeners Node or undici itself leaves on an idle socket and on the agent, so that only the
 * listeners httptrace adds are reported.
 */
import diagnostics from 'node:diagnostics_channel';
import http from 'node:http';
import { Agent, request as undiciRequest } from 'undici';
import { emptyContext, hookNames, withClientTrace } from '../../dist/index.js';
import { TracingAgent } from '../../dist/node/index.js';
import { createTracingDispatcher } from '../../dist/undici/index.js';
import { runLoad } from './load.mjs';

const concurrency = 16;
const tick = () => new Promise((r) => setImmediate(r));

/** A trace with all 16 hooks, each counting its calls. */
function countingTrace() {
  const counts = Object.fromEntries(hookNames.map((h) => [h, 0]));
  const trace = Object.fromEntries(hookNames.map((h) => [h, () => void counts[h]++]));
  return { counts, context: withClientTrace(emptyContext, trace) };
}

async function heapAfterGc() {
  for (let i = 0; i < 4; i++) {
    globalThis.gc();
    await tick();
  }
  return process.memoryUsage().heapUsed;
}

/** Listener count per event name. */
function listeners(emitter) {
  return Object.fromEntries(emitter.eventNames().map((e) => [String(e), emitter.listenerCount(e)]));
}

/** For each emitter, the listeners beyond `baseline` (event → extra count); only non-empty ones. */
function extraListeners(emitters, baseline) {
  const extra = {};
  for (const emitter of emitters) {
    for (const [event, count] of Object.entries(listeners(emitter))) {
      const more = count - (baseline[event] ?? 0);
      if (more > 0) extra[event] = Math.max(extra[event] ?? 0, more);
    }
  }
  return extra;
}

/** The most listeners per event over some emitters (the baseline profile). */
function maxListeners(emitters) {
  const most = {};
  for (const emitter of emitters) for (const [e, n] of Object.entries(listeners(emitter))) most[e] = Math.max(most[e] ?? 0, n);
  return most;
}

/** Runs `request` n times: early checkpoint at 10 %, end checkpoint; heap after GC at both. */
async function measureHeap(request, n, atEarly = () => {}) {
  const early = Math.round(n / 10);
  await runLoad(request, early, concurrency);
  await tick();
  atEarly();
  const heapEarly = await heapAfterGc();
  await runLoad(request, n - early, concurrency);
  await tick();
  const heapEnd = await heapAfterGc();
  return { heapEarly, heapEnd, heapGrowth: heapEnd - heapEarly };
}

function nodeGet(agent, hostname, port, traceContext) {
  return () =>
    new Promise((resolve, reject) => {
      const options = { host: hostname, port, path: '/', agent };
      if (traceContext) options.traceContext = traceContext;
      http.get(options, (res) => res.resume().on('end', resolve)).on('error', reject);
    });
}

export async function checkNode(url, n) {
  const { hostname, port } = new URL(url);
  const options = { keepAlive: true, maxSockets: concurrency };
  const plain = new http.Agent(options);
  await runLoad(nodeGet(plain, hostname, port), 64, concurrency);
  await tick();
  const plainSocket = maxListeners(Object.values(plain.freeSockets).flat());
  const plainAgent = listeners(plain);
  plain.destroy();

  const { counts, context } = countingTrace();
  const agent = new TracingAgent(options);
  let agentEarly;
  const heap = await measureHeap(nodeGet(agent, hostname, port, context), n, () => (agentEarly = listeners(agent)));
  const idle = Object.values(agent.freeSockets).flat();
  const busy = Object.values(agent.sockets).flat();
  const result = {
    ...heap,
    hooks: counts,
    sockets: { idle: idle.length, busy: busy.length },
    extraOnSockets: extraListeners(idle, plainSocket),
    extraOnAgentVsPlainAgent: extraListeners([agent], plainAgent),
    agentGrowthSinceEarly: extraListeners([agent], agentEarly),
  };
  agent.destroy();
  return result;
}

const libraryChannels = ['undici:request:create', 'undici:client:sendHeaders', 'undici:request:bodySent'];

export async function checkUndici(url, n) {
  const sockets = new Set();
  const onConnected = ({ socket }) => sockets.add(socket);
  diagnostics.subscribe('undici:client:connected', onConnected);
  const get = (dispatcher, traceContext) => async () => {
    const { body } = await undiciRequest(url, traceContext ? { dispatcher, traceContext } : { dispatcher });
    await body.dump();
  };
  const plain = new Agent();
  await runLoad(get(plain), 64, concurrency);
  await tick();
  const plainSocket = maxListeners([...sockets]);
  await plain.close();
  sockets.clear();

  const { counts, context } = countingTrace();
  const dispatcher = await createTracingDispatcher({ Agent });
  const heap = await measureHeap(get(dispatcher, context), n);
  diagnostics.unsubscribe('undici:client:connected', onConnected);
  const open = [...sockets].filter((s) => !s.destroyed);
  const result = {
    ...heap,
    hooks: counts,
    sockets: { seen: sockets.size, open: open.length },
    extraOnSockets: extraListeners(open, plainSocket),
    channelsStillSubscribed: libraryChannels.filter((name) => diagnostics.channel(name).hasSubscribers),
  };
  await dispatcher.close();
  return result;
}
