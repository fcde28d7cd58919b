/**
 * The tracing agents as drop-in replacements for `http.Agent` / `https.Agent`. The behaviours are
 * those Node's own client tests check (test/parallel/test-http-agent-*.js, test-https-agent-*.js,
 * test-http-keepalive-*.js), re-written here for node:test. Most scenarios run in four modes and
 * their observations are compared with a plain `http.Agent` running the same scenario:
 *
 * - `node`: a plain `http.Agent` / `https.Agent` (the reference);
 * - `untraced`: our agent, no trace anywhere;
 * - `traced`: our agent, `traceContext: withClientTrace(emptyContext, trace)` in the request options;
 * - `active`: our agent, the request made inside `runWithContext(ctx, …)`.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import https from 'node:https';
import net from 'node:net';
import { once, type EventEmitter } from 'node:events';
import { spawn } from 'node:child_process';
import { inherits } from 'node:util';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Duplex } from 'node:stream';
import type { AddressInfo, Socket } from 'node:net';
import type { TLSSocket } from 'node:tls';
import { TracingAgent, TracingHttpsAgent } from '../src/node/index.js';
import {
  emptyContext,
  goHookNames,
  runWithContext,
  withClientTrace,
  type ClientTrace,
  type Context,
  type TLSConnectionState,
} from '../src/index.js';
import { startTestServer, type AfterHook } from './helpers/test-server.js';
import { fakeLookup } from './helpers/fake-dns.js';
import { ca } from './helpers/tls-fixture.js';

// ---------------------------------------------------------------------------------------------
// Harness
// ---------------------------------------------------------------------------------------------

type Mode = 'node' | 'untraced' | 'traced' | 'active';
const MODES: readonly Mode[] = ['node', 'untraced', 'traced', 'active'];

/** One hook call. */
interface Hook {
  readonly hook: string;
  readonly args: readonly unknown[];
}

/** A trace with every hook, logging into `log`. */
function recordingTrace(log: Hook[]): ClientTrace {
  const trace: Record<string, (...args: unknown[]) => void> = {};
  for (const hook of goHookNames) trace[hook] = (...args) => void log.push({ hook, args });
  return trace as ClientTrace;
}

type AgentClass = typeof http.Agent;
type HttpsAgentClass = typeof https.Agent;
const OurAgent = TracingAgent as unknown as AgentClass;
const OurHttpsAgent = TracingHttpsAgent as unknown as HttpsAgentClass;

/** One run of a scenario in one mode: its agents, its requests, its trace log. */
class Run {
  readonly hooks: Hook[] = [];
  readonly context: Context;
  readonly #t: AfterHook;
  readonly #ids = new Map<object, string>();

  constructor(readonly mode: Mode, t: AfterHook) {
    this.#t = t;
    this.context = withClientTrace(emptyContext, recordingTrace(this.hooks));
  }

  get traced(): boolean {
    return this.mode === 'traced' || this.mode === 'active';
  }

  /** The agent classes of this mode, for subclassing. */
  get Agent(): AgentClass {
    return this.mode === 'node' ? http.Agent : OurAgent;
  }
  get HttpsAgent(): HttpsAgentClass {
    return this.mode === 'node' ? https.Agent : OurHttpsAgent;
  }

  /** Registers `agent.destroy()` for the end of the test and returns `agent`. */
  own<A extends http.Agent>(agent: A): A {
    this.#t.after(() => agent.destroy());
    return agent;
  }
  agent(options: http.AgentOptions = {}): http.Agent {
    return this.own(new this.Agent(options));
  }
  httpsAgent(options: https.AgentOptions = {}): https.Agent {
    return this.own(new this.HttpsAgent(options));
  }

  /** Starts a request the way this mode does (with its trace, or none), not ended. */
  open(url: string, options: http.RequestOptions = {}): http.ClientRequest {
    const client = url.startsWith('https:') ? https : http;
    const opts = this.mode === 'traced' ? { ...options, traceContext: this.context } : options;
    const make = (): http.ClientRequest => client.request(url, opts);
    return this.mode === 'active' ? runWithContext(this.context, make) : make();
  }

  /** {@link open}, then `end()`. */
  request(url: string, options: http.RequestOptions = {}): http.ClientRequest {
    return this.open(url, options).end();
  }

  /** A request, its response and its body read to the end. */
  async get(url: string, options: http.RequestOptions = {}): Promise<Exchange> {
    return exchange(this.request(url, options));
  }

  /** A stable name for a socket (or any object) within this run: A, B, C, … */
  id(socket: object | null | undefined): string {
    if (socket === null || socket === undefined) return '-';
    let id = this.#ids.get(socket);
    if (id === undefined) this.#ids.set(socket, (id = String.fromCharCode(65 + this.#ids.size)));
    return id;
  }

  /** The names of the hooks called, optionally only those in `only`. */
  names(only?: readonly string[]): string[] {
    return this.hooks.filter((h) => only === undefined || only.includes(h.hook)).map((h) => h.hook);
  }
  /** Arguments of each call of `hook`. */
  calls(hook: string): (readonly unknown[])[] {
    return this.hooks.filter((h) => h.hook === hook).map((h) => h.args);
  }
  /** `gotConn` infos, without the socket. */
  gotConns(): Array<{ reused: boolean; wasIdle: boolean }> {
    return this.calls('gotConn').map((a) => {
      const info = a[0] as { reused: boolean; wasIdle: boolean };
      return { reused: info.reused, wasIdle: info.wasIdle };
    });
  }
  /** `putIdleConn` errors' codes, `null` for success. */
  putIdles(): Array<string | null> {
    return this.calls('putIdleConn').map((a) => (a[0] === null ? null : ((a[0] as { code?: string }).code ?? 'error')));
  }
}

interface Exchange {
  req: http.ClientRequest;
  res: http.IncomingMessage;
  socket: Socket;
  body: string;
}

async function exchange(req: http.ClientRequest): Promise<Exchange> {
  const [res] = (await once(req, 'response')) as [http.IncomingMessage];
  const socket = req.socket as Socket;
  res.setEncoding('utf8');
  let body = '';
  for await (const chunk of res) body += String(chunk);
  return { req, res, socket, body };
}

/** Runs `scenario` once per mode (one after the other) and returns each mode's observations. */
async function eachMode<T>(
  t: AfterHook,
  scenario: (run: Run) => Promise<T>,
  modes: readonly Mode[] = MODES,
): Promise<Map<Mode, { run: Run; seen: T }>> {
  const results = new Map<Mode, { run: Run; seen: T }>();
  for (const mode of modes) {
    const run = new Run(mode, t);
    results.set(mode, { run, seen: await scenario(run) });
  }
  return results;
}

/** Every mode observed what the plain agent observed. */
function assertSameAsNode<T>(results: Map<Mode, { seen: T }>): T {
  const reference = results.get('node');
  assert.ok(reference, 'the scenario must run with a plain agent');
  for (const [mode, { seen }] of results) {
    assert.deepEqual(seen, reference.seen, `${mode} differs from the plain agent`);
  }
  return reference.seen;
}

/** The ours-only runs that carried a trace. */
function tracedRuns(results: Map<Mode, { run: Run }>): Run[] {
  return [...results.values()].map((r) => r.run).filter((r) => r.traced);
}

/** Resolves with the next `n` `'free'` events of `agent` (socket, options). */
function frees(agent: http.Agent, n: number): Promise<Array<[Socket, http.RequestOptions]>> {
  return new Promise((resolve) => {
    const got: Array<[Socket, http.RequestOptions]> = [];
    const onFree = (socket: Socket, options: http.RequestOptions): void => {
      got.push([socket, options]);
      if (got.length < n) return;
      agent.off('free', onFree);
      resolve(got);
    };
    agent.on('free', onFree);
  });
}

/** Lengths of the agent's per-name lists (an absent key stays absent, as Node deletes empty lists). */
function pools(agent: http.Agent): { sockets: Record<string, number>; free: Record<string, number>; requests: Record<string, number>; total: number } {
  const lengths = (lists: NodeJS.ReadOnlyDict<unknown[]>): Record<string, number> =>
    Object.fromEntries(Object.entries(lists).map(([name, list]) => [name, list?.length ?? -1]));
  return {
    sockets: lengths(agent.sockets),
    free: lengths(agent.freeSockets),
    requests: lengths(agent.requests),
    total: (agent as unknown as { totalSocketCount: number }).totalSocketCount,
  };
}

/** Every event with its listener count. */
function listeners(emitter: EventEmitter): Record<string, number> {
  return Object.fromEntries(emitter.eventNames().map((name) => [String(name), emitter.listenerCount(name)]));
}

/** A loopback HTTP server with a custom handler, closed (connections destroyed) after the test. */
async function serve(t: AfterHook, handler: http.RequestListener): Promise<{ server: http.Server; port: number; origin: string; connections: () => number }> {
  const server = http.createServer(handler);
  const sockets = new Set<Socket>();
  let connections = 0;
  server.on('connection', (socket: Socket) => {
    connections++;
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  t.after(
    () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
        for (const socket of sockets) socket.destroy();
      }),
  );
  const port = (server.address() as AddressInfo).port;
  return { server, port, origin: `http://127.0.0.1:${port}`, connections: () => connections };
}

/** The error `fn` throws (fails when it does not throw). */
function thrown(fn: () => unknown): Error & { code?: string } {
  try {
    fn();
  } catch (err) {
    return err as Error & { code?: string };
  }
  assert.fail('expected an exception');
}

function errorShape(err: Error & { code?: string }): { name: string; code: string | undefined; message: string; type: boolean } {
  return { name: err.name, code: err.code, message: err.message, type: err instanceof TypeError || err instanceof RangeError };
}

