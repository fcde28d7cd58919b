/**
 * A HAR 1.2 log (http://www.softwareishard.com/blog/har-12-spec/) of traced requests, one entry
 * per hop, with `timings` from the collector. Secrets are redacted unless `showSecrets` is set.
 * @module
 */
import { harTimings, harTotal, type HarTimings } from './har-timings.js';
import type { Timings } from './phases.js';
import { redactHeaderValue, redactUrl, redacted } from './redact.js';

/** A header as a `[name, value]` pair, in wire order. */
export type HeaderPair = readonly [name: string, value: string];

/** What the caller knows about one hop, for {@link buildHarLog}. */
export interface HarEntryInput {
  /** When the hop started (its `getConn`), epoch ms. */
  startedDateTime: number;
  timings: Timings;
  request: {
    method: string;
    url: string;
    /** `"HTTP/1.1"`. */
    httpVersion: string;
    /** The headers as written (the `wroteHeaderField` calls). */
    headers: readonly HeaderPair[];
    bodySize: number;
    postData?: { mimeType: string; text: string } | undefined;
  };
  /** `undefined` when the hop failed: the entry then has status 0 and `_error`. */
  response?:
    | {
        status: number;
        statusText: string;
        httpVersion: string;
        headers: readonly HeaderPair[];
        /** Bytes of body received (after any decoding the client did), or -1 if unknown. */
        bodySize: number;
        redirectURL: string;
      }
    | undefined;
  /** The error message of a failed hop. */
  error?: string | undefined;
  /** The remote IP address. */
  serverIPAddress?: string | undefined;
  /** An id of the connection (same id = same connection). */
  connection?: string | undefined;
}

/** Options of {@link buildHarLog}. */
export interface HarLogOptions {
  creator: { name: string; version: string };
  /** Keep secrets (credential headers, cookies, URL passwords). Default false. */
  showSecrets?: boolean;
}

type NameValue = { name: string; value: string };

/** The HAR 1.2 document: `{ log: { version, creator, entries } }`. */
export interface HarLog {
  log: { version: '1.2'; creator: { name: string; version: string }; entries: HarEntry[] };
}

/** One HAR entry (the fields this builder writes). */
export interface HarEntry {
  startedDateTime: string;
  time: number;
  request: Record<string, unknown>;
  response: Record<string, unknown>;
  cache: Record<string, never>;
  timings: HarTimings;
  serverIPAddress?: string;
  connection?: string;
  _error?: string;
}

function headers(pairs: readonly HeaderPair[], show: boolean): NameValue[] {
  return pairs.map(([name, value]) => ({ name, value: show ? value : redactHeaderValue(name, value) }));
}

function cookies(pairs: readonly HeaderPair[], header: string, show: boolean): NameValue[] {
  const out: NameValue[] = [];
  for (const [name, value] of pairs) {
    if (name.toLowerCase() !== header) continue;
    const list = header === 'cookie' ? value.split(';') : [value.split(';')[0] ?? ''];
    for (const c of list) {
      const eq = c.indexOf('=');
      if (eq < 0) continue;
      out.push({ name: c.slice(0, eq).trim(), value: show ? c.slice(eq + 1).trim() : redacted });
    }
  }
  return out;
}

function queryString(url: string): NameValue[] {
  try {
    return [...new URL(url).searchParams].map(([name, value]) => ({ name, value }));
  } catch {
    return [];
  }
}

function mimeType(pairs: readonly HeaderPair[]): string {
  return pairs.find(([n]) => n.toLowerCase() === 'content-type')?.[1] ?? 'x-unknown';
}

function entry(input: HarEntryInput, show: boolean): HarEntry {
  const { request: rq, response: rs } = input;
  const timings = harTimings(input.timings);
  const out: HarEntry = {
    startedDateTime: new Date(input.startedDateTime).toISOString(),
    time: harTotal(timings),
    request: {
      method: rq.method,
      url: show ? rq.url : redactUrl(rq.url),
      httpVersion: rq.httpVersion,
      cookies: cookies(rq.headers, 'cookie', show),
      headers: headers(rq.headers, show),
      queryString: queryString(rq.url),
      ...(rq.postData ? { postData: { mimeType: rq.postData.mimeType, params: [], text: rq.postData.text } } : {}),
      headersSize: -1,
      bodySize: rq.bodySize,
    },
    response: {
      status: rs?.status ?? 0,
      statusText: rs?.statusText ?? '',
      httpVersion: rs?.httpVersion ?? '',
      cookies: cookies(rs?.headers ?? [], 'set-cookie', show),
      headers: headers(rs?.headers ?? [], show),
      content: { size: Math.max(rs?.bodySize ?? 0, 0), mimeType: mimeType(rs?.headers ?? []) },
      redirectURL: rs ? (show ? rs.redirectURL : redactUrl(rs.redirectURL)) : '',
      headersSize: -1,
      bodySize: rs?.bodySize ?? -1,
    },
    cache: {},
    timings,
  };
  if (input.serverIPAddress !== undefined) out.serverIPAddress = input.serverIPAddress;
  if (input.connection !== undefined) out.connection = input.connection;
  if (input.error !== undefined) out._error = input.error;
  return out;
}

/** Builds a HAR 1.2 log from hops, in the order given. */
export function buildHarLog(entries: readonly HarEntryInput[], options: HarLogOptions): HarLog {
  const show = options.showSecrets === true;
  return { log: { version: '1.2', creator: { ...options.creator }, entries: entries.map((e) => entry(e, show)) } };
}
