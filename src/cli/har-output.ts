/**
 * `--har FILE`: the run as a HAR 1.2 log, one entry per hop, built with the collector's
 * `buildHarLog` from the recorded events and responses.
 * @module
 */
import { buildHarLog, requestTimings, splitHops, type HarEntryInput, type HarLog, type HeaderPair, type TraceCollector, type TraceEvent } from '../collector/index.js';
import { errorJson } from './json-output.js';
import type { RequestRecord } from './runner.js';

function hookArgs(hop: readonly TraceEvent[], hook: string): Array<Readonly<Record<string, unknown>>> {
  return hop.filter((e) => e.type === 'hook' && e.hook === hook).map((e) => e.args);
}

/** The request headers as written: one pair per value of each `wroteHeaderField`. */
function writtenHeaders(hop: readonly TraceEvent[]): HeaderPair[] {
  return hookArgs(hop, 'wroteHeaderField').flatMap((a) => (a['values'] as string[]).map((v): HeaderPair => [String(a['key']), v]));
}

function ipOf(addr: unknown): string | undefined {
  if (typeof addr !== 'string') return undefined;
  const m = /^\[?(.*?)\]?:\d*$/.exec(addr);
  return m?.[1];
}

/** HAR entries of one request. */
function entries(record: RequestRecord, events: readonly TraceEvent[], timeOrigin: number, body: Buffer | undefined): HarEntryInput[] {
  const hops = splitHops(events);
  const timings = requestTimings(events);
  const out: HarEntryInput[] = [];
  record.hops.forEach((hop, i) => {
    const t = timings[i];
    const hopEvents = hops[i];
    if (t === undefined || hopEvents === undefined) return;
    const conn = hookArgs(hopEvents, 'gotConn')[0];
    const r = hop.response;
    const failed = i === record.hops.length - 1 && record.error !== undefined;
    const location = r?.headers.find(([n]) => n.toLowerCase() === 'location')?.[1] ?? '';
    const contentType = hop.method === 'GET' ? undefined : writtenHeaders(hopEvents).find(([n]) => n.toLowerCase() === 'content-type')?.[1];
    out.push({
      startedDateTime: timeOrigin + t.start,
      timings: t,
      request: {
        method: hop.method,
        url: hop.url,
        httpVersion: 'HTTP/1.1',
        headers: writtenHeaders(hopEvents),
        bodySize: hop.bodySize,
        postData: hop.bodySize > 0 && body !== undefined ? { mimeType: contentType ?? '', text: body.toString('utf8') } : undefined,
      },
      response: r === undefined ? undefined : { ...r, bodySize: r.bodyBytes ?? -1, redirectURL: location },
      error: failed ? errorJson(record.error)?.message : undefined,
      serverIPAddress: ipOf(conn?.['remoteAddr']),
      connection: typeof conn?.['localAddr'] === 'string' ? conn['localAddr'].split(':').pop() : undefined,
    });
  });
  return out;
}

/** The HAR log of a run. */
export function harOfRun(
  records: readonly RequestRecord[],
  collector: TraceCollector,
  options: { version: string; showSecrets: boolean; body: Buffer | undefined },
): HarLog {
  const inputs = records.flatMap((r) => entries(r, collector.eventsOf(r.req), collector.timeOrigin, options.body));
  return buildHarLog(inputs, { creator: { name: 'httptrace', version: options.version }, showSecrets: options.showSecrets });
}
