/**
 * httptrace/undici with npm undici 8 (new handler API only, HTTP/2 offered by default): `request()`
 * and `fetch()` on a dispatcher built on undici 8's Agent. undici 8 needs Node 22.19 or later: on
 * an older Node this file checks that loading it fails, the reason it does not run there.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { npmUndiciScenarios } from './helpers/undici-request-client.js';
import { undici8Runs } from './helpers/undici-versions.js';

if (undici8Runs) {
  npmUndiciScenarios('undici 8', await import('undici8'));
} else {
  test(`undici 8 does not load on Node ${process.versions.node} (it needs 22.19+), so its scenarios run on 22, 24 and 26 only`, async () => {
    await assert.rejects(import('undici8'));
  });
}
