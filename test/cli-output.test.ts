/**
 * Where the output goes, as curl: a closed pipe and a full disk end with exit 23 and no stack trace,
 * `-o -` puts the body on stdout and the report on stderr, `-s -w '%{json}'` prints curl's fields only,
 * `-f` says why on stderr, `-i`/`-I`/`-D` write the header block.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { closeSync, openSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli } from './helpers/cli-io.js';
import { runBin } from './helpers/cli-bin.js';
import { startTestServer } from './helpers/test-server.js';

test('| head: a closed pipe ends quietly with exit 23, no stack trace', async (t) => {
  const server = await startTestServer(t);
  const r = await runBin(['-o', '-', server.url('/big')], { closeAfterFirstChunk: true });
  assert.equal(r.code, 23, r.stderr);
  assert.doesNotMatch(r.stderr, /EPIPE|✗|\n\s+at /);
});

test('> /dev/full: one line on stderr, exit 23', async (t) => {
  const server = await startTestServer(t);
  const full = openSync('/dev/full', 'w');
  t.after(() => closeSync(full));
  const r = await runBin([server.url('/ok')], { stdout: full });
  assert.equal(r.code, 23);
  assert.equal(r.stderr, 'httptrace: (23) Failure writing output to destination: ENOSPC\n');
});

test('-o -: the body on stdout, the report on stderr; --har - and --trace-json - likewise', async (t) => {
  const server = await startTestServer(t);
  const r = await runCli(['-o', '-', server.url('/ok')]);
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stdout, 'ok\n');
  assert.match(r.stderr, /^GET http:\/\/localhost:\d+\/ok\n[\s\S]*content transfer/);
  const har = await runCli(['--har', '-', server.url('/ok')]);
  assert.equal((JSON.parse(har.stdout) as { log: { entries: unknown[] } }).log.entries.length, 1);
  assert.match(har.stderr, /HTTP\/1\.1 200 OK/);
  const silent = await runCli(['-s', '-o', '-', server.url('/ok')]);
  assert.deepEqual([silent.stdout, silent.stderr], ['ok\n', '']);
});

test("-s -w '%{json}': curl's field names and only the write-out on stdout", async (t) => {
  const server = await startTestServer(t);
  const r = await runCli(['-s', '-w', '%{json}', server.url('/ok')]);
  assert.equal(r.code, 0);
  assert.equal(r.stderr, '');
  const j = JSON.parse(r.stdout) as Record<string, number | string>;
  assert.equal(j['http_code'], 200);
  assert.equal(j['remote_ip'], '127.0.0.1');
  assert.equal(j['remote_port'], server.port);
  assert.equal(j['num_connects'], 1);
  assert.equal(j['size_download'], 3);
  assert.equal(j['url_effective'], server.url('/ok'));
  const sized = await runCli(['-s', '-D', '-', '-w', '%{size_header}', server.url('/ok')]);
  const [block = '', size = ''] = sized.stdout.split(/(?<=\r\n\r\n)/);
  assert.equal(Number(size), Buffer.byteLength(block), 'size_header is the header block');
  const times = ['time_namelookup', 'time_connect', 'time_pretransfer', 'time_starttransfer', 'time_total'].map((k) => j[k] as number);
  assert.ok(times.every((v, i) => v > 0 && (i === 0 || v >= times[i - 1]!)), `cumulative: ${times.join(' ')}`);
  assert.equal(j['time_appconnect'], 0, 'no TLS');
  const text = await runCli(['-s', '-w', '%{http_code} %{method}\\n%{size_download}%%', server.url('/missing')]);
  assert.equal(text.stdout, '404 GET\n10%');
});

test('-f: curl\'s "(22) The requested URL returned error" on stderr, no body; --fail-with-body keeps it', async (t) => {
  const server = await startTestServer(t);
  const r = await runCli(['-f', '-o', '-', server.url('/missing')]);
  assert.equal(r.code, 22);
  assert.equal(r.stdout, '');
  assert.match(r.stderr, /\nhttptrace: \(22\) The requested URL returned error: 404\n$/);
  const quiet = await runCli(['-sf', server.url('/missing')]);
  assert.deepEqual([quiet.code, quiet.stdout, quiet.stderr], [22, '', '']);
  const shown = await runCli(['-sSf', server.url('/missing')]);
  assert.equal(shown.stderr, 'httptrace: (22) The requested URL returned error: 404\n');
  const body = await runCli(['-s', '--fail-with-body', '-o', '-', server.url('/missing')]);
  assert.deepEqual([body.code, body.stdout], [22, 'not found\n']);
});

test('-i, -I and -D FILE: the header block', async (t) => {
  const server = await startTestServer(t);
  const i = await runCli(['-s', '-i', server.url('/ok')]);
  assert.match(i.stdout, /^HTTP\/1\.1 200 OK\r\nContent-Type: text\/plain\r\nContent-Length: 3\r\n(.*\r\n)*\r\nok\n$/);
  const head = await runCli(['-s', '-I', server.url('/ok')]);
  assert.match(head.stdout, /^HTTP\/1\.1 200 OK\r\n[\s\S]*\r\n\r\n$/);
  assert.equal(server.requests.at(-1)?.method, 'HEAD');
  const dir = await mkdtemp(join(tmpdir(), 'httptrace-cli-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  const dumped = join(dir, 'headers.txt');
  const d = await runCli(['-s', '-D', dumped, server.url('/ok')]);
  assert.deepEqual([d.code, d.stdout], [0, '']);
  assert.match(await readFile(dumped, 'utf8'), /^HTTP\/1\.1 200 OK\r\n[\s\S]*\r\n\r\n$/);
});
