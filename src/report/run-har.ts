/**
 * A run as a HAR 1.2 log: one entry per hop of each request, built with the collector's
 * `buildHarLog` (which redacts secrets again).
 * @module
 */
import { buildHarLog, type HarEntryInput, type HarLog, type HeaderPair } from '../collector/index.js';
import type { RunHop, RunRequest } from './run-requests.js';

/** Options of {@link runHar}. */
export interface RunHarOptions {
  /** The log's `creator`. Default `{ name: 'httptrace', version: '' }`. */
  creator?: { name: string; version: string };
}

function writtenHeaders(hop: RunHop): HeaderPair[] {
  return hop.events
    .filter((e) => e.type === 'hook' && e.hook === 'wroteHeaderField')
    .flatMap((e) => (Array.isArray(e.args['values']) ? e.args['values'] : []).map((v): HeaderPair => [String(e.args['key']), String(v)]));
}

function ipOf(addr: string | null | undefined): string | undefined {
  if (addr === null || addr === undefined) return undefined;
  return /^\[?(.*?)\]?:\d*$/.exec(addr)?.[1];
}

const harVersion = (v: string | undefined): string => (v === undefined ? '' : v.startsWith('HTTP/') ? v : `HTTP/${v}`);

function entries(r: RunRequest): HarEntryInput[] {
  return r.hops.map((hop, i): HarEntryInput => {
    const last = i === r.hops.length - 1;
    const hasResponse = last && r.status !== undefined;
    const location = r.responseHeaders.find(([n]) => n.toLowerCase() === 'location')?.[1] ?? '';
    return {
      startedDateTime: hop.start,
      timings: hop.timings,
      request: { method: r.method, url: r.url, httpVersion: harVersion(r.httpVersion) || 'HTTP/1.1', headers: writtenHeaders(hop), bodySize: -1 },
      response: hasResponse
        ? {
            status: r.status!,
            statusText: r.statusText ?? '',
            httpVersion: harVersion(r.httpVersion),
            headers: r.responseHeaders,
            bodySize: r.bytesRead ?? -1,
            redirectURL: location,
          }
        : undefined,
      error: last ? r.error?.message : undefined,
      serverIPAddress: ipOf(hop.connection?.remoteAddr),
      connection: hop.connection?.label,
    };
  });
}

/**
 * The HAR 1.2 log of a run's requests (from {@link runRequests}), one entry per hop, in request order.
 *
 * @remarks
 * - `startedDateTime` is the hop's `getConn` on the run's absolute axis; `timings` are the
 *   collector's `harTimings` (`-1` for a step that did not happen).
 * - `connection` is the run's connection label (`#1`, …): entries with the same label shared a connection.
 * - Only the last hop has the response (the NDJSON records one `response` per request); earlier
 *   hops (redirects followed by the client) have status 0. A failed request's last entry has `_error`.
 * - Secrets are redacted (again), as `buildHarLog` does by default.
 *
 * @example
 * ```ts
 * await writeFile('run.har', JSON.stringify(runHar(runRequests(events), { creator: { name: 'httptrace', version } })));
 * ```
 */
export function runHar(requests: readonly RunRequest[], options: RunHarOptions = {}): HarLog {
  return buildHarLog(requests.flatMap(entries), { creator: options.creator ?? { name: 'httptrace', version: '' } });
}
