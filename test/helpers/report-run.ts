// A known run for the report tests, recorded for real: an HTTP and an HTTPS test server, then two
// child processes (test/helpers/report-run-child.ts) — one on the node agents, one on fetch — whose
// NDJSON outputs are concatenated, as `httptrace run` gathers its processes' lines.
//
// What it holds (the tests derive their expectations from this):
// - node process: GET http /ok (new conn, Authorization sent), GET http /ok (reused), at once
//   GET /slow-headers?ms=25 and /ok?second=1 (one reuses the idle connection, one dials), GET https
//   /ok (new, TLS), GET on a closed port (ECONNREFUSED).
// - fetch process: GET http /ok twice (new, then reused).
import { closedPort } from './ports.js';
import { helperScript, runChild } from './child.js';
import { startTestServer, type AfterHook } from './test-server.js';

/** The recorded run. */
export interface RecordedRun {
  /** The NDJSON text of both processes. */
  text: string;
  /** `http://localhost:PORT` and the HTTPS one; the refused `http://127.0.0.1:PORT`. */
  http: string;
  https: string;
  refused: string;
}

/** Records the run described above; the servers are closed by `t.after`. */
export async function recordRun(t: AfterHook): Promise<RecordedRun> {
  const http = await startTestServer(t);
  const https = await startTestServer(t, { tls: true });
  const run = { http: http.origin, https: https.origin, refused: `http://127.0.0.1:${await closedPort()}` };
  let text = '';
  for (const client of ['node', 'fetch']) {
    const child = await runChild(helperScript('report-run-child.js'), { client, ...run }, { deadlineMs: 30_000 });
    if (child.code !== 0) throw new Error(`report-run-child (${client}) exited ${child.code}: ${child.stderr}`);
    text += child.stdout;
  }
  return { text, ...run };
}
