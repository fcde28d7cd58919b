/**
 * Runs the requests of a command line on one client: in order (or at once with `-Z`), `--repeat`
 * times with `--wait` between rounds, following redirects with `-L`. Each request gets its own
 * trace from the collector and the marks `request`, `redirect`, `response`, `body`, `sleep`, `end`.
 * Nothing is printed here: the caller renders the records.
 * @module
 */
import { Readable } from 'node:stream';
import zlib from 'node:zlib';
import { setImmediate as nextTurn, setTimeout as sleep } from 'node:timers/promises';
import { emptyContext, withClientTrace } from '../context.js';
import type { TraceCollector } from '../collector/index.js';
import { CliError } from './cli-error.js';
import type { Client, ClientResponse } from './client.js';
import type { RequestInput } from './request-input.js';

/** One hop of a request (one per redirect followed). */
export interface HopRecord {
  method: string;
  url: string;
  /** Bytes of request body sent. */
  bodySize: number;
  response?: {
    status: number;
    statusText: string;
    httpVersion: string;
    headers: Array<[string, string]>;
    /** Body bytes read, when read to the end. */
    bodyBytes?: number;
  };
}

/** One request of the run and how it ended. */
export interface RequestRecord {
  req: number;
  hops: HopRecord[];
  /** Why the request failed, if it did. */
  error: Error | undefined;
  /** `-m` ran out. */
  timedOut: boolean;
}

/** How to run. */
export interface RunPlan {
  urls: URL[];
  input: RequestInput;
  repeat: number;
  wait: number;
  parallel: boolean;
  location: boolean;
  maxRedirs: number;
  maxTime: number | undefined;
  /** Where bodies go (`-o`), or nowhere. */
  output: BodyOutput | undefined;
  /** `-f`: no body is written for a status >= 400 (unless `failWithBody`). */
  fail: boolean;
  failWithBody: boolean;
  /** `--compressed`: decode gzip, deflate and br bodies (`fetch` always does). */
  decode: boolean;
  /** Called with each hop's response (for `-i`, `-D`). */
  onHeaders?: (response: NonNullable<HopRecord['response']>) => void;
  /** Called when a request is done, in request order when sequential. */
  onDone?: (record: RequestRecord) => void;
}

/** Where a body goes: a file (`FileHandle`) or stdout. */
export interface BodyOutput {
  write(chunk: Uint8Array): Promise<unknown>;
}

const redirects = new Set([301, 302, 303, 307, 308]);
const originBound = new Set(['authorization', 'cookie', 'proxy-authorization']);

const decoders: Readonly<Record<string, () => NodeJS.ReadWriteStream>> = {
  gzip: () => zlib.createGunzip(),
  'x-gzip': () => zlib.createGunzip(),
  deflate: () => zlib.createInflate(),
  br: () => zlib.createBrotliDecompress(),
};

/** The body, decoded when `decode` and the encoding is one curl's `--compressed` asks for. */
function bodyOf(res: ClientResponse, decode: boolean): AsyncIterable<Uint8Array> {
  const encoding = res.headers.find(([n]) => n.toLowerCase() === 'content-encoding')?.[1]?.trim().toLowerCase();
  const decoder = decode && encoding !== undefined ? decoders[encoding] : undefined;
  return decoder === undefined ? res.body : (Readable.from(res.body).pipe(decoder()) as AsyncIterable<Uint8Array>);
}

async function write(output: BodyOutput, chunk: Uint8Array): Promise<void> {
  try {
    await output.write(chunk);
  } catch (err) {
    throw new CliError('ERR_HTTPTRACE_CLI_WRITE', `(23) Failure writing output to destination: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`, 23, { cause: err });
  }
}

/**
 * Reads the body to the end (into `output`, if any), counting its bytes in `read` as they come.
 * With `whole` (`-Z`), the body is written in one piece at the end, so that bodies never interleave.
 */
async function readBody(body: AsyncIterable<Uint8Array>, output: BodyOutput | undefined, read = { bytes: 0 }, whole = false): Promise<number> {
  const chunks: Uint8Array[] = [];
  for await (const chunk of body) {
    read.bytes += chunk.byteLength;
    if (output === undefined) continue;
    if (whole) chunks.push(chunk);
    else await write(output, chunk);
  }
  if (output !== undefined && chunks.length > 0) await write(output, Buffer.concat(chunks));
  return read.bytes;
}

