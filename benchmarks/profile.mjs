/**
 * Profiles one client configuration with `node --cpu-prof` against the benchmark server and prints
 * the functions with the most self time:
 *   node benchmarks/profile.mjs <config> [requests] [--keep DIR]
 */
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { runClient, startServer } from './lib/processes.mjs';
import { selfTimeByOrigin, topSelfTime } from './lib/profile-top.mjs';

const { values, positionals } = parseArgs({ allowPositionals: true, options: { keep: { type: 'string' }, top: { type: 'string', default: '25' } } });
const [config, requests = '20000'] = positionals;
if (!config) throw new Error('usage: node benchmarks/profile.mjs <config> [requests] [--keep DIR]');
const dir = values.keep ?? mkdtempSync(join(tmpdir(), 'httptrace-prof-'));
const server = await startServer();
try {
  const result = await runClient(config, server.url, Number(requests), 3000, 16, ['--cpu-prof', `--cpu-prof-dir=${dir}`]);
  console.log(`${config}: ${Math.round(result.reqPerSec)} req/s, ${result.cpuUsPerReq.toFixed(1)} µs CPU/req (profiled)`);
  const file = readdirSync(dir).find((f) => f.endsWith('.cpuprofile'));
  console.log('| self ms | share | function |\n| --- | --- | --- |');
  for (const row of topSelfTime(join(dir, file), Number(values.top))) {
    console.log(`| ${row.selfMs.toFixed(1)} | ${(row.share * 100).toFixed(1)} % | \`${row.fn}\` |`);
  }
  const groups = selfTimeByOrigin(join(dir, file));
  console.log(`\nself ms by origin: ${Object.entries(groups).map(([k, v]) => `${k} ${v.toFixed(0)}`).join(', ')}`);
} finally {
  server.stop();
  if (!values.keep) rmSync(dir, { recursive: true, force: true });
}
