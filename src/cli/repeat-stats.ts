/**
 * `--repeat N`: after the run, per phase the min, median, p95 and max over the requests, and how
 * many requests reused a connection. Pure: records and events in, text out.
 * @module
 */
import { nearestRank, requestTimings, type Phases, type TraceEvent } from '../collector/index.js';

const PHASES: ReadonlyArray<[keyof Phases, string]> = [
  ['queue', 'queue'], ['dns', 'DNS lookup'], ['tcp', 'TCP connect'], ['tls', 'TLS handshake'],
  ['send', 'request write'], ['wait', 'server processing'], ['transfer', 'content transfer'], ['total', 'total'],
];

/** The statistics block of a run (the last hop of each request). */
export function renderRepeatStats(requests: ReadonlyArray<readonly TraceEvent[]>): string {
  const last = requests.map((events) => requestTimings(events).at(-1)).filter((t) => t !== undefined);
  const head = `${'ms'.padEnd(20)}${['min', 'median', 'p95', 'max'].map((h) => h.padStart(10)).join('')}  n`;
  const lines = [`statistics of ${requests.length} requests`, `  ${head}`];
  for (const [key, label] of PHASES) {
    const values = last.map((t) => t.phases[key]).filter((v): v is number => v !== undefined).sort((a, b) => a - b);
    if (values.length === 0) continue;
    const cells = [values[0]!, nearestRank(values, 50), nearestRank(values, 95), values.at(-1)!].map((v) => v.toFixed(2).padStart(10));
    lines.push(`  ${label.padEnd(20)}${cells.join('')}  ${values.length}`);
  }
  const reused = last.filter((t) => t.reused === true).length;
  const ratio = last.length === 0 ? 0 : reused / last.length;
  lines.push(`  connections reused: ${reused} of ${last.length} (${(ratio * 100).toFixed(0)}%)`);
  return `${lines.join('\n')}\n`;
}
