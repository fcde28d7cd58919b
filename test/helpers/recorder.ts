/**
 * The event recorder: a {@link ClientTrace} per request that logs every hook, plus the caller's own
 * steps as marks, in the oracle's model (Go hook names, `req` numbers, error classes), and
 * {@link summarize}, which prints a log in the oracle's one-line notation so that a test can compare
 * it with Go's recorded sequence as text.
 */
import { goHookNames, type ClientTrace, type GoHookName } from '../../src/index.js';

/** One recorded line: a hook call or a harness mark. */
export interface Line {
  readonly hook?: string;
  readonly mark?: string;
  readonly req: number;
  readonly args: Record<string, unknown>;
}

const goNames: Record<GoHookName, string> = {
  getConn: 'GetConn',
  gotConn: 'GotConn',
  putIdleConn: 'PutIdleConn',
  gotFirstResponseByte: 'GotFirstResponseByte',
  got100Continue: 'Got100Continue',
  got1xxResponse: 'Got1xxResponse',
  dnsStart: 'DNSStart',
  dnsDone: 'DNSDone',
  connectStart: 'ConnectStart',
  connectDone: 'ConnectDone',
  tlsHandshakeStart: 'TLSHandshakeStart',
  tlsHandshakeDone: 'TLSHandshakeDone',
  wroteHeaderField: 'WroteHeaderField',
  wroteHeaders: 'WroteHeaders',
  wait100Continue: 'Wait100Continue',
  wroteRequest: 'WroteRequest',
};

const tlsCodes = /CERT|SELF_SIGNED|TLS|SSL|ALTNAME|UNABLE_TO|ERR_SSL/;

/** The oracle's error class of a Node error: dns, refused, reset, closed, tls, aborted, timeout, … */
export function errorClass(err: unknown): string | null {
  if (err === null || err === undefined) return null;
  const e = err as { code?: string; name?: string; message?: string; cause?: unknown };
  const code = e.code ?? '';
  if (e.name === 'AbortError' || code === 'ABORT_ERR' || code === 'ECONNABORTED' || code === 'UND_ERR_ABORTED') return 'aborted';
  if (code === 'UND_ERR_SOCKET') return e.cause !== undefined ? (errorClass(e.cause) ?? 'closed') : 'closed';
  if (code === 'ENOTFOUND' || code === 'EAI_AGAIN') return 'dns';
  if (code === 'ECONNREFUSED') return 'refused';
  if (code === 'ECONNRESET' && e.message === 'socket hang up') return 'closed';
  if (code === 'ECONNRESET' || code === 'EPIPE') return 'reset';
  if (code === 'ETIMEDOUT' || code === 'ERR_HTTPTRACE_CONNECT_ATTEMPT_TIMEOUT' || code === 'UND_ERR_CONNECT_TIMEOUT') return 'timeout';
  if (tlsCodes.test(code)) return 'tls';
  if (code === 'ERR_HTTPTRACE_PUT_IDLE_REFUSED') return 'idle-refused';
  return e.cause !== undefined ? errorClass(e.cause) : 'other';
}

function argsOf(hook: GoHookName, a: unknown[]): Record<string, unknown> {
  switch (hook) {
    case 'getConn':
      return { hostPort: a[0] };
    case 'gotConn': {
      const info = a[0] as { reused: boolean; wasIdle: boolean; idleTime: number | undefined; conn: { remoteAddress?: string; remotePort?: number } };
      return { reused: info.reused, wasIdle: info.wasIdle, idleTime: info.idleTime, remotePort: info.conn.remotePort };
    }
    case 'putIdleConn':
      return { err: errorClass(a[0]), error: a[0] };
    case 'got1xxResponse':
      return { code: a[0], header: a[1] };
    case 'dnsStart':
      return { host: (a[0] as { host: string }).host };
    case 'dnsDone': {
      const info = a[0] as { addrs: string[]; err: Error | null; coalesced: boolean };
      return { addrs: info.addrs, coalesced: info.coalesced, err: errorClass(info.err), error: info.err };
    }
    case 'connectStart':
      return { network: a[0], addr: a[1] };
    case 'connectDone':
      return { network: a[0], addr: a[1], err: errorClass(a[2]), error: a[2] };
    case 'tlsHandshakeDone':
      return { state: a[0], err: errorClass(a[1]), error: a[1] };
    case 'wroteHeaderField':
      return { key: a[0], values: a[1] };
    case 'wroteRequest':
      return { err: errorClass((a[0] as { err: unknown }).err), error: (a[0] as { err: unknown }).err };
    default:
      return {};
  }
}