/** The public state of an agent, as Node's constructor sets it. */
function agentFields(agent: http.Agent): Record<string, unknown> {
  const a = agent as unknown as Record<string, unknown>;
  return {
    keepAlive: a.keepAlive,
    keepAliveMsecs: a.keepAliveMsecs,
    maxSockets: a.maxSockets,
    maxFreeSockets: a.maxFreeSockets,
    maxTotalSockets: a.maxTotalSockets,
    scheduling: a.scheduling,
    totalSocketCount: a.totalSocketCount,
    defaultPort: a.defaultPort,
    protocol: a.protocol,
    maxCachedSessions: a.maxCachedSessions,
    options: { ...(a.options as object) },
    sockets: { ...agent.sockets },
    freeSockets: { ...agent.freeSockets },
    requests: { ...agent.requests },
    listeners: listeners(agent),
  };
}

// ---------------------------------------------------------------------------------------------
// Construction
// ---------------------------------------------------------------------------------------------

test('TracingAgent() and TracingHttpsAgent() work without new, as http.Agent() does', () => {
  const callableAgent = http.Agent as unknown as (options?: http.AgentOptions) => http.Agent;
  const callableHttpsAgent = https.Agent as unknown as (options?: https.AgentOptions) => https.Agent;
  // What Node allows:
  const plain = callableAgent({ keepAlive: true, maxSockets: 3 });
  const plainHttps = callableHttpsAgent({ keepAlive: true, maxSockets: 3 });
  assert.ok(plain instanceof http.Agent && plainHttps instanceof https.Agent);

  const agent = TracingAgent({ keepAlive: true, maxSockets: 3 });
  assert.ok(agent instanceof http.Agent);
  assert.ok(agent instanceof TracingAgent);
  assert.ok(!(agent instanceof https.Agent));
  assert.deepEqual(agentFields(agent), agentFields(plain));

  const secure = TracingHttpsAgent({ keepAlive: true, maxSockets: 3 });
  assert.ok(secure instanceof https.Agent);
  assert.ok(secure instanceof http.Agent);
  assert.ok(secure instanceof TracingHttpsAgent);
  assert.ok(!(secure instanceof TracingAgent));
  assert.deepEqual(agentFields(secure), agentFields(plainHttps));

  // With new, too, and the prototype chain is Node's.
  assert.ok(new TracingAgent() instanceof http.Agent);
  assert.ok(new TracingHttpsAgent() instanceof https.Agent);
  assert.equal(Object.getPrototypeOf(TracingAgent.prototype), http.Agent.prototype);
  assert.equal(Object.getPrototypeOf(TracingHttpsAgent.prototype), https.Agent.prototype);
  assert.equal(TracingAgent.name, 'TracingAgent');
  assert.equal(TracingHttpsAgent.name, 'TracingHttpsAgent');
  // Statics are inherited.
  assert.equal((TracingAgent as unknown as { defaultMaxSockets: number }).defaultMaxSockets, (http.Agent as unknown as { defaultMaxSockets: number }).defaultMaxSockets);
  for (const a of [plain, plainHttps, agent, secure]) a.destroy();
});

test('agent.constructor is the exported class, as new http.Agent().constructor === http.Agent', () => {
  assert.equal(new http.Agent().constructor, http.Agent); // Node
  assert.equal(new TracingAgent().constructor, TracingAgent);
  assert.equal(new TracingHttpsAgent().constructor, TracingHttpsAgent);
  assert.equal(TracingAgent.prototype.constructor, TracingAgent);
});

test('a subclass (class X extends TracingAgent) constructs, overrides and traces', async (t) => {
  const server = await startTestServer(t);
  class Counting extends TracingAgent {
    readonly label: string;
    created = 0;
    constructor(options: http.AgentOptions = {}) {
      super({ ...options, keepAlive: true });
      this.label = 'counting';
    }
    override createConnection(options: http.ClientRequestArgs, callback?: (err: Error | null, stream: Duplex) => void): Duplex | null | undefined {
      this.created++;
      return super.createConnection(options, callback);
    }
  }
  class CountingHttps extends TracingHttpsAgent {
    readonly label = 'counting-https';
  }
  const agent = new Counting({ maxSockets: 2 });
  t.after(() => agent.destroy());
  assert.ok(agent instanceof Counting && agent instanceof TracingAgent && agent instanceof http.Agent);
  assert.equal(agent.label, 'counting');
  assert.equal((agent as unknown as { keepAlive: boolean }).keepAlive, true);
  assert.equal(agent.maxSockets, 2);
  const secure = new CountingHttps({ ca });
  t.after(() => secure.destroy());
  assert.ok(secure instanceof CountingHttps && secure instanceof TracingHttpsAgent && secure instanceof https.Agent);
  assert.equal(secure.label, 'counting-https');

  const hooks: Hook[] = [];
  const traceContext = withClientTrace(emptyContext, recordingTrace(hooks));
  const freed = frees(agent, 1);
  const first = await exchange(http.request(server.url('/ok'), { agent, traceContext, lookup: fakeLookup({ localhost: ['127.0.0.1'] }) }).end());
  await freed;
  const freedAgain = frees(agent, 1);
  const second = await exchange(http.request(server.url('/ok'), { agent, traceContext, lookup: fakeLookup({ localhost: ['127.0.0.1'] }) }).end());
  await freedAgain;
  assert.equal(first.body, 'ok\n');
  assert.equal(second.socket, first.socket);
  assert.equal(agent.created, 1);
  const names = hooks.map((h) => h.hook).filter((h) => ['getConn', 'dnsStart', 'connectStart', 'gotConn', 'putIdleConn'].includes(h));
  assert.deepEqual(names, ['getConn', 'dnsStart', 'connectStart', 'gotConn', 'putIdleConn', 'getConn', 'gotConn', 'putIdleConn']);

  const tls = await startTestServer(t, { tls: true });
  const tlsHooks: Hook[] = [];
  const res = await exchange(https.request(`${tls.ipOrigin}/ok`, { agent: secure, traceContext: withClientTrace(emptyContext, recordingTrace(tlsHooks)) }).end());
  assert.equal(res.body, 'ok\n');
  assert.ok(tlsHooks.some((h) => h.hook === 'tlsHandshakeDone' && h.args[1] === null));
});

test('constructor options are reflected exactly as on http.Agent / https.Agent', () => {
  const optionSets: http.AgentOptions[] = [
    {},
    { keepAlive: true, keepAliveMsecs: 500, maxSockets: 4, maxFreeSockets: 2, maxTotalSockets: 10, scheduling: 'fifo', timeout: 1234 },
    { keepAlive: true, scheduling: 'lifo', maxSockets: 1 },
    { keepAlive: false, noDelay: false, localAddress: '127.0.0.1', family: 4 },
  ];
  for (const options of optionSets) {
    const reference = agentFields(new http.Agent(options));
    assert.deepEqual(agentFields(new TracingAgent(options)), reference, JSON.stringify(options));
    assert.deepEqual(agentFields(TracingAgent(options)), reference, JSON.stringify(options));
    const httpsOptions: https.AgentOptions = { ...options, maxCachedSessions: 7, ca, servername: 'localhost' };
    const httpsReference = agentFields(new https.Agent(httpsOptions));
    assert.deepEqual(agentFields(new TracingHttpsAgent(httpsOptions)), httpsReference, JSON.stringify(options));
    assert.deepEqual(agentFields(TracingHttpsAgent(httpsOptions)), httpsReference, JSON.stringify(options));
  }
  // The values themselves, so that a change in both would still be caught.
  const agent = new TracingAgent(optionSets[1]);
  assert.deepEqual(
    { ...agentFields(agent), options: undefined, listeners: undefined },
    {
      keepAlive: true, keepAliveMsecs: 500, maxSockets: 4, maxFreeSockets: 2, maxTotalSockets: 10, scheduling: 'fifo',
      totalSocketCount: 0, defaultPort: 80, protocol: 'http:', maxCachedSessions: undefined, options: undefined,
      sockets: {}, freeSockets: {}, requests: {}, listeners: undefined,
    },
  );
  assert.equal((agent as unknown as { options: { timeout: number } }).options.timeout, 1234);
  const defaults = agentFields(new TracingHttpsAgent());
  assert.deepEqual([defaults.keepAlive, defaults.keepAliveMsecs, defaults.maxSockets, defaults.maxFreeSockets, defaults.maxTotalSockets, defaults.scheduling, defaults.maxCachedSessions, defaults.defaultPort, defaults.protocol],
    [false, 1000, Infinity, 256, Infinity, 'lifo', 100, 443, 'https:']);
});

test("Node's own option validation errors are unchanged (scheduling, maxTotalSockets)", () => {
  const bad: http.AgentOptions[] = [
    { scheduling: 'filo' as 'fifo' },
    { maxTotalSockets: 'test' as unknown as number },
    { maxTotalSockets: NaN },
    { maxTotalSockets: Infinity },
    { maxTotalSockets: 0 },
    { maxTotalSockets: -1 },
  ];
  const outcome = (fn: () => http.Agent): ReturnType<typeof errorShape> | 'constructed' => {
    try {
      fn().destroy();
      return 'constructed';
    } catch (err) {
      return errorShape(err as Error);
    }
  };
  let rejected = 0;
  for (const options of bad) {
    const reference = outcome(() => new http.Agent(options));
    if (reference !== 'constructed') {
      rejected++;
      assert.match(reference.code ?? '', /^ERR_(INVALID_ARG_VALUE|INVALID_ARG_TYPE|OUT_OF_RANGE)$/);
    }
    assert.deepEqual(outcome(() => new TracingAgent(options)), reference, JSON.stringify(options));
    assert.deepEqual(outcome(() => TracingAgent(options)), reference, JSON.stringify(options));
    assert.deepEqual(outcome(() => new TracingHttpsAgent(options)), outcome(() => new https.Agent(options)), JSON.stringify(options));
  }
  assert.ok(rejected >= 5, `Node rejects the bad values (${rejected})`);
});

