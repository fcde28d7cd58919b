/**
 * The oracle scenarios that apply to undici, run by any undici client (built-in fetch with the
 * dispatcher, plain fetch with the global dispatcher, npm undici's request). Each scenario compares
 * the whole sequence with Go's, under the two differences the README's hook table names for undici:
 * the header fields are undici's own (so their count is masked), and undici finishes reading a small
 * response before `fetch`/`request` resolves, so PutIdleConn comes before [response].
 */
import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { emptyContext, withClientTrace, type Context } from '../../src/index.js';
import { createTracingDispatcher, type Dispatcher, type TracingDispatcherOptions } from '../../src/undici/index.js';
import { Recorder, errorClass } from './recorder.js';
import { startIdleClosingServer, startTestServer } from './test-server.js';
import { fakeLookup } from './fake-dns.js';
import { closedPort } from './ports.js';
import { ca } from './tls-fixture.js';

/** What a client did with one request. */
export interface Result {
  status?: number;
  body?: string;
  error?: Error;
}

/** One way of making requests through a tracing dispatcher. */
export interface UndiciClient {
  /** Sends a request traced with `context`; marks [response] once the client resolves. */
  send(url: string, o: { dispatcher: Dispatcher; context: Context; signal?: AbortSignal; headers?: Record<string, string>; method?: string; body?: string; rec: Recorder; req: number }): Promise<Result>;
  /** `true` when the client follows redirects itself (fetch). */
  followsRedirects: boolean;
  /** Options for the dispatcher (e.g. npm undici's Agent). */
  dispatcherOptions?: TracingDispatcherOptions;
}

/** Go's sequence, with undici's two documented differences applied. */
export function undiciOf(go: string): string {
  return go
    .replace(/WroteHeaderField(×\d+)?/g, 'WroteHeaderField×*')
    .replace(/ \[response\]\((\d+)\) PutIdleConn/g, ' PutIdleConn [response]($1)');
}

/**
 * Masks the header count, and puts PutIdleConn before [response]: undici completes a small response
 * before or after its promise resolves depending on the version and the packets (the README says so).
 */
function mask(summary: string): string {
  return summary
    .replace(/WroteHeaderField(×\d+)?/g, 'WroteHeaderField×*')
    .replace(/ \[response\]\((\d+)\) PutIdleConn/g, ' PutIdleConn [response]($1)');
}

const FRESH = '[request] GetConn DNSStart DNSDone ConnectStart ConnectDone GotConn(new) WroteHeaderField×2 WroteHeaders WroteRequest GotFirstResponseByte [response](200) PutIdleConn [body]';
const REUSED = '[request] GetConn GotConn(reused,idle) WroteHeaderField×2 WroteHeaders WroteRequest GotFirstResponseByte [response](200) PutIdleConn [body]';

/**
 * undici gives a connection back to its pool asynchronously after the response completed: a request
 * made in the same tick opens a second connection (pinned below). One turn of the event loop lets
 * the first one become idle, as it would between requests of a real program.
 */