async function runOne(client: Client, collector: TraceCollector, plan: RunPlan, req: number, url: URL): Promise<RequestRecord> {
  const record: RequestRecord = { req, hops: [], error: undefined, timedOut: false };
  const signal = plan.maxTime === undefined ? undefined : AbortSignal.timeout(plan.maxTime);
  const traceContext = withClientTrace(emptyContext, collector.trace(req));
  let { method, headers, body } = plan.input;
  let current = url;
  collector.mark('request', req, { method, url: url.href });
  for (let hop = 0; ; hop++) {
    const hopRecord: HopRecord = { method, url: current.href, bodySize: body?.length ?? 0 };
    record.hops.push(hopRecord);
    let res: ClientResponse;
    try {
      res = await client.request({ method, url: current, headers, body, signal, traceContext });
    } catch (err) {
      record.error = err as Error;
      record.timedOut = signal?.aborted === true;
      collector.mark('response', req, { status: null, err });
      return record;
    }
    hopRecord.response = { status: res.status, statusText: res.statusText, httpVersion: res.httpVersion, headers: res.headers };
    plan.onHeaders?.(hopRecord.response);
    const location = res.headers.find(([n]) => n.toLowerCase() === 'location')?.[1];
    const follow = plan.location && redirects.has(res.status) && location !== undefined;
    if (follow && hop >= plan.maxRedirs) {
      record.error = new CliError('ERR_HTTPTRACE_CLI_TOO_MANY_REDIRECTS', `more than ${plan.maxRedirs} redirects`, 47);
      collector.mark('response', req, { status: res.status, err: record.error });
    } else if (follow) {
      const next = new URL(location, current);
      collector.mark('redirect', req, { url: next.href, hop: hop + 1 });
      try {
        hopRecord.response.bodyBytes = await readBody(bodyOf(res, plan.decode), undefined);
      } catch (err) {
        record.error = err as Error;
        record.timedOut = signal?.aborted === true;
        collector.mark('response', req, { status: res.status, err });
        return record;
      }
      if (res.status === 303 ? method !== 'HEAD' : (res.status === 301 || res.status === 302) && method === 'POST') {
        method = 'GET';
        body = undefined;
      }
      if (next.origin !== current.origin) headers = headers.filter(([n]) => !originBound.has(n.toLowerCase()));
      current = next;
      await nextTurn(); // undici gives the connection back to its pool one turn after the body ends
      continue;
    } else {
      collector.mark('response', req, { status: res.status, err: null });
    }
    const read = { bytes: 0 };
    try {
      const output = plan.fail && !plan.failWithBody && res.status >= 400 ? undefined : plan.output;
      hopRecord.response.bodyBytes = await readBody(bodyOf(res, plan.decode), output, read, plan.parallel);
      collector.mark('body', req, { bytes: read.bytes, err: null });
    } catch (err) {
      record.error ??= err as Error;
      record.timedOut = signal?.aborted === true;
      collector.mark('body', req, { bytes: read.bytes, err });
    }
    return record;
  }
}

/** Runs the plan; resolves with every request's record, in request order, after the `end` mark. */
export async function runRequests(client: Client, collector: TraceCollector, plan: RunPlan): Promise<RequestRecord[]> {
  const jobs: Array<{ req: number; url: URL; round: number }> = [];
  for (let round = 0; round < plan.repeat; round++) {
    for (const url of plan.urls) jobs.push({ req: jobs.length + 1, url, round });
  }
  let records: RequestRecord[];
  if (plan.parallel) {
    records = await Promise.all(jobs.map((j) => runOne(client, collector, plan, j.req, j.url)));
    for (const r of records) plan.onDone?.(r);
  } else {
    records = [];
    for (const job of jobs) {
      if (job.round > 0 && plan.wait > 0 && job.url === plan.urls[0]) {
        collector.mark('sleep', job.req, { ms: plan.wait });
        await sleep(plan.wait);
      }
      if (job.req > 1) await nextTurn(); // as between the requests of a program: undici pools the connection
      const record = await runOne(client, collector, plan, job.req, job.url);
      records.push(record);
      plan.onDone?.(record);
    }
  }
  // Late hooks (putIdleConn after the last body) fire before `end`.
  await nextTurn();
  collector.mark('end', 0);
  return records;
}
