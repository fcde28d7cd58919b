/**
 * The `httptrace` command end to end on loopback, run in-process: the waterfall, `--json` lines,
 * redirects, reuse, 1xx, TLS, `--resolve` and `--dns-server` (with our own DNS server), exit codes.
 * HAR and redaction are in cli-har.test.ts, the options' parsing in cli-args.test.ts.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { jsonLines, runCli } from './helpers/cli-io.js';
import { startDnsServer } from './helpers/dns-server.js';
import { closedPort } from './helpers/ports.js';
import { startTestServer } from './helpers/test-server.js';
import { fixturesDir } from './helpers/tls-fixture.js';
import { version } from '../src/cli/version.js';

const caFile = join(fixturesDir, 'ca.pem');
const hooksOf = (lines: Array<Record<string, any>>, req: number) => lines.filter((l) => l.req === req).map((l) => l.hook ?? `[${l.mark}]`);
const phase = (stdout: string, label: string) => Number(new RegExp(`${label}\\s+([\\d.]+) ms`).exec(stdout)?.[1]);

test('two URLs share the pool: a fresh connection, then a reused one, in the waterfall', async (t) => {
  const server = await startTestServer(t);
  const { code, stdout, stderr } = await runCli([server.url('/ok'), server.url('/ok')]);
  assert.equal(code, 0, stderr);
  assert.equal(server.connections, 1);
  const [first = '', second = ''] = stdout.split(`\nGET ${server.url('/ok')}\n`);
  assert.match(first, /^GET http:\/\/localhost:\d+\/ok\n  dns {9}localhost → 127\.0\.0\.1\n  connection  new · 127\.0\.0\.1:\d+\n/);
  assert.match(first, /HTTP\/1\.1 200 OK\n/);
  for (const row of ['DNS lookup', 'TCP connect', 'request write', 'server processing', 'content transfer']) {
    assert.ok(phase(first, row) >= 0, `${row} in\n${first}`);
  }
  assert.doesNotMatch(first, /TLS handshake/);
  const rows = ['queue', 'DNS lookup', 'TCP connect', 'request write', 'server processing', 'content transfer'].map((row) => phase(first, row));
  const total = Number(/total ([\d.]+) ms/.exec(first)?.[1]);
  const sum = rows.reduce((a, b) => a + b, 0);
  assert.ok(sum <= total + 0.06 && total - sum <= Math.max(2, total / 4), `rows ${rows.join(' + ')} = ${sum} add up to ${total}`);
  assert.match(first, /namelookup [\d.]+ · connect [\d.]+ · pretransfer [\d.]+ · starttransfer [\d.]+ · total [\d.]+ ms/);
  assert.match(second, /connection {2}reused \(idle [\d.]+ ms\) · 127\.0\.0\.1:\d+/);
  assert.match(second, /DNS lookup {18}- {2}\(reused connection\)/);
  assert.match(second, /body 3 bytes, read and discarded/);
});

test('--json: one line per hook and mark, in order, with the documented fields', async (t) => {
  const server = await startTestServer(t);
  const { code, stdout } = await runCli(['--trace-json', '-', server.url('/ok'), server.url('/ok')]);
  assert.equal(code, 0);
  const lines = jsonLines(stdout);
  const fresh = ['[request]', 'getConn', 'dnsStart', 'dnsDone', 'connectStart', 'connectDone', 'gotConn', 'wroteHeaderField', 'wroteHeaderField', 'wroteHeaderField', 'wroteHeaders', 'wroteRequest', 'gotFirstResponseByte', '[response]', 'putIdleConn', '[body]'];
  assert.deepEqual(hooksOf(lines, 1), fresh);
  assert.deepEqual(hooksOf(lines, 2), ['[request]', 'getConn', 'gotConn', ...fresh.slice(7)]);
  assert.deepEqual(lines.at(-1), { type: 'mark', mark: 'end', req: 0, t: lines.at(-1)!.t, args: {} });
  for (const [i, l] of lines.entries()) {
    assert.deepEqual(Object.keys(l), l.type === 'hook' ? ['type', 'hook', 'req', 't', 'args'] : ['type', 'mark', 'req', 't', 'args']);
    if (i > 0) assert.ok(l.t >= lines[i - 1]!.t, 't never goes back');
  }
  const find = (req: number, name: string) => lines.find((l) => l.req === req && (l.hook ?? l.mark) === name)!.args;
  assert.deepEqual(find(1, 'request'), { method: 'GET', url: server.url('/ok') });
  assert.deepEqual(find(1, 'getConn'), { hostPort: `localhost:${server.port}` });
  assert.deepEqual(find(1, 'dnsDone'), { addrs: ['127.0.0.1'], coalesced: false, err: null });
  assert.deepEqual(find(1, 'connectDone'), { network: 'tcp', addr: `127.0.0.1:${server.port}`, err: null });
  assert.deepEqual(find(1, 'wroteHeaderField'), { key: 'User-Agent', values: [`httptrace/${version}`] });
  assert.deepEqual(find(1, 'response'), { status: 200, err: null });
  assert.deepEqual(find(1, 'body'), { bytes: 3, err: null });
  const reused = find(2, 'gotConn');
  assert.deepEqual({ ...reused, idleTime: 0, localAddr: '' }, { reused: true, wasIdle: true, idleTime: 0, remoteAddr: `127.0.0.1:${server.port}`, localAddr: '' });
  assert.ok(typeof reused.idleTime === 'number' && reused.idleTime > 0);
});

test('User-Agent, and Content-Type for -d unless -H sets it; -d @file posts a body; -o saves it', async (t) => {
  const server = await startTestServer(t);
  const dir = await mkdtemp(join(tmpdir(), 'httptrace-cli-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  await writeFile(join(dir, 'body.txt'), 'from a file');
  const out = join(dir, 'out.json');
  const { code } = await runCli(['-d', `@${join(dir, 'body.txt')}`, '-H', 'Content-Type: text/plain', '-o', out, server.url('/echo')]);
  assert.equal(code, 0);
  const echo = JSON.parse(await readFile(out, 'utf8')) as { method: string; rawHeaders: string[]; body: string };
  assert.equal(echo.method, 'POST');
  assert.equal(echo.body, 'from a file');
  assert.deepEqual(echo.rawHeaders.filter((_, i) => i % 2 === 0), ['User-Agent', 'Content-Type', 'Host', 'Connection', 'Content-Length']);
  const stdin = await runCli(['-d', '@-', '-A', 'custom/1', '-o', out, server.url('/echo')], 'from stdin');
  assert.equal(stdin.code, 0);
  const again = JSON.parse(await readFile(out, 'utf8')) as { rawHeaders: string[]; body: string };
  assert.equal(again.body, 'from stdin');
  assert.deepEqual(again.rawHeaders.slice(0, 4), ['Content-Type', 'application/x-www-form-urlencoded', 'User-Agent', 'custom/1'], '-d implies the form type, as curl');
  const missing = await runCli(['-d', `@${join(dir, 'nope')}`, server.url('/echo')]);
  assert.equal(missing.code, 26);
  assert.match(missing.stderr, /^httptrace: cannot read -d @.*nope/);
});

test('-L follows a redirect: each hop shown, one request and response mark, a redirect mark per hop', async (t) => {
  const server = await startTestServer(t);
  const human = await runCli(['-L', server.url('/redirect')]);
  assert.equal(human.code, 0);
  assert.match(human.stdout, /HTTP\/1\.1 302 Found\n(  .*\n)* {2}Location: \/ok\n/);
  assert.match(human.stdout, /→ redirect 1 to http:\/\/localhost:\d+\/ok\n\nGET http:\/\/localhost:\d+\/ok\n {2}connection {2}reused/);
  const { stdout } = await runCli(['--trace-json', '-', '-L', server.url('/redirect')]);
  const names = hooksOf(jsonLines(stdout), 1);
  assert.equal(names.filter((n) => n === '[request]').length, 1);
  assert.equal(names.filter((n) => n === '[response]').length, 1);
  const redirect = jsonLines(stdout).find((l) => l.mark === 'redirect')!;
  assert.deepEqual(redirect.args, { url: server.url('/ok'), hop: 1 });
  assert.ok(names.indexOf('[redirect]') < names.lastIndexOf('getConn'));
  const noFollow = await runCli([server.url('/redirect')]);
  assert.equal(noFollow.code, 0);
  assert.doesNotMatch(noFollow.stdout, /redirect 1/);
  const tooMany = await runCli(['-L', '--max-redirs', '0', server.url('/redirect')]);
  assert.equal(tooMany.code, 47);
  assert.match(tooMany.stderr, /more than 0 redirects \(exit 47\)/);
});

test('-L to another origin drops Authorization and Cookie, as curl; body-read failures keep the bytes read', async (t) => {
  const first = await startTestServer(t);
  const other = await startTestServer(t);
  const { code } = await runCli(['-L', '-H', 'Authorization: Bearer tok', '-H', 'X-Keep: 1', first.url(`/redirect?to=${encodeURIComponent(other.url('/ok'))}`)]);
  assert.equal(code, 0);
  const names = (raw: string[]) => raw.filter((_, i) => i % 2 === 0);
  assert.deepEqual(names(first.requests[0]!.rawHeaders), ['User-Agent', 'Authorization', 'X-Keep', 'Host', 'Connection']);
  assert.deepEqual(names(other.requests[0]!.rawHeaders), ['User-Agent', 'X-Keep', 'Host', 'Connection']);
  const cut = await runCli(['--trace-json', '-', first.url('/drop-mid-body')]);
  assert.equal(cut.code, 56);
  const body = jsonLines(cut.stdout).find((l) => l.mark === 'body')!;
  assert.equal(body.args.bytes, 10);
  assert.equal(body.args.err.code, 'ECONNRESET');
});

test('103 Early Hints: the 1xx in the output and in got1xxResponse', async (t) => {
  const server = await startTestServer(t);
  const human = await runCli([server.url('/early-hints')]);
  assert.match(human.stdout, /\n {2}103 {9}link: <\/style\.css>; rel=preload; as=style\n/);
  const hint = jsonLines((await runCli(['--trace-json', '-', server.url('/early-hints')])).stdout).find((l) => l.hook === 'got1xxResponse')!;
  assert.deepEqual(hint.args, { code: 103, header: { link: ['</style.css>; rel=preload; as=style'] } });
});

test('https: TLS facts with --cacert; -k skips verification; an untrusted certificate exits 60, as curl', async (t) => {
  const server = await startTestServer(t, { tls: true });
  const ok = await runCli(['--cacert', caFile, server.url('/ok')]);
  assert.equal(ok.code, 0, ok.stdout);
  assert.match(ok.stdout, /\n {2}tls {9}TLSv1\.3 · TLS_\w+ · ALPN none\n {2}certificate CN=localhost · issuer CN=httptrace test CA · expires /);
  assert.ok(phase(ok.stdout, 'TLS handshake') > 0);
  assert.match(ok.stdout, /appconnect [\d.]+/);
  const insecure = await runCli(['-k', server.url('/ok')]);
  assert.equal(insecure.code, 0);
  const bad = await runCli([server.url('/ok')]);
  assert.equal(bad.code, 60);
  assert.match(bad.stderr, /✗ TLS handshake failed: UNABLE_TO_VERIFY_LEAF_SIGNATURE .* \(exit 60\)\n/);
  // Any other TLS failure exits 35: https to a plain http port.
  const plain = await startTestServer(t);
  const wrong = await runCli([`https://localhost:${plain.port}/ok`]);
  assert.equal(wrong.code, 35, wrong.stdout);
  assert.match(wrong.stderr, /✗ TLS handshake failed: .*\(exit 35\)\n/);
  const tls = jsonLines((await runCli(['--trace-json', '-', server.url('/ok')])).stdout).find((l) => l.hook === 'tlsHandshakeDone')!;
  // The message is Node's own wording, which changes between releases (24+ adds a hint): matched on code.
  const { err, ...state } = tls.args;
  assert.deepEqual(state, { version: '', cipherSuite: '', negotiatedProtocol: '', serverName: '', didResume: false, peerCertificates: 0 });
  assert.deepEqual({ name: err.name, code: err.code, message: typeof err.message }, { name: 'Error', code: 'UNABLE_TO_VERIFY_LEAF_SIGNATURE', message: 'string' });
});

test('a server that waits 100 ms shows it as server processing', async (t) => {
  const server = await startTestServer(t);
  const { code, stdout } = await runCli([server.url('/slow-headers?ms=100')]);
  assert.equal(code, 0);
  const wait = phase(stdout, 'server processing');
  assert.ok(wait >= 95 && wait <= 180, `server processing ${wait} ms`);
});

test('--dns-server: our DNS server on 127.0.0.1, delayed 50 ms, is the DNS phase', async (t) => {
  const server = await startTestServer(t);
  const dns = await startDnsServer(t, { 'web.test': ['127.0.0.1'] }, { delayMs: 50 });
  const url = `http://web.test:${server.port}/ok`;
  const { code, stdout } = await runCli(['--dns-server', dns.address, url]);
  assert.equal(code, 0, stdout);
  assert.match(stdout, /dns {9}web\.test → 127\.0\.0\.1\n/);
  const ms = phase(stdout, 'DNS lookup');
  assert.ok(ms >= 45 && ms <= 80, `DNS lookup ${ms} ms`);
  assert.deepEqual(dns.queries.sort(), ['web.test/A', 'web.test/AAAA']);
  const both = await startDnsServer(t, { 'dual.test': ['127.0.0.1', '::1'] });
  const dual = await runCli(['--dns-server', both.address, `http://dual.test:${server.port}/ok`]);
  assert.match(dual.stdout, /dns {9}dual\.test → ::1, 127\.0\.0\.1\n/, 'AAAA first, as getaddrinfo (RFC 6724) and Go');
  const missing = await runCli(['--dns-server', dns.address, `http://nowhere.test:${server.port}/`]);
  assert.equal(missing.code, 6);
  assert.match(missing.stderr, /✗ DNS lookup failed: ENOTFOUND .*nowhere\.test.* \(exit 6\)/);
});

test('--resolve answers one host and port, as curl', async (t) => {
  const server = await startTestServer(t);
  const { code, stdout } = await runCli(['--trace-json', '-', '--resolve', `api.test:${server.port}:127.0.0.1`, `http://api.test:${server.port}/ok`]);
  assert.equal(code, 0);
  const lines = jsonLines(stdout);
  assert.deepEqual(lines.find((l) => l.hook === 'dnsDone')!.args, { addrs: ['127.0.0.1'], coalesced: false, err: null });
  assert.deepEqual(lines.find((l) => l.mark === 'response')!.args, { status: 200, err: null });
});

test('exit codes: 7 refused, 28 timeout, 22 with -f, last failure wins', async (t) => {
  const server = await startTestServer(t);
  const port = await closedPort();
  const refused = await runCli([`http://127.0.0.1:${port}/`]);
  assert.equal(refused.code, 7);
  assert.match(refused.stderr, /✗ TCP connect failed: ECONNREFUSED/);
  const slow = await runCli(['-m', '0.1', server.url('/slow-headers?ms=2000')]);
  assert.equal(slow.code, 28);
  assert.match(slow.stderr, /✗ waiting for the response timed out \(-m\): .* \(exit 28\)/);
  assert.equal((await runCli([server.url('/missing')])).code, 0);
  assert.equal((await runCli(['-f', server.url('/missing')])).code, 22);
  assert.equal((await runCli([`http://127.0.0.1:${port}/`, server.url('/ok')])).code, 7);
});

test('--repeat with --wait, --no-keepalive and -Z', async (t) => {
  const server = await startTestServer(t);
  const repeat = jsonLines((await runCli(['--trace-json', '-', '--repeat', '3', '--wait', '20', server.url('/ok')])).stdout);
  assert.deepEqual(repeat.filter((l) => l.mark === 'sleep').map((l) => [l.req, l.args.ms]), [[2, 20], [3, 20]]);
  assert.deepEqual(repeat.filter((l) => l.hook === 'gotConn').map((l) => l.args.reused), [false, true, true]);
  const closing = jsonLines((await runCli(['--trace-json', '-', '--no-keepalive', server.url('/ok'), server.url('/ok')])).stdout);
  assert.deepEqual(closing.filter((l) => l.hook === 'gotConn').map((l) => l.args.reused), [false, false]);
  assert.equal(closing.filter((l) => l.hook === 'putIdleConn').length, 0);
  const before = server.connections;
  const parallel = jsonLines((await runCli(['--trace-json', '-', '-Z', server.url('/ok'), server.url('/ok'), server.url('/ok')])).stdout);
  const names = parallel.map((l) => l.hook ?? l.mark);
  assert.ok(names.lastIndexOf('getConn') < names.indexOf('gotFirstResponseByte'), 'all three requests start before any answer');
  assert.equal(server.connections - before, 3);
});