test('expectContinueTimeout: a bad value is a TypeError with code ERR_HTTPTRACE_INVALID_OPTION naming the option', () => {
  const badValues: unknown[] = [-1, -0.5, NaN, Infinity, -Infinity, '1000', null, {}, true, 10n];
  for (const value of badValues) {
    for (const make of [
      (o: object) => new TracingAgent(o),
      (o: object) => TracingAgent(o),
      (o: object) => new TracingHttpsAgent(o),
      (o: object) => TracingHttpsAgent(o),
    ]) {
      const err = thrown(() => make({ keepAlive: true, expectContinueTimeout: value }));
      assert.ok(err instanceof TypeError, `${String(value)}: ${err.name}`);
      assert.equal(err.code, 'ERR_HTTPTRACE_INVALID_OPTION');
      assert.match(err.message, /expectContinueTimeout/);
    }
  }
  // A subclass inherits the check.
  class Sub extends TracingAgent {}
  assert.equal(thrown(() => new Sub({ expectContinueTimeout: -5 })).code, 'ERR_HTTPTRACE_INVALID_OPTION');
  // Good values construct.
  for (const value of [undefined, 0, 1, 250.5, 1000, 60_000]) {
    const options = value === undefined ? {} : { expectContinueTimeout: value };
    new TracingAgent(options).destroy();
    TracingHttpsAgent(options).destroy();
  }
});

// ---------------------------------------------------------------------------------------------
// getName
// ---------------------------------------------------------------------------------------------

test('getName() gives what http.Agent / https.Agent give, for every option set', () => {
  const httpSets: Array<http.ClientRequestArgs | undefined> = [
    undefined,
    {},
    { host: '0.0.0.0', port: 80, localAddress: '192.168.1.1' },
    { port: 80, localAddress: '192.168.1.1' },
    { host: 'example.test', port: 8080 },
    { host: '::1', port: '443' as unknown as number },
    { socketPath: '/tmp/some/where.sock' },
    { host: 'a.test', socketPath: '/tmp/x.sock', family: 6 },
    ...[0, null, undefined, 'bogus', 4, 6].map((family) => ({ family: family as number })),
    { host: 'a.test', port: 1, localAddress: '10.0.0.1', family: 4 },
  ];
  const httpsSets: Array<https.RequestOptions | undefined> = [
    ...httpSets,
    { host: 'localhost', port: 443, ca, servername: 'localhost', rejectUnauthorized: false },
    { host: 'localhost', port: 443, ca: [ca, ca], rejectUnauthorized: true },
    {
      host: '0.0.0.0', port: 443, localAddress: '192.168.1.1', ca: 'ca', cert: 'cert', ciphers: 'ciphers',
      crl: [Buffer.from('c'), Buffer.from('r'), Buffer.from('l')], dhparam: 'dhparam', ecdhCurve: 'ecdhCurve',
      honorCipherOrder: false, key: 'key', pfx: 'pfx', rejectUnauthorized: false, secureOptions: 0,
      secureProtocol: 'secureProtocol', servername: 'localhost', sessionIdContext: 'sessionIdContext',
    },
    { servername: 'other.test', minVersion: 'TLSv1.2', maxVersion: 'TLSv1.3', sigalgs: 'ECDSA+SHA256', privateKeyIdentifier: 'x', privateKeyEngine: 'y' },
  ];
  const agentOptions: http.AgentOptions[] = [{}, { keepAlive: true, maxSockets: 3, family: 4 }];
  for (const agentOpts of agentOptions) {
    const plain = new http.Agent(agentOpts);
    const ours = [new TracingAgent(agentOpts), TracingAgent(agentOpts)];
    for (const options of httpSets) {
      for (const agent of ours) assert.equal(agent.getName(options), plain.getName(options), JSON.stringify(options));
    }
    const plainHttps = new https.Agent(agentOpts);
    const oursHttps = [new TracingHttpsAgent(agentOpts), TracingHttpsAgent(agentOpts)];
    for (const options of httpsSets) {
      for (const agent of oursHttps) assert.equal(agent.getName(options), plainHttps.getName(options), JSON.stringify(options));
    }
  }
  // Node's values (test-http-agent-getname, test-https-agent-getname).
  const agent = new TracingAgent();
  assert.equal(agent.getName(), 'localhost::');
  assert.equal(agent.getName({ host: '0.0.0.0', port: 80, localAddress: '192.168.1.1' }), '0.0.0.0:80:192.168.1.1');
  assert.equal(agent.getName({ socketPath: '/tmp/foo/bar' }), 'localhost:::/tmp/foo/bar');
  assert.equal(agent.getName({ family: 6 }), 'localhost:::6');
  assert.equal(new TracingHttpsAgent().getName({}), new https.Agent().getName({}));
});

test('requests are pooled under the same names as with http.Agent / https.Agent', async (t) => {
  const server = await startTestServer(t);
  const tls = await startTestServer(t, { tls: true });
  const lookup = fakeLookup({ 'app.test': ['127.0.0.1'], localhost: ['127.0.0.1'] });
  const results = await eachMode(t, async (run) => {
    const names: string[] = [];
    const agent = run.agent({ keepAlive: true });
    const httpsAgent = run.httpsAgent({ keepAlive: true });
    const cases: Array<[string, https.RequestOptions]> = [
      [`${server.ipOrigin}/ok`, {}],
      [`${server.ipOrigin}/ok`, { localAddress: '127.0.0.1' }],
      [`http://app.test:${server.port}/ok`, { lookup, family: 4 }],
      [`${tls.ipOrigin}/ok`, { ca }],
      [`https://localhost:${tls.port}/ok`, { ca, servername: 'localhost', rejectUnauthorized: true, lookup }],
      [`https://app.test:${tls.port}/ok`, { ca, servername: 'localhost', lookup, family: 4 }],
    ];
    for (const [url, options] of cases) {
      const pool = url.startsWith('https:') ? httpsAgent : agent;
      const req = run.request(url, { ...options, agent: pool });
      req.once('socket', () => names.push(...Object.keys(pool.sockets)));
      const { body } = await exchange(req);
      assert.equal(body, 'ok\n');
      pool.destroy();
    }
    if (run.traced) assert.equal(run.calls('gotConn').length, cases.length);
    return names;
  });
  const names = assertSameAsNode(results);
  assert.equal(names.length, 6);
  assert.equal(new Set(names).size, 6, 'six distinct pool names');
  assert.equal(names[1], `127.0.0.1:${server.port}:127.0.0.1`);
  assert.equal(names[2], `app.test:${server.port}::4`);
});

// ---------------------------------------------------------------------------------------------
// Pool bookkeeping (test-http-agent-keepalive and friends)
// ---------------------------------------------------------------------------------------------

test('sockets / freeSockets / requests bookkeeping during and after requests (keep-alive, remote close, error)', async (t) => {
  const { port, origin } = await serve(t, (req, res) => {
    if (req.url === '/error') return void res.destroy();
    if (req.url === '/remote_close') {
      const socket = res.socket!;
      setImmediate(() => socket.end());
    }
    res.end('hello world');
  });
  const name = `127.0.0.1:${port}:`;
  type Pools = ReturnType<typeof pools>;
  const results = await eachMode(t, async (run) => {
    const agent = run.agent({ keepAlive: true, keepAliveMsecs: 1000, maxSockets: 5, maxFreeSockets: 5 });
    const snaps: Record<string, Pools> = {};
    const requests: unknown[] = [];
    const snap = (label: string): void => void (snaps[label] = pools(agent));

    for (const path of ['/first', '/second', '/remote_close']) {
      const freed = frees(agent, 1);
      const req = run.request(origin + path, { agent });
      snap(`${path} sent`);
      const [res] = (await once(req, 'response')) as [http.IncomingMessage];
      snap(`${path} response`);
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (body += chunk));
      res.on('end', () => snap(`${path} end`)); // synchronous: before Node frees the socket
      const socket = (await freed)[0]![0];
      snap(`${path} free`);
      requests.push({ path, body, socket: run.id(socket), reused: req.reusedSocket, same: socket === req.socket });
      if (path === '/remote_close') {
        if (!socket.destroyed) await once(socket, 'close');
        snap('/remote_close closed by the server');
      }
    }
    const req = run.request(`${origin}/error`, { agent });
    const closed = once(req, 'socket').then(([s]) => once(s as Socket, 'close'));
    const [err] = (await once(req, 'error')) as [Error & { code?: string }];
    snap('/error error');
    await closed;
    snap('/error closed');
    return { snaps, requests, error: { message: err.message, code: err.code } };
  });
  const seen = assertSameAsNode(results);
  // What Node does, so that the comparison compares something.
  const busy: Pools = { sockets: { [name]: 1 }, free: {}, requests: {}, total: 1 };
  const idle: Pools = { sockets: {}, free: { [name]: 1 }, requests: {}, total: 1 };
  const none: Pools = { sockets: {}, free: {}, requests: {}, total: 0 };
  assert.deepEqual(seen.snaps, {
    '/first sent': busy, '/first response': busy, '/first end': busy, '/first free': idle,
    '/second sent': busy, '/second response': busy, '/second end': busy, '/second free': idle,
    '/remote_close sent': busy, '/remote_close response': busy, '/remote_close end': busy, '/remote_close free': idle,
    '/remote_close closed by the server': none,
    '/error error': busy, '/error closed': none,
  });
  assert.deepEqual(seen.requests, [
    { path: '/first', body: 'hello world', socket: 'A', reused: false, same: true },
    { path: '/second', body: 'hello world', socket: 'A', reused: true, same: true },
    { path: '/remote_close', body: 'hello world', socket: 'A', reused: true, same: true },
  ]);
  assert.deepEqual(seen.error, { message: 'socket hang up', code: 'ECONNRESET' });
  for (const run of tracedRuns(results)) {
    assert.deepEqual(run.gotConns(), [
      { reused: false, wasIdle: false },
      { reused: true, wasIdle: true },
      { reused: true, wasIdle: true },
      { reused: false, wasIdle: false },
    ]);
    assert.deepEqual(run.putIdles(), [null, null, null]);
  }
});

