/**
 * Instructions per request with callgrind: the client process runs under
 * `valgrind --tool=callgrind` once with B requests and once with B + K (B warms the JIT), against
 * the server in another process; (total(B + K) − total(B)) / K is the cost of one warm request,
 * start-up and warm-up cancelled out. Counts every thread of the client (JIT, GC included).
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { here } from './processes.mjs';

function totalInstructions(config, url, requests) {
  const dir = mkdtempSync(join(tmpdir(), 'httptrace-cg-'));
  const out = join(dir, 'callgrind.out');
  const args = [
    '--tool=callgrind',
    '--smc-check=all-non-file',
    `--callgrind-out-file=${out}`,
    process.execPath,
    here('client.mjs'),
    config,
    url,
    String(requests),
    '0',
    '16',
  ];
  return new Promise((resolve, reject) => {
    const child = spawn('valgrind', args, { stdio: ['ignore', 'ignore', 'pipe'] });
    let err = '';
    child.stderr.on('data', (d) => (err += d));
    child.on('error', reject);
    child.on('close', (code) => {
      try {
        if (code !== 0) throw new Error(`valgrind ${config} ${requests} exited with ${code}\n${err.slice(-2000)}`);
        const totals = /^(?:summary|totals):\s*(\d+)/m.exec(readFileSync(out, 'utf8'));
        if (!totals) throw new Error(`no totals in ${out}`);
        resolve(Number(totals[1]));
      } catch (e) {
        reject(e);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    });
  });
}

/** Instructions per warm request of `config`; the two valgrind runs go side by side. */
export async function instructionsPerRequest(config, url, base, extra) {
  const [short, long] = await Promise.all([totalInstructions(config, url, base), totalInstructions(config, url, base + extra)]);
  return { config, base, extra, short, long, perRequest: (long - short) / extra };
}
