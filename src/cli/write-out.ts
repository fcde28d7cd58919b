/**
 * `-w/--write-out FORMAT`: curl's variables (`%{time_total}`, `%{http_code}`, `%{json}`, …) and
 * escapes (`\n`, `\t`, `\r`, `\\`, `%%`), from one request's record and events. Times in seconds,
 * as curl prints them.
 * @module
 */
import { redactUrl, requestTimings, splitHops, type TraceEvent } from '../collector/index.js';
import { errorJson } from './json-output.js';
import type { RequestRecord } from './runner.js';

/** One request as `-w` sees it. */
export interface WriteOutView {
  record: RequestRecord;
  events: readonly TraceEvent[];
  exitCode: number;
  showSecrets: boolean;
}

function hostPort(addr: unknown): [string, number] | undefined {
  const m = typeof addr === 'string' ? /^\[?(.*?)\]?:(\d+)$/.exec(addr) : null;
  return m === null ? undefined : [m[1]!, Number(m[2])];
}

/** The variables of one request, with curl's names and types. */
export function writeOutVariables(view: WriteOutView): Record<string, string | number> {
  const { record, events } = view;
  const hops = splitHops(events);
  const timings = requestTimings(events);
  const first = timings[0];
  const last = timings[timings.length - 1];
  const lastHop = hops[hops.length - 1] ?? [];
  const offset = first !== undefined && last !== undefined ? last.start - first.start : 0;
  const sec = (ms: number | undefined) => (ms === undefined ? 0 : Number(((ms + offset) / 1000).toFixed(6)));
  const p = last?.points;
  const conn = lastHop.find((e) => e.type === 'hook' && e.hook === 'gotConn')?.args;
  const remote = hostPort(conn?.['remoteAddr']);
  const local = hostPort(conn?.['localAddr']);
  const hop = record.hops[record.hops.length - 1];
  const res = hop?.response;
  const sizeHeader = record.hops.reduce((n, h) => {
    const r = h.response;
    if (r === undefined) return n;
    return n + Buffer.byteLength(`${r.httpVersion} ${r.status} ${r.statusText}\r\n`) + r.headers.reduce((m, [k, v]) => m + Buffer.byteLength(`${k}: ${v}\r\n`), 2);
  }, 0);
  const connects = events.filter((e) => e.type === 'hook' && e.hook === 'connectDone' && (e.args['err'] ?? null) === null).length;
  const url = hop?.url ?? '';
  return {
    content_type: res?.headers.find(([n]) => n.toLowerCase() === 'content-type')?.[1] ?? '',
    errormsg: record.error === undefined ? '' : (errorJson(record.error)?.message ?? ''),
    exitcode: view.exitCode,
    http_code: res?.status ?? 0,
    http_version: res === undefined ? '0' : res.httpVersion.replace(/^HTTP\//, ''),
    local_ip: local?.[0] ?? '',
    local_port: local?.[1] ?? 0,
    method: hop?.method ?? '',
    num_connects: connects,
    num_redirects: record.hops.length - 1,
    remote_ip: remote?.[0] ?? '',
    remote_port: remote?.[1] ?? 0,
    response_code: res?.status ?? 0,
    scheme: url.startsWith('https:') ? 'https' : 'http',
    size_download: res?.bodyBytes ?? 0,
    size_header: sizeHeader,
    size_upload: hop?.bodySize ?? 0,
    time_appconnect: url.startsWith('https:') ? sec(p?.appconnect) : 0,
    time_connect: sec(p?.connect),
    time_namelookup: sec(p?.namelookup),
    time_pretransfer: sec(p?.pretransfer),
    time_redirect: Number((offset / 1000).toFixed(6)),
    time_starttransfer: sec(p?.starttransfer),
    time_total: sec(p?.total ?? p?.starttransfer),
    url: view.showSecrets ? (record.hops[0]?.url ?? '') : redactUrl(record.hops[0]?.url ?? ''),
    url_effective: view.showSecrets ? url : redactUrl(url),
  };
}

function format(name: string, value: string | number): string {
  if (name === 'http_code' || name === 'response_code') return String(value).padStart(3, '0');
  if (name.startsWith('time_')) return (value as number).toFixed(6);
  return String(value);
}

/** The `-w` text of one request. Unknown variables print nothing (curl warns and does the same). */
export function renderWriteOut(template: string, view: WriteOutView): string {
  const vars = writeOutVariables(view);
  return template.replace(/%\{([a-z_]+)\}|%%|\\([ntr\\])/g, (all, name: string | undefined, esc: string | undefined) => {
    if (esc !== undefined) return ({ n: '\n', t: '\t', r: '\r', '\\': '\\' } as Record<string, string>)[esc]!;
    if (all === '%%') return '%';
    if (name === 'json') return JSON.stringify(vars);
    const value = vars[name!];
    return value === undefined ? '' : format(name!, value);
  });
}
