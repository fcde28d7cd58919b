// src/report runHar: the recorded run (test/helpers/report-run.ts) as a valid HAR 1.2 log.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseRunLines, runHar, runRequests } from '../src/report/index.js';
import { validateHar } from './helpers/har-validator.js';
import { recordRun } from './helpers/report-run.js';

test('runHar: one entry per hop, connections by label, the failure with _error, secrets redacted', async (t) => {
  const run = await recordRun(t);
  const requests = runRequests(parseRunLines(run.text));
  const har = runHar(requests, { creator: { name: 'httptrace', version: '9.9.9' } });
  assert.deepEqual(validateHar(har), []);
  assert.deepEqual(har.log.creator, { name: 'httptrace', version: '9.9.9' });
  const { entries } = har.log;
  assert.equal(entries.length, requests.length);
  entries.forEach((e, i) => {
    const r = requests[i]!;
    assert.equal(e.startedDateTime, new Date(r.hops[0]!.start).toISOString());
    assert.equal(e.connection, r.hops[0]!.connection?.label);
  });
  const ok = entries[0]!;
  assert.equal(ok.response['status'], 200);
  assert.equal(ok.serverIPAddress, '127.0.0.1');
  assert.ok(ok.timings.dns >= 0 && ok.timings.connect >= 0 && ok.timings.ssl === -1);
  assert.deepEqual((ok.request['headers'] as Array<{ name: string; value: string }>)[0], { name: 'Authorization', value: 'Basic [redacted]' });
  assert.equal(entries[1]!.timings.dns, -1);
  assert.equal(entries[1]!.connection, ok.connection);
  const failed = entries.find((e) => e._error !== undefined)!;
  assert.equal(failed.response['status'], 0);
  assert.match(String(failed.request['url']), new RegExp(`^${run.refused}`));
  assert.ok(entries.find((e) => String(e.request['url']).startsWith('https:'))!.timings.ssl > 0);
});