export function undiciResume(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

/** Registers the scenarios for `client`. */
export function undiciScenarios(name: string, client: UndiciClient): void {
  async function setup(t: TestContext, connect: TracingDispatcherOptions['connect'] = {}) {
    const dispatcher = await createTracingDispatcher({ ...client.dispatcherOptions, connect: { lookup: fakeLookup({ localhost: ['127.0.0.1'] }), ...connect } });
    t.after(() => dispatcher.destroy());
    const rec = new Recorder();
    const send = (url: string, req: number, extra: { signal?: AbortSignal; headers?: Record<string, string>; method?: string; body?: string } = {}) =>
      client.send(url, { dispatcher, context: withClientTrace(emptyContext, rec.trace(req)), rec, req, ...extra });
    return { dispatcher, rec, send };
  }

  test(`${name}: fresh-http and reuse`, async (t) => {
    const server = await startTestServer(t);
    const { rec, send } = await setup(t);
    assert.equal((await send(server.url('/ok'), 1)).body, 'ok\n');
    await undiciResume();
    assert.equal((await send(server.url('/ok'), 2)).body, 'ok\n');
    assert.equal(mask(rec.summary()), undiciOf(`1: ${FRESH} ‖ 2: ${REUSED}`));
    assert.deepEqual(rec.hooks('GetConn')[0]?.args, { hostPort: `localhost:${server.port}` });
    assert.equal(server.connections, 1);
    const idle = rec.hooks('GotConn', 2)[0]?.args.idleTime as number;
    assert.ok(idle > 0 && idle < 1000, `idleTime ${idle}`);
    // The header fields are exactly those the server received, in order.
    const keys = rec.hooks('WroteHeaderField', 1).map((l) => String(l.args.key).toLowerCase());
    const received = server.requests[0]!.rawHeaders.filter((_, i) => i % 2 === 0).map((k) => k.toLowerCase());
    assert.deepEqual(keys, received);
    assert.equal(keys[0], 'host');
  });

  test(`${name}: a request made in the same tick as the previous response completed opens a new connection`, async (t) => {
    const server = await startTestServer(t);
    const { rec, send } = await setup(t);
    await send(server.url('/ok'), 1);
    await send(server.url('/ok'), 2);
    assert.equal(mask(rec.summary()), undiciOf(`1: ${FRESH} ‖ 2: ${FRESH}`));
    assert.equal(server.connections, 2);
  });

  test(`${name}: a pool limited to one connection: queued requests fire every hook, handed over`, async (t) => {
    const server = await startTestServer(t);
    const dispatcher = await createTracingDispatcher({
      ...client.dispatcherOptions,
      agent: { connections: 1 },
      connect: { lookup: fakeLookup({ localhost: ['127.0.0.1'] }) },
    });
    t.after(() => dispatcher.destroy());
    const rec = new Recorder();
    const results = await Promise.all([1, 2, 3].map((req) =>
      client.send(server.url('/ok'), { dispatcher, context: withClientTrace(emptyContext, rec.trace(req)), rec, req }),
    ));
    assert.deepEqual(results.map((r) => r.body), ['ok\n', 'ok\n', 'ok\n']);
    assert.equal(server.connections, 1);
    for (const req of [1, 2, 3]) {
      const hooks = rec.lines.filter((l) => l.req === req && l.hook !== undefined).map((l) => l.hook).filter((h) => h !== 'WroteHeaderField');
      const conn = req === 1 ? ['DNSStart', 'DNSDone', 'ConnectStart', 'ConnectDone'] : [];
      assert.deepEqual(hooks, ['GetConn', ...conn, 'GotConn', 'WroteHeaders', 'WroteRequest', 'GotFirstResponseByte', 'PutIdleConn'], `request ${req}`);
    }
    assert.deepEqual(rec.hooks('GotConn').map((l) => [l.args.reused, l.args.wasIdle]), [[false, false], [true, false], [true, false]]);
  });

  test(`${name}: fresh-https and https-reuse`, async (t) => {
    const server = await startTestServer(t, { tls: true });
    const { rec, send } = await setup(t, { ca });
    await send(server.url('/ok'), 1);
    await undiciResume();
    await send(server.url('/ok'), 2);
    const freshTLS = FRESH.replace('ConnectDone', 'ConnectDone TLSHandshakeStart TLSHandshakeDone');
    assert.equal(mask(rec.summary()), undiciOf(`1: ${freshTLS} ‖ 2: ${REUSED}`));
    const state = rec.hooks('TLSHandshakeDone')[0]?.args.state as { version: string; negotiatedProtocol: string; serverName: string };
    assert.equal(state.version, 'TLSv1.3');
    assert.equal(state.negotiatedProtocol, 'http/1.1', 'undici offers ALPN http/1.1');
    assert.equal(state.serverName, 'localhost');
  });

  test(`${name}: tls-bad-cert`, async (t) => {
    const server = await startTestServer(t, { tls: true });
    const { rec, send } = await setup(t);
    const res = await send(server.url('/ok'), 1);
    assert.equal(errorClass(res.error), 'tls');
    assert.equal(rec.summary(), '[request] GetConn DNSStart DNSDone ConnectStart ConnectDone TLSHandshakeStart TLSHandshakeDone(err=tls) [response](err=tls)');
  });

  test(`${name}: dns-fail`, async (t) => {
    const { rec, send } = await setup(t);
    await send('http://nonexistent.invalid/', 1);
    assert.equal(rec.summary(), '[request] GetConn DNSStart DNSDone(err=dns) [response](err=dns)');
  });

  test(`${name}: refused`, async (t) => {
    const port = await closedPort();
    const { rec, send } = await setup(t);
    await send(`http://localhost:${port}/ok`, 1);
    assert.equal(rec.summary(), '[request] GetConn DNSStart DNSDone ConnectStart ConnectDone(err=refused) [response](err=refused)');
  });

  test(`${name}: early-hints, and an error from got1xxResponse aborts`, async (t) => {
    const server = await startTestServer(t);
    const { rec, send } = await setup(t);
    await send(server.url('/early-hints'), 1);
    assert.equal(
      mask(rec.summary()),
      undiciOf('[request] GetConn DNSStart DNSDone ConnectStart ConnectDone GotConn(new) WroteHeaderField×2 WroteHeaders WroteRequest GotFirstResponseByte Got1xxResponse(103) [response](200) PutIdleConn [body]'),
    );
    assert.deepEqual({ ...(rec.hooks('Got1xxResponse')[0]?.args.header as object) }, { link: ['</style.css>; rel=preload; as=style'] });
  });

  test(`${name}: got1xxResponse returning an Error aborts the request with it`, async (t) => {
    const server = await startTestServer(t);
    const { dispatcher } = await setup(t);
    const reason = new Error('no hints');
    const rec = new Recorder();
    const context = withClientTrace(withClientTrace(emptyContext, rec.trace(1)), { got1xxResponse: () => reason });
    const res = await client.send(server.url('/early-hints'), { dispatcher, context, rec, req: 1 });
    assert.ok(res.error === reason || (res.error as { cause?: unknown }).cause === reason, String(res.error));
    assert.equal(rec.hooks('PutIdleConn').length, 0);
  });

  test(`${name}: conn-close`, async (t) => {
    const server = await startTestServer(t);
    const { rec, send } = await setup(t);
    await send(server.url('/close'), 1);
    await send(server.url('/ok'), 2);
    assert.equal(mask(rec.summary()), undiciOf(`1: ${FRESH.replace(' PutIdleConn', '')} ‖ 2: ${FRESH}`));
  });

  test(`${name}: reset and drop`, async (t) => {
    const server = await startTestServer(t);
    const { rec, send } = await setup(t);
    await send(server.url('/reset'), 1);
    await send(server.url('/drop'), 2);
    const failed = (err: string) => `[request] GetConn DNSStart DNSDone ConnectStart ConnectDone GotConn(new) WroteHeaderField×* WroteHeaders WroteRequest [response](err=${err})`;
    assert.equal(mask(rec.summary()), `1: ${failed('reset')} ‖ 2: ${failed('closed')}`);
  });

  test(`${name}: cancel`, async (t) => {
    const server = await startTestServer(t);
    const { rec, send } = await setup(t);
    const controller = new AbortController();
    const pending = send(server.url('/slow-headers?ms=2000'), 1, { signal: controller.signal });
    await once(server.server, 'request');
    rec.mark('cancel', 1);
    controller.abort();
    await pending;
    assert.equal(
      mask(rec.summary()),
      '[request] GetConn DNSStart DNSDone ConnectStart ConnectDone GotConn(new) WroteHeaderField×* WroteHeaders WroteRequest [cancel] [response](err=aborted)',
    );
  });

  test(`${name}: concurrent-dns`, async (t) => {
    const server = await startTestServer(t);
    const slow = fakeLookup({ 'slow.test': ['127.0.0.1'] }, { delayMs: 50 });
    const a = await createTracingDispatcher({ ...client.dispatcherOptions, connect: { lookup: slow } });
    const b = await createTracingDispatcher({ ...client.dispatcherOptions, connect: { lookup: slow } });
    t.after(() => Promise.all([a.destroy(), b.destroy()]));
    const rec = new Recorder();
    const url = `http://slow.test:${server.port}/ok`;
    await Promise.all([
      client.send(url, { dispatcher: a, context: withClientTrace(emptyContext, rec.trace(1)), rec, req: 1 }),
      client.send(url, { dispatcher: b, context: withClientTrace(emptyContext, rec.trace(2)), rec, req: 2 }),
    ]);
    const one = undiciOf(FRESH.replace('DNSDone', 'DNSDone(coalesced)'));
    assert.equal(mask(rec.summary({ perReq: true })), `1: ${one} ‖ 2: ${one}`);
    assert.deepEqual(slow.calls, ['slow.test']);
  });

  test(`${name}: ipv6-fallback`, async (t) => {
    const server = await startTestServer(t);
    const { rec, send } = await setup(t, { lookup: fakeLookup({ 'dual.test': ['::1', '127.0.0.1'] }) });
    await send(`http://dual.test:${server.port}/ok`, 1);
    assert.equal(mask(rec.summary()), undiciOf(FRESH.replace('ConnectStart ConnectDone', 'ConnectStart ConnectDone(err=refused) ConnectStart ConnectDone')));
    assert.deepEqual(rec.hooks('ConnectStart').map((l) => l.args.addr), [`[::1]:${server.port}`, `127.0.0.1:${server.port}`]);
  });

  test(`${name}: Expect: 100-continue is refused by undici; no hook fires, nothing breaks`, async (t) => {
    const server = await startTestServer(t);
    const { rec, send } = await setup(t);
    const res = await send(server.url('/continue'), 1, { method: 'POST', body: 'hello world', headers: { expect: '100-continue' } });
    const err = res.error as Error & { code?: string; cause?: { code?: string } };
    assert.equal(err.code ?? err.cause?.code, 'UND_ERR_NOT_SUPPORTED');
    assert.equal(rec.summary(), '[request] [response](err=other)');
    assert.equal((await send(server.url('/ok'), 2)).body, 'ok\n');
  });

  if (client.followsRedirects) {
    test(`${name}: redirect: each hop fires its own sequence on the same trace`, async (t) => {
      const server = await startTestServer(t);
      const { rec, send } = await setup(t);
      const res = await send(server.url('/redirect'), 1);
      assert.equal(res.body, 'ok\n');
      // Go: … GotFirstResponseByte [redirect] PutIdleConn GetConn GotConn(reused,idle) … . fetch has no
      // redirect callback (no [redirect] mark), and it sends the second hop in the same tick the first
      // completed, so undici dials a new connection for it (see the same-tick test above).
      assert.equal(
        mask(rec.summary()),
        '[request] GetConn DNSStart DNSDone ConnectStart ConnectDone GotConn(new) WroteHeaderField×* WroteHeaders WroteRequest GotFirstResponseByte PutIdleConn GetConn DNSStart DNSDone ConnectStart ConnectDone GotConn(new) WroteHeaderField×* WroteHeaders WroteRequest GotFirstResponseByte PutIdleConn [response](200) [body]',
      );
      assert.deepEqual(rec.hooks('WroteHeaderField').filter((l) => String(l.args.key).toLowerCase() === 'host').length, 2);
    });
  }
}

/** Registers the stale-connection scenarios: idle-close (a new dial) and stale-reuse (no retry). */
export function undiciStaleScenario(name: string, client: UndiciClient): void {
  test(`${name}: idle-close-retry: a connection closed while idle is not reused, the next request dials`, async (t) => {
    const { port } = await startIdleClosingServer(t);
    const dispatcher = await createTracingDispatcher({ ...client.dispatcherOptions, connect: { lookup: fakeLookup({ localhost: ['127.0.0.1'] }) } });
    t.after(() => dispatcher.destroy());
    const rec = new Recorder();
    const send = (req: number) => client.send(`http://localhost:${port}/idle-close`, { dispatcher, context: withClientTrace(emptyContext, rec.trace(req)), rec, req });
    await send(1);
    rec.mark('sleep', 0, { ms: 300 });
    await new Promise((resolve) => setTimeout(resolve, 300)); // the scenario's own pause, as Go's harness
    await send(2);
    assert.equal(mask(rec.summary()), undiciOf(`1: ${FRESH} ‖ [sleep] ‖ 2: ${FRESH}`));
  });

  test(`${name}: stale-reuse: undici fails the written request, the trace shows its one attempt`, async (t) => {
    const server = await startTestServer(t);
    const dispatcher = await createTracingDispatcher({ ...client.dispatcherOptions, connect: { lookup: fakeLookup({ localhost: ['127.0.0.1'] }) } });
    t.after(() => dispatcher.destroy());
    const rec = new Recorder();
    const send = (path: string, req: number) => client.send(server.url(path), { dispatcher, context: withClientTrace(emptyContext, rec.trace(req)), rec, req });
    await send('/ok', 1);
    await undiciResume();
    const res = await send('/stale', 2);
    assert.ok(res.error, 'the request failed');
    // Go: … WroteRequest GetConn DNSStart … (a retry on a new connection).
    assert.equal(mask(rec.summary()).split(' ‖ ')[1], '2: [request] GetConn GotConn(reused,idle) WroteHeaderField×* WroteHeaders WroteRequest [response](err=closed)');
  });
}
