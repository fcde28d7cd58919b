/**
 * curl's request flags with curl's meaning: "Copy as cURL" commands of Chrome and Firefox run
 * unchanged, `--json`, `-d` and its siblings, `-G`, `-u`, `-e`, `--url`, `--compressed` (decoded,
 * the same byte count whatever `--client`), and `Expect: 100-continue` with a Content-Length body.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import { once } from 'node:events';
import { gzipSync } from 'node:zlib';
import { runCli } from './helpers/cli-io.js';
import { startTestServer } from './helpers/test-server.js';

interface Echo {
  method: string;
  url: string;
  rawHeaders: string[];
  body: string;
}

const echoOf = (stdout: string): Echo => JSON.parse(stdout) as Echo;
const headerOf = (echo: Echo, name: string): string | undefined =>
  echo.rawHeaders.find((_, i, all) => i % 2 === 1 && all[i - 1]!.toLowerCase() === name.toLowerCase());

test('a Chrome "Copy as cURL" command runs unchanged', async (t) => {
  const server = await startTestServer(t);
  const r = await runCli([
    server.url('/echo?x=1'),
    '-H', 'accept: */*', '-H', 'accept-language: en-US,en;q=0.9', '-H', 'content-type: application/json',
    '-b', 'session=abc; theme=dark', '-H', `origin: ${server.origin}`, '-H', 'priority: u=1, i',
    '-H', 'sec-ch-ua: "Chromium";v="131", "Not_A Brand";v="24"', '-H', 'sec-ch-ua-mobile: ?0', '-H', 'sec-fetch-mode: cors',
    '-H', 'user-agent: Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36',
    '--data-raw', '{"a":1,"b":"@x"}', '-s', '-o', '-',
  ]);
  assert.equal(r.code, 0, r.stderr);
  const echo = echoOf(r.stdout);
  assert.deepEqual([echo.method, echo.url, echo.body], ['POST', '/echo?x=1', '{"a":1,"b":"@x"}']);
  assert.equal(headerOf(echo, 'cookie'), 'session=abc; theme=dark');
  assert.equal(headerOf(echo, 'content-type'), 'application/json');
  assert.match(headerOf(echo, 'user-agent') ?? '', /Chrome\/131/);
});

test('a Firefox "Copy as cURL" command runs unchanged', async (t) => {
  const server = await startTestServer(t);
  const r = await runCli([
    server.url('/echo'), '--compressed', '-X', 'POST',
    '-H', 'User-Agent: Mozilla/5.0 (X11; Linux x86_64; rv:133.0) Gecko/20100101 Firefox/133.0', '-H', 'Accept: */*',
    '-H', 'Accept-Language: en-US,en;q=0.5', '-H', 'Accept-Encoding: gzip, deflate, br, zstd',
    '-H', 'Content-Type: application/x-www-form-urlencoded; charset=UTF-8', '-H', `Origin: ${server.origin}`,
    '-H', 'Connection: keep-alive', '-H', 'Cookie: a=b', '-H', 'Sec-Fetch-Dest: empty', '-H', 'Priority: u=0',
    '--data-raw', 'x=1&y=%40two', '-s', '-o', '-',
  ]);
  assert.equal(r.code, 0, r.stderr);
  const echo = echoOf(r.stdout);
  assert.deepEqual([echo.method, echo.body], ['POST', 'x=1&y=%40two']);
  assert.equal(headerOf(echo, 'accept-encoding'), 'gzip, deflate, br, zstd', '-H wins over --compressed');
  assert.equal(headerOf(echo, 'cookie'), 'a=b');
});

test('--json, --data-urlencode, -G, -u, -e and --url', async (t) => {
  const server = await startTestServer(t);
  const json = echoOf((await runCli(['-s', '-o', '-', '--json', '{"k":"v"}', server.url('/echo')])).stdout);
  assert.deepEqual([json.method, json.body, headerOf(json, 'content-type'), headerOf(json, 'accept')], ['POST', '{"k":"v"}', 'application/json', 'application/json']);
  const form = echoOf((await runCli(['-s', '-o', '-', '-d', 'a=1', '--data-urlencode', 'q=a b&c', server.url('/echo')])).stdout);
  assert.deepEqual([form.body, headerOf(form, 'content-type')], ['a=1&q=a%20b%26c', 'application/x-www-form-urlencoded']);
  const get = echoOf((await runCli(['-s', '-o', '-', '-G', '-d', 'a=1', '-d', 'b=2', '--url', server.url('/echo?z=0')])).stdout);
  assert.deepEqual([get.method, get.url, get.body], ['GET', '/echo?z=0&a=1&b=2', '']);
  const auth = echoOf((await runCli(['-s', '-o', '-', '-u', 'alice:s3cret', '-e', 'http://from.test/', server.url('/echo')])).stdout);
  assert.equal(headerOf(auth, 'authorization'), `Basic ${Buffer.from('alice:s3cret').toString('base64')}`);
  assert.equal(headerOf(auth, 'referer'), 'http://from.test/');
});

test('--compressed decodes, with the same byte count through every client', async (t) => {
  const text = 'hello '.repeat(200);
  const gz = gzipSync(text);
  const server = http.createServer((_req, res) => res.writeHead(200, { 'Content-Encoding': 'gzip', 'Content-Length': gz.length }).end(gz));
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  t.after(() => server.close());
  const url = `http://127.0.0.1:${(server.address() as { port: number }).port}/`;
  for (const client of ['node', 'fetch']) {
    const r = await runCli(['-s', '--compressed', '--client', client, '-o', '-', '-w', '\\n%{size_download}', url]);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout, `${text}\n${text.length}`, client);
  }
});

test('Expect: 100-continue sends the body with Content-Length after the 100, not chunked', async (t) => {
  const server = await startTestServer(t);
  const r = await runCli(['-s', '-o', '-', '-H', 'Expect: 100-continue', '-d', 'abc', server.url('/continue')]);
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stdout, 'got 3 bytes\n');
  const sent = server.requests.at(-1)!.rawHeaders.filter((_, i) => i % 2 === 0).map((n) => n.toLowerCase());
  assert.ok(sent.includes('content-length') && !sent.includes('transfer-encoding'), sent.join(' '));
});
