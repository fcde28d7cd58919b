/**
 * Groups a run's events into requests (per pid and `req`), each split into hops with its phases
 * and its connection, on one absolute time axis (epoch ms = the process's `timeOrigin` + `t`).
 * @module
 */
import { hopTimings, splitHops, type HeaderPair, type Timings, type TraceEvent } from '../collector/index.js';
import type { RunEvent, RunHookEvent, RunMarkEvent } from './run-events.js';

/** The phases drawn in the waterfall, in order. */
export const phaseNames = ['queue', 'dns', 'connect', 'tls', 'send', 'wait', 'transfer'] as const;
/** One of {@link phaseNames}. */
export type PhaseName = (typeof phaseNames)[number];

/** Durations of a hop in ms (the collector's phases; `connect` is its `tcp`); `undefined` = did not happen. */
export type RunPhases = { readonly [P in PhaseName | 'total']: number | undefined };

/** One coloured piece of a hop's bar. */
export interface PhaseSegment {
  readonly phase: PhaseName;
  /** Absolute start, epoch ms. */
  readonly start: number;
  readonly duration: number;
}

/** A connection: `(pid, localAddr, remoteAddr)` of `gotConn` (contract B). */
export interface RunConnection {
  readonly key: string;
  /** `#1`, `#2`, … in the order connections were first used in the run. */
  readonly label: string;
  readonly pid: number;
  readonly localAddr: string | null;
  readonly remoteAddr: string | null;
}

/** A request hop: one `getConn` and what follows it (a redirect or retry starts another). */
export interface RunHop {
  /** `getConn`, epoch ms. */
  readonly start: number;
  /** The next hop's `getConn` or `requestDone`, epoch ms; `undefined` if neither came. */
  readonly end: number | undefined;
  /** `gotConn`'s `reused`; `undefined` when no connection was obtained. */
  readonly reused: boolean | undefined;
  readonly connection: RunConnection | undefined;
  readonly phases: RunPhases;
  /** The phases that happened, positioned on the absolute axis. */
  readonly segments: readonly PhaseSegment[];
  /** The collector's timings of the hop (times relative to the process's `timeOrigin`). */
  readonly timings: Timings;
  readonly events: ReadonlyArray<RunHookEvent | RunMarkEvent>;
}

/** An error as the NDJSON writes it. */
export interface RunError {
  readonly name: string;
  readonly code: string | null;
  readonly message: string;
}

/** One request of a run. */
export interface RunRequest {
  /** `"pid:req"`, unique in the run. */
  readonly id: string;
  readonly pid: number;
  readonly req: number;
  /** The process's `timeOrigin` (0 when its `process` line is missing). */
  readonly timeOrigin: number;
  readonly method: string;
  readonly url: string;
  /** `node`, `undici`, `fetch`, `http2`, when the `request` mark says. */
  readonly client: string | undefined;
  /** `scheme://host:port` of the URL (or of `getConn`'s host:port), `unknown` without either. */
  readonly origin: string;
  /** The `request` mark (or the first event), epoch ms. */
  readonly start: number;
  /** `requestDone`, epoch ms; `undefined` when the request never settled in the file. */
  readonly end: number | undefined;
  readonly status: number | undefined;
  readonly statusText: string | undefined;
  readonly httpVersion: string | undefined;
  /** As written on the last hop (`wroteHeaderField`). */
  readonly requestHeaders: readonly HeaderPair[];
  readonly responseHeaders: readonly HeaderPair[];
  /** `requestDone`'s (or the `response` mark's) error. */
  readonly error: RunError | undefined;
  readonly bytesRead: number | undefined;
  readonly hops: readonly RunHop[];
  /** The first hop's `getConn` → `requestDone`, ms; `undefined` if either is missing. */
  readonly total: number | undefined;
  /** Every hook and mark of the request, in order. */
  readonly events: ReadonlyArray<RunHookEvent | RunMarkEvent>;
}

