// src/report renderHtmlReport: the structure of the page for the recorded run
// (test/helpers/report-run.ts), self-containment, escaping and redaction.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { test } from 'node:test';
import { parseRunLines, renderHtmlReport, runRequests, type RunEvent } from '../src/report/index.js';
import { recordRun } from './helpers/report-run.js';

const all = (html: string, re: RegExp) => [...html.matchAll(re)];

test('renderHtmlReport: summary on top, one row per request grouped by connection, phases and failures', async (t) => {
  const run = await recordRun(t);
  const events = parseRunLines(run.text);
  const requests = runRequests(events);
  const html = renderHtmlReport(events);
  assert.equal(renderHtmlReport(requests), html);
  assert.ok(html.startsWith('<!doctype html>'));
  assert.ok(html.indexOf('id="summary"') < html.indexOf('id="waterfall"'));
  // One row per origin, and the run's total.
  assert.equal(all(html, /<tr data-origin="/g).length, 3 + 1);
  assert.match(html, /<tfoot><tr data-origin="all"><td>all<\/td><td>8<\/td><td>4<\/td><td>43%<\/td><td>1<\/td>/);
  const rows = all(html, /<tr class="req( failed)?" data-req="([^"]+)" data-conn="([^"]*)"/g);
  assert.deepEqual(rows.map((m) => m[2]).sort(), requests.map((r) => r.id).sort());
  assert.equal(all(html, /<tr class="detail" hidden>/g).length, requests.length);
  // One tbody per connection (4) and one for the request that got none; a connection's rows are together.
  const groups = all(html, /<tbody class="conn-group" data-conn="([^"]*)"[^>]*>([\s\S]*?)<\/tbody>/g);
  assert.deepEqual(groups.map((g) => g[1]), ['#1', '#2', '#3', '', '#4']);
  for (const g of groups) {
    const conns = new Set(all(g[2]!, /<tr class="req[^"]*" data-req="[^"]+" data-conn="([^"]*)"/g).map((m) => m[1]));
    assert.deepEqual([...conns], [g[1]]);
  }
  const byConn = (label: string) => rows.filter((m) => m[3] === label).length;
  assert.deepEqual(['#1', '#2', '#3', '#4'].map(byConn), [3, 1, 1, 2]);
  for (const phase of ['queue', 'dns', 'connect', 'tls', 'send', 'wait', 'transfer']) assert.match(html, new RegExp(`class="seg ph-${phase}" data-phase="${phase}"`));
  assert.equal(rows.filter((m) => m[1] === ' failed').length, 1);
  assert.match(html, /<td class="status">ECONNREFUSED<\/td>/);
  assert.equal(all(html, /class="fail-mark"/g).length, 1);
  assert.match(html, /<td class="ev">gotConn<\/td>/);
});

test('renderHtmlReport: self-contained, nothing loaded, the script allowed by its hash only', async (t) => {
  const html = renderHtmlReport(parseRunLines((await recordRun(t)).text));
  assert.doesNotMatch(html, /<(link|img|iframe|object|embed)\b/i);
  assert.doesNotMatch(html, /\b(src|href)=/i);
  const scripts = all(html, /<script>([\s\S]*?)<\/script>/g);
  assert.equal(scripts.length, 1);
  const hash = createHash('sha256').update(scripts[0]![1]!).digest('base64');
  const csp = /<meta http-equiv="Content-Security-Policy" content="([^"]+)">/.exec(html)?.[1];
  assert.equal(csp, `default-src &#39;none&#39;; style-src &#39;unsafe-inline&#39;; script-src &#39;sha256-${hash}&#39;; img-src data:`);
  assert.match(renderHtmlReport([]), /<p class="meta">0 requests · 0 processes<\/p>/);
});

const hostile = '<script>alert(1)</script>';

function tamper(events: RunEvent[]): RunEvent[] {
  return events.map((e) => {
    if (e.type === 'process' || e.pid !== events[0]!.pid) return e;
    if (e.type === 'mark' && e.mark === 'request' && e.req === 2) return { ...e, args: { ...e.args, url: 'http://user:hunter2@localhost/ok' } };
    if (e.req !== 1) return e;
    if (e.type === 'mark' && e.mark === 'request') return { ...e, args: { ...e.args, url: `http://localhost/${hostile}?q="x'` } };
    if (e.type === 'mark' && e.mark === 'response') return { ...e, args: { ...e.args, headers: [['X-Evil', hostile], ['Set-Cookie', 'sid=hunter2; Path=/']] } };
    if (e.type === 'hook' && e.hook === 'wroteHeaderField' && e.args['key'] === 'Authorization') return { ...e, args: { key: 'Authorization', values: ['Bearer hunter2'] } };
    if (e.type === 'hook' && e.hook === 'requestDone') return { ...e, args: { err: { name: 'Error', code: `<b>X</b>`, message: `</td>${hostile}` }, bytesRead: 0 } };
    return e;
  });
}

test('renderHtmlReport: every text escaped (a URL with <script>), secrets redacted again', async (t) => {
  const html = renderHtmlReport(tamper(parseRunLines((await recordRun(t)).text)));
  assert.equal(all(html, /<script>/g).length, 1);
  assert.doesNotMatch(html, /<script>alert/);
  assert.doesNotMatch(html, /<b>X<\/b>/);
  assert.match(html, /<td class="name" title="GET http:\/\/localhost\/&lt;script&gt;alert\(1\)&lt;\/script&gt;\?q=&quot;x&#39;">GET http:\/\/localhost\/&lt;script&gt;/);
  assert.match(html, /<td>&lt;script&gt;alert\(1\)&lt;\/script&gt;<\/td>/);
  assert.match(html, /&lt;b&gt;X&lt;\/b&gt;/);
  assert.doesNotMatch(html, /hunter2/);
  assert.match(html, /Bearer \[redacted\]/);
  assert.match(html, /sid=\[redacted\]; Path=\//);
  assert.match(html, /http:\/\/\*\*\*:\*\*\*@localhost\//);
});
