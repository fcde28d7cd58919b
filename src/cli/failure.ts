/**
 * Why a request failed, in words and as an exit code (curl's numbers): from the hooks that fired
 * (which phase was reached) and the error.
 * @module
 */
import type { TraceEvent } from '../collector/index.js';
import { CliError } from './cli-error.js';
import type { RequestRecord } from './runner.js';

/** The failed phase, for the message. */
export type FailedPhase = 'DNS lookup' | 'TCP connect' | 'TLS handshake' | 'getting a connection' | 'sending the request' | 'waiting for the response' | 'reading the response';

/** The phase a request failed in, from the hooks of its last hop. */
export function failedPhase(events: readonly TraceEvent[]): FailedPhase {
  const start = events.map((e) => e.type === 'hook' && e.hook === 'getConn').lastIndexOf(true);
  const hop = events.slice(Math.max(start, 0));
  const hook = (name: string, failed = false) =>
    hop.some((e) => e.type === 'hook' && e.hook === name && (!failed || (e.args['err'] ?? null) !== null));
  const mark = (name: string) => hop.some((e) => e.type === 'mark' && e.mark === name && e.args['err'] === null);
  if (hook('dnsDone', true) || (hook('dnsStart') && !hook('dnsDone'))) return 'DNS lookup';
  if (hook('tlsHandshakeDone', true) || (hook('tlsHandshakeStart') && !hook('tlsHandshakeDone'))) return 'TLS handshake';
  if (hook('connectStart') && !hook('gotConn') && !hook('tlsHandshakeStart')) return 'TCP connect';
  if (!hook('gotConn')) return 'getting a connection';
  if (mark('response') || hook('gotFirstResponseByte')) return 'reading the response';
  if (!hook('wroteRequest')) return 'sending the request';
  return 'waiting for the response';
}

const byPhase: Partial<Record<FailedPhase, number>> = { 'DNS lookup': 6, 'TCP connect': 7, 'TLS handshake': 35 };

/** Node's codes for a certificate that could not be verified (OpenSSL's, and the host-name check). */
function certificateError(code: string | undefined): boolean {
  return code !== undefined && (/CERT|SELF_SIGNED|UNABLE_TO_(GET|VERIFY)/.test(code) && !code.startsWith('ERR_SSL_'));
}

/** The error's root cause: through `fetch failed` and abort wrappers to the error that says why. */
export function rootCause(err: unknown): unknown {
  let e = err as { name?: string; message?: string; cause?: unknown } | null | undefined;
  while (e?.cause instanceof Error && (e.name === 'AbortError' || (e.name === 'TypeError' && e.message === 'fetch failed'))) {
    e = e.cause as typeof e;
  }
  return e;
}

/** The exit code of one request: 0, or curl's code for how it failed (22 with `-f` and a status >= 400). */
export function exitCodeOf(record: RequestRecord, events: readonly TraceEvent[], fail: boolean): number {
  if (record.error === undefined) {
    const status = record.hops[record.hops.length - 1]?.response?.status ?? 0;
    return fail && status >= 400 ? 22 : 0;
  }
  if (record.error instanceof CliError) return record.error.exitCode;
  if (record.timedOut) return 28;
  // curl: "(56) CONNECT tunnel failed, response 407".
  if ((rootCause(record.error) as { code?: string } | undefined)?.code === 'ERR_HTTPTRACE_PROXY_CONNECT_FAILED') return 56;
  const phase = failedPhase(events);
  // curl: 60 when the peer's certificate cannot be verified, 35 for any other TLS failure.
  if (phase === 'TLS handshake' && certificateError((rootCause(record.error) as { code?: string } | undefined)?.code)) return 60;
  const fromPhase = byPhase[phase];
  if (fromPhase !== undefined) return fromPhase;
  const e = record.error as NodeJS.ErrnoException;
  if (e.code === 'ECONNRESET' && e.message === 'socket hang up') return 52;
  // undici's "other side closed" before any response byte: curl's "(52) Empty reply from server".
  const root = rootCause(record.error) as { code?: string } | undefined;
  if (root?.code === 'UND_ERR_SOCKET' && phase === 'waiting for the response' && record.hops.at(-1)?.response === undefined) return 52;
  return 56;
}
