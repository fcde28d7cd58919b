/**
 * `-v`: every hook and mark of a request, one line each, with its time in ms since the request began.
 * Pure: events in, text out.
 * @module
 */
import type { TraceEvent } from '../collector/index.js';
import { redactHeaderValue, redactUrl } from '../collector/index.js';
import { errorJson } from './json-output.js';
import type { Paint } from './style.js';

const ms = (t: number): string => `${t.toFixed(2)} ms`;

function err(value: unknown): string {
  const e = errorJson(value);
  return e === null ? 'ok' : `error ${e.code ?? e.name}: ${e.message}`;
}

/** The arguments of one event, in a few words. */
function describeEvent(e: TraceEvent, showSecrets: boolean): string {
  const a = e.args;
  const url = (u: unknown) => (showSecrets ? String(u) : redactUrl(String(u)));
  if (e.type === 'mark') {
    switch (e.mark) {
      case 'request':
        return `${String(a['method'])} ${url(a['url'])}`;
      case 'redirect':
        return `hop ${String(a['hop'])} → ${url(a['url'])}`;
      case 'response':
        return a['err'] ? err(a['err']) : String(a['status']);
      case 'body':
        return `${String(a['bytes'])} bytes${a['err'] ? `, ${err(a['err'])}` : ''}`;
      case 'sleep':
        return ms(Number(a['ms']));
      default:
        return '';
    }
  }
  switch (e.hook) {
    case 'getConn':
      return String(a['hostPort']);
    case 'dnsStart':
      return String(a['host']);
    case 'dnsDone':
      return a['err'] ? err(a['err']) : `${(a['addrs'] as string[]).join(', ')}${a['coalesced'] ? ' (coalesced)' : ''}`;
    case 'connectStart':
      return `${String(a['network'])} ${String(a['addr'])}`;
    case 'connectDone':
      return `${String(a['network'])} ${String(a['addr'])} ${err(a['err'])}`;
    case 'tlsHandshakeDone':
      return a['err'] ? err(a['err']) : `${String(a['version'])} ${String(a['cipherSuite'])}${a['didResume'] ? ' resumed' : ''}`;
    case 'gotConn': {
      const idle = typeof a['idleTime'] === 'number' ? `, idle ${ms(a['idleTime'])}` : '';
      return `${a['reused'] ? `reused${a['wasIdle'] ? idle : ''}` : 'new'} ${String(a['remoteAddr'] ?? '')}`.trim();
    }
    case 'wroteHeaderField': {
      const key = String(a['key']);
      const values = (a['values'] as string[]).map((v) => (showSecrets ? v : redactHeaderValue(key, v)));
      return `${key}: ${values.join(', ')}`;
    }
    case 'got1xxResponse': {
      const header = a['header'] as Record<string, string[]>;
      const fields = Object.entries(header).map(([k, vs]) => `${k}: ${vs.map((v) => (showSecrets ? v : redactHeaderValue(k, v))).join(', ')}`);
      return [String(a['code']), ...fields].join('  ');
    }
    case 'wroteRequest':
    case 'putIdleConn':
      return err(a['err']);
    default:
      return '';
  }
}

/** The timeline of one request's events, times relative to its first event. */
export function renderTimeline(events: readonly TraceEvent[], paint: Paint, showSecrets: boolean): string {
  const t0 = events[0]?.t ?? 0;
  return events
    .filter((e) => !(e.type === 'mark' && e.mark === 'end'))
    .map((e) => {
      const name = e.type === 'hook' ? e.hook : `[${e.mark}]`;
      const time = `+${(e.t - t0).toFixed(3)}`.padStart(10);
      return `  ${paint('dim', time)} ms  ${paint(e.type === 'hook' ? 'cyan' : 'magenta', name.padEnd(21))} ${describeEvent(e, showSecrets)}`.trimEnd();
    })
    .join('\n');
}
