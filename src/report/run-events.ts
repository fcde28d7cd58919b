/**
 * The run NDJSON (contract B) as typed events: one `process` line per process, then the hook and
 * mark lines of its requests, each with the `pid` of its process.
 * @module
 */

/** The first line of each process: who it is and its clock's origin. */
export interface RunProcessEvent {
  readonly type: 'process';
  readonly pid: number;
  readonly ppid: number;
  readonly argv: readonly string[];
  /** `performance.timeOrigin` of the process, epoch ms: event times are relative to it. */
  readonly timeOrigin: number;
}

/** A hook call of a request (`getConn`, `dnsStart`, …, `requestDone`), as the CLI's `--json` writes it. */
export interface RunHookEvent {
  readonly type: 'hook';
  readonly hook: string;
  readonly pid: number;
  /** The request's number within its process, from 1. */
  readonly req: number;
  /** ms since the process's `timeOrigin`. */
  readonly t: number;
  /** The hook's arguments by name (errors as `{name, code, message}`, secrets redacted). */
  readonly args: Readonly<Record<string, unknown>>;
}

/** A mark of a request: `request` (`{method, url, client}`), `response` (`{status, statusText, httpVersion, headers}`), … */
export interface RunMarkEvent {
  readonly type: 'mark';
  readonly mark: string;
  readonly pid: number;
  readonly req: number;
  readonly t: number;
  readonly args: Readonly<Record<string, unknown>>;
}

/** One line of a run NDJSON. */
export type RunEvent = RunProcessEvent | RunHookEvent | RunMarkEvent;

/** Options of {@link parseRunLines}. */
export interface ParseRunOptions {
  /** Called for each line that is not a run event (bad JSON, missing fields), with its 1-based number. */
  onInvalid?: (line: string, lineNumber: number) => void;
}

const isNum = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);
const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

function toEvent(value: unknown): RunEvent | undefined {
  if (!isObject(value) || !isNum(value['pid'])) return undefined;
  const pid = value['pid'];
  if (value['type'] === 'process') {
    if (!isNum(value['timeOrigin'])) return undefined;
    const argv = Array.isArray(value['argv']) ? value['argv'].map(String) : [];
    return { type: 'process', pid, ppid: isNum(value['ppid']) ? value['ppid'] : 0, argv, timeOrigin: value['timeOrigin'] };
  }
  const { req, t } = value;
  if (!isNum(req) || !isNum(t)) return undefined;
  const args = isObject(value['args']) ? value['args'] : {};
  if (value['type'] === 'hook' && typeof value['hook'] === 'string') return { type: 'hook', hook: value['hook'], pid, req, t, args };
  if (value['type'] === 'mark' && typeof value['mark'] === 'string') return { type: 'mark', mark: value['mark'], pid, req, t, args };
  return undefined;
}

/**
 * Parses the text of a run NDJSON file into its events, in file order.
 *
 * @remarks
 * Tolerant: blank lines are skipped, and so is any line that is not a run event — the truncated
 * last line of a process that was killed while writing, or a line two processes wrote into each
 * other. Such lines are reported to `options.onInvalid`, if given; nothing throws.
 *
 * @example
 * ```ts
 * const events = parseRunLines(await readFile('run.ndjson', 'utf8'));
 * const requests = runRequests(events);
 * ```
 */
export function parseRunLines(text: string, options: ParseRunOptions = {}): RunEvent[] {
  const out: RunEvent[] = [];
  const lines = String(text).split('\n');
  lines.forEach((raw, i) => {
    const line = raw.trim();
    if (line === '') return;
    let event: RunEvent | undefined;
    try {
      event = toEvent(JSON.parse(line));
    } catch {
      event = undefined;
    }
    if (event === undefined) options.onInvalid?.(raw, i + 1);
    else out.push(event);
  });
  return out;
}
