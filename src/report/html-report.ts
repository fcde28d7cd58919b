/**
 * The HTML report: one self-contained page (inline style and script, a Content-Security-Policy
 * that forbids any network access) with the summary table and the waterfall of a run.
 * @module
 */
import { createHash } from 'node:crypto';
import { redactUrl } from '../collector/index.js';
import { attrs, esc } from './html.js';
import { css, script } from './html-assets.js';
import { requestDetail } from './html-detail.js';
import type { RunEvent } from './run-events.js';
import { phaseNames, runRequests, type RunConnection, type RunRequest } from './run-requests.js';
import { formatMs, formatRatio, statNames, summarizeRun, type OriginSummary } from './summary.js';

/** Options of {@link renderHtmlReport}. */
export interface HtmlReportOptions {
  /** The page's title and heading. Default `"httptrace report"`. */
  title?: string;
}

/** The time axis: absolute epoch ms `t0` … `t0 + span`, and a tick step in ms. */
interface Axis {
  t0: number;
  span: number;
  step: number;
}

function axisOf(requests: readonly RunRequest[]): Axis {
  const starts = requests.map((r) => r.start);
  const ends = requests.flatMap((r) => [r.end ?? r.start, ...r.events.map((e) => r.timeOrigin + e.t)]);
  const t0 = starts.length === 0 ? 0 : Math.min(...starts);
  const span = Math.max(ends.length === 0 ? 0 : Math.max(...ends) - t0, 1);
  const raw = span / 6;
  const mag = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 5, 10].map((m) => m * mag).find((s) => s >= raw) ?? raw;
  return { t0, span, step };
}

const pct = (axis: Axis, ms: number): string => `${((ms / axis.span) * 100).toFixed(3)}%`;

function axisCell(axis: Axis): string {
  const ticks: string[] = [];
  for (let ms = 0; ms <= axis.span; ms += axis.step) ticks.push(`<span style="left:${pct(axis, ms)}">${esc(formatMs(ms))} ms</span>`);
  return `<div class="axis">${ticks.join('')}</div>`;
}

function statCells(o: OriginSummary): string {
  return statNames.map((s) => {
    const v = o.stats[s];
    return `<td${attrs({ 'data-stat': s })}>${v === undefined ? '-' : esc(`${formatMs(v.p50)} / ${formatMs(v.p95)} / ${formatMs(v.max)}`)}</td>`;
  }).join('');
}

function summaryRow(o: OriginSummary): string {
  const cells = [o.requests, o.connectionsOpened, formatRatio(o.reuseRatio), o.errors].map((v) => `<td>${esc(v)}</td>`).join('');
  return `<tr${attrs({ 'data-origin': o.origin })}><td>${esc(redactUrl(o.origin))}</td>${cells}${statCells(o)}</tr>`;
}

function summaryTable(requests: readonly RunRequest[]): string {
  const summary = summarizeRun(requests);
  const head = ['origin', 'requests', 'connections', 'reuse', 'errors', ...statNames.map((s) => `${s} p50 / p95 / max (ms)`)];
  const foot = summary.origins.length > 1 ? `<tfoot>${summaryRow(summary.all)}</tfoot>` : '';
  return [
    `<table class="summary"><thead><tr>${head.map((h) => `<th>${esc(h)}</th>`).join('')}</tr></thead>`,
    `<tbody>${summary.origins.map(summaryRow).join('')}</tbody>${foot}</table>`,
  ].join('');
}

function bars(r: RunRequest, axis: Axis): string {
  const segs = r.hops.flatMap((h) =>
    h.segments.map((s) => {
      const style = `left:${pct(axis, s.start - axis.t0)};width:${pct(axis, s.duration)}`;
      return `<span${attrs({ class: `seg ph-${s.phase}`, 'data-phase': s.phase, style, title: `${s.phase} ${formatMs(s.duration)} ms` })}></span>`;
    }),
  );
  if (r.error !== undefined) {
    const at = (r.end ?? r.timeOrigin + (r.events[r.events.length - 1]?.t ?? 0)) - axis.t0;
    segs.push(`<span${attrs({ class: 'fail-mark', style: `left:${pct(axis, at)}`, title: r.error.code ?? r.error.name })}>✕</span>`);
  }
  return `<div class="track">${segs.join('')}</div>`;
}

function requestRows(r: RunRequest, n: number, axis: Axis, conn: RunConnection | undefined): string {
  const reused = r.hops[0]?.reused;
  const status = r.error !== undefined ? (r.error.code ?? r.error.name) : r.status === undefined ? '-' : String(r.status);
  const url = redactUrl(r.url);
  const cls = `req${r.error === undefined ? '' : ' failed'}`;
  const connCell = conn === undefined ? '-' : `<span class="chip">${esc(conn.label)}</span> ${reused ? 'reused' : 'new'}`;
  const row = [
    `<tr${attrs({ class: cls, 'data-req': r.id, 'data-conn': conn?.label ?? '', 'data-reused': reused === undefined ? undefined : String(reused), tabindex: 0, 'aria-expanded': 'false' })}>`,
    `<td class="num">${n}</td><td class="name"${attrs({ title: `${r.method} ${url}` })}>${esc(`${r.method} ${url}`)}</td>`,
    `<td class="status">${esc(status)}</td><td class="conn">${connCell}</td><td class="time">${esc(formatMs(r.total))}</td>`,
    `<td class="bars">${bars(r, axis)}</td></tr>`,
  ].join('');
  return `${row}<tr class="detail" hidden><td colspan="6">${requestDetail(r)}</td></tr>`;
}

