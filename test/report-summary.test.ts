// src/report: the run NDJSON parsed, grouped into requests and summarized per origin, from a run
// recorded for real (test/helpers/report-run.ts: two processes, node agents and fetch).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { formatSummary, parseRunLines, runRequests, stats, summarizeRun, type RunRequest } from '../src/report/index.js';
import { recordRun } from './helpers/report-run.js';

const origin = (url: string) => {
  const u = new URL(url);
  return `${u.protocol}//${u.hostname}:${u.port}`;
};

test('parseRunLines skips blank lines, a truncated last line and lines that are not events', async (t) => {
  const { text } = await recordRun(t);
  const full = parseRunLines(text);
  const lines = text.trimEnd().split('\n');
  assert.equal(full.length, lines.length);
  const invalid: number[] = [];
  const cut = parseRunLines(`${lines.join('\n\n')}`.slice(0, -10), { onInvalid: (_, n) => invalid.push(n) });
  assert.equal(cut.length, lines.length - 1);
  assert.deepEqual(invalid, [lines.length * 2 - 1]);
  assert.deepEqual(parseRunLines('{"type":"hook","hook":"getConn"}\n[1]\nnull\n'), []);
});

test('runRequests: one request per pid and req, on the absolute axis, with its hops, phases and connection', async (t) => {
  const run = await recordRun(t);
  const events = parseRunLines(run.text);
  const pids = [...new Set(events.map((e) => e.pid))];
  assert.equal(pids.length, 2);
  const requests = runRequests(events);
  assert.equal(requests.length, 8);
  assert.equal(new Set(requests.map((r) => r.id)).size, 8);
  for (let i = 1; i < requests.length; i++) assert.ok(requests[i]!.start >= requests[i - 1]!.start);
  const [node, fetch] = pids.map((pid) => requests.filter((r) => r.pid === pid)) as [RunRequest[], RunRequest[]];
  assert.deepEqual(node.map((r) => r.client), Array(6).fill('node'));
  assert.deepEqual(fetch.map((r) => r.client), ['fetch', 'fetch']);
  // The second process ran after the first ended: the axis is timeOrigin + t, not t.
  assert.ok(fetch[0]!.start > Math.max(...node.map((r) => r.end!)));

  const byUrl = (list: RunRequest[], path: string) => list.filter((r) => r.url.endsWith(path));
  const [first, second] = byUrl(node, '/ok');
  assert.equal(first!.hops[0]!.reused, false);
  assert.equal(second!.hops[0]!.reused, true);
  assert.equal(first!.hops[0]!.connection, second!.hops[0]!.connection);
  assert.equal(first!.hops[0]!.connection!.pid, first!.pid);
  const fresh = first!.hops[0]!;
  for (const p of ['queue', 'dns', 'connect', 'send', 'wait', 'transfer'] as const) assert.ok(fresh.phases[p]! >= 0, p);
  assert.equal(fresh.phases.tls, undefined);
  assert.deepEqual(fresh.segments.map((s) => s.phase), ['queue', 'dns', 'connect', 'send', 'wait', 'transfer']);
  assert.equal(second!.hops[0]!.phases.dns, undefined);
  assert.deepEqual(first!.requestHeaders[0], ['Authorization', 'Basic [redacted]']);
  assert.equal(first!.status, 200);
  assert.equal(first!.bytesRead, 3);
  assert.ok(first!.total! > 0 && first!.total! <= first!.end! - first!.start);

  // The two at once: one took the idle connection, the other dialed a second one.
  const pair = [...byUrl(node, '/slow-headers?ms=25'), ...byUrl(node, '/ok?second=1')];
  assert.deepEqual(pair.map((r) => r.hops[0]!.reused).sort(), [false, true]);
  assert.equal(new Set(pair.map((r) => r.hops[0]!.connection!.label)).size, 2);
  const tls = node.find((r) => r.url.startsWith('https:'))!;
  assert.ok(tls.hops[0]!.phases.tls! > 0);
  const refused = node.find((r) => r.url.startsWith(run.refused))!;
  assert.equal(refused.error?.code, 'ECONNREFUSED');
  assert.equal(refused.status, undefined);
  assert.equal(refused.hops[0]!.connection, undefined);
  // fetch's pair shares a connection of its own process.
  assert.equal(fetch[0]!.hops[0]!.connection, fetch[1]!.hops[0]!.connection);
  assert.notEqual(fetch[0]!.hops[0]!.connection, first!.hops[0]!.connection);
  assert.equal(new Set(requests.flatMap((r) => r.hops.map((h) => h.connection?.label)).filter(Boolean)).size, 4);
});

test('stats: nearest-rank p50/p95 and max', () => {
  assert.equal(stats([]), undefined);
  assert.deepEqual(stats([5, 1, 4, 2, 3]), { count: 5, p50: 3, p95: 5, max: 5 });
  assert.deepEqual(stats([1, 2, 3, 4]), { count: 4, p50: 2, p95: 4, max: 4 });
  const hundred = Array.from({ length: 100 }, (_, i) => 100 - i);
  assert.deepEqual(stats(hundred), { count: 100, p50: 50, p95: 95, max: 100 });
});

test('summarizeRun: per origin, requests, connections opened, reuse, errors and the phase figures', async (t) => {
  const run = await recordRun(t);
  const requests = runRequests(parseRunLines(run.text));
  const summary = summarizeRun(requests);
  assert.equal(summary.processes, 2);
  assert.deepEqual(summary.origins.map((o) => o.origin), [origin(run.http), origin(run.https), origin(run.refused)]);
  const [http, https, refused] = summary.origins;
  assert.deepEqual([http!.requests, http!.connectionsOpened, http!.connectionsReused, http!.reuseRatio, http!.errors], [6, 3, 3, 0.5, 0]);
  assert.deepEqual([https!.requests, https!.connectionsOpened, https!.reuseRatio, https!.errors], [1, 1, 0, 0]);
  assert.deepEqual([refused!.requests, refused!.connectionsOpened, refused!.reuseRatio, refused!.errors], [1, 0, undefined, 1]);
  assert.equal(http!.stats.dns!.count, 3);
  assert.equal(http!.stats.tls, undefined);
  assert.equal(https!.stats.tls!.count, 1);
  const httpRequests = requests.filter((r) => r.origin === http!.origin);
  const totals = httpRequests.map((r) => r.total!);
  assert.equal(http!.stats.total!.max, Math.max(...totals));
  // The server held the slow request's headers for 25 ms: no total can be shorter.
  assert.ok(http!.stats.total!.max >= 25);
  assert.equal(http!.stats.wait!.count, 6);
  assert.ok(http!.stats.wait!.p50 <= http!.stats.wait!.p95 && http!.stats.wait!.p95 <= http!.stats.wait!.max);
  assert.equal(refused!.stats.connect!.count, 1);
  assert.deepEqual([summary.all.requests, summary.all.errors, summary.all.connectionsOpened], [8, 1, 4]);

  const text = formatSummary(summary);
  assert.match(text, /^httptrace: 8 requests from 2 processes, 1 error\n/);
  const lines = text.trimEnd().split('\n');
  assert.equal(lines.length, 2 + 3);
  const httpLine = lines.find((l) => l.startsWith(http!.origin))!.split(/\s+/);
  assert.deepEqual(httpLine.slice(1, 5), ['6', '3', '50%', '0']);
  assert.equal(lines.find((l) => l.startsWith(refused!.origin))!.split(/\s+/)[3], '-');
});
