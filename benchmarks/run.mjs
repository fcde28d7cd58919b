/**
 * The benchmark runner (`npm run bench` at the repo root):
 *   node benchmarks/run.mjs [--quick] [--rounds R] [--requests N] [--only REGEX] [--out FILE]
 *                           [--no-memory] [--no-callgrind]
 * Starts the server in its own process, runs every client configuration in its own process for
 * R interleaved rounds, prints the medians and ratios as markdown; in full mode also the memory
 * check and the callgrind instructions per request. --quick: fewer, shorter rounds, no memory, no
 * callgrind (under a minute). --out writes the markdown report to FILE as well.
 */
import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import os from 'node:os';
import { parseArgs } from 'node:util';
import { instructionsPerRequest } from './lib/callgrind.mjs';
import { checkGoals } from './lib/goals.mjs';
import { here, runJson, startServer } from './lib/processes.mjs';
import { fmt, fmtInt, table } from './lib/stats.mjs';
import { throughput } from './lib/throughput.mjs';
import { hasCollector } from './clients/configs.mjs';

const { values: args } = parseArgs({
  options: {
    quick: { type: 'boolean', default: false },
    rounds: { type: 'string' },
    requests: { type: 'string' },
    warmup: { type: 'string' },
    only: { type: 'string' },
    out: { type: 'string' },
    'no-memory': { type: 'boolean', default: false },
    'no-callgrind': { type: 'boolean', default: false },
    'memory-requests': { type: 'string', default: '100000' },
    'callgrind-base': { type: 'string', default: '2000' },
    'callgrind-extra': { type: 'string', default: '3000' },
  },
});
const quick = args.quick;
const rounds = Number(args.rounds ?? (quick ? 3 : 7));
const requests = Number(args.requests ?? (quick ? 2000 : 20000));
const warmup = Number(args.warmup ?? (quick ? 500 : 3000));
const only = args.only ? new RegExp(args.only) : undefined;
const log = (line) => console.error(`# ${line}`);
const report = [];
/** A read-only git query about the library's state, or '?' outside a git checkout. */
function git(...gitArgs) {
  try {
    return execFileSync('git', gitArgs, { cwd: here('..'), encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
  } catch {
    return '?';
  }
}
const print = (text = '') => {
  console.log(text);
  report.push(text);
};

const server = await startServer();
try {
  const cpu = os.cpus()[0]?.model ?? 'unknown';
  print(`## Run of ${new Date().toISOString()}`);
  print();
  print(`Machine: ${os.cpus().length} CPUs (${cpu}), Node ${process.version}, ${os.platform()} ${os.release()}.`);
  print(`Mode: ${quick ? 'quick' : 'full'}; ${rounds} interleaved rounds of ${fmtInt(requests)} requests after ${fmtInt(warmup)} warm-up, concurrency 16, keep-alive.`);
  print(`Library: dist/ built from commit ${git('rev-parse', '--short', 'HEAD')}${git('status', '--porcelain', '--', 'src') ? ' plus uncommitted changes in src/' : ''}.`);
  if (!hasCollector) print('The timing collector row is left out: dist/collector does not exist.');
  print();
  const rows = await throughput({ url: server.url, rounds, requests, warmup, only, log });
  print('### Throughput (medians of the rounds; ratio = median of per-round ratios to the family baseline)');
  print();
  print(
    table(
      ['family', 'configuration', 'median req/s', 'ratio to baseline', 'ratio min–max', 'client CPU µs/req', 'extra CPU µs/req'],
      rows.map((r) => [r.family, r.label, fmtInt(r.reqPerSec), fmt(r.ratio, 3), `${fmt(r.ratioMin)}–${fmt(r.ratioMax)}`, fmt(r.cpuUsPerReq, 1), fmt(r.cpuExtraUs, 1)]),
    ),
  );
  print();
  print('Per-round req/s:');
  print();
  for (const r of rows) print(`- ${r.name}: ${r.reqPerSecAll.map(fmtInt).join(' / ')}`);
  print();
  print('### Goals (throughput ratios of this run)');
  print();
  print(table(['goal', 'value', 'met'], checkGoals(rows).map((g) => [g.goal, typeof g.value === 'number' ? fmt(g.value, 3) : g.value, g.met ? 'yes' : 'no'])));
  print();

  if (!quick && !args['no-memory']) {
    print(`### Memory (${fmtInt(Number(args['memory-requests']))} traced requests, 16 counting hooks, heap after GC)`);
    print();
    const mem = [];
    for (const adapter of ['node', 'undici']) {
      log(`memory ${adapter}`);
      mem.push(await runJson(process.execPath, ['--expose-gc', here('memory.mjs'), adapter, server.url, args['memory-requests']]));
    }
    print(
      table(
        ['adapter', 'heap at 10 %', 'heap at end', 'growth', '< 1 MB', 'extra listeners on sockets', 'other leftovers', 'warnings', 'gotConn fired'],
        mem.map((m) => [
          m.adapter === 'node' ? '`TracingAgent`' : 'tracing dispatcher (undici 7)',
          `${fmt(m.heapEarly / 1e6)} MB`,
          `${fmt(m.heapEnd / 1e6)} MB`,
          `${fmtInt(m.heapGrowth / 1e3)} kB`,
          m.heapGrowth < 1e6 ? 'yes' : 'no',
          JSON.stringify(m.extraOnSockets),
          m.adapter === 'node'
            ? `agent vs plain agent: ${JSON.stringify(m.extraOnAgentVsPlainAgent)}, growth since 10 %: ${JSON.stringify(m.agentGrowthSinceEarly)}`
            : `channels still subscribed: ${JSON.stringify(m.channelsStillSubscribed)}`,
          m.warnings.length ? m.warnings.join('; ') : 'none',
          fmtInt(m.hooks.gotConn),
        ]),
      ),
    );
    print();
  }

  if (!quick && !args['no-callgrind']) {
    const base = Number(args['callgrind-base']);
    const extra = Number(args['callgrind-extra']);
    const names = [
      'http-agent', 'tracing-agent-no-trace', 'tracing-agent-no-trace-no-retry', 'tracing-agent-16-hooks', 'http-timer', 'otel-http',
      'undici-request', 'undici-compose-identity', 'undici-dispatcher-no-trace', 'undici-dispatcher-16-hooks',
    ];
    if (hasCollector) names.splice(4, 0, 'tracing-agent-collector');
    print(`### Instructions per request (callgrind, client process, B = ${fmtInt(base)}, K = ${fmtInt(extra)})`);
    print();
    const cg = [];
    for (const name of names.filter((n) => !only || only.test(n))) {
      log(`callgrind ${name}`);
      cg.push(await instructionsPerRequest(name, server.url, base, extra));
    }
    const baseOf = (name) => cg.find((c) => c.config === (name.startsWith('undici') ? 'undici-request' : 'http-agent'))?.perRequest;
    print(
      table(
        ['configuration', 'instructions (B)', 'instructions (B+K)', 'per request', 'vs baseline'],
        cg.map((c) => [c.config, fmtInt(c.short), fmtInt(c.long), fmtInt(c.perRequest), baseOf(c.config) ? `${fmt(c.perRequest / baseOf(c.config), 3)}×` : '—']),
      ),
    );
    print();
  }
} finally {
  server.stop();
}
if (args.out) writeFileSync(args.out, `${report.join('\n')}\n`);
