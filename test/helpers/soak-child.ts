/**
 * The soak, run in a child process started with `--expose-gc` (see test/soak.test.ts): `total`
 * requests through both adapters (in turn: node, undici 7's request, node, built-in fetch; each undici
 * client on its own tracing dispatcher), `concurrency` at a time, each
 * a success or one of the faults (seeded PRNG), every one traced with all 16 hooks. Counts, per
 * request id, how many times the caller was told of an outcome (an error or a completed response,
 * including any that comes late), and measures the heap after GC once the first `checkpoint`
 * requests are done and again at the end. Prints one JSON line, then lets the process end by itself.
 */
import diagnostics from 'node:diagnostics_channel';
import http from 'node:http';
import https from 'node:https';
import type { Socket } from 'node:net';
import { Agent as Undici7Agent, request as undici7Request } from 'undici7';
import { emptyContext, goHookNames, withClientTrace, type ClientTrace } from '../../src/index.js';
import { TracingAgent, TracingHttpsAgent } from '../../src/node/index.js';
import { createTracingDispatcher, undiciAgentClass, type AgentClass } from '../../src/undici/index.js';
import { FAULTS, expectedKind, faultKind, faultLookup, fetchRequest, nodeFault, trackClose, undiciFault, whenClosed, type FaultPorts, type Scenario } from './faults.js';
import { prng } from './prng.js';

/** The child's arguments (one JSON argument). */
export interface SoakArgs extends FaultPorts {
  total: number;
  concurrency: number;
  checkpoint: number;
  seed: number;
  /** Share of requests that meet a fault (spread evenly over the faults). */
  faultShare: number;
  /** Only these clients (default: node, undici, node, fetch, in turn) — to bisect a leak. */
  adapters?: Array<'node' | 'undici' | 'fetch'>;
  /** Only these faults (default all) — to bisect a leak. */
  faults?: Scenario[];
  /** node: plain `http.Agent`s instead of the tracing agents — the baseline when bisecting a leak. */
  plainNode?: boolean;
}

/** What the child prints. */
export interface SoakReport {
  /** `adapter scenario kind` → count. */
  counts: Record<string, number>;
  /** Ids whose caller was told of an outcome other than exactly once: `id:times`. */
  badSettles: string[];
  /** Requests whose outcome was not the expected kind: `id adapter scenario kind`. */
  wrongKinds: string[];
  heapAtCheckpoint: number;
  heapAtEnd: number;
  hookCalls: number;
  ms: number;
  socketsOpenAfterDestroy: number;
  subscribed: string[];
}

const args = JSON.parse(process.argv[2] ?? '{}') as SoakArgs;
const gc = (globalThis as { gc?: () => void }).gc;
if (gc === undefined) throw new Error('run with --expose-gc');

const random = prng(args.seed);
const faults: readonly Scenario[] = args.faults ?? FAULTS;
const adapters = args.adapters ?? ['node', 'undici', 'node', 'fetch'];
const plan: Scenario[] = Array.from({ length: args.total }, () => {
  const r = random();
  if (r >= args.faultShare) return 'ok';
  return faults[Math.floor((r / args.faultShare) * faults.length)] ?? 'ok';
});

let hookCalls = 0;
const trace: Record<string, unknown> = {};
for (const hook of goHookNames) trace[hook] = () => void hookCalls++;
const countingTrace = trace as ClientTrace;

const lookup = faultLookup();
const nodeEnv = {
  ...args,
  lookup,
  agent: args.plainNode ? new http.Agent({ keepAlive: true }) : new TracingAgent({ keepAlive: true }),
  httpsAgent: args.plainNode ? new https.Agent({ keepAlive: true }) : new TracingHttpsAgent({ keepAlive: true }),
};
const undiciSockets = new Set<Socket>();
const onConnected = (message: unknown): void => {
  const { socket } = message as { socket: Socket };
  undiciSockets.add(socket);
  trackClose(socket);
  socket.once('close', () => undiciSockets.delete(socket));
};
diagnostics.subscribe('undici:client:connected', onConnected);
const dispatcher = await createTracingDispatcher({ Agent: Undici7Agent as unknown as AgentClass, connect: { lookup } });
const undiciEnv = { ...args, lookup, dispatcher, request: undici7Request as never };
const fetchDispatcher = await createTracingDispatcher({ Agent: await undiciAgentClass(), connect: { lookup } });
const fetchEnv = { ...args, lookup, dispatcher: fetchDispatcher, request: fetchRequest };
const nodeSockets = new Set<Socket>();

const settles = new Uint8Array(args.total);
const counts: Record<string, number> = {};
const wrongKinds: string[] = [];

async function one(id: number): Promise<void> {
  const scenario = plan[id]!;
  const adapter = adapters[id % adapters.length]!;
  const notify = (): void => void settles[id]!++;
  const context = withClientTrace(emptyContext, countingTrace);
  const out =
    adapter === 'node'
      ? await nodeFault(nodeEnv, scenario, context, { notify })
      : await undiciFault(adapter === 'fetch' ? fetchEnv : undiciEnv, scenario, context, { notify, timeoutBy: 'signal' });
  if (adapter === 'node') {
    for (const s of out.sockets) {
      if (nodeSockets.has(s)) continue;
      nodeSockets.add(s);
      // The socket may have closed already: whenClosed watched it from the start.
      void whenClosed(s).then(() => nodeSockets.delete(s));
    }
  }
  const kind = faultKind(out.error);
  const key = `${adapter} ${scenario} ${kind}`;
  counts[key] = (counts[key] ?? 0) + 1;
  if (!expectedKind[scenario].includes(kind) && wrongKinds.length < 20) wrongKinds.push(`${id} ${key}: ${String(out.error)}`);
}

async function run(from: number, to: number): Promise<void> {
  let next = from;
  const worker = async (): Promise<void> => {
    while (next < to) await one(next++);
  };
  await Promise.all(Array.from({ length: args.concurrency }, worker));
}

/** The heap after full GCs, with turns of the event loop between them for finalizers (fetch registers some). */
async function heapAfterGC(): Promise<number> {
  for (let i = 0; i < 4; i++) {
    gc!();
    await new Promise((resolve) => setImmediate(resolve));
  }
  return process.memoryUsage().heapUsed;
}

const started = performance.now();
await run(0, args.checkpoint);
await new Promise((resolve) => setImmediate(resolve));
const heapAtCheckpoint = await heapAfterGC();
await run(args.checkpoint, args.total);
await new Promise((resolve) => setImmediate(resolve));
const heapAtEnd = await heapAfterGC();
const ms = performance.now() - started;

const subscribed = ['undici:request:create', 'undici:client:sendHeaders', 'undici:request:bodySent'].filter(
  (name) => diagnostics.channel(name).hasSubscribers,
);
nodeEnv.agent.destroy();
nodeEnv.httpsAgent.destroy();
await dispatcher.destroy();
await fetchDispatcher.destroy();
const open = [...nodeSockets, ...undiciSockets];
await Promise.all(open.map(whenClosed));
diagnostics.unsubscribe('undici:client:connected', onConnected);

const badSettles: string[] = [];
for (let id = 0; id < args.total && badSettles.length < 20; id++) if (settles[id] !== 1) badSettles.push(`${id}:${settles[id]}`);
const report: SoakReport = {
  counts,
  badSettles,
  wrongKinds,
  heapAtCheckpoint,
  heapAtEnd,
  hookCalls,
  ms,
  socketsOpenAfterDestroy: open.filter((s) => !s.destroyed).length,
  subscribed,
};
process.stdout.write(`${JSON.stringify(report)}\n`);
