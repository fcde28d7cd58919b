/**
 * Runs in a child process (`spawn(process.execPath, [thisFile, JSON])`): every fault in a row through
 * one adapter, against the servers of the parent process, then destroys the agent or dispatcher and
 * lets the process end by itself. A socket, timer or listener left behind keeps it alive (the
 * parent's servers keep idle connections for a minute and their slow endpoints wait 30 s), which
 * the parent sees as a missed deadline. Prints one JSON line: what each request gave, and the pools.
 * Sets `process.exitCode = 1` on a broken expectation, never calls `process.exit()`.
 */
import https from 'node:https';
import diagnostics from 'node:diagnostics_channel';
import type { Socket } from 'node:net';
import { Agent as Undici7Agent, request as undici7Request } from 'undici7';
import { emptyContext, withClientTrace } from '../../src/index.js';
import { TracingAgent, TracingHttpsAgent } from '../../src/node/index.js';
import { createTracingDispatcher, type AgentClass } from '../../src/undici/index.js';
import { FAULTS, expectedKind, faultKind, faultLookup, nodeFault, trackClose, undiciFault, whenClosed, type FaultPorts, type Scenario } from './faults.js';
import { Recorder } from './recorder.js';

/** The child's arguments (one JSON argument). */
export interface FaultChildArgs extends FaultPorts {
  adapter: 'node' | 'undici';
  /** How many times to run the whole list. */
  rounds: number;
}

/** What the child prints. */
export interface FaultChildReport {
  results: Array<{ scenario: Scenario; kind: string; errors: number; completions: number; hooks: number }>;
  /** node: the agents' pools after destroy(); undici: the Agent's stats before destroy(). */
  pools: unknown;
  socketsSeen: number;
  socketsOpen: number;
  /** undici: channels still subscribed after the last request. */
  subscribed: string[];
  problems: string[];
}

const args = JSON.parse(process.argv[2] ?? '{}') as FaultChildArgs;
const lookup = faultLookup();
const report: FaultChildReport = { results: [], pools: null, socketsSeen: 0, socketsOpen: 0, subscribed: [], problems: [] };
const scenarios: Scenario[] = ['ok', ...FAULTS, 'ok'];

function check(scenario: Scenario, kind: string, errors: number, completions: number, hooks: number): void {
  report.results.push({ scenario, kind, errors, completions, hooks });
  if (!expectedKind[scenario].includes(kind)) report.problems.push(`${scenario}: got ${kind}`);
  const want = scenario === 'ok' ? [0, 1] : [1, 0];
  if (errors !== want[0] || completions !== want[1]) report.problems.push(`${scenario}: ${errors} errors, ${completions} completions`);
}

const closed = whenClosed;

if (args.adapter === 'node') {
  const agent = new TracingAgent({ keepAlive: true });
  const httpsAgent = new TracingHttpsAgent({ keepAlive: true });
  const env = { ...args, agent, httpsAgent, lookup };
  const sockets = new Set<Socket>();
  for (let round = 0; round < args.rounds; round++) {
    for (const scenario of scenarios) {
      const rec = new Recorder();
      const out = await nodeFault(env, scenario, withClientTrace(emptyContext, rec.trace(1)));
      for (const s of out.sockets) sockets.add(s);
      check(scenario, faultKind(out.error), out.errors, out.completions, rec.lines.length);
    }
  }
  agent.destroy();
  httpsAgent.destroy();
  await Promise.all([...sockets].map(closed));
  const pools = (a: https.Agent | typeof agent) => ({
    sockets: Object.keys(a.sockets).length,
    freeSockets: Object.keys(a.freeSockets).length,
    requests: Object.keys(a.requests).length,
  });
  report.pools = { http: pools(agent), https: pools(httpsAgent) };
  report.socketsSeen = sockets.size;
  report.socketsOpen = [...sockets].filter((s) => !s.destroyed).length;
} else {
  const sockets = new Set<Socket>();
  const onConnected = (message: unknown): void => {
    const { socket } = message as { socket: Socket };
    sockets.add(socket);
    trackClose(socket);
  };
  diagnostics.subscribe('undici:client:connected', onConnected);
  const agents: Array<{ stats: unknown }> = [];
  class RecordingAgent extends Undici7Agent {
    constructor(options: ConstructorParameters<typeof Undici7Agent>[0]) {
      super(options);
      agents.push(this as unknown as { stats: unknown });
    }
  }
  const dispatcher = await createTracingDispatcher({ Agent: RecordingAgent as unknown as AgentClass, connect: { lookup } });
  const env = { ...args, dispatcher, request: undici7Request as never, lookup };
  for (let round = 0; round < args.rounds; round++) {
    for (const scenario of scenarios) {
      const rec = new Recorder();
      const out = await undiciFault(env, scenario, withClientTrace(emptyContext, rec.trace(1)));
      check(scenario, faultKind(out.error), out.errors, out.completions, rec.lines.length);
    }
  }
  report.subscribed = ['undici:request:create', 'undici:client:sendHeaders', 'undici:request:bodySent'].filter(
    (name) => diagnostics.channel(name).hasSubscribers,
  );
  report.pools = agents.map((a) => a.stats);
  await dispatcher.destroy();
  await Promise.all([...sockets].map(closed));
  diagnostics.unsubscribe('undici:client:connected', onConnected);
  report.socketsSeen = sockets.size;
  report.socketsOpen = [...sockets].filter((s) => !s.destroyed).length;
}

if (report.problems.length > 0) process.exitCode = 1;
process.stdout.write(`${JSON.stringify(report)}\n`);
