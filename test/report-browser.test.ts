// The HTML report in a real browser: Debian's chromium driven by playwright-core opens the report
// of the recorded run (test/helpers/report-run.ts) from disk and checks what is drawn.
// Skipped only when no chromium is installed and neither CI=true nor HTTPTRACE_REQUIRE_BROWSER=1
// (then it fails). HTTPTRACE_REPORT_SCREENSHOT=FILE saves a screenshot (docs/report.png).
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { pathToFileURL } from 'node:url';
import { chromium, type Page } from 'playwright-core';
import { parseRunLines, renderHtmlReport, runRequests } from '../src/report/index.js';
import { recordRun } from './helpers/report-run.js';

// Runs in the page (the tests are compiled without the DOM library).
declare const getComputedStyle: (el: unknown) => { backgroundColor: string; borderLeftColor: string };

const executable = ['/usr/bin/chromium', '/usr/bin/chromium-browser'].find((p) => existsSync(p));
const required = process.env['CI'] === 'true' || process.env['HTTPTRACE_REQUIRE_BROWSER'] === '1';
const args = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];

const box = async (page: Page, selector: string) => {
  const b = await page.locator(selector).boundingBox();
  assert.ok(b !== null, selector);
  return b;
};

test('the report in headless Chromium: rows, phases, connection groups, detail on click', { skip: executable === undefined && !required ? 'no chromium (apt-get install chromium)' : false }, async (t) => {
  assert.ok(executable !== undefined, 'chromium is required (CI=true or HTTPTRACE_REQUIRE_BROWSER=1) but not installed');
  const run = await recordRun(t);
  const requests = runRequests(parseRunLines(run.text));
  const dir = await mkdtemp(join(tmpdir(), 'httptrace-report-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  const file = join(dir, 'report.html');
  await writeFile(file, renderHtmlReport(requests, { title: 'httptrace report: example run' }));
  const context = await chromium.launchPersistentContext(join(dir, 'profile'), { executablePath: executable, headless: true, args, viewport: { width: 1400, height: 900 } });
  t.after(() => context.close());
  const page = await context.newPage();
  const loaded: string[] = [];
  const problems: string[] = [];
  page.on('request', (r) => loaded.push(r.url()));
  page.on('pageerror', (e) => problems.push(e.message));
  page.on('console', (m) => void (m.type() === 'error' && problems.push(m.text())));
  await page.goto(pathToFileURL(file).href);

  assert.deepEqual(loaded, [pathToFileURL(file).href]);
  assert.equal(await page.locator('#summary tbody tr').count(), 3);
  const rows = page.locator('tr.req');
  assert.equal(await rows.count(), requests.length);
  for (const r of requests) assert.ok(await page.locator(`tr.req[data-req="${r.id}"]`).isVisible(), r.id);

  // Phases drawn, each in its own colour.
  const [first, second] = requests.filter((r) => r.url === `${run.http}/ok` && r.client === 'node');
  const firstRow = `tr.req[data-req="${first!.id}"]`;
  for (const phase of ['dns', 'connect', 'wait']) {
    const seg = page.locator(`${firstRow} .seg[data-phase="${phase}"]`);
    assert.equal(await seg.count(), 1, phase);
  }
  const colour = (sel: string) => page.locator(sel).evaluate((el) => getComputedStyle(el).backgroundColor);
  assert.notEqual(await colour(`${firstRow} .seg[data-phase="dns"]`), await colour(`${firstRow} .seg[data-phase="wait"]`));
  // Drawn to scale: the slow request's wait spans its share of the run's time axis.
  const slow = requests.find((r) => r.url.endsWith('/slow-headers?ms=25'))!;
  const wait = slow.hops[0]!.segments.find((s) => s.phase === 'wait')!;
  const t0 = Math.min(...requests.map((r) => r.start));
  const span = Math.max(...requests.map((r) => r.end!)) - t0;
  const track = await box(page, `tr.req[data-req="${slow.id}"] .track`);
  const drawn = await box(page, `tr.req[data-req="${slow.id}"] .seg[data-phase="wait"]`);
  assert.ok(Math.abs(drawn.width - (track.width * wait.duration) / span) < 1.5, `${drawn.width} px for ${wait.duration} ms of ${span}`);
  assert.ok(Math.abs(drawn.x - track.x - (track.width * (wait.start - t0)) / span) < 1.5);
  assert.equal(await page.locator(`${`tr.req[data-req="${second!.id}"]`} .seg[data-phase="dns"]`).count(), 0);

  // One time axis: the fetch process ran after the node one, its bars are further right.
  const lastNode = requests.filter((r) => r.client === 'node').at(-1)!;
  const firstFetch = requests.find((r) => r.client === 'fetch')!;
  const nodeEnd = await box(page, `tr.req[data-req="${lastNode.id}"] .seg >> nth=0`);
  const fetchStart = await box(page, `tr.req[data-req="${firstFetch.id}"] .seg >> nth=0`);
  assert.ok(fetchStart.x > nodeEnd.x);

  // Grouping: the rows of a connection sit in one band of one colour, with its label.
  const conn = first!.hops[0]!.connection!.label;
  const group = page.locator(`tbody.conn-group[data-conn="${conn}"]`);
  assert.equal(await group.locator('tr.req').count(), requests.filter((r) => r.hops[0]?.connection?.label === conn).length);
  assert.match((await group.locator('tr.group-head').textContent()) ?? '', new RegExp(`connection ${conn} · pid ${first!.pid} · 127\\.0\\.0\\.1:\\d+ → 127\\.0\\.0\\.1:\\d+ · 3 requests`));
  const band = (sel: string) => page.locator(sel).evaluate((el) => getComputedStyle(el).borderLeftColor);
  const bands = new Set(await page.locator('tbody.conn-group').evaluateAll((els) => els.map((e) => getComputedStyle(e).borderLeftColor)));
  assert.equal(bands.size, 5);
  assert.equal(await band(`tbody.conn-group[data-conn="${conn}"]`), await band(`tbody.conn-group:has(${firstRow})`));
  await page.hover(firstRow);
  assert.equal(await page.locator('tr.req.same-conn').count(), 3);

  // The failure is marked.
  const failed = page.locator('tr.req.failed');
  assert.equal(await failed.count(), 1);
  assert.equal(await failed.locator('td.status').textContent(), 'ECONNREFUSED');
  assert.ok(await failed.locator('.fail-mark').isVisible());

  // Click: the hook timeline and the (redacted) headers; click again: hidden.
  const detail = page.locator(`${firstRow} + tr.detail`);
  assert.equal(await detail.isVisible(), false);
  await page.click(`${firstRow} td.name`);
  assert.equal(await detail.isVisible(), true);
  assert.equal(await page.locator(firstRow).getAttribute('aria-expanded'), 'true');
  const hooks = await detail.locator('table.hooks td.ev').allTextContents();
  assert.deepEqual(hooks.filter((h) => ['getConn', 'dnsStart', 'connectDone', 'gotConn', 'gotFirstResponseByte', 'requestDone'].includes(h)), ['getConn', 'dnsStart', 'connectDone', 'gotConn', 'gotFirstResponseByte', 'requestDone']);
  assert.equal(await detail.locator('table.headers tr', { hasText: 'Authorization' }).locator('td').textContent(), 'Basic [redacted]');
  if (process.env['HTTPTRACE_REPORT_SCREENSHOT']) await page.screenshot({ path: process.env['HTTPTRACE_REPORT_SCREENSHOT'], fullPage: true });
  await page.keyboard.press('Enter');
  assert.equal(await detail.isVisible(), false);
  assert.deepEqual(problems, []);
});