test("'free' is still emitted by the agent and the socket, with the socket and the request's options", async (t) => {
  const server = await startTestServer(t);
  const results = await eachMode(t, async (run) => {
    const agent = run.agent({ keepAlive: true });
    const seen: unknown[] = [];
    agent.on('free', (socket: Socket, options: http.RequestOptions) => {
      seen.push({ agentFree: run.id(socket), host: options.host, port: Number(options.port), pooled: agent.freeSockets[agent.getName(options)]?.includes(socket) });
    });
    for (let i = 0; i < 2; i++) {
      const req = run.request(`${server.ipOrigin}/ok`, { agent });
      const [socket] = (await once(req, 'socket')) as [Socket];
      const socketFree = once(socket, 'free');
      await exchange(req);
      await socketFree;
      seen.push({ socketFree: run.id(socket) });
    }
    return seen;
  });
  const seen = assertSameAsNode(results);
  assert.deepEqual(seen, [
    { agentFree: 'A', host: '127.0.0.1', port: server.port, pooled: true },
    { socketFree: 'A' },
    { agentFree: 'A', host: '127.0.0.1', port: server.port, pooled: true },
    { socketFree: 'A' },
  ]);
});

test('maxSockets: 2 keeps two free sockets; maxSockets: 1 queues the second request on the one socket', async (t) => {
  const server = await startTestServer(t);
  const name = `127.0.0.1:${server.port}:`;
  const results = await eachMode(t, async (run) => {
    const seen: unknown[] = [];
    // test-http-agent-maxsockets
    const two = run.agent({ keepAlive: true, keepAliveMsecs: 1000, maxSockets: 2, maxFreeSockets: 2 });
    const freedTwo = frees(two, 2);
    const both = [run.request(`${server.ipOrigin}/ok`, { agent: two }), run.request(`${server.ipOrigin}/ok`, { agent: two })];
    seen.push({ two: 'sent', ...pools(two) });
    await Promise.all(both.map(exchange));
    await freedTwo;
    seen.push({ two: 'freed', ...pools(two) });

    // maxSockets: 1, with and without keepAlive: the queued request gets the socket of the first.
    for (const keepAlive of [true, false]) {
      const one = run.agent({ keepAlive, maxSockets: 1 });
      const before = server.connections;
      const freed = frees(one, 2);
      const first = run.request(`${server.ipOrigin}/ok`, { agent: one });
      const second = run.request(`${server.ipOrigin}/ok`, { agent: one });
      seen.push({ keepAlive, queued: pools(one) });
      const [a, b] = await Promise.all([exchange(first), exchange(second)]);
      await freed;
      seen.push({
        keepAlive,
        bodies: [a.body, b.body],
        sockets: [run.id(a.socket), run.id(b.socket)],
        reusedSocket: [first.reusedSocket, second.reusedSocket],
        connections: server.connections - before,
        after: pools(one),
        lastDestroyed: b.socket.destroyed,
      });
    }
    return seen;
  });
  const seen = assertSameAsNode(results);
  assert.deepEqual(seen[0], { two: 'sent', sockets: { [name]: 2 }, free: {}, requests: {}, total: 2 });
  assert.deepEqual(seen[1], { two: 'freed', sockets: {}, free: { [name]: 2 }, requests: {}, total: 2 });
  assert.deepEqual(seen[2], { keepAlive: true, queued: { sockets: { [name]: 1 }, free: {}, requests: { [name]: 1 }, total: 1 } });
  assert.deepEqual(seen[3], {
    keepAlive: true, bodies: ['ok\n', 'ok\n'], sockets: ['A', 'A'], reusedSocket: [false, false], connections: 1,
    after: { sockets: {}, free: { [name]: 1 }, requests: {}, total: 1 }, lastDestroyed: false,
  });
  const noKeepAlive = seen[5] as { sockets: string[]; connections: number; after: { free: object }; lastDestroyed: boolean };
  assert.deepEqual([noKeepAlive.sockets, noKeepAlive.connections, noKeepAlive.after.free, noKeepAlive.lastDestroyed], [['B', 'B'], 1, {}, true], 'keepAlive: false still hands the socket over, then destroys it');
  for (const run of tracedRuns(results)) {
    // 2 fresh, then per maxSockets:1 agent: fresh + handed over (not idle).
    assert.deepEqual(run.gotConns(), [
      { reused: false, wasIdle: false }, { reused: false, wasIdle: false },
      { reused: false, wasIdle: false }, { reused: true, wasIdle: false },
      { reused: false, wasIdle: false }, { reused: true, wasIdle: false },
    ]);
    // keepAlive:false: the handed-over socket is not pooled afterwards (Go stays silent too).
    assert.deepEqual(run.putIdles(), [null, null, null, null, null]);
  }
});

test('a queued request never gets a socket that was destroyed before its close event (maxSockets: 1)', async (t) => {
  const server = await startTestServer(t);
  const results = await eachMode(t, async (run) => {
    const agent = run.agent({ maxSockets: 1 });
    const name = agent.getName({ host: '127.0.0.1', port: server.port });
    const first = run.request(`${server.ipOrigin}/ok`, { agent });
    const second = run.request(`${server.ipOrigin}/ok`, { agent });
    const [res1] = (await once(first, 'response')) as [http.IncomingMessage];
    const queuedAtResponse = agent.requests[name]?.length;
    const socket1 = first.socket as Socket;
    res1.on('end', () => socket1.destroy()); // synchronous: before Node frees it on the next tick
    res1.resume();
    const [res2] = (await once(second, 'response')) as [http.IncomingMessage];
    const socket2 = second.socket as Socket;
    const atResponse2 = { destroyed1: socket1.destroyed, destroyed2: socket2.destroyed, same: socket1 === socket2, queued: agent.requests[name]?.length };
    res2.resume();
    await once(res2, 'end');
    return { queuedAtResponse, atResponse2 };
  });
  const seen = assertSameAsNode(results);
  assert.deepEqual(seen, { queuedAtResponse: 1, atResponse2: { destroyed1: true, destroyed2: false, same: false, queued: undefined } });
});

test('maxTotalSockets bounds the sockets over all origins', async (t) => {
  const one = await startTestServer(t);
  const two = await startTestServer(t);
  const maxTotalSockets = 2;
  const maxSockets = 3;
  const results = await eachMode(t, async (run) => {
    const agent = run.agent({ keepAlive: true, keepAliveMsecs: 1000, maxTotalSockets, maxSockets, maxFreeSockets: 3 });
    let peakBusy = 0;
    let perOriginOk = true;
    const check = (): void => {
      const busy = Object.values(agent.sockets).reduce((n, list) => n + (list?.length ?? 0), 0);
      peakBusy = Math.max(peakBusy, busy);
      for (const list of Object.values(agent.sockets)) if ((list?.length ?? 0) > maxSockets) perOriginOk = false;
    };
    const requests: http.ClientRequest[] = [];
    for (const server of [one, two]) {
      for (let i = 0; i < 6; i++) {
        const req = run.request(`${server.ipOrigin}/ok?${i}`, { agent });
        req.on('socket', check);
        requests.push(req);
      }
    }
    check();
    const queuedAtStart = Object.values(agent.requests).reduce((n, list) => n + (list?.length ?? 0), 0);
    const bodies = await Promise.all(
      requests.map(async (req) => {
        const ex = await exchange(req);
        check();
        return ex.body;
      }),
    );
    const queuedAtEnd = Object.values(agent.requests).reduce((n, list) => n + (list?.length ?? 0), 0);
    return { bodies: bodies.join(''), queuedAtStart, queuedAtEnd, peakBusy, perOriginOk };
  });
  const seen = assertSameAsNode(results);
  assert.deepEqual(seen, { bodies: 'ok\n'.repeat(12), queuedAtStart: 10, queuedAtEnd: 0, peakBusy: 2, perOriginOk: true });
  for (const run of tracedRuns(results)) assert.equal(run.calls('gotConn').length, 12);
});