type ReqEvent = RunHookEvent | RunMarkEvent;

const isHook = (e: ReqEvent, hook: string): e is RunHookEvent => e.type === 'hook' && e.hook === hook;
const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);
const num = (v: unknown): number | undefined => (typeof v === 'number' && Number.isFinite(v) ? v : undefined);

/** Headers as `[name, value]` pairs from pairs, `{name: value | values}` or `[name, value, …]`. */
export function headerPairs(value: unknown): HeaderPair[] {
  if (Array.isArray(value)) {
    if (value.every((p) => Array.isArray(p))) return value.map((p): HeaderPair => [String(p[0]), String(p[1])]);
    const out: HeaderPair[] = [];
    for (let i = 0; i + 1 < value.length; i += 2) out.push([String(value[i]), String(value[i + 1])]);
    return out;
  }
  if (typeof value !== 'object' || value === null) return [];
  return Object.entries(value).flatMap(([name, v]) => (Array.isArray(v) ? v : [v]).map((x): HeaderPair => [name, String(x)]));
}

function runError(value: unknown): RunError | undefined {
  if (value === null || value === undefined) return undefined;
  if (typeof value !== 'object') return { name: 'Error', code: null, message: String(value) };
  const e = value as Record<string, unknown>;
  return { name: str(e['name']) ?? 'Error', code: str(e['code']) ?? null, message: str(e['message']) ?? '' };
}

function originOf(url: string, hostPort: string | undefined): string {
  try {
    const u = new URL(url);
    return `${u.protocol}//${u.hostname}:${u.port || (u.protocol === 'https:' ? '443' : '80')}`;
  } catch {
    return hostPort ?? 'unknown';
  }
}

function segments(hop: readonly ReqEvent[], t: Timings, origin: number): PhaseSegment[] {
  const at = (hook: string) => hop.find((e) => isHook(e, hook))?.t;
  const { phases, points } = t;
  const gotConn = at('gotConn');
  const starts: Record<PhaseName, number | undefined> = {
    queue: t.start,
    dns: at('dnsStart'),
    connect: at('connectStart'),
    tls: at('tlsHandshakeStart'),
    send: gotConn,
    wait: gotConn === undefined || phases.send === undefined ? undefined : gotConn + phases.send,
    transfer: points.starttransfer === undefined ? undefined : t.start + points.starttransfer,
  };
  const durations: Record<PhaseName, number | undefined> = { ...phases, connect: phases.tcp };
  return phaseNames.flatMap((phase) => {
    const start = starts[phase];
    const duration = durations[phase];
    return start === undefined || duration === undefined ? [] : [{ phase, start: origin + start, duration }];
  });
}

interface Connections {
  get(pid: number, args: Readonly<Record<string, unknown>>): RunConnection | undefined;
}

function connectionRegistry(): Connections {
  const byKey = new Map<string, RunConnection>();
  return {
    get(pid, args) {
      const localAddr = str(args['localAddr']) ?? null;
      const remoteAddr = str(args['remoteAddr']) ?? null;
      if (localAddr === null && remoteAddr === null) return undefined;
      const key = `${pid} ${localAddr ?? '?'} ${remoteAddr ?? '?'}`;
      let c = byKey.get(key);
      if (c === undefined) {
        c = { key, label: `#${byKey.size + 1}`, pid, localAddr, remoteAddr };
        byKey.set(key, c);
      }
      return c;
    },
  };
}

function hopsOf(events: readonly ReqEvent[], done: number | undefined, origin: number, pid: number, conns: Connections): RunHop[] {
  const hops = splitHops(events as unknown as TraceEvent[]) as unknown as ReqEvent[][];
  return hops.map((hop, i) => {
    const endRel = hops[i + 1]?.[0]?.t ?? done;
    const timings = hopTimings(hop as unknown as TraceEvent[], endRel);
    const got = hop.find((e) => isHook(e, 'gotConn'));
    const { tcp, ...rest } = timings.phases;
    return {
      start: origin + timings.start,
      end: endRel === undefined ? undefined : origin + endRel,
      reused: timings.reused,
      connection: got === undefined ? undefined : conns.get(pid, got.args),
      phases: { ...rest, connect: tcp },
      segments: segments(hop, timings, origin),
      timings,
      events: hop,
    };
  });
}

