/**
 * Makes one node:http(s) request the way the oracle's harness does and logs the caller's steps as
 * marks: `[request]` before, `[response]` when the response (or the error) arrives, `[body]` after
 * the body was read to the end with `for await` (or `[bodyClosed]` when it is discarded unread).
 */
import http from 'node:http';
import https from 'node:https';
import type { Agent } from 'node:http';
import { emptyContext, withClientTrace, type Context } from '../../src/index.js';
import type { Recorder } from './recorder.js';

/** Options of {@link send}. */
export interface SendOptions {
  agent: Agent;
  rec: Recorder;
  /** The request number in the log. */
  req: number;
  method?: string;
  headers?: Record<string, string | string[]>;
  body?: string;
  signal?: AbortSignal;
  ca?: string;
  /** Leave the body unread and destroy the response. */
  discardBody?: boolean;
  /** Context to use instead of a fresh one carrying the recorder's trace for `req`. */
  context?: Context;
}

/** What {@link send} observed. */
export interface Sent {
  status?: number;
  body?: string;
  error?: Error;
  res?: http.IncomingMessage;
}

/** Sends one request; never rejects (the error is in the result). */
export async function send(url: string, options: SendOptions): Promise<Sent> {
  const { rec, req: n, agent } = options;
  const method = options.method ?? 'GET';
  rec.mark('request', n, { method, url });
  const traceContext = options.context ?? withClientTrace(emptyContext, rec.trace(n));
  const client = url.startsWith('https:') ? https : http;
  const result: Sent = {};
  try {
    const res = await new Promise<http.IncomingMessage>((resolve, reject) => {
      const req = client.request(url, {
        method,
        agent,
        traceContext,
        headers: { 'User-Agent': 'httptrace-oracle', ...options.headers },
        ...(options.signal ? { signal: options.signal } : {}),
        ...(options.ca ? { ca: options.ca } : {}),
      });
      req.on('response', resolve);
      req.on('error', reject);
      req.end(options.body);
    });
    result.res = res;
    result.status = res.statusCode ?? 0;
    rec.mark('response', n, { status: result.status, err: null });
    if (options.discardBody) {
      res.destroy();
      rec.mark('bodyClosed', n);
      return result;
    }
    let body = '';
    try {
      for await (const chunk of res) body += String(chunk);
      result.body = body;
      rec.mark('body', n, { bytes: Buffer.byteLength(body), err: null });
    } catch (err) {
      result.error = err as Error;
      rec.mark('body', n, { bytes: Buffer.byteLength(body), err: 'error' });
    }
  } catch (err) {
    result.error = err as Error;
    rec.mark('response', n, { status: null, err: errorMark(err) });
  }
  return result;
}

import { errorClass } from './recorder.js';
function errorMark(err: unknown): string | null {
  return errorClass(err);
}
