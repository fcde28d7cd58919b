/**
 * Mixed versions, as users combine them: npm undici 6, 7 and 8's `request()` on a dispatcher built
 * on the built-in fetch's Agent (Node 20/22: undici 6, legacy handlers only; 24: undici 7; 26:
 * undici 8, new handlers only), so each caller's handler API meets each base's; and each npm
 * undici's `request()` finding the tracing dispatcher through its own `getGlobalDispatcher()` after
 * `installGlobalDispatcher` (undici 6/7 read the `.1` slot, 8 the `.2` slot).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as undici6 from 'undici6';
import * as undici7 from 'undici7';
import { createTracingDispatcher, installGlobalDispatcher } from '../src/undici/index.js';
import { undiciScenarios } from './helpers/undici-scenarios.js';
import { undiciRequestClient } from './helpers/undici-request-client.js';
import { undici8Runs } from './helpers/undici-versions.js';

type Undici = { request: unknown; getGlobalDispatcher(): unknown };
const majors: Array<[string, Undici]> = [['6', undici6 as never], ['7', undici7 as never]];
if (undici8Runs) majors.push(['8', (await import('undici8')) as never]);

for (const [major, undici] of majors) {
  undiciScenarios(`undici ${major} request, built-in Agent`, undiciRequestClient(undici.request as never, undefined));
  undiciScenarios(`undici ${major} request, global dispatcher`, undiciRequestClient(undici.request as never, undefined, installGlobalDispatcher));

  test(`undici ${major}: getGlobalDispatcher() sees the installed dispatcher, and the one before it once restored`, async (t) => {
    const dispatcher = await createTracingDispatcher();
    t.after(() => dispatcher.destroy());
    const before = undici.getGlobalDispatcher();
    const restore = installGlobalDispatcher(dispatcher);
    const seen = undici.getGlobalDispatcher() as object;
    restore();
    // undici 8 reads `.2` (the dispatcher); 6 and 7 read `.1` (on Node 26, an HTTP/1.1-only view of it).
    assert.ok(seen === dispatcher || Object.getPrototypeOf(seen) === dispatcher, 'the tracing dispatcher or a view of it');
    assert.equal(undici.getGlobalDispatcher(), before);
  });
}
