/**
 * The default output: per request and hop, the connection facts, the status and headers, and an
 * httpstat-style waterfall of the collector's phases with curl's cumulative figures. Pure:
 * `(collected data, options) => string`, tested without network.
 * @module
 */
import { redactHeaderValue, redactUrl, requestTimings, splitHops, type Timings, type TraceEvent } from '../collector/index.js';
import { failedPhase } from './failure.js';
import { errorJson } from './json-output.js';
import { renderTimeline } from './render-timeline.js';
import type { HopRecord, RequestRecord } from './runner.js';
import { painter, type Paint } from './style.js';

/** One request's data for {@link renderRequest}. */
export interface RequestView {
  record: RequestRecord;
  /** The collector's events of this request. */
  events: readonly TraceEvent[];
  exitCode: number;
}

/** Options of {@link renderRequest}. */
export interface RenderOptions {
  color: boolean;
  /** Add the `-v` timeline. */
  verbose: boolean;
  showSecrets: boolean;
  /** The `-o` file, if bodies are saved. */
  output?: string | undefined;
}

type Row = readonly [label: string, value: number | undefined, from: number | undefined, to: number | undefined];

/** The waterfall rows for plain HTTP (httpstat's `HTTPTemplate`). */
const HTTP_ROWS = ['queue', 'DNS lookup', 'TCP connect', 'request write', 'server processing', 'content transfer'] as const;
/** The waterfall rows for HTTPS (httpstat's `HTTPSTemplate`). */
const HTTPS_ROWS = ['queue', 'DNS lookup', 'TCP connect', 'TLS handshake', 'request write', 'server processing', 'content transfer'] as const;
const BAR_WIDTH = 32;

const ms = (v: number): string => `${v.toFixed(2)} ms`;

function rows(t: Timings): Row[] {
  const { phases: f, points: p } = t;
  const sent = f.send === undefined || p.pretransfer === undefined ? undefined : p.pretransfer + f.send;
  return [
    // Waiting for the pool (and Node's own turns) before DNS or connect: with it, the rows add up to the total.
    ['queue', f.queue, 0, f.queue],
    ['DNS lookup', f.dns, f.queue, p.namelookup],
    ['TCP connect', f.tcp, p.namelookup, p.connect],
    ['TLS handshake', f.tls, p.connect, p.appconnect],
    ['request write', f.send, p.pretransfer, sent],
    ['server processing', f.wait, sent, p.starttransfer],
    ['content transfer', f.transfer, p.starttransfer, p.total],
  ];
}

function waterfall(t: Timings, https: boolean, paint: Paint): string[] {
  const p = t.points;
  const span = p.total ?? p.starttransfer ?? p.pretransfer ?? p.appconnect ?? p.connect ?? p.namelookup ?? 0;
  const scale = span > 0 ? BAR_WIDTH / span : 0;
  const labels: readonly string[] = https ? HTTPS_ROWS : HTTP_ROWS;
  const lines = rows(t)
    .filter(([label]) => labels.includes(label))
    .map(([label, value, from, to]) => {
      const name = paint('cyan', label.padEnd(18));
      if (value === undefined) return `  ${name}${'-'.padStart(11)}${t.reused && from !== undefined ? paint('dim', '  (reused connection)') : ''}`;
      // The bar is the phase itself, ending at its cumulative point (or starting at the previous one).
      const begin = to !== undefined ? to - value : (from ?? 0);
      const start = Math.round(Math.max(0, begin) * scale);
      const width = Math.max(1, Math.round(value * scale));
      return `  ${name}${paint('bold', ms(value).padStart(11))}  ${' '.repeat(start)}${paint('green', '█'.repeat(width))}`;
    });
  const figures = (['namelookup', 'connect', 'appconnect', 'pretransfer', 'starttransfer', 'total'] as const)
    .filter((k) => (https || k !== 'appconnect') && p[k] !== undefined)
    .map((k) => `${k} ${p[k]!.toFixed(2)}`);
  if (figures.length > 0) lines.push(paint('dim', `  ${figures.join(' · ')} ms`));
  return lines;
}

function certificateLine(cert: { subject?: string; issuer?: string; validTo?: string } | undefined): string | undefined {
  if (cert === undefined) return undefined;
  const flat = (s: string | undefined) => (s ?? '').split('\n').join(', ');
  return `${flat(cert.subject)} · issuer ${flat(cert.issuer)} · expires ${cert.validTo ?? '?'}`;
}