test("scheduling: 'fifo' takes the oldest free socket, 'lifo' (the default) the newest", async (t) => {
  const server = await startTestServer(t);
  for (const scheduling of [undefined, 'fifo', 'lifo'] as const) {
    const results = await eachMode(t, async (run) => {
      const agent = run.agent({ keepAlive: true, maxSockets: 5, ...(scheduling ? { scheduling } : {}) });
      const name = agent.getName({ host: '127.0.0.1', port: server.port });
      const freed = frees(agent, 5);
      const first = await Promise.all(Array.from({ length: 5 }, () => exchange(run.request(`${server.ipOrigin}/ok`, { agent }))));
      await freed;
      const picks: Array<{ expected: string; got: string }> = [];
      for (let i = 0; i < 3; i++) {
        const pool = agent.freeSockets[name] ?? [];
        assert.equal(pool.length, 5);
        const expected = (agent as unknown as { scheduling: string }).scheduling === 'fifo' ? pool[0] : pool[pool.length - 1];
        const next = frees(agent, 1);
        const ex = await exchange(run.request(`${server.ipOrigin}/ok`, { agent }));
        await next;
        picks.push({ expected: run.id(expected), got: run.id(ex.socket) });
      }
      return { sockets: new Set(first.map((e) => e.socket)).size, picks, distinctPicks: new Set(picks.map((p) => p.got)).size };
    });
    const seen = assertSameAsNode(results);
    assert.equal(seen.sockets, 5);
    for (const pick of seen.picks) assert.equal(pick.got, pick.expected, `${scheduling}: ${JSON.stringify(seen.picks)}`);
    assert.equal(seen.distinctPicks, scheduling === 'fifo' ? 3 : 1, `${scheduling ?? 'default'} scheduling`);
  }
});

test('only a drained socket is reused (test-http-agent-reuse-drained-socket-only)', async (t) => {
  const raw = net.createServer({ pauseOnConnect: true }, (socket) => {
    socket.pause(); // never reads the request
    socket.write('HTTP/1.1 200 OK\r\nContent-Length: 0\r\nConnection: Keep-Alive\r\n\r\n');
  });
  const accepted = new Set<Socket>();
  raw.on('connection', (s: Socket) => accepted.add(s));
  raw.listen(0, '127.0.0.1');
  await once(raw, 'listening');
  t.after(() => new Promise<void>((resolve) => {
    raw.close(() => resolve());
    for (const s of accepted) s.destroy();
  }));
  const url = `http://127.0.0.1:${(raw.address() as AddressInfo).port}/`;
  const results = await eachMode(t, async (run) => {
    const agent = run.agent({ keepAlive: true, maxFreeSockets: 1024 });
    const big = run.open(url, { agent, method: 'POST' });
    const wroteAll = big.write('a'.repeat(6_000_000));
    big.end();
    const [res1] = (await once(big, 'response')) as [http.IncomingMessage];
    res1.resume();
    await once(res1, 'end');
    // Node would free a drained socket on the next tick; let that tick pass (there is no event
    // for "not freed").
    await new Promise((resolve) => setImmediate(resolve));
    const pooledAfterUndrained = Object.keys(agent.freeSockets).length;
    const freed = frees(agent, 1);
    const second = await exchange(run.request(url, { agent }));
    await freed;
    // The server answers once per connection: the third request only needs its socket.
    const third = run.request(url, { agent });
    const [socket3] = (await once(third, 'socket')) as [Socket];
    third.on('error', () => {});
    third.destroy();
    return {
      wroteAll,
      pooledAfterUndrained,
      second: second.socket === big.socket ? 'same as first' : 'new',
      third: socket3 === second.socket ? 'same as second' : 'other',
    };
  });
  assert.deepEqual(assertSameAsNode(results), { wroteAll: false, pooledAfterUndrained: 0, second: 'new', third: 'same as second' });
});

// ---------------------------------------------------------------------------------------------
// destroy(), process exit
// ---------------------------------------------------------------------------------------------

test('destroy() closes the pooled and the busy sockets', async (t) => {
  const server = await startTestServer(t);
  const results = await eachMode(t, async (run) => {
    const agent = run.agent({ keepAlive: true });
    const freed = frees(agent, 2);
    const sockets = (await Promise.all([run.get(`${server.ipOrigin}/ok`, { agent }), run.get(`${server.ipOrigin}/ok`, { agent })])).map((e) => e.socket);
    await freed;
    const busy = run.request(`${server.ipOrigin}/slow-headers?ms=10000`, { agent });
    await once(server.server, 'request');
    const failed = once(busy, 'error').then(([e]) => (e as Error).message, (e: Error) => e.message);
    const before = pools(agent);
    const closed = [...sockets, busy.socket as Socket].map((s) => once(s, 'close'));
    agent.destroy();
    await Promise.all(closed);
    return { before, after: pools(agent), busyError: await failed, allDestroyed: sockets.every((s) => s.destroyed) };
  });
  const name = `127.0.0.1:${server.port}:`;
  assert.deepEqual(assertSameAsNode(results), {
    // The busy request took one of the two pooled sockets.
    before: { sockets: { [name]: 1 }, free: { [name]: 1 }, requests: {}, total: 2 },
    after: { sockets: {}, free: {}, requests: {}, total: 0 },
    busyError: 'socket hang up',
    allDestroyed: true,
  });
});

