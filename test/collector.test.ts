/**
 * The timing collector: phases and curl figures derived from hook times (unit tests on synthetic
 * events), then measured against known delays through the node adapter on loopback.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import { emptyContext, withClientTrace } from '../src/index.js';
import { TracingAgent } from '../src/node/index.js';
import { TraceCollector, harTimings, harTotal, hopTimings, requestTimings, type TraceEvent } from '../src/collector/index.js';
import { fakeLookup } from './helpers/fake-dns.js';
import { startTestServer } from './helpers/test-server.js';

const hook = (name: string, t: number, args: Record<string, unknown> = {}): TraceEvent =>
  ({ type: 'hook', hook: name, req: 1, t, args }) as TraceEvent;
const mark = (name: string, t: number, args: Record<string, unknown> = {}): TraceEvent => ({ type: 'mark', mark: name, req: 1, t, args }) as TraceEvent;

const freshHttps: TraceEvent[] = [
  mark('request', 9),
  hook('getConn', 10),
  hook('dnsStart', 11),
  hook('dnsDone', 21, { err: null }),
  hook('connectStart', 22),
  hook('connectDone', 25, { err: null }),
  hook('tlsHandshakeStart', 25),
  hook('tlsHandshakeDone', 33, { err: null }),
  hook('gotConn', 34, { reused: false }),
  hook('wroteHeaders', 35),
  hook('wroteRequest', 36, { err: null }),
  hook('gotFirstResponseByte', 136),
  mark('response', 137),
  mark('body', 140),
];

test('a fresh https hop: each phase is the time between its two hooks, points are cumulative from getConn', () => {
  const t = hopTimings(freshHttps.slice(1), 140);
  assert.deepEqual(t.phases, { queue: 1, dns: 10, tcp: 3, tls: 8, send: 2, wait: 100, transfer: 4, total: 130 });
  assert.deepEqual(t.points, { namelookup: 11, connect: 15, appconnect: 23, pretransfer: 24, posttransfer: 26, starttransfer: 126, total: 130 });
  assert.equal(t.start, 10);
  assert.equal(t.reused, false);
  // HAR: ssl inside connect, blocked takes the queue and the gaps, time = total.
  const har = harTimings(t);
  assert.deepEqual(har, { blocked: 3, dns: 10, connect: 11, send: 2, wait: 100, receive: 4, ssl: 8 });
  assert.equal(harTotal(har), 130);
});

test('a reused connection: dns, tcp and tls are undefined (HAR -1), the points repeat 0', () => {
  const t = hopTimings([hook('getConn', 0), hook('gotConn', 0.5, { reused: true }), hook('wroteRequest', 1, { err: null }), hook('gotFirstResponseByte', 3)], 4);
  assert.deepEqual(t.phases, { queue: 0.5, dns: undefined, tcp: undefined, tls: undefined, send: 0.5, wait: 2, transfer: 1, total: 4 });
  assert.deepEqual(t.points, { namelookup: 0, connect: 0, appconnect: 0, pretransfer: 0.5, posttransfer: 1, starttransfer: 3, total: 4 });
  assert.equal(t.reused, true);
  const har = harTimings(t);
  assert.deepEqual(har, { blocked: 0.5, dns: -1, connect: -1, send: 0.5, wait: 2, receive: 1, ssl: -1 });
  assert.equal(harTotal(har), 4);
});

test('a phase that took no time is 0, not undefined', () => {
  const t = hopTimings([hook('getConn', 5), hook('dnsStart', 5), hook('dnsDone', 5, { err: null }), hook('connectStart', 5), hook('connectDone', 6, { err: null }), hook('gotConn', 6, { reused: false })]);
  assert.equal(t.phases.dns, 0);
  assert.equal(t.phases.queue, 0);
  assert.equal(harTimings(t).dns, 0);
  // Not read to the end: no transfer, no total.
  assert.equal(t.phases.transfer, undefined);
  assert.equal(t.points.total, undefined);
});

test('the response starts before wroteRequest (100-continue): send ends at wroteHeaders, wait runs to the first byte', () => {
  const t = hopTimings([hook('getConn', 0), hook('gotConn', 1, { reused: true }), hook('wroteHeaders', 2), hook('wait100Continue', 2), hook('gotFirstResponseByte', 30), hook('wroteRequest', 31, { err: null })], 40);
  assert.equal(t.phases.send, 1);
  assert.equal(t.phases.wait, 28);
  const noHeaders = hopTimings([hook('getConn', 0), hook('gotConn', 1, { reused: true }), hook('gotFirstResponseByte', 30), hook('wroteRequest', 31, { err: null })], 40);
  assert.deepEqual([noHeaders.phases.send, noHeaders.phases.wait], [29, 0]);
  assert.equal(t.points.posttransfer, 31);
  assert.equal(t.points.starttransfer, 30);
});

test('a failed lookup: DNS measured, every later point undefined', () => {
  const t = hopTimings([hook('getConn', 0), hook('dnsStart', 0), hook('dnsDone', 7, { err: new Error('ENOTFOUND') })]);
  assert.equal(t.phases.dns, 7);
  assert.deepEqual(t.points, { namelookup: 7, connect: undefined, appconnect: undefined, pretransfer: undefined, posttransfer: undefined, starttransfer: undefined, total: undefined });
  assert.deepEqual(harTimings(t), { blocked: -1, dns: 7, connect: -1, send: 0, wait: 0, receive: 0, ssl: -1 });
});

test('Happy Eyeballs: tcp runs from the first connectStart to the last connectDone', () => {
  const t = hopTimings([hook('getConn', 0), hook('connectStart', 0), hook('connectDone', 250, { err: new Error('timeout') }), hook('connectStart', 250), hook('connectDone', 251, { err: null }), hook('gotConn', 251, { reused: false })]);
  assert.equal(t.phases.tcp, 251);
  assert.equal(t.phases.dns, undefined);
  assert.equal(t.points.connect, 251);
});

test('redirect hops: one Timings per getConn, a hop ends where the next begins', () => {
  const hop2 = [hook('getConn', 200), hook('gotConn', 201, { reused: true }), hook('wroteRequest', 202, { err: null }), hook('gotFirstResponseByte', 210), mark('response', 211), mark('body', 215)];
  const events = [...freshHttps.slice(0, -2), mark('redirect', 137), ...hop2];
  const timings = requestTimings(events);
  assert.equal(timings.length, 2);
  assert.equal(timings[0]!.end, 200);
  assert.equal(timings[0]!.phases.transfer, 64);
  assert.equal(timings[1]!.phases.total, 15);
  assert.equal(timings[1]!.reused, true);
});

test('TraceCollector: hooks and marks on one clock, arguments by name', () => {
  let now = 1000;
  const collector = new TraceCollector({ now: () => now });
  const seen: TraceEvent[] = [];
  const streaming = new TraceCollector({ now: () => now, onEvent: (e) => seen.push(e) });
  const trace = collector.trace(3);
  now = 1002.5;
  trace.getConn?.('example.test:80');
  now = 1004;
  trace.dnsDone?.({ addrs: ['127.0.0.1'], err: null, coalesced: false });
  collector.mark('body', 3, { bytes: 5 });
  streaming.trace(1).wroteHeaders?.();
  assert.deepEqual(collector.events, [
    { type: 'hook', hook: 'getConn', req: 3, t: 2.5, args: { hostPort: 'example.test:80' } },
    { type: 'hook', hook: 'dnsDone', req: 3, t: 4, args: { addrs: ['127.0.0.1'], coalesced: false, err: null } },
    { type: 'mark', mark: 'body', req: 3, t: 4, args: { bytes: 5 } },
  ]);
  assert.deepEqual(collector.eventsOf(1), []);
  assert.equal(seen.length, 1);
  assert.equal(collector.timings(3)[0]?.end, 4);
});

async function get(url: string, agent: http.Agent, collector: TraceCollector, req: number): Promise<void> {
  const traceContext = withClientTrace(emptyContext, collector.trace(req));
  await new Promise<void>((resolve, reject) => {
    http.get(url, { agent, traceContext }, (res) => {
      res.resume().on('end', () => {
        collector.mark('body', req);
        resolve();
      });
    }).on('error', reject);
  });
}

test('measured: a lookup delayed 50 ms is DNS ~50 ms; a server waiting 100 ms is wait ~100 ms; reuse has no DNS', async (t) => {
  const server = await startTestServer(t);
  const agent = new TracingAgent({ keepAlive: true, lookup: fakeLookup({ localhost: ['127.0.0.1'] }, { delayMs: 50 }) });
  t.after(() => agent.destroy());
  const collector = new TraceCollector();
  await get(server.url('/slow-headers?ms=100'), agent, collector, 1);
  await get(server.url('/ok'), agent, collector, 2);
  const [first] = collector.timings(1);
  const [second] = collector.timings(2);
  const { dns, wait, total } = first!.phases;
  // Tolerances for a busy 2-core machine: the client and the server share this process's event loop.
  assert.ok(dns! >= 45 && dns! <= 80, `dns ${dns} ms`);
  assert.ok(wait! >= 95 && wait! <= 180, `wait ${wait} ms`);
  assert.ok(total! >= dns! + wait! && total! <= 300, `total ${total} ms`);
  assert.equal(first!.reused, false);
  assert.equal(second!.reused, true);
  assert.equal(second!.phases.dns, undefined);
  assert.equal(second!.phases.tcp, undefined);
  assert.ok(second!.phases.wait! < 45, `wait on /ok ${second!.phases.wait} ms`);
  const har = harTimings(second!);
  assert.equal(har.dns, -1);
  assert.equal(har.connect, -1);
  assert.ok(Math.abs(harTotal(harTimings(first!)) - total!) < 0.01);
});
