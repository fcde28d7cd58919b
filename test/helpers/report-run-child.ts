// A child process of a recorded run (test/helpers/report-run.ts): makes real requests through one
// of the project's clients with the collector, and prints them to stdout as a run NDJSON
// (contract B: a `process` line, events with `pid`, the `request`/`response` marks and a final
// `requestDone` per request). Argument: JSON {client: 'node'|'fetch', http, https, refused}.
import { performance } from 'node:perf_hooks';
import { setImmediate as nextTurn } from 'node:timers/promises';
import { emptyContext, withClientTrace } from '../../src/context.js';
import { redactHeaderValue, TraceCollector } from '../../src/collector/index.js';
import { createClient } from '../../src/cli/client.js';
import { errorJson, eventJson } from '../../src/cli/json-output.js';
import { ca } from './tls-fixture.js';

interface Plan {
  client: 'node' | 'fetch';
  http: string;
  https: string;
  refused: string;
}

const plan = JSON.parse(process.argv[2] ?? '{}') as Plan;
const collector = new TraceCollector();
const client = await createClient(plan.client, { keepAlive: true, insecure: false, ca, lookupFor: () => undefined, proxy: undefined });
const done = new Set<number>();
let next = 0;

async function get(url: string, headers: Array<[string, string]> = []): Promise<void> {
  const req = ++next;
  const traceContext = withClientTrace(emptyContext, collector.trace(req));
  collector.mark('request', req, { method: 'GET', url, client: plan.client });
  let bytesRead = 0;
  let err: unknown = null;
  try {
    const res = await client.request({ method: 'GET', url: new URL(url), headers, body: undefined, signal: undefined, traceContext });
    const redacted = res.headers.map(([n, v]) => [n, redactHeaderValue(n, v)]);
    collector.mark('response', req, { status: res.status, statusText: res.statusText, httpVersion: res.httpVersion, headers: redacted });
    for await (const chunk of res.body) bytesRead += chunk.byteLength;
  } catch (e) {
    err = e;
  }
  // The run's requestDone line (contract B) is written from this mark, whether or not the adapters
  // fire requestDone themselves (contract A): the body was read here, and this knows its size.
  collector.mark('end', req, { err, bytesRead });
  done.add(req);
  await nextTurn(); // undici gives the connection back to its pool one turn after the body ends
}

await get(`${plan.http}/ok`, [['Authorization', 'Basic dXNlcjpzZWNyZXQ=']]);
await get(`${plan.http}/ok`);
if (plan.client === 'node') {
  await Promise.all([get(`${plan.http}/slow-headers?ms=25`), get(`${plan.http}/ok?second=1`)]);
  await get(`${plan.https}/ok`);
  await get(`${plan.refused}/`);
}
client.close();

const lines = [JSON.stringify({ type: 'process', pid: process.pid, ppid: process.ppid, argv: process.argv, timeOrigin: performance.timeOrigin })];
for (const e of collector.events) {
  if (e.type === 'hook' && (e.hook as string) === 'requestDone') continue;
  const t = collector.origin + e.t;
  if (e.type === 'mark' && e.mark === 'end') {
    const line = { type: 'hook', hook: 'requestDone', req: e.req, t, args: { err: errorJson(e.args['err']), bytesRead: e.args['bytesRead'] } };
    lines.push(JSON.stringify({ ...line, pid: process.pid }));
  } else lines.push(JSON.stringify({ ...eventJson(e, false), t, pid: process.pid }));
}
process.stdout.write(lines.join('\n') + '\n');
