/**
 * The per-origin summary of a run (requests, connections, reuse, errors, percentiles of the
 * phases) and its text form for stderr.
 * @module
 */
import { nearestRank } from '../collector/index.js';
import type { RunRequest } from './run-requests.js';

/** Figures of one measured quantity, in ms; `count` = how many requests or hops measured it. */
export interface Stats {
  readonly count: number;
  /** Nearest-rank percentiles. */
  readonly p50: number;
  readonly p95: number;
  readonly max: number;
}

/** The quantities summarized (per hop for dns/connect/tls/wait, per request for total). */
export const statNames = ['dns', 'connect', 'tls', 'wait', 'total'] as const;
/** One of {@link statNames}. */
export type StatName = (typeof statNames)[number];

/** The summary of one origin (or of the whole run). */
export interface OriginSummary {
  /** `scheme://host:port`, or `"all"` for the run's total row. */
  readonly origin: string;
  readonly requests: number;
  /** Connections dialed: `gotConn` with `reused: false`. */
  readonly connectionsOpened: number;
  /** `gotConn` with `reused: true`. */
  readonly connectionsReused: number;
  /** `connectionsReused / (connectionsOpened + connectionsReused)`; `undefined` without any `gotConn`. */
  readonly reuseRatio: number | undefined;
  /** Requests that ended with an error. */
  readonly errors: number;
  /** `undefined` when nothing measured that quantity (no lookup, no TLS, …). */
  readonly stats: { readonly [S in StatName]: Stats | undefined };
}

/** What {@link summarizeRun} returns. */
export interface RunSummary {
  /** One per origin, by first request. */
  readonly origins: readonly OriginSummary[];
  /** The whole run. */
  readonly all: OriginSummary;
  /** Distinct pids. */
  readonly processes: number;
}

/** Nearest-rank percentiles and max of `values`; `undefined` when empty. */
export function stats(values: readonly number[]): Stats | undefined {
  if (values.length === 0) return undefined;
  const sorted = [...values].sort((a, b) => a - b);
  return { count: sorted.length, p50: nearestRank(sorted, 50), p95: nearestRank(sorted, 95), max: sorted[sorted.length - 1]! };
}

const defined = (values: ReadonlyArray<number | undefined>): number[] => values.filter((v): v is number => v !== undefined);

function summarize(origin: string, requests: readonly RunRequest[]): OriginSummary {
  const hops = requests.flatMap((r) => r.hops);
  const opened = hops.filter((h) => h.reused === false).length;
  const reused = hops.filter((h) => h.reused === true).length;
  const perHop = (name: 'dns' | 'connect' | 'tls' | 'wait') => stats(defined(hops.map((h) => h.phases[name])));
  return {
    origin,
    requests: requests.length,
    connectionsOpened: opened,
    connectionsReused: reused,
    reuseRatio: opened + reused === 0 ? undefined : reused / (opened + reused),
    errors: requests.filter((r) => r.error !== undefined).length,
    stats: { dns: perHop('dns'), connect: perHop('connect'), tls: perHop('tls'), wait: perHop('wait'), total: stats(defined(requests.map((r) => r.total))) },
  };
}

/**
 * Summarizes the requests of a run (from {@link runRequests}) per origin.
 *
 * @remarks
 * - `dns`, `connect`, `tls`, `wait` are taken over the hops where they happened (a reused
 *   connection has no dns/connect/tls); `total` over the requests that settled (`getConn` of the
 *   first hop → `requestDone`).
 * - Percentiles are nearest-rank: p50 of `[1, 2, 3, 4]` is 2.
 *
 * @example
 * ```ts
 * const summary = summarizeRun(runRequests(parseRunLines(text)));
 * process.stderr.write(formatSummary(summary));
 * ```
 */
export function summarizeRun(requests: readonly RunRequest[]): RunSummary {
  const byOrigin = new Map<string, RunRequest[]>();
  for (const r of requests) {
    const list = byOrigin.get(r.origin);
    if (list === undefined) byOrigin.set(r.origin, [r]);
    else list.push(r);
  }
  return {
    origins: [...byOrigin].map(([origin, list]) => summarize(origin, list)),
    all: summarize('all', requests),
    processes: new Set(requests.map((r) => r.pid)).size,
  };
}

/** `1.23`, `12.3`, `123` ms figures, `-` when not measured. */
export function formatMs(ms: number | undefined): string {
  if (ms === undefined) return '-';
  return ms < 10 ? ms.toFixed(2) : ms < 100 ? ms.toFixed(1) : ms.toFixed(0);
}

/** `"75%"`, `-` when undefined. */
export function formatRatio(ratio: number | undefined): string {
  return ratio === undefined ? '-' : `${Math.round(ratio * 100)}%`;
}

const statCell = (s: Stats | undefined): string => (s === undefined ? '-' : `${formatMs(s.p50)}/${formatMs(s.p95)}/${formatMs(s.max)}`);

/**
 * The summary as a plain-text table for stderr (no colours, ends with a newline): a headline, then
 * one line per origin with requests, connections opened, reuse ratio, errors and p50/p95/max (ms)
 * of dns, connect, tls, wait and total.
 */
export function formatSummary(summary: RunSummary): string {
  const { all } = summary;
  const plural = (n: number, one: string, many: string) => `${n} ${n === 1 ? one : many}`;
  const head = `httptrace: ${plural(all.requests, 'request', 'requests')} from ${plural(summary.processes, 'process', 'processes')}`;
  const header = ['origin', 'reqs', 'conns', 'reuse', 'errors', ...statNames.map((s) => `${s} p50/p95/max ms`)];
  const rows = summary.origins.map((o) => [o.origin, String(o.requests), String(o.connectionsOpened), formatRatio(o.reuseRatio), String(o.errors), ...statNames.map((s) => statCell(o.stats[s]))]);
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: readonly string[]) => cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ').trimEnd();
  const errors = all.errors === 0 ? '' : `, ${plural(all.errors, 'error', 'errors')}`;
  return [`${head}${errors}`, line(header), ...rows.map(line)].join('\n') + '\n';
}

