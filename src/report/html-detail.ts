/**
 * The detail of one request in the HTML report (shown when its row is clicked): where it ran, its
 * phases, the hook timeline and the headers, with secrets redacted again.
 * @module
 */
import { isSecretHeader, redactHeaderValue, redactUrl, type HeaderPair } from '../collector/index.js';
import { esc } from './html.js';
import type { RunEvent } from './run-events.js';
import { phaseNames, type RunRequest } from './run-requests.js';
import { formatMs } from './summary.js';

type ReqEvent = Exclude<RunEvent, { type: 'process' }>;

function redactHeaderMap(value: unknown): unknown {
  if (typeof value !== 'object' || value === null) return value;
  if (Array.isArray(value)) return value.map((p) => (Array.isArray(p) && p.length === 2 ? [p[0], redactHeaderValue(String(p[0]), String(p[1]))] : p));
  return Object.fromEntries(
    Object.entries(value).map(([name, v]) => [name, Array.isArray(v) ? v.map((x) => redactHeaderValue(name, String(x))) : redactHeaderValue(name, String(v))]),
  );
}

/** An event's arguments with secrets redacted (defensively: the NDJSON is redacted already). */
export function redactArgs(e: ReqEvent): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(e.args)) {
    if (key === 'url' && typeof value === 'string') out[key] = redactUrl(value);
    else if (key === 'header' || key === 'headers') out[key] = redactHeaderMap(value);
    else if (key === 'values' && Array.isArray(value) && isSecretHeader(String(e.args['key']))) {
      out[key] = value.map((v) => redactHeaderValue(String(e.args['key']), String(v)));
    } else out[key] = value;
  }
  return out;
}

function argsText(e: ReqEvent): string {
  const args = redactArgs(e);
  if (e.type === 'hook' && e.hook === 'wroteHeaderField') return `${String(args['key'])}: ${(args['values'] as unknown[] | undefined)?.join(', ') ?? ''}`;
  return Object.keys(args).length === 0 ? '' : JSON.stringify(args);
}

function headerTable(title: string, pairs: readonly HeaderPair[]): string {
  if (pairs.length === 0) return `<h4>${esc(title)}</h4><p class="none">none recorded</p>`;
  const rows = pairs.map(([n, v]) => `<tr><th>${esc(n)}</th><td>${esc(redactHeaderValue(n, v))}</td></tr>`).join('');
  return `<h4>${esc(title)}</h4><table class="headers">${rows}</table>`;
}

function timeline(r: RunRequest): string {
  const rows = r.events.map((e) => {
    const at = r.timeOrigin + e.t - r.start;
    const name = e.type === 'hook' ? e.hook : `mark: ${e.mark}`;
    const failed = e.args['err'] !== null && e.args['err'] !== undefined ? ' class="err"' : '';
    return `<tr${failed}><td class="at">+${esc(formatMs(at))}</td><td class="ev">${esc(name)}</td><td class="args">${esc(argsText(e))}</td></tr>`;
  });
  return `<h4>Hook timeline</h4><table class="hooks"><thead><tr><th>ms</th><th>event</th><th>arguments</th></tr></thead><tbody>${rows.join('')}</tbody></table>`;
}

function phaseList(r: RunRequest): string {
  const hops = r.hops.map((h, i) => {
    const items = phaseNames.filter((p) => h.phases[p] !== undefined).map((p) => `<li><i class="sw ph-${p}"></i>${p} ${esc(formatMs(h.phases[p]))} ms</li>`);
    const label = r.hops.length > 1 ? `hop ${i + 1}: ` : '';
    const conn = h.connection === undefined ? 'no connection' : `connection ${h.connection.label} (${h.reused ? 'reused' : 'new'})`;
    return `<p>${esc(label + conn)}</p><ul class="phases">${items.join('')}</ul>`;
  });
  return `<h4>Phases</h4>${hops.join('') || '<p class="none">no connection was requested</p>'}`;
}

/** The detail block of request `r`. */
export function requestDetail(r: RunRequest): string {
  const where = [`pid ${r.pid}`, `request ${r.req}`, r.client === undefined ? '' : `client ${r.client}`, new Date(r.start).toISOString()].filter(Boolean).join(' · ');
  const error = r.error === undefined ? '' : `<p class="error-text">${esc(`${r.error.code ?? r.error.name}: ${r.error.message}`)}</p>`;
  return [
    `<div class="detail-body">`,
    `<p class="where">${esc(where)}</p>`,
    `<p class="url">${esc(`${r.method} ${redactUrl(r.url)}`)}</p>`,
    error,
    phaseList(r),
    timeline(r),
    headerTable('Request headers', r.requestHeaders),
    headerTable(`Response headers${r.status === undefined ? '' : ` (${r.status} ${r.statusText ?? ''})`}`, r.responseHeaders),
    `</div>`,
  ].join('');
}
