/**
 * Misuse of httptrace/undici's public functions is caught at the call, with a `TypeError` and a
 * stable code, before any request: createTracingDispatcher, withDispatcherContext,
 * installGlobalDispatcher.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { emptyContext } from '../src/index.js';
import { createTracingDispatcher, installGlobalDispatcher, withDispatcherContext, type Dispatcher } from '../src/undici/index.js';

const invalidOption = { name: 'TypeError', code: 'ERR_HTTPTRACE_INVALID_OPTION' };
const invalidContext = { name: 'TypeError', code: 'ERR_HTTPTRACE_INVALID_CONTEXT' };

test('createTracingDispatcher: bad options throw at the call (not a rejected promise later)', () => {
  const bad: unknown[] = [
    null,
    5,
    'connect',
    { connect: 5 },
    { connect: null },
    { connect: { lookup: 'dns' } },
    { connect: { timeout: -1 } },
    { connect: { timeout: '10' } },
    { connect: { maxCachedSessions: 1.5 } },
    { connect: { allowH2: 'yes' } },
    { connect: { preferH2: 1 } },
    { agent: [] },
    { Agent: {} },
    { proxy: 42 },
    { proxy: 'ftp://proxy.test:21' },
    { proxy: 'http://[bad' },
    { conect: {} }, // a typo is not silently ignored
  ];
  for (const options of bad) {
    assert.throws(() => createTracingDispatcher(options as never), invalidOption, JSON.stringify(options));
  }
});

test('createTracingDispatcher: good options are accepted', async () => {
  const dispatcher = await createTracingDispatcher({ connect: { timeout: 0, maxCachedSessions: 0, allowH2: false, preferH2: false, lookup: () => undefined }, agent: {}, proxy: 'http://127.0.0.1:9' });
  await dispatcher.destroy();
});

test('withDispatcherContext: a non-dispatcher or a non-context throws at the call', async () => {
  const dispatcher = await createTracingDispatcher();
  try {
    assert.throws(() => withDispatcherContext(dispatcher, {} as never), invalidContext);
    assert.throws(() => withDispatcherContext(dispatcher, undefined as never), invalidContext);
    assert.throws(() => withDispatcherContext(dispatcher, null as never), invalidContext);
    assert.throws(() => withDispatcherContext({} as never, emptyContext), invalidOption);
    assert.throws(() => withDispatcherContext(undefined as never, emptyContext), invalidOption);
    assert.equal(typeof withDispatcherContext(dispatcher, emptyContext).dispatch, 'function');
  } finally {
    await dispatcher.destroy();
  }
});

test('installGlobalDispatcher: a non-dispatcher throws at the call and leaves both global slots alone', () => {
  const slots = [Symbol.for('undici.globalDispatcher.1'), Symbol.for('undici.globalDispatcher.2')];
  const before = slots.map((s) => (globalThis as Record<symbol, unknown>)[s]);
  for (const bad of [undefined, null, {}, { dispatch: () => true }, 'agent']) {
    assert.throws(() => installGlobalDispatcher(bad as unknown as Dispatcher), invalidOption, String(bad));
  }
  assert.deepEqual(slots.map((s) => (globalThis as Record<symbol, unknown>)[s]), before);
});
