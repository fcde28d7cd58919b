/** The process-wide default trace (validated, composed after the context's trace) and the active-context source. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import * as undici7 from 'undici7';
import {
  emptyContext,
  getDefaultClientTrace,
  runWithClientTrace,
  setActiveContextSource,
  setDefaultClientTrace,
  withClientTrace,
  type ClientTrace,
  type Context,
  type RequestDescription,
} from '../src/index.js';
import { TracingAgent } from '../src/node/index.js';
import { createTracingDispatcher, withDispatcherContext } from '../src/undici/index.js';
import { startTestServer, type AfterHook } from './helpers/test-server.js';

function cleanDefault(t: AfterHook): void {
  t.after(() => {
    setDefaultClientTrace(undefined);
    setActiveContextSource(undefined);
  });
}

async function get(url: string, agent: http.Agent, traceContext?: Context): Promise<number> {
  return new Promise((resolve, reject) => {
    http
      .get(url, { agent, traceContext }, (res) => {
        res.resume().on('end', () => resolve(res.statusCode ?? 0));
      })
      .on('error', reject);
  });
}

test('setDefaultClientTrace checks its arguments at the call, with codes', () => {
  const bad: Array<[unknown, unknown, string]> = [
    [null, undefined, 'ERR_HTTPTRACE_INVALID_TRACE'],
    [42, undefined, 'ERR_HTTPTRACE_INVALID_TRACE'],
    [[], undefined, 'ERR_HTTPTRACE_INVALID_TRACE'],
    [{ getconn: () => {} }, undefined, 'ERR_HTTPTRACE_INVALID_HOOK'],
    [{ requestDone: 'x' }, undefined, 'ERR_HTTPTRACE_INVALID_HOOK'],
    [{}, { onHookError: 1 }, 'ERR_HTTPTRACE_INVALID_OPTION'],
    [() => undefined, 'x', 'ERR_HTTPTRACE_INVALID_OPTION'],
  ];
  for (const [trace, options, code] of bad) {
    assert.throws(
      () => setDefaultClientTrace(trace as ClientTrace, options as never),
      (err: Error & { code?: string }) => err instanceof TypeError && err.code === code,
      `${String(trace)} ${String(options)}`,
    );
    assert.equal(getDefaultClientTrace(), undefined, 'a refused default leaves none');
  }
  assert.throws(() => setActiveContextSource(1 as never), { code: 'ERR_HTTPTRACE_INVALID_OPTION' });
  const trace: ClientTrace = { getConn: () => {} };
  setDefaultClientTrace(trace);
  assert.equal(getDefaultClientTrace(), trace);
  setDefaultClientTrace(undefined);
  assert.equal(getDefaultClientTrace(), undefined);
});

test('node: a request without a context gets the default; with one, the context trace runs first', async (t) => {
  cleanDefault(t);
  const server = await startTestServer(t);
  const agent = new TracingAgent({ keepAlive: true });
  t.after(() => agent.destroy());
  const log: string[] = [];
  setDefaultClientTrace({ getConn: () => void log.push('default:getConn'), requestDone: ({ err }) => void log.push(`default:done:${String(err)}`) });
  assert.equal(await get(`${server.ipOrigin}/ok`, agent), 200);
  await new Promise((resolve) => setImmediate(resolve));
  assert.deepEqual(log, ['default:getConn', 'default:done:null']);
  log.length = 0;
  const ctx = withClientTrace(emptyContext, { getConn: () => void log.push('context:getConn') });
  await get(`${server.ipOrigin}/ok`, agent, ctx);
  await new Promise((resolve) => setImmediate(resolve));
  assert.deepEqual(log, ['context:getConn', 'default:getConn', 'default:done:null']);
  setDefaultClientTrace(undefined);
  log.length = 0;
  await get(`${server.ipOrigin}/ok`, agent);
  assert.deepEqual(log, [], 'cleared');
});

test('a factory is called once per request hop with its description; its trace serves that hop only', async (t) => {
  cleanDefault(t);
  const server = await startTestServer(t);
  const agent = new TracingAgent({ keepAlive: true });
  const dispatcher = await createTracingDispatcher({ Agent: undici7.Agent as never });
  t.after(async () => {
    agent.destroy();
    await dispatcher.destroy();
  });
  const seen: RequestDescription[] = [];
  const gotConns: number[] = [];
  setDefaultClientTrace((request) => {
    seen.push(request);
    const n = seen.length;
    return { gotConn: () => void gotConns.push(n) };
  });
  await get(`${server.ipOrigin}/ok?a=1`, agent);
  await get(`${server.ipOrigin}/ok?a=2`, agent);
  await (await undici7.request(`${server.ipOrigin}/ok`, { dispatcher: dispatcher as never, method: 'POST', body: 'x' })).body.text();
  await (await fetch(`${server.ipOrigin}/ok`, { dispatcher: withDispatcherContext(dispatcher, emptyContext) } as RequestInit)).text();
  assert.deepEqual(seen, [
    { client: 'node', method: 'GET', url: `${server.ipOrigin}/ok?a=1` },
    { client: 'node', method: 'GET', url: `${server.ipOrigin}/ok?a=2` },
    { client: 'undici', method: 'POST', url: `${server.ipOrigin}/ok` },
    { client: 'fetch', method: 'GET', url: `${server.ipOrigin}/ok` },
  ]);
  assert.deepEqual(gotConns, [1, 2, 3, 4]);
});

test('a factory that throws or returns a bad trace never breaks the request; the error is reported', async (t) => {
  cleanDefault(t);
  const server = await startTestServer(t);
  const agent = new TracingAgent();
  t.after(() => agent.destroy());
  const reported: string[] = [];
  const onHookError = (err: Error & { code?: string }): void => void reported.push(err.code ?? err.message);
  setDefaultClientTrace(() => {
    throw new Error('factory');
  }, { onHookError });
  assert.equal(await get(`${server.ipOrigin}/ok`, agent), 200);
  setDefaultClientTrace(() => ({ nope: () => {} }) as never, { onHookError });
  assert.equal(await get(`${server.ipOrigin}/ok`, agent), 200);
  assert.deepEqual(reported, ['factory', 'ERR_HTTPTRACE_INVALID_HOOK']);
});

test("the active-context source is read before httptrace's own context", async (t) => {
  cleanDefault(t);
  const server = await startTestServer(t);
  const agent = new TracingAgent();
  t.after(() => agent.destroy());
  const log: string[] = [];
  const fromSource = withClientTrace(emptyContext, { getConn: () => void log.push('source') });
  let current: Context | undefined = fromSource;
  setActiveContextSource(() => current);
  await get(`${server.ipOrigin}/ok`, agent);
  current = emptyContext; // a source context without a trace: httptrace's own is used
  await runWithClientTrace({ getConn: () => void log.push('own') }, () => get(`${server.ipOrigin}/ok`, agent));
  setActiveContextSource(() => {
    throw new Error('broken source');
  });
  await runWithClientTrace({ getConn: () => void log.push('own') }, () => get(`${server.ipOrigin}/ok`, agent));
  assert.deepEqual(log, ['source', 'own', 'own']);
});