test('a process whose agent pooled a socket exits by itself, with or without destroy()', async (t) => {
  const server = await startTestServer(t);
  const script = `
    import http from 'node:http';
    const { TracingAgent } = await import(process.env.DROPIN_NODE);
    const { withClientTrace, emptyContext } = await import(process.env.DROPIN_CORE);
    const kind = process.env.DROPIN_KIND;
    const agent = kind === 'node' ? new http.Agent({ keepAlive: true }) : new TracingAgent({ keepAlive: true });
    const hooks = [];
    const options = { agent };
    if (kind === 'traced') {
      options.traceContext = withClientTrace(emptyContext, {
        gotConn: () => hooks.push('gotConn'),
        putIdleConn: (err) => hooks.push(err === null ? 'putIdleConn' : 'putIdleConn(err)'),
      });
    }
    const freed = new Promise((resolve) => agent.once('free', resolve));
    const body = await new Promise((resolve, reject) => {
      http.get(process.env.DROPIN_URL, options, (res) => {
        let b = '';
        res.setEncoding('utf8');
        res.on('data', (c) => { b += c; });
        res.on('end', () => resolve(b));
      }).on('error', reject);
    });
    await freed;
    const pooled = Object.values(agent.freeSockets).flat().length;
    if (process.env.DROPIN_DESTROY === '1') agent.destroy();
    process.stdout.write(JSON.stringify({ body, pooled, hooks }));
  `;
  const cases = [
    { kind: 'node', destroy: true }, { kind: 'untraced', destroy: true }, { kind: 'traced', destroy: true },
    { kind: 'node', destroy: false }, { kind: 'untraced', destroy: false }, { kind: 'traced', destroy: false },
  ];
  for (const { kind, destroy } of cases) {
    const child = spawn(process.execPath, ['--input-type=module', '-e', script], {
      env: {
        ...process.env,
        DROPIN_NODE: new URL('../src/node/index.js', import.meta.url).href,
        DROPIN_CORE: new URL('../src/index.js', import.meta.url).href,
        DROPIN_KIND: kind,
        DROPIN_DESTROY: destroy ? '1' : '0',
        DROPIN_URL: `${server.ipOrigin}/ok`,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    t.after(() => {
      if (child.exitCode === null && child.signalCode === null) child.kill();
    });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (c: string) => (stdout += c));
    child.stderr.setEncoding('utf8').on('data', (c: string) => (stderr += c));
    const [code, signal] = (await once(child, 'close')) as [number | null, string | null];
    assert.deepEqual({ code, signal }, { code: 0, signal: null }, `${kind} destroy=${destroy}: ${stderr}`);
    assert.deepEqual(JSON.parse(stdout), { body: 'ok\n', pooled: 1, hooks: kind === 'traced' ? ['gotConn', 'putIdleConn'] : [] }, `${kind} destroy=${destroy}`);
  }
});

// ---------------------------------------------------------------------------------------------
// Overridable methods
// ---------------------------------------------------------------------------------------------

test('keepSocketAlive / reuseSocket overridden by a subclass or on the instance are honoured', async (t) => {
  const server = await startTestServer(t);
  for (const how of ['subclass', 'instance'] as const) {
    const results = await eachMode(t, async (run) => {
      const log: string[] = [];
      let kept: Duplex | undefined;
      let calls = 0;
      const decide = (agent: http.Agent, base: (socket: Duplex) => unknown, socket: Duplex): boolean => {
        calls++;
        log.push(`keepSocketAlive#${calls}(${run.id(socket)})`);
        if (calls === 1) return false;
        if (calls === 2) {
          kept = socket;
          return base.call(agent, socket) as boolean;
        }
        return false;
      };
      let agent: http.Agent;
      if (how === 'subclass') {
        class Picky extends run.Agent {
          override keepSocketAlive(socket: Duplex): boolean {
            return decide(this, (s) => super.keepSocketAlive(s), socket);
          }
          override reuseSocket(socket: Duplex, req: http.ClientRequest): void {
            log.push(`reuseSocket(${run.id(socket)}, ${socket === kept})`);
            super.reuseSocket(socket, req);
          }
        }
        agent = run.own(new Picky({ keepAlive: true, maxSockets: 5, maxFreeSockets: 2 }));
      } else {
        agent = run.agent({ keepAlive: true, maxSockets: 5, maxFreeSockets: 2 });
        const keepSocketAlive = agent.keepSocketAlive;
        const reuseSocket = agent.reuseSocket;
        agent.keepSocketAlive = (socket: Duplex) => decide(agent, keepSocketAlive, socket);
        agent.reuseSocket = (socket: Duplex, req: http.ClientRequest) => {
          log.push(`reuseSocket(${run.id(socket)}, ${socket === kept})`);
          reuseSocket.call(agent, socket, req);
        };
      }
      for (let i = 0; i < 3; i++) {
        const freed = frees(agent, 1);
        const ex = await run.get(`${server.ipOrigin}/ok`, { agent });
        const socket = (await freed)[0]![0];
        log.push(`req${i + 1} on ${run.id(ex.socket)} reused=${ex.req.reusedSocket} destroyed=${socket.destroyed}`);
      }
      return log;
    });
    const log = assertSameAsNode(results);
    assert.deepEqual(log, [
      'keepSocketAlive#1(A)',
      'req1 on A reused=false destroyed=true',
      'keepSocketAlive#2(B)',
      'req2 on B reused=false destroyed=false',
      'reuseSocket(B, true)',
      'keepSocketAlive#3(B)',
      'req3 on B reused=true destroyed=true',
    ], how);
    for (const run of tracedRuns(results)) {
      assert.deepEqual(run.putIdles(), ['ERR_HTTPTRACE_PUT_IDLE_REFUSED', null, 'ERR_HTTPTRACE_PUT_IDLE_REFUSED'], how);
      assert.match(String((run.calls('putIdleConn')[0]?.[0] as Error).message), /keepSocketAlive/);
      assert.deepEqual(run.gotConns(), [{ reused: false, wasIdle: false }, { reused: false, wasIdle: false }, { reused: true, wasIdle: true }], how);
    }
  }
});

test('createConnection overridden by a subclass: calling super keeps the dial traced; dialing itself still works', async (t) => {
  const server = await startTestServer(t);
  const lookup = fakeLookup({ 'app.test': ['127.0.0.1'] });
  const url = `http://app.test:${server.port}/ok`;
  const DIAL = ['getConn', 'dnsStart', 'dnsDone', 'connectStart', 'connectDone', 'gotConn', 'wroteHeaders', 'wroteRequest', 'gotFirstResponseByte', 'putIdleConn'];

  // 1. The override tweaks the options and calls super.
  const viaSuper = await eachMode(t, async (run) => {
    const seen: string[][] = [];
    class Tweaking extends run.Agent {
      override createConnection(options: http.ClientRequestArgs, callback?: (err: Error | null, stream: Duplex) => void): Duplex | null | undefined {
        seen.push(Object.keys(options).filter((k) => k !== 'traceContext').sort());
        return super.createConnection({ ...options, noDelay: false } as http.ClientRequestArgs, callback);
      }
    }
    const agent = run.own(new Tweaking({ keepAlive: true }));
    const freed = frees(agent, 1);
    const ex = await run.get(url, { agent, lookup });
    await freed;
    return { body: ex.body, seen, pooled: Object.keys(agent.freeSockets).length };
  });
  const seenSuper = assertSameAsNode(viaSuper);
  assert.equal(seenSuper.body, 'ok\n');
  assert.equal(seenSuper.seen.length, 1);
  for (const key of ['_agentKey', 'host', 'port', 'lookup', 'keepAlive']) assert.ok(seenSuper.seen[0]!.includes(key), key);
  assert.equal(seenSuper.pooled, 1);
  for (const run of tracedRuns(viaSuper)) assert.deepEqual(run.names(DIAL), DIAL);

  // 2. The override dials by itself: returns its socket, or hands it over through the callback
  // once connected (as tunnelling/proxy agents do).
  for (const style of ['return', 'callback'] as const) {
    const dialing = await eachMode(t, async (run) => {
      let dials = 0;
      class Dialing extends run.Agent {
        override createConnection(options: http.ClientRequestArgs, callback?: (err: Error | null, stream: Duplex) => void): Duplex | null | undefined {
          dials++;
          const socket = net.connect({ host: '127.0.0.1', port: Number(options.port) });
          if (style === 'return') return socket;
          socket.once('connect', () => callback?.(null, socket));
          return undefined;
        }
      }
      const agent = run.own(new Dialing({ keepAlive: true }));
      const freed = frees(agent, 1);
      const a = await run.get(url, { agent, lookup });
      await freed;
      const b = await run.get(url, { agent, lookup });
      return { bodies: [a.body, b.body], dials, same: a.socket === b.socket };
    });
    assert.deepEqual(assertSameAsNode(dialing), { bodies: ['ok\n', 'ok\n'], dials: 1, same: true }, style);
    for (const run of tracedRuns(dialing)) {
      // The request-level hooks fire; the dial itself is the subclass's, so no DNS/connect hooks.
      const requestHooks = ['getConn', 'gotConn', 'wroteHeaders', 'wroteRequest', 'gotFirstResponseByte', 'putIdleConn'];
      assert.deepEqual(run.names(requestHooks), [...requestHooks, ...requestHooks], style);
      const [first, second] = run.gotConns();
      assert.deepEqual(first, { reused: false, wasIdle: false }, style);
      assert.deepEqual(second, { reused: true, wasIdle: true }, style);
    }
  }
});

test('gotConn: a new socket handed over already connected (createConnection callback) is not "reused"', async (t) => {
  const server = await startTestServer(t);
  class Tunnel extends TracingAgent {
    override createConnection(options: http.ClientRequestArgs, callback?: (err: Error | null, stream: Duplex) => void): Duplex | null | undefined {
      const socket = net.connect({ host: '127.0.0.1', port: Number(options.port) });
      socket.once('connect', () => callback?.(null, socket)); // e.g. after a proxy CONNECT
      return undefined;
    }
  }
  const agent = new Tunnel({ keepAlive: true });
  t.after(() => agent.destroy());
  const hooks: Hook[] = [];
  const ex = await exchange(http.request(`${server.ipOrigin}/ok`, { agent, traceContext: withClientTrace(emptyContext, recordingTrace(hooks)) }).end());
  assert.equal(ex.body, 'ok\n');
  assert.equal(ex.req.reusedSocket, false); // Node: not reused
  const info = hooks.find((h) => h.hook === 'gotConn')?.args[0] as { reused: boolean; wasIdle: boolean };
  assert.deepEqual({ reused: info.reused, wasIdle: info.wasIdle }, { reused: false, wasIdle: false });
});

test('the base createConnection gets exactly the options http.Agent gives it (no lookup when untraced)', async (t) => {
  const server = await startTestServer(t);
  const tls = await startTestServer(t, { tls: true });
  type Seen = { proto: string; entries: Record<string, unknown> };
  const describe = (options: object): Seen => ({
    proto: Object.getPrototypeOf(options) === null ? 'null' : 'object',
    entries: Object.fromEntries(
      Object.keys(options).sort().map((k) => {
        const v = (options as Record<string, unknown>)[k];
        return [k, typeof v === 'function' ? 'function' : v !== null && typeof v === 'object' ? 'object' : v];
      }),
    ),
  });
  const seen: Seen[] = [];
  const httpProto = http.Agent.prototype as unknown as { createConnection: (options: object, ...a: unknown[]) => unknown };
  const httpsProto = https.Agent.prototype as unknown as { createConnection: (options: object, ...a: unknown[]) => unknown };
  const httpOriginal = httpProto.createConnection;
  const httpsOriginal = httpsProto.createConnection;
  httpProto.createConnection = function (this: unknown, options: object, ...rest: unknown[]) {
    seen.push(describe(options));
    return httpOriginal.call(this, options, ...rest);
  };
  httpsProto.createConnection = function (this: unknown, options: object, ...rest: unknown[]) {
    seen.push(describe(options));
    return httpsOriginal.call(this, options, ...rest);
  };
  t.after(() => {
    httpProto.createConnection = httpOriginal;
    httpsProto.createConnection = httpsOriginal;
  });
  const results = await eachMode(t, async (run) => {
    seen.length = 0;
    const agent = run.agent({ keepAlive: true, timeout: 5000 });
    const secure = run.httpsAgent({ keepAlive: true, ca });
    await run.get(`${server.ipOrigin}/ok`, { agent, headers: { 'x-a': '1' } });
    await run.get(`${tls.ipOrigin}/ok`, { agent: secure, servername: 'localhost' } as https.RequestOptions);
    return seen.map((s): Seen => ({ ...s, entries: { ...s.entries, traceContext: undefined } }));
  });
  const reference = results.get('node')!.seen;
  assert.equal(reference.length, 2);
  assert.equal(reference[0]!.entries.lookup, undefined);
  assert.equal(Number(reference[0]!.entries.port), server.port);
  assert.deepEqual(results.get('untraced')!.seen, reference, 'untraced: identical options, same null prototype');
  for (const mode of ['traced', 'active'] as const) {
    const traced = results.get(mode)!.seen;
    // Traced: the same entries plus the tracing lookup (and the copy has a normal prototype).
    assert.deepEqual(traced.map((s) => ({ ...s.entries, lookup: undefined })), reference.map((s) => ({ ...s.entries, lookup: undefined })), mode);
    assert.deepEqual(traced.map((s) => s.entries.lookup), ['function', 'function'], mode);
  }
});

// ---------------------------------------------------------------------------------------------
// timeout
// ---------------------------------------------------------------------------------------------

test('the agent timeout option: sockets get it, a timed-out free socket is not reused, nor a destroyed one', async (t) => {
  const server = await startTestServer(t);
  const results = await eachMode(t, async (run) => {
    const seen: unknown[] = [];
    // Reuse of a successful socket.
    {
      const agent = run.agent({ keepAlive: true });
      const freed = frees(agent, 1);
      const a = await run.get(`${server.ipOrigin}/ok`, { agent });
      await freed;
      const b = await run.get(`${server.ipOrigin}/ok`, { agent });
      seen.push({ plain: a.socket === b.socket });
    }
    // A free socket that times out is destroyed and not reused.
    {
      const agent = run.agent({ keepAlive: true, timeout: 50 });
      const freed = frees(agent, 1);
      const a = await run.get(`${server.ipOrigin}/ok`, { agent });
      const timeoutWhileBusy = a.socket.timeout;
      await freed;
      await once(a.socket, 'timeout');
      const b = await run.get(`${server.ipOrigin}/ok`, { agent });
      seen.push({ timeoutWhileBusy, timedOutReused: a.socket === b.socket, timedOutDestroyed: a.socket.destroyed });
    }
    // A destroyed free socket is not reused.
    {
      const agent = run.agent({ keepAlive: true });
      const freed = frees(agent, 1);
      const a = await run.get(`${server.ipOrigin}/ok`, { agent });
      await freed;
      a.socket.destroy();
      const b = await run.get(`${server.ipOrigin}/ok`, { agent });
      seen.push({ destroyedReused: a.socket === b.socket });
    }
    // A busy request whose socket times out gets 'timeout' (test-http-client-timeout-agent).
    {
      const agent = run.agent({ keepAlive: true, timeout: 50 });
      const req = run.request(`${server.ipOrigin}/slow-headers?ms=10000`, { agent });
      const failed = once(req, 'error').then(([e]) => (e as Error).message);
      await once(req, 'timeout');
      req.destroy();
      seen.push({ busyTimeout: true, error: await failed });
    }
    return seen;
  });
  assert.deepEqual(assertSameAsNode(results), [
    { plain: true },
    { timeoutWhileBusy: 50, timedOutReused: false, timedOutDestroyed: true },
    { destroyedReused: false },
    { busyTimeout: true, error: 'socket hang up' },
  ]);
  for (const run of tracedRuns(results)) {
    assert.deepEqual(run.gotConns().map((g) => g.reused), [false, true, false, false, false, false, false]);
  }
});

// ---------------------------------------------------------------------------------------------
// https session reuse
// ---------------------------------------------------------------------------------------------

test('https: one agent resumes its TLS session on a new connection (and not when its cache is off)', async (t) => {
  const server = await startTestServer(t, { tls: true });
  for (const maxCachedSessions of [undefined, 0]) {
    const results = await eachMode(t, async (run) => {
      const agent = run.httpsAgent({ ca, ...(maxCachedSessions === undefined ? {} : { maxCachedSessions }) });
      const reused: boolean[] = [];
      const sockets: string[] = [];
      for (let i = 0; i < 3; i++) {
        const req = run.request(`${server.ipOrigin}/ok`, { agent });
        const [socket] = (await once(req, 'socket')) as [TLSSocket];
        // The first connection's ticket must be cached before the next connection starts (a
        // resumed TLS 1.3 connection may get no new ticket, so only the first one is awaited).
        const session = i === 0 ? once(socket, 'session') : undefined;
        const ex = await exchange(req);
        assert.equal(ex.body, 'ok\n');
        await session;
        reused.push(socket.isSessionReused());
        sockets.push(run.id(socket));
        if (!socket.destroyed) await once(socket, 'close');
      }
      return { reused, sockets };
    });
    const seen = assertSameAsNode(results);
    const expected = maxCachedSessions === 0 ? [false, false, false] : [false, true, true];
    assert.deepEqual(seen, { reused: expected, sockets: ['A', 'B', 'C'] }, `maxCachedSessions ${String(maxCachedSessions)}`);
    for (const run of tracedRuns(results)) {
      const done = run.calls('tlsHandshakeDone').map((a) => ({ didResume: (a[0] as TLSConnectionState).didResume, err: a[1] }));
      assert.deepEqual(done, expected.map((didResume) => ({ didResume, err: null })));
    }
  }
});

// ---------------------------------------------------------------------------------------------
// The traceContext option
// ---------------------------------------------------------------------------------------------

test('a bad traceContext option is a clear TypeError, thrown by http.request, and leaves the agent clean', async (t) => {
  const server = await startTestServer(t);
  const bad: unknown[] = ['ctx', 42, {}, null, true, { getValue() {} }, [emptyContext]];
  for (const traceContext of bad) {
    for (const [client, agent, url] of [
      [http, new TracingAgent({ keepAlive: true }), server.url('/ok')],
      [https, new TracingHttpsAgent({ keepAlive: true }), 'https://127.0.0.1:1/'],
    ] as const) {
      const err = thrown(() => (client as typeof http).request(url, { agent, traceContext: traceContext as Context }));
      assert.ok(err instanceof TypeError, String(traceContext));
      assert.equal(err.code, 'ERR_HTTPTRACE_INVALID_CONTEXT');
      assert.match(err.message, /traceContext/);
      assert.deepEqual(pools(agent), { sockets: {}, free: {}, requests: {}, total: 0 });
      agent.destroy();
    }
  }
  // undefined means "the active context", as documented.
  const agent = new TracingAgent();
  t.after(() => agent.destroy());
  const ex = await exchange(http.request(server.url('/ok'), { agent, traceContext: undefined }).end());
  assert.equal(ex.body, 'ok\n');
  // runWithContext checks its argument too.
  assert.equal(thrown(() => runWithContext('ctx' as unknown as Context, () => 1)).code, 'ERR_HTTPTRACE_INVALID_CONTEXT');
});

test('queued requests keep their own trace (two runWithContext scopes, maxSockets: 1)', async (t) => {
  const server = await startTestServer(t);
  const agent = new TracingAgent({ keepAlive: true, maxSockets: 1 });
  t.after(() => agent.destroy());
  const logs: Hook[][] = [[], [], []];
  const reqs = logs.map((log) => runWithContext(withClientTrace(emptyContext, recordingTrace(log)), () => http.request(`${server.ipOrigin}/ok`, { agent }).end()));
  const untraced = http.request(`${server.ipOrigin}/ok`, { agent }).end();
  assert.equal(agent.requests[agent.getName({ host: '127.0.0.1', port: server.port })]?.length, 3);
  const bodies = await Promise.all([...reqs, untraced].map(async (r) => (await exchange(r)).body));
  assert.deepEqual(bodies, ['ok\n', 'ok\n', 'ok\n', 'ok\n']);
  const only = ['getConn', 'connectStart', 'gotConn', 'wroteRequest', 'gotFirstResponseByte', 'putIdleConn'];
  const names = logs.map((log) => log.map((h) => h.hook).filter((h) => only.includes(h)));
  assert.deepEqual(names[0], ['getConn', 'connectStart', 'gotConn', 'wroteRequest', 'gotFirstResponseByte', 'putIdleConn']);
  assert.deepEqual(names[1], ['getConn', 'gotConn', 'wroteRequest', 'gotFirstResponseByte', 'putIdleConn']);
  assert.deepEqual(names[2], ['getConn', 'gotConn', 'wroteRequest', 'gotFirstResponseByte', 'putIdleConn']);
  const sockets = logs.map((log) => (log.find((h) => h.hook === 'gotConn')?.args[0] as { conn: Socket }).conn);
  assert.equal(sockets[0], sockets[1]);
  assert.equal(sockets[1], sockets[2]);
});

// ---------------------------------------------------------------------------------------------
// The untraced path is Node's; a traced request leaves nothing on the socket
// ---------------------------------------------------------------------------------------------

interface ListenerSnapshot {
  point: string;
  req?: Record<string, number>;
  socket?: Record<string, number>;
  agent?: Record<string, number>;
}

/** Two requests on one keep-alive agent (fresh, then reused), with listener counts at each step. */
async function listenerScenario(run: Run, url: string, agent: http.Agent, options: http.RequestOptions = {}): Promise<ListenerSnapshot[]> {
  const seen: ListenerSnapshot[] = [{ point: 'agent created', agent: listeners(agent) }];
  for (const round of ['fresh', 'reused']) {
    const freed = frees(agent, 1);
    const req = run.request(url, { ...options, agent });
    seen.push({ point: `${round}: request made`, req: listeners(req), agent: listeners(agent) });
    const [socket] = (await once(req, 'socket')) as [Socket];
    seen.push({ point: `${round}: socket`, req: listeners(req), socket: listeners(socket) });
    const [res] = (await once(req, 'response')) as [http.IncomingMessage];
    seen.push({ point: `${round}: response`, req: listeners(req), socket: listeners(socket) });
    res.resume();
    await once(res, 'end');
    await freed;
    seen.push({ point: `${round}: freed`, req: listeners(req), socket: listeners(socket), agent: listeners(agent) });
  }
  return seen;
}

test('the untraced path is free: same listeners on the request, the socket and the agent as http.Agent', async (t) => {
  const server = await startTestServer(t);
  const tls = await startTestServer(t, { tls: true });
  for (const kind of ['http', 'https'] as const) {
    const url = kind === 'http' ? `${server.ipOrigin}/ok` : `${tls.ipOrigin}/ok`;
    const snapshots = new Map<string, ListenerSnapshot[]>();
    for (const variant of ['node', 'ours', 'ours+emptyContext', 'ours+retry'] as const) {
      const run = new Run(variant === 'node' ? 'node' : 'untraced', t);
      // The stale-connection retry (on by default) is a feature of its own, compared separately below.
      const retry = { retryOnStaleConnection: variant === 'ours+retry' } as http.AgentOptions;
      const agent = kind === 'http' ? run.agent({ keepAlive: true, ...retry }) : run.httpsAgent({ keepAlive: true, ca, ...retry });
      const options: http.RequestOptions = variant === 'ours+emptyContext' ? { traceContext: emptyContext } : {};
      snapshots.set(variant, await listenerScenario(run, url, agent, options));
    }
    const reference = snapshots.get('node')!;
    assert.ok(reference.some((s) => (s.socket?.['free'] ?? 0) > 0), 'the scenario sees Node’s own listeners');
    assert.deepEqual(snapshots.get('ours'), reference, kind);
    assert.deepEqual(snapshots.get('ours+emptyContext'), reference, `${kind} with traceContext: emptyContext`);
    // With the retry on (the default), a reused socket's listeners are exactly Node's too (Node's
    // test-http-agent-keepalive.js counts them): the retry watches without adding listeners.
    const withRetry = reference;
    assert.deepEqual(snapshots.get('ours+retry'), withRetry, `${kind} with the stale-connection retry`);

    // An agent that already carried a traced request (to another origin): the untraced requests
    // still leave Node's listeners on the request and the socket; the agent keeps the two 'free'
    // listeners of the pool tracker, installed on its first traced request.
    const warm = new Run('traced', t);
    const agent = kind === 'http' ? warm.agent({ keepAlive: true }) : warm.httpsAgent({ keepAlive: true, ca });
    const warmFreed = frees(agent, 1);
    await warm.get(`${kind}://localhost:${kind === 'http' ? server.port : tls.port}/ok`, { agent, lookup: fakeLookup({ localhost: ['127.0.0.1'] }) });
    await warmFreed;
    assert.equal(warm.calls('gotConn').length, 1);
    const after = await listenerScenario(new Run('untraced', t), url, agent);
    const withTracker = withRetry.map((snap) => (snap.agent ? { ...snap, agent: { ...snap.agent, free: (snap.agent['free'] ?? 0) + 2 } } : snap));
    assert.deepEqual(after, withTracker, `${kind}, agent that traced before`);
  }
});

test('an untraced Expect: 100-continue request with expectContinueTimeout: 0 is exactly Node’s', async (t) => {
  const server = await startTestServer(t);
  const headers = { Expect: '100-continue', 'Content-Length': '11' };
  const snapshots: unknown[] = [];
  for (const make of [() => new http.Agent({ keepAlive: true }), () => new TracingAgent({ keepAlive: true, expectContinueTimeout: 0 })]) {
    const agent = make();
    t.after(() => agent.destroy());
    const req = http.request(`${server.ipOrigin}/continue`, { agent, method: 'POST', headers });
    const made = listeners(req);
    req.end('hello world');
    const ex = await exchange(req);
    snapshots.push({ made, body: ex.body, socket: listeners(ex.socket), write: req.write === http.ClientRequest.prototype.write });
  }
  assert.deepEqual(snapshots[1], snapshots[0]);
  assert.equal((snapshots[0] as { body: string }).body, 'got 11 bytes\n');
});

test('a traced request leaves no listener of ours on the socket once it completed', async (t) => {
  const server = await startTestServer(t);
  const tls = await startTestServer(t, { tls: true });
  for (const kind of ['http', 'https'] as const) {
    const url = kind === 'http' ? `${server.ipOrigin}/ok` : `${tls.ipOrigin}/ok`;
    const results = await eachMode(t, async (run) => {
      // The stale-connection retry is on (the default): it adds no listener either.
      const agent = kind === 'http' ? run.agent({ keepAlive: true }) : run.httpsAgent({ keepAlive: true, ca });
      const seen = await listenerScenario(run, url, agent);
      if (run.traced) assert.ok(run.calls('gotFirstResponseByte').length === 2 && run.calls('gotConn').length === 2, 'the trace ran');
      return seen.filter((s) => s.point.endsWith('freed')).map((s) => ({ point: s.point, socket: s.socket }));
    });
    // Same listener counts on the pooled socket, traced or not, fresh or reused, as with Node's agent.
    assertSameAsNode(results);
  }
});

// ---------------------------------------------------------------------------------------------
// ClientRequest integration: protocol, agent: null / false, http.globalAgent, socketPath
// ---------------------------------------------------------------------------------------------

test('protocol checks: an https agent on http.request is refused as with Node’s agents; protocol = null falls back', async (t) => {
  const shape = (fn: () => unknown) => errorShape(thrown(fn));
  assert.deepEqual(shape(() => http.request('http://127.0.0.1:1/', { agent: new TracingHttpsAgent() })), shape(() => http.request('http://127.0.0.1:1/', { agent: new https.Agent() })));
  assert.deepEqual(shape(() => https.request('https://127.0.0.1:1/', { agent: new TracingAgent() })), shape(() => https.request('https://127.0.0.1:1/', { agent: new http.Agent() })));
  assert.equal(shape(() => http.request('http://127.0.0.1:1/', { agent: new TracingHttpsAgent() })).code, 'ERR_INVALID_PROTOCOL');

  const server = await startTestServer(t);
  const results = await eachMode(t, async (run) => {
    const agent = run.agent();
    (agent as unknown as { protocol: string | null }).protocol = null;
    const ex = await run.get(`${server.ipOrigin}/ok`, { agent });
    return ex.body;
  });
  assert.equal(assertSameAsNode(results), 'ok\n');
});

test('http.globalAgent can be a TracingAgent: no agent, agent: null and agent: false all work (and trace)', async (t) => {
  const server = await startTestServer(t);
  const holder = http as unknown as { globalAgent: http.Agent };
  const saved = holder.globalAgent;
  t.after(() => {
    holder.globalAgent = saved;
  });
  const results = await eachMode(t, async (run) => {
    const global = run.agent({ keepAlive: true });
    holder.globalAgent = global;
    try {
      const seen: unknown[] = [];
      for (const agent of [undefined, null, false] as const) {
        const options = agent === undefined ? {} : { agent: agent as unknown as http.Agent };
        const before = run.calls('gotConn').length;
        const ex = await run.get(`${server.ipOrigin}/ok`, options);
        const used = (ex.req as unknown as { agent: http.Agent }).agent;
        seen.push({ agent: String(agent), body: ex.body, global: used === global, httpAgent: used instanceof http.Agent, sameClass: used.constructor === global.constructor });
        if (run.mode !== 'node') assert.ok(used instanceof TracingAgent, `agent: ${String(agent)} uses a TracingAgent`);
        if (run.traced) assert.equal(run.calls('gotConn').length, before + 1, `traced with agent: ${String(agent)}`);
      }
      return seen;
    } finally {
      holder.globalAgent = saved;
    }
  });
  assert.deepEqual(assertSameAsNode(results), [
    { agent: 'undefined', body: 'ok\n', global: true, httpAgent: true, sameClass: true },
    { agent: 'null', body: 'ok\n', global: true, httpAgent: true, sameClass: true },
    { agent: 'false', body: 'ok\n', global: false, httpAgent: true, sameClass: true },
  ]);
});

test('socketPath: requests over a Unix socket pool and trace like http.Agent', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'httptrace-dropin-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  const socketPath = join(dir, 'server.sock');
  const server = http.createServer((req, res) => res.end(`unix ${req.url}`));
  const conns = new Set<Socket>();
  server.on('connection', (s: Socket) => conns.add(s));
  server.listen(socketPath);
  await once(server, 'listening');
  t.after(() => new Promise<void>((resolve) => {
    server.close(() => resolve());
    for (const s of conns) s.destroy();
  }));
  const results = await eachMode(t, async (run) => {
    const agent = run.agent({ keepAlive: true });
    const freed = frees(agent, 1);
    const a = await exchange(run.request('http://localhost/a', { agent, socketPath }));
    await freed;
    const names = Object.keys(agent.freeSockets);
    const b = await exchange(run.request('http://localhost/b', { agent, socketPath }));
    return { bodies: [a.body, b.body], names, same: a.socket === b.socket };
  });
  assert.deepEqual(assertSameAsNode(results), { bodies: ['unix /a', 'unix /b'], names: [`localhost:80::${socketPath}`], same: true });
  for (const run of tracedRuns(results)) {
    assert.deepEqual(run.calls('getConn'), [[socketPath], [socketPath]]);
    assert.deepEqual(run.gotConns(), [{ reused: false, wasIdle: false }, { reused: true, wasIdle: true }]);
  }
});

// ---------------------------------------------------------------------------------------------
// Corner cases of Node's agent API: legacy call forms, ES5-style subclasses
// ---------------------------------------------------------------------------------------------

test('the legacy addRequest(req, host, port, localAddress) form works as on http.Agent', async (t) => {
  const server = await startTestServer(t);
  const results: string[] = [];
  for (const agent of [new http.Agent(), new TracingAgent()]) {
    t.after(() => agent.destroy());
    const holder = { addRequest() {}, protocol: 'http:', defaultPort: 80 } as unknown as http.Agent;
    const req = http.request({ host: '127.0.0.1', port: server.port, path: '/ok', agent: holder });
    try {
      ((agent as unknown as { addRequest: unknown }).addRequest as (r: http.ClientRequest, host: string, port: number) => void)(req, '127.0.0.1', server.port);
      req.end();
      results.push((await exchange(req)).body);
    } catch (err) {
      req.on('error', () => {});
      req.destroy();
      results.push(`threw ${(err as { code?: string }).code}`);
    }
  }
  assert.deepEqual(results, ['ok\n', 'ok\n']);
});

test('an ES5-style subclass (Base.call(this, options) + util.inherits) is initialised as with http.Agent', async (t) => {
  const server = await startTestServer(t);
  const results: unknown[] = [];
  for (const Base of [http.Agent, TracingAgent] as unknown as Array<(this: unknown, options?: http.AgentOptions) => void>) {
    function Legacy(this: { legacy?: boolean }, options?: http.AgentOptions): void {
      Base.call(this, options);
      this.legacy = true;
    }
    inherits(Legacy, Base);
    const agent = new (Legacy as unknown as new (options?: http.AgentOptions) => http.Agent)({ keepAlive: true });
    t.after(() => agent.destroy?.());
    const fields = { keepAlive: (agent as unknown as { keepAlive: unknown }).keepAlive, sockets: typeof agent.sockets };
    let body: string;
    try {
      body = (await exchange(http.request(`${server.ipOrigin}/ok`, { agent }).end())).body;
    } catch (err) {
      body = `failed: ${(err as Error).message}`;
    }
    results.push({ fields, body });
  }
  assert.deepEqual(results[1], results[0]);
});
