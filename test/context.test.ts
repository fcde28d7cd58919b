/** withClientTrace / contextClientTrace: composition order, no mutation, bad input, async binding. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import {
  activeContext,
  contextClientTrace,
  emptyContext,
  extensionHookNames,
  goHookNames,
  hookNames,
  runWithClientTrace,
  runWithContext,
  withClientTrace,
  type ClientTrace,
  type Context,
} from '../src/index.js';
import { TracingAgent } from '../src/node/index.js';
import { startTestServer } from './helpers/test-server.js';

test('Go TestCompose: new only → T; new over old → TO; empty over old → O', () => {
  const run = (ctx: Context): string => {
    let buf = '';
    const trace = contextClientTrace(ctx);
    assert.ok(trace);
    trace.connectStart?.('tcp', 'a:1');
    return (buf = captured.splice(0).join('')), buf;
  };
  const captured: string[] = [];
  const T: ClientTrace = { connectStart: () => void captured.push('T') };
  const O: ClientTrace = { connectStart: () => void captured.push('O') };
  assert.equal(run(withClientTrace(emptyContext, T)), 'T');
  assert.equal(run(withClientTrace(withClientTrace(emptyContext, O), T)), 'TO');
  assert.equal(run(withClientTrace(withClientTrace(emptyContext, O), {})), 'O');
});

test('a chain of three runs newest first, every hook receives the same arguments', () => {
  const calls: string[] = [];
  let ctx = emptyContext;
  for (const name of ['1', '2', '3']) ctx = withClientTrace(ctx, { getConn: (hp) => void calls.push(`${name}:${hp}`) });
  contextClientTrace(ctx)?.getConn?.('h:80');
  assert.deepEqual(calls, ['3:h:80', '2:h:80', '1:h:80']);
});

test('the passed trace is never mutated, and can be reused with several parents', () => {
  const calls: string[] = [];
  const shared: ClientTrace = { wroteHeaders: () => void calls.push('shared') };
  const frozen = Object.freeze({ ...shared });
  const a = withClientTrace(withClientTrace(emptyContext, { wroteHeaders: () => void calls.push('a') }), frozen);
  const b = withClientTrace(withClientTrace(emptyContext, { wroteHeaders: () => void calls.push('b') }), frozen);
  contextClientTrace(a)?.wroteHeaders?.();
  contextClientTrace(b)?.wroteHeaders?.();
  assert.deepEqual(calls, ['shared', 'a', 'shared', 'b']);
  assert.deepEqual(Object.keys(shared), ['wroteHeaders']);
  // The same trace twice along one chain runs twice, without recursion (Go's reflect version overflows).
  calls.length = 0;
  contextClientTrace(withClientTrace(withClientTrace(emptyContext, shared), shared))?.wroteHeaders?.();
  assert.deepEqual(calls, ['shared', 'shared']);
});

test('contextClientTrace: undefined without a trace; the parent context is unchanged', () => {
  assert.equal(contextClientTrace(emptyContext), undefined);
  const parent = emptyContext;
  const child = withClientTrace(parent, { getConn() {} });
  assert.equal(contextClientTrace(parent), undefined);
  assert.ok(contextClientTrace(child)?.getConn);
  assert.equal(contextClientTrace(child)?.dnsStart, undefined, 'absent hooks stay absent');
  assert.ok(Object.isFrozen(contextClientTrace(child)));
});

test('got1xxResponse: an error from any stacked trace aborts (Go keeps only the oldest result)', () => {
  const seen: string[] = [];
  const abort = new Error('stop');
  const older = withClientTrace(emptyContext, { got1xxResponse: () => void seen.push('older') });
  const ctx = withClientTrace(older, { got1xxResponse: () => (seen.push('newer'), abort) });
  assert.equal(contextClientTrace(ctx)?.got1xxResponse?.(103, {}), abort);
  assert.deepEqual(seen, ['newer', 'older'], 'both hooks run');
  const thrower = withClientTrace(emptyContext, { got1xxResponse: () => { throw abort; } });
  assert.equal(contextClientTrace(withClientTrace(thrower, {}))?.got1xxResponse?.(100, {}), abort);
  const nonError = contextClientTrace(withClientTrace(emptyContext, { got1xxResponse: () => { throw 'nope'; } }));
  const err = nonError?.got1xxResponse?.(103, {}) as Error & { code?: string; cause?: unknown };
  assert.equal(err.code, 'ERR_HTTPTRACE_1XX_ABORTED');
  assert.equal(err.cause, 'nope');
  const ignored = contextClientTrace(withClientTrace(emptyContext, { got1xxResponse: () => 'fine' as never }));
  assert.equal(ignored?.got1xxResponse?.(103, {}), undefined, 'a non-Error return value is ignored');
});

test('bad input is a TypeError with a code, at withClientTrace time', () => {
  const bad: Array<[unknown, unknown, string, RegExp]> = [
    [emptyContext, null, 'ERR_HTTPTRACE_INVALID_TRACE', /trace must be an object of hooks, got null/],
    [emptyContext, 'x', 'ERR_HTTPTRACE_INVALID_TRACE', /got string/],
    [emptyContext, [], 'ERR_HTTPTRACE_INVALID_TRACE', /got an array/],
    [emptyContext, { getConn: 42 }, 'ERR_HTTPTRACE_INVALID_HOOK', /the getConn hook must be a function, got number/],
    [emptyContext, { dnsstart() {} }, 'ERR_HTTPTRACE_INVALID_HOOK', /unknown hook "dnsstart".*did you mean "dnsStart"/],
    [null, {}, 'ERR_HTTPTRACE_INVALID_CONTEXT', /the context must be a context/],
    [{}, {}, 'ERR_HTTPTRACE_INVALID_CONTEXT', /getValue and setValue/],
  ];
  for (const [ctx, trace, code, message] of bad) {
    assert.throws(
      () => withClientTrace(ctx as Context, trace as ClientTrace),
      (err: Error & { code?: string }) => err instanceof TypeError && err.code === code && message.test(err.message),
      `${String(ctx)} / ${JSON.stringify(trace)}`,
    );
  }
  assert.throws(
    () => withClientTrace(emptyContext, {}, { onHookError: 1 as never }),
    { code: 'ERR_HTTPTRACE_INVALID_OPTION' },
  );
  // null and undefined hooks are "not set", as Go's nil.
  assert.doesNotThrow(() => withClientTrace(emptyContext, { getConn: undefined, gotConn: null as never }));
  assert.deepEqual(goHookNames.length, 16);
  assert.deepEqual(hookNames, [...goHookNames, ...extensionHookNames]);
});

/** A minimal OpenTelemetry-shaped context (the real one has the same two methods). */
class OtelLikeContext implements Context {
  constructor(private readonly values = new Map<symbol, unknown>()) {}
  getValue(key: symbol): unknown {
    return this.values.get(key);
  }
  setValue(key: symbol, value: unknown): Context {
    return new OtelLikeContext(new Map(this.values).set(key, value));
  }
}

