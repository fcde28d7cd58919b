/**
 * Results that add up: `--repeat N` ends with per-phase statistics and the reuse ratio, `-Z -o FILE`
 * writes whole bodies, an empty reply is exit 52 through every client.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import { once } from 'node:events';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli } from './helpers/cli-io.js';
import { startTestServer } from './helpers/test-server.js';
import type { UndiciModule } from '../src/cli/undici-client.js';

const loadUndici = async () => (await import('undici7')) as unknown as UndiciModule;

test('--repeat 4: min, median, p95 and max per phase, and the reuse ratio', async (t) => {
  const server = await startTestServer(t);
  const r = await runCli(['--repeat', '4', server.url('/ok')]);
  assert.equal(r.code, 0, r.stderr);
  const stats = r.stdout.slice(r.stdout.indexOf('statistics of 4 requests'));
  assert.match(stats, /^statistics of 4 requests\n {2}ms {18} {7}min {4}median {7}p95 {7}max {2}n\n/);
  const row = (label: string) => /^ {2}(.+?) +([\d.]+) +([\d.]+) +([\d.]+) +([\d.]+) +(\d+)$/m.exec(stats.slice(stats.indexOf(`  ${label} `)))!;
  const total = row('total').slice(2).map(Number);
  assert.ok(total[0]! <= total[1]! && total[1]! <= total[2]! && total[2]! <= total[3]!, stats);
  assert.equal(total[4], 4);
  assert.equal(Number(row('DNS lookup')[6]), 1, 'one lookup: the other three reused the connection');
  assert.match(stats, /connections reused: 3 of 4 \(75%\)\n$/);
});

test('-Z -o FILE: the bodies one after another, never interleaved', async (t) => {
  const server = await startTestServer(t);
  const dir = await mkdtemp(join(tmpdir(), 'httptrace-cli-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  const out = join(dir, 'bodies');
  const r = await runCli(['-s', '-Z', '-o', out, server.url('/big'), server.url('/ok'), server.url('/big')]);
  assert.equal(r.code, 0, r.stderr);
  const text = await readFile(out, 'latin1');
  assert.equal(text.length, 2 * (1 << 20) + 3);
  assert.match(text, /^(a{1048576}ok\na{1048576}|a{2097152}ok\n|ok\na{2097152})$/);
});

test('an empty reply is exit 52 whatever --client', async (t) => {
  const server = net.createServer((socket) => socket.once('data', () => socket.end()));
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  t.after(() => server.close());
  const url = `http://127.0.0.1:${(server.address() as net.AddressInfo).port}/`;
  for (const client of ['node', 'fetch', 'undici']) {
    const r = await runCli(['--client', client, url], '', { loadUndici });
    assert.equal(r.code, 52, `${client}: ${r.stderr}`);
  }
});
