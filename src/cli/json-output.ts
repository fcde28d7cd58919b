/**
 * `--json`: each collector event as one line of JSON (NDJSON), with secrets redacted unless asked.
 * The format is documented in the README ("--json").
 * @module
 */
import { isSecretHeader, redactHeaderValue, redactUrl, type TraceEvent } from '../collector/index.js';
import { rootCause } from './failure.js';

/** `null`, or the root cause as `{name, code, message}` (`code` `null` when the error has none). */
export function errorJson(err: unknown): { name: string; code: string | null; message: string } | null {
  if (err === null || err === undefined) return null;
  const e = rootCause(err) as { name?: unknown; code?: unknown; message?: unknown };
  return {
    name: typeof e.name === 'string' ? e.name : 'Error',
    code: typeof e.code === 'string' ? e.code : null,
    message: typeof e.message === 'string' ? e.message : String(e),
  };
}

function headerJson(header: Readonly<Record<string, readonly string[]>>, show: boolean): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  for (const [name, values] of Object.entries(header)) out[name] = values.map((v) => (show ? v : redactHeaderValue(name, v)));
  return out;
}

function argsJson(e: TraceEvent, show: boolean): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(e.args)) {
    if (key === 'handshakeComplete') continue;
    if (key === 'err') out[key] = errorJson(value);
    else if (key === 'peerCertificates') out[key] = (value as readonly unknown[]).length;
    else if (key === 'header') out[key] = headerJson(value as Record<string, string[]>, show);
    else if (key === 'url' && !show) out[key] = redactUrl(String(value));
    else if (key === 'values' && !show && isSecretHeader(String(e.args['key']))) {
      out[key] = (value as string[]).map((v) => redactHeaderValue(String(e.args['key']), v));
    } else out[key] = value === undefined ? null : value;
  }
  return out;
}

/** The JSON object of one event: `{type, hook|mark, req, t, args}`. */
export function eventJson(e: TraceEvent, showSecrets: boolean): Record<string, unknown> {
  const name = e.type === 'hook' ? { hook: e.hook } : { mark: e.mark };
  return { type: e.type, ...name, req: e.req, t: e.t, args: argsJson(e, showSecrets) };
}

/** One NDJSON line (with its newline). */
export function ndjsonLine(e: TraceEvent, showSecrets: boolean): string {
  return `${JSON.stringify(eventJson(e, showSecrets))}\n`;
}