test('an OpenTelemetry-shaped context carries the trace to a request', async (t) => {
  const server = await startTestServer(t);
  const agent = new TracingAgent({ keepAlive: true });
  t.after(() => agent.destroy());
  const base = new OtelLikeContext();
  const hosts: string[] = [];
  const ctx = withClientTrace(base, { getConn: (hp) => void hosts.push(hp) });
  assert.ok(ctx instanceof OtelLikeContext);
  await new Promise((resolve) => http.get(`${server.ipOrigin}/ok`, { agent, traceContext: ctx }, (res) => res.resume().on('end', resolve)));
  assert.deepEqual(hosts, [`127.0.0.1:${server.port}`]);
});

test('the active async context traces requests that pass no context', async (t) => {
  const server = await startTestServer(t);
  const agent = new TracingAgent({ keepAlive: true });
  t.after(() => agent.destroy());
  const get = (): Promise<void> =>
    new Promise((resolve) => http.get(`${server.ipOrigin}/ok`, { agent }, (res) => res.resume().on('end', resolve)));
  const events: string[] = [];
  await runWithClientTrace({ getConn: () => void events.push('outer') }, async () => {
    await new Promise((r) => setImmediate(r)); // an async hop keeps the context
    await get();
    const inner = withClientTrace(activeContext(), { getConn: () => void events.push('inner') });
    await runWithContext(inner, get);
    // An explicit context wins over the active one.
    await new Promise((resolve) =>
      http.get(`${server.ipOrigin}/ok`, { agent, traceContext: emptyContext }, (res) => res.resume().on('end', resolve)),
    );
  });
  await get(); // outside: untraced
  assert.deepEqual(events, ['outer', 'inner', 'outer']);
  assert.equal(activeContext(), emptyContext);
});
