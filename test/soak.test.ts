/**
 * The soak: 20,000 traced requests through both adapters (node:http with the tracing agents; the
 * tracing dispatcher with undici 7's request and with the built-in fetch), 32 at a time, mostly successes with a share of every fault. Every
 * request's caller is told of its outcome exactly once, with the expected kind of error; the heap
 * after GC stays flat between the first 2,000 requests and the end; afterwards no socket stays
 * open and the child process (the clients; the servers are here) exits by itself.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startTestServer } from './helpers/test-server.js';
import { closedPort } from './helpers/ports.js';
import { helperScript, runChild } from './helpers/child.js';
import { FAULTS } from './helpers/faults.js';
import type { SoakArgs, SoakReport } from './helpers/soak-child.js';

const TOTAL = 20_000;
const CHECKPOINT = 2_000;
const MAX_HEAP_GROWTH = 4 * 1024 * 1024;

test(`soak: ${TOTAL} requests mixing the faults, both adapters, concurrency 32`, { timeout: 60_000 }, async (t) => {
  const server = await startTestServer(t, { record: false });
  const tlsServer = await startTestServer(t, { tls: true, record: false });
  const args: SoakArgs = {
    httpPort: server.port,
    httpsPort: tlsServer.port,
    refusedPort: await closedPort(),
    total: TOTAL,
    concurrency: 32,
    checkpoint: CHECKPOINT,
    seed: Number(process.env['HTTPTRACE_SEED'] ?? 0x50a1),
    faultShare: 0.3,
  };
  const child = await runChild(helperScript('soak-child.js'), args, { deadlineMs: 55_000, execArgv: ['--expose-gc'] });
  assert.equal(child.timedOut, false, `the soak did not finish and exit within 55 s\n${child.stderr}`);
  assert.equal(child.stderr, '');
  assert.equal(child.code, 0);
  const report = JSON.parse(child.stdout) as SoakReport;

  const byKind: Record<string, number> = {};
  for (const [key, n] of Object.entries(report.counts)) {
    const [adapter, , kind] = key.split(' ');
    byKind[`${adapter} ${kind}`] = (byKind[`${adapter} ${kind}`] ?? 0) + n;
  }
  t.diagnostic(`seed ${args.seed}: ${Math.round(report.ms)} ms for ${TOTAL} requests, ${report.hookCalls} hook calls`);
  t.diagnostic(`outcomes: ${Object.entries(byKind).sort().map(([k, n]) => `${k}=${n}`).join(', ')}`);
  const mb = (n: number): string => (n / 1024 / 1024).toFixed(2);
  t.diagnostic(`heap after GC: ${mb(report.heapAtCheckpoint)} MB after ${CHECKPOINT}, ${mb(report.heapAtEnd)} MB after ${TOTAL} (${mb(report.heapAtEnd - report.heapAtCheckpoint)} MB)`);

  const total = Object.values(report.counts).reduce((a, b) => a + b, 0);
  assert.equal(total, TOTAL, 'every request came back');
  assert.deepEqual(report.badSettles, [], 'every caller was told of its outcome exactly once');
  assert.deepEqual(report.wrongKinds, []);
  for (const adapter of ['node', 'undici', 'fetch']) {
    for (const fault of ['ok', ...FAULTS]) {
      const n = Object.entries(report.counts).filter(([k]) => k.startsWith(`${adapter} ${fault} `)).reduce((a, [, c]) => a + c, 0);
      assert.ok(n >= 50, `${adapter} ${fault}: ${n} requests`);
    }
  }
  assert.deepEqual(report.subscribed, [], 'no diagnostics-channel subscription left');
  assert.equal(report.socketsOpenAfterDestroy, 0);
  assert.ok(report.heapAtEnd - report.heapAtCheckpoint < MAX_HEAP_GROWTH, `heap grew by ${mb(report.heapAtEnd - report.heapAtCheckpoint)} MB`);
});