/** A log shared by several requests' traces. */
export class Recorder {
  readonly lines: Line[] = [];

  /** A trace with all 16 hooks that logs under request number `req`. */
  trace(req: number): ClientTrace {
    const trace: Record<string, unknown> = {};
    for (const hook of goHookNames) {
      trace[hook] = (...a: unknown[]) => {
        this.lines.push({ hook: goNames[hook], req, args: argsOf(hook, a) });
      };
    }
    return trace as ClientTrace;
  }

  /** Logs one of the caller's steps: request, response, body, redirect, cancel, sleep, … */
  mark(mark: string, req: number, args: Record<string, unknown> = {}): void {
    this.lines.push({ mark, req, args });
  }

  /** The lines of one hook, in order. */
  hooks(name: string, req?: number): Line[] {
    return this.lines.filter((l) => l.hook === name && (req === undefined || l.req === req));
  }

  /** {@link summarize} of this log. */
  summary(options?: SummaryOptions): string {
    return summarize(this.lines, options);
  }
}

/** Options of {@link summarize}. */
export interface SummaryOptions {
  /** One sequence per request (`1: … ‖ 2: …`), for concurrent requests. */
  perReq?: boolean;
}

function itemOf(l: Line): string {
  const a = l.args;
  const notes: string[] = [];
  if (l.hook === 'GotConn') notes.push(a['reused'] ? (a['wasIdle'] ? 'reused,idle' : 'reused') : 'new');
  if (l.hook === 'DNSDone' && a['coalesced']) notes.push('coalesced');
  if (l.hook === 'Got1xxResponse') notes.push(String(a['code']));
  if (l.mark === 'response' && a['status'] != null) notes.push(String(a['status']));
  if (a['err'] != null) notes.push(`err=${String(a['err'])}`);
  const name = l.hook ?? `[${l.mark}]`;
  return name + (notes.length ? `(${notes.join(',')})` : '');
}

function collapse(items: string[]): string {
  const out: Array<{ item: string; n: number }> = [];
  for (const item of items) {
    const last = out[out.length - 1];
    if (last && last.item === item) last.n++;
    else out.push({ item, n: 1 });
  }
  return out.map(({ item, n }) => (n > 1 ? `${item}×${n}` : item)).join(' ');
}

/**
 * The oracle's notation: hooks by Go name, marks in brackets, `×N` for identical neighbours, the
 * arguments that change the meaning in parentheses; sequential requests as `1: … ‖ 2: …`.
 */
export function summarize(all: readonly Line[], options: SummaryOptions = {}): string {
  const lines = all.filter((l) => l.hook !== undefined || l.mark !== 'end');
  const reqs = [...new Set(lines.filter((l) => l.req > 0).map((l) => l.req))].sort((x, y) => x - y);
  if (options.perReq && reqs.length > 1) {
    return reqs.map((r) => `${r}: ${summarize(lines.filter((l) => l.req === r))}`).join(' ‖ ');
  }
  if (reqs.length <= 1) return collapse(lines.map(itemOf));
  const runs: Array<{ req: number; lines: Line[] }> = [];
  for (const l of lines) {
    const last = runs[runs.length - 1];
    if (last && last.req === l.req) last.lines.push(l);
    else runs.push({ req: l.req, lines: [l] });
  }
  const seen = runs.filter((r) => r.req > 0).map((r) => r.req);
  if (new Set(seen).size === seen.length) {
    return runs.map((r) => (r.req > 0 ? `${r.req}: ` : '') + collapse(r.lines.map(itemOf))).join(' ‖ ');
  }
  return collapse(lines.map((l) => (l.req > 0 ? `${l.req}:` : '') + itemOf(l)));
}
