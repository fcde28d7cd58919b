/**
 * The extension hooks: `gotResponse` once at the final response head, `requestDone` exactly once and
 * last (body read, failure, abort → ERR_HTTPTRACE_ABORTED), for node:http, npm undici and fetch.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { once } from 'node:events';
import http from 'node:http';
import * as undici7 from 'undici7';
import { emptyContext, hookNames, withClientTrace, type ClientTrace, type Context } from '../src/index.js';
import { TracingAgent } from '../src/node/index.js';
import { createTracingDispatcher, withDispatcherContext, type Dispatcher } from '../src/undici/index.js';
import { startTestServer, type TestServer } from './helpers/test-server.js';

interface Entry {
  readonly hook: string;
  readonly args: unknown[];
}

function logged(): { log: Entry[]; ctx: Context; done: Promise<Entry> } {
  const log: Entry[] = [];
  const trace: Record<string, unknown> = {};
  let resolveDone: (e: Entry) => void = () => {};
  const done = new Promise<Entry>((resolve) => (resolveDone = resolve));
  for (const hook of hookNames) {
    trace[hook] = (...args: unknown[]) => {
      const entry = { hook, args };
      log.push(entry);
      if (hook === 'requestDone') resolveDone(entry);
    };
  }
  return { log, ctx: withClientTrace(emptyContext, trace as ClientTrace), done };
}

const names = (log: Entry[]): string[] => log.map((e) => e.hook);
const doneInfo = (e: Entry): { err: (Error & { code?: string; cause?: unknown }) | null; bytesRead: number | undefined } => e.args[0] as never;

/** Checks a completed request's log: one gotResponse after the first byte, putIdleConn then requestDone last. */
function assertCompleted(log: Entry[], status: number, pooled: boolean): void {
  const seq = names(log);
  assert.equal(seq.filter((h) => h === 'gotResponse').length, 1, seq.join(' '));
  assert.equal(seq.filter((h) => h === 'requestDone').length, 1, seq.join(' '));
  assert.equal(seq.at(-1), 'requestDone', seq.join(' '));
  assert.ok(seq.indexOf('gotFirstResponseByte') < seq.indexOf('gotResponse'), seq.join(' '));
  if (pooled) assert.equal(seq.at(-2), 'putIdleConn', seq.join(' '));
  const response = log.find((e) => e.hook === 'gotResponse')!.args[0] as { statusCode: number; statusMessage: string; httpVersion: string; header: Record<string, string[]> };
  assert.equal(response.statusCode, status);
  assert.equal(response.statusMessage, 'OK');
  assert.equal(response.httpVersion, '1.1');
  assert.deepEqual(response.header['content-type'], ['text/plain']);
  const info = doneInfo(log.at(-1)!);
  assert.equal(info.err, null);
  assert.ok(info.bytesRead !== undefined && info.bytesRead > 'HTTP/1.1 200 OK\r\n\r\nok\n'.length, String(info.bytesRead));
}

/** After the server is gone (every connection closed), nothing was added after requestDone. */
async function assertNothingAfter(server: TestServer, log: Entry[]): Promise<void> {
  await server.close();
  await new Promise((resolve) => setImmediate(resolve));
  assert.equal(log.filter((e) => e.hook === 'requestDone').length, 1, names(log).join(' '));
  assert.equal(log.at(-1)!.hook, 'requestDone', names(log).join(' '));
}

function nodeGet(url: string, agent: http.Agent, ctx: Context, signal?: AbortSignal): Promise<http.IncomingMessage | Error> {
  return new Promise((resolve) => {
    http.get(url, { agent, traceContext: ctx, signal }, (res) => resolve(res)).on('error', resolve);
  });
}

test('node: gotResponse, then putIdleConn, then requestDone last; a second request on the reused connection too', async (t) => {
  const server = await startTestServer(t);
  const agent = new TracingAgent({ keepAlive: true });
  t.after(() => agent.destroy());
  for (const _ of [1, 2]) {
    const { log, ctx, done } = logged();
    const res = (await nodeGet(`${server.ipOrigin}/ok`, agent, ctx)) as http.IncomingMessage;
    res.resume();
    await done;
    assertCompleted(log, 200, true);
  }
});