interface Group {
  conn: RunConnection | undefined;
  requests: RunRequest[];
}

/** Requests grouped by the connection of their first hop, groups in order of first use. */
function groups(requests: readonly RunRequest[]): Group[] {
  const out = new Map<string, Group>();
  for (const r of requests) {
    const conn = r.hops[0]?.connection;
    const key = conn?.key ?? `none ${r.pid}`;
    const g = out.get(key);
    if (g === undefined) out.set(key, { conn, requests: [r] });
    else g.requests.push(r);
  }
  return [...out.values()];
}

function groupHead(g: Group): string {
  const n = count(g.requests.length, 'request', 'requests');
  if (g.conn === undefined) return `no connection · pid ${g.requests[0]?.pid ?? '?'} · ${n}`;
  return `connection ${g.conn.label} · pid ${g.conn.pid} · ${g.conn.localAddr ?? '?'} → ${g.conn.remoteAddr ?? '?'} · ${n}`;
}

function waterfall(requests: readonly RunRequest[]): string {
  const axis = axisOf(requests);
  let n = 0;
  const bodies = groups(requests).map((g, i) => {
    const color = g.conn === undefined ? '#bbb' : `hsl(${(i * 137) % 360} 55% 42%)`;
    const rows = g.requests.map((r) => requestRows(r, ++n, axis, g.conn)).join('');
    const head = `<tr class="group-head"><td colspan="6">${esc(groupHead(g))}</td></tr>`;
    return `<tbody${attrs({ class: 'conn-group', 'data-conn': g.conn?.label ?? '', style: `--conn:${color}` })}>${head}${rows}</tbody>`;
  });
  const cols = ['num', 'name', 'status', 'conn', 'time', 'bars'].map((c) => `<col class="c-${c}">`).join('');
  const head = `<thead><tr><th>#</th><th>request</th><th>status</th><th>conn</th><th>ms</th><th>${axisCell(axis)}</th></tr></thead>`;
  const legend = phaseNames.map((p) => `<span><i class="sw ph-${p}"></i>${p}</span>`).join('') + '<span><b class="fail-text">✕</b> failed</span>';
  return [
    `<div class="legend">${legend}</div>`,
    `<table class="waterfall"${attrs({ style: `--grid:${pct(axis, axis.step)}` })}><colgroup>${cols}</colgroup>${head}${bodies.join('')}</table>`,
  ].join('');
}

const count = (n: number, one: string, many: string): string => `${n} ${n === 1 ? one : many}`;

const isEvents = (input: readonly RunRequest[] | readonly RunEvent[]): input is readonly RunEvent[] => input.length > 0 && 'type' in input[0]!;

/**
 * The HTML report of a run: one self-contained page to save as a file and open from disk.
 *
 * @remarks
 * - `input`: the run's events ({@link parseRunLines}) or its requests ({@link runRequests}).
 * - Top: the per-origin summary ({@link summarizeRun}). Below: the waterfall, one row per request
 *   on the run's absolute time axis (`timeOrigin + t`, so several processes line up), its phases
 *   coloured (queue, dns, connect, tls, send, wait, transfer), rows grouped by the connection of
 *   their first hop (a band and a label `#n` per connection), failures marked ✕ with their code.
 *   Clicking a row (or Enter) shows its hook timeline, phases and headers.
 * - Every text is escaped and secrets are redacted again; the page loads nothing (its
 *   Content-Security-Policy allows only its own inline style and script, by hash).
 * - The output depends only on the input and options (no current time), so it can be compared.
 *
 * @example
 * ```ts
 * await writeFile('run.html', renderHtmlReport(parseRunLines(await readFile('run.ndjson', 'utf8'))));
 * ```
 */
export function renderHtmlReport(input: readonly RunRequest[] | readonly RunEvent[], options: HtmlReportOptions = {}): string {
  const requests = isEvents(input) ? runRequests(input) : (input as readonly RunRequest[]);
  const title = options.title ?? 'httptrace report';
  const axis = axisOf(requests);
  const processes = new Set(requests.map((r) => r.pid)).size;
  const when = requests.length === 0 ? '' : ` · ${new Date(axis.t0).toISOString()} · ${formatMs(axis.span)} ms`;
  const scriptHash = createHash('sha256').update(script).digest('base64');
  const csp = `default-src 'none'; style-src 'unsafe-inline'; script-src 'sha256-${scriptHash}'; img-src data:`;
  return [
    '<!doctype html>',
    '<html lang="en"><head><meta charset="utf-8">',
    `<meta http-equiv="Content-Security-Policy"${attrs({ content: csp })}>`,
    '<meta name="viewport" content="width=device-width, initial-scale=1">',
    `<title>${esc(title)}</title><style>${css}</style></head><body>`,
    `<header><h1>${esc(title)}</h1><p class="meta">${esc(`${count(requests.length, 'request', 'requests')} · ${count(processes, 'process', 'processes')}${when}`)}</p></header>`,
    `<section id="summary"><h2>Summary</h2>${summaryTable(requests)}</section>`,
    `<section id="waterfall"><h2>Waterfall</h2>${waterfall(requests)}</section>`,
    `<script>${script}</script>`,
    '</body></html>',
    '',
  ].join('\n');
}