function facts(hop: readonly TraceEvent[], paint: Paint): string[] {
  const find = (hook: string) => hop.find((e) => e.type === 'hook' && e.hook === hook)?.args;
  const out: string[] = [];
  const fact = (label: string, text: string) => out.push(`  ${paint('dim', label.padEnd(12))}${text}`);
  const dns = find('dnsDone');
  if (dns && !dns['err']) fact('dns', `${String(find('dnsStart')?.['host'])} → ${(dns['addrs'] as string[]).join(', ')}${dns['coalesced'] ? ' (coalesced)' : ''}`);
  const conn = find('gotConn');
  if (conn) {
    const idle = conn['wasIdle'] ? (typeof conn['idleTime'] === 'number' ? `idle ${ms(conn['idleTime'])}` : 'idle') : 'handed over';
    fact('connection', [conn['reused'] ? `reused (${idle})` : 'new', conn['remoteAddr']].filter(Boolean).join(' · '));
  }
  const tls = find('tlsHandshakeDone');
  if (tls && !tls['err']) {
    fact('tls', `${String(tls['version'])} · ${String(tls['cipherSuite'])} · ALPN ${String(tls['negotiatedProtocol'] || 'none')}${tls['didResume'] ? ' · resumed' : ''}`);
    const cert = certificateLine((tls['peerCertificates'] as Array<{ subject?: string }>)[0]);
    if (cert !== undefined) fact('certificate', cert);
  }
  for (const e of hop) {
    if (e.type !== 'hook' || e.hook !== 'got1xxResponse') continue;
    const header = e.args['header'] as Record<string, string[]>;
    fact(String(e.args['code']), Object.entries(header).map(([k, vs]) => `${k}: ${vs.join(', ')}`).join('  ') || '(no headers)');
  }
  return out;
}

function statusPaint(status: number): 'green' | 'yellow' | 'red' {
  return status >= 400 ? 'red' : status >= 300 ? 'yellow' : 'green';
}

function responseLines(hop: HopRecord, paint: Paint, show: boolean): string[] {
  const r = hop.response;
  if (r === undefined) return [];
  const status = paint(statusPaint(r.status), paint('bold', `${r.status} ${r.statusText}`.trim()));
  return [`${paint('dim', r.httpVersion)} ${status}`, ...r.headers.map(([n, v]) => `  ${paint('dim', `${n}:`)} ${show ? v : redactHeaderValue(n, v)}`)];
}

/** Why a request failed, in one line (for stderr), or `undefined` when it did not fail. */
export function failureLine(view: RequestView, paint: Paint): string | undefined {
  const { record } = view;
  if (record.error === undefined) {
    const status = record.hops[record.hops.length - 1]?.response?.status ?? 0;
    return view.exitCode === 22 ? `(22) The requested URL returned error: ${status}` : undefined;
  }
  const e = errorJson(record.error)!;
  const why = record.timedOut ? 'timed out (-m)' : 'failed';
  return paint('red', `✗ ${failedPhase(view.events)} ${why}: ${e.code ? `${e.code} ` : ''}${e.message} (exit ${view.exitCode})`);
}

/** The block of one request: each hop, then the body or the error. */
export function renderRequest(view: RequestView, options: RenderOptions): string {
  const paint = painter(options.color);
  const { record } = view;
  const hops = splitHops(view.events);
  const timings = requestTimings(view.events);
  const out: string[] = [];
  record.hops.forEach((hop, i) => {
    if (i > 0) out.push('');
    const url = options.showSecrets ? hop.url : redactUrl(hop.url);
    out.push(paint('bold', `${hop.method} ${url}`));
    out.push(...facts(hops[i] ?? [], paint));
    out.push(...responseLines(hop, paint, options.showSecrets));
    const t = timings[i];
    if (t !== undefined) out.push('', ...waterfall(t, hop.url.startsWith('https:'), paint));
    const next = record.hops[i + 1];
    if (next !== undefined) out.push(paint('yellow', `→ redirect ${i + 1} to ${options.showSecrets ? next.url : redactUrl(next.url)}`));
  });
  const last = record.hops[record.hops.length - 1];
  const bytes = last?.response?.bodyBytes;
  if (bytes !== undefined) out.push(paint('dim', `  body ${bytes} bytes, ${options.output ? `saved to ${options.output}` : 'read and discarded (-o FILE saves it)'}`));
  if (options.verbose) out.push('', paint('dim', '  timeline (ms since the request began)'), renderTimeline(view.events, paint, options.showSecrets));
  return `${out.join('\n')}\n`;
}