test('node: a response nobody listens to is still dumped (the request settles, the socket is pooled)', async (t) => {
  const server = await startTestServer(t);
  const agent = new TracingAgent({ keepAlive: true });
  t.after(() => agent.destroy());
  const { log, ctx, done } = logged();
  http.get(`${server.ipOrigin}/ok`, { agent, traceContext: ctx });
  await done;
  assertCompleted(log, 200, true);
});

test('node: a refused connection, an abort, a response destroyed mid-body: requestDone once, last, with the error', async (t) => {
  const server = await startTestServer(t);
  const agent = new TracingAgent({ keepAlive: true });
  t.after(() => agent.destroy());

  const refused = logged();
  const closed = await startTestServer(t);
  const port = closed.port;
  await closed.close();
  await nodeGet(`http://127.0.0.1:${port}/`, agent, refused.ctx);
  assert.equal(doneInfo(await refused.done).err?.code, 'ECONNREFUSED');
  assert.ok(!names(refused.log).includes('gotResponse'));

  const aborted = logged();
  const controller = new AbortController();
  const pending = nodeGet(`${server.ipOrigin}/slow-headers?ms=5000`, agent, aborted.ctx, controller.signal);
  await new Promise<void>((resolve) => server.server.once('request', () => resolve()));
  controller.abort();
  await pending;
  const info = doneInfo(await aborted.done);
  assert.equal(info.err?.code, 'ERR_HTTPTRACE_ABORTED');
  assert.equal((info.err?.cause as { name?: string }).name, 'AbortError');

  const midBody = logged();
  const res = (await nodeGet(`${server.ipOrigin}/slow-body?ms=5000`, agent, midBody.ctx)) as http.IncomingMessage;
  res.destroy();
  assert.equal(doneInfo(await midBody.done).err?.code, 'ERR_HTTPTRACE_ABORTED');
  assert.ok(names(midBody.log).includes('gotResponse'));
  assert.ok(!names(midBody.log).includes('putIdleConn'));
  await assertNothingAfter(server, aborted.log);
  await assertNothingAfter(server, midBody.log);
});

type Send = (url: string, dispatcher: Dispatcher, ctx: Context, signal?: AbortSignal) => Promise<unknown>;

const undiciSend: Send = async (url, dispatcher, ctx, signal) => {
  const res = await undici7.request(url, { dispatcher: dispatcher as never, traceContext: ctx, signal } as never);
  return res.body.text();
};
const fetchSend: Send = async (url, dispatcher, ctx, signal) => {
  const res = await fetch(url, { dispatcher: withDispatcherContext(dispatcher, ctx), signal } as RequestInit);
  return res.text();
};

for (const [name, send] of [['undici.request', undiciSend], ['fetch', fetchSend]] as const) {
  test(`${name}: gotResponse, putIdleConn, requestDone last; abort → ERR_HTTPTRACE_ABORTED; nothing after`, async (t) => {
    const server = await startTestServer(t);
    const dispatcher = await createTracingDispatcher(name === 'fetch' ? {} : { Agent: undici7.Agent as never });
    t.after(() => dispatcher.destroy());
    for (const _ of [1, 2]) {
      const { log, ctx, done } = logged();
      await send(`${server.ipOrigin}/ok`, dispatcher, ctx);
      await done;
      assertCompleted(log, 200, true);
    }
    const aborted = logged();
    const controller = new AbortController();
    const pending = send(`${server.ipOrigin}/slow-headers?ms=5000`, dispatcher, aborted.ctx, controller.signal).catch((err: unknown) => err);
    await once(server.server, 'request');
    controller.abort();
    await pending;
    assert.equal(doneInfo(await aborted.done).err?.code, 'ERR_HTTPTRACE_ABORTED');
    assert.ok(!names(aborted.log).includes('gotResponse'));
    await assertNothingAfter(server, aborted.log);
  });
}