function toRequest(pid: number, req: number, events: ReqEvent[], timeOrigin: number, conns: Connections): RunRequest {
  const mark = (name: string) => events.find((e) => e.type === 'mark' && e.mark === name);
  const request = mark('request')?.args ?? {};
  const response = mark('response');
  const done = events.find((e) => isHook(e, 'requestDone'));
  const url = str(request['url']) ?? '';
  const hostPort = str(events.find((e) => isHook(e, 'getConn'))?.args['hostPort']);
  const hops = hopsOf(events, done?.t, timeOrigin, pid, conns);
  const last = hops[hops.length - 1]?.events ?? [];
  const status = num(response?.args['status']);
  const first = hops[0];
  return {
    id: `${pid}:${req}`,
    pid,
    req,
    timeOrigin,
    method: str(request['method']) ?? 'GET',
    url,
    client: str(request['client']),
    origin: originOf(url, hostPort),
    start: timeOrigin + (mark('request') ?? events[0]!).t,
    end: done === undefined ? undefined : timeOrigin + done.t,
    status: status === 0 ? undefined : status,
    statusText: str(response?.args['statusText']),
    httpVersion: str(response?.args['httpVersion']),
    requestHeaders: last.filter((e) => isHook(e, 'wroteHeaderField')).flatMap((e) => headerPairs({ [String(e.args['key'])]: e.args['values'] })),
    responseHeaders: headerPairs(response?.args['headers']),
    error: runError(done?.args['err']) ?? runError(response?.args['err']),
    bytesRead: num(done?.args['bytesRead']),
    hops,
    total: first === undefined || done === undefined ? undefined : timeOrigin + done.t - first.start,
    events,
  };
}

/**
 * The requests of a run, one per `(pid, req)`, ordered by start time.
 *
 * @remarks
 * - Each request is split into hops at each `getConn` (redirects fetch follows, retries); a hop's
 *   phases are the collector's (`hopTimings`), its end the next hop's `getConn` or `requestDone`.
 * - Connections are keyed `(pid, localAddr, remoteAddr)` of `gotConn`, and labelled `#1`, `#2`, …
 *   in the order first used; requests with the same label shared a connection.
 * - A request without `requestDone` (its process was killed) has `end` and `total` `undefined`.
 * - Events before the `process` line of their pid are placed with `timeOrigin` 0.
 *
 * @example
 * ```ts
 * for (const r of runRequests(parseRunLines(text))) console.log(r.method, r.url, r.total, r.hops[0]?.connection?.label);
 * ```
 */
export function runRequests(events: readonly RunEvent[]): RunRequest[] {
  const origins = new Map<number, number>();
  const byRequest = new Map<string, { pid: number; req: number; events: ReqEvent[] }>();
  for (const e of events) {
    if (e.type === 'process') {
      if (!origins.has(e.pid)) origins.set(e.pid, e.timeOrigin);
      continue;
    }
    const id = `${e.pid}:${e.req}`;
    let entry = byRequest.get(id);
    if (entry === undefined) byRequest.set(id, (entry = { pid: e.pid, req: e.req, events: [] }));
    entry.events.push(e);
  }
  const conns = connectionRegistry();
  const absFirst = (r: { pid: number; events: ReqEvent[] }) => (origins.get(r.pid) ?? 0) + Math.min(...r.events.map((e) => e.t));
  const ordered = [...byRequest.values()].sort((a, b) => absFirst(a) - absFirst(b));
  return ordered.map((r) => toRequest(r.pid, r.req, r.events, origins.get(r.pid) ?? 0, conns));
}
