/**
 * The command line: options to {@link CliOptions}, and a one-line error with its exit code for
 * bad input (no network).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parseCliArgs } from '../src/cli/args.js';
import { runCli } from './helpers/cli-io.js';

test('curl-like options are parsed', () => {
  const o = parseCliArgs([
    '-X', 'PUT', '-H', 'X-A: 1', '-H', 'X-A: 2', '-d', 'a=1', '-d', '@file', '-A', 'ua/1', '-k', '--cacert', 'ca.pem', '-L', '--max-redirs', '3',
    '-o', 'out', '-m', '1.5', '--repeat', '2', '--wait', '10', '--no-keepalive', '--resolve', 'a.test:443:127.0.0.1,[::1]',
    '--dns-server', '127.0.0.1:5353', '-Z', '-v', '--trace-json', '-', '--har', 'x.har', '--show-secrets', '-f', '--no-color', 'example.test/path',
  ]);
  assert.equal(o.urls[0]!.href, 'http://example.test/path');
  assert.equal(o.method, 'PUT');
  assert.deepEqual(o.headers, [['User-Agent', 'ua/1'], ['X-A', '1'], ['X-A', '2']]);
  assert.deepEqual(o.data, [{ kind: 'form', value: 'a=1' }, { kind: 'form', value: '@file' }]);
  assert.deepEqual(o.resolve, [{ host: 'a.test', port: 443, addrs: ['127.0.0.1', '::1'] }]);
  assert.equal(o.maxTime, 1500);
  assert.deepEqual(
    [o.insecure, o.cacert, o.location, o.maxRedirs, o.output, o.repeat, o.wait, o.keepAlive, o.dnsServer, o.parallel, o.verbose, o.traceJson, o.har, o.showSecrets, o.fail, o.color, o.client],
    [true, 'ca.pem', true, 3, 'out', 2, 10, false, '127.0.0.1:5353', true, true, '-', 'x.har', true, true, false, 'node'],
  );
  assert.deepEqual(parseCliArgs(['--resolve', 'bücher.test:80:::1', 'http://bücher.test/']).resolve, [{ host: 'xn--bcher-kva.test', port: 80, addrs: ['::1'] }], 'an IDN matches its punycode');
  const defaults = parseCliArgs(['https://h.test']);
  assert.deepEqual([defaults.method, defaults.keepAlive, defaults.repeat, defaults.maxRedirs, defaults.color, defaults.client], [undefined, true, 1, 50, undefined, 'node']);
});

test('bad input: a one-line error on stderr and curl-style exit codes', async () => {
  const cases: Array<[string[], number, RegExp]> = [
    [['--bogus', 'http://h.test'], 2, /^httptrace: Unknown option '--bogus' \(see httptrace --help\)\n$/],
    [[], 2, /^httptrace: no URL given/],
    [['http://exa mple.test:99999/'], 3, /^httptrace: bad URL "http:\/\/exa mple\.test:99999\/"\n$/],
    [['ftp://h.test/'], 1, /^httptrace: unsupported protocol "ftp:"/],
    [['--repeat', '0', 'h.test'], 2, /^httptrace: --repeat must be a whole number >= 1, got "0"\n$/],
    [['-m', 'soon', 'h.test'], 2, /--max-time wants a number of seconds/],
    [['-H', 'no colon', 'h.test'], 2, /^httptrace: -H wants "Name: value", got "no colon"\n$/],
    [['--resolve', 'h.test:80:not-an-ip', 'h.test'], 2, /--resolve wants host:port:addr/],
    [['--dns-server', 'dns.example:53', 'h.test'], 2, /--dns-server wants ip\[:port\]/],
    [['--client', 'curl', 'h.test'], 2, /--client must be node, undici or fetch/],
    [['-x', 'https://127.0.0.1:3128', 'http://h.test'], 2, /^httptrace: the proxy option: only http:\/\/ proxies are supported, got https:\/\/\n$/],
    [['--cacert', '/nonexistent/ca.pem', 'http://h.test'], 77, /^httptrace: cannot read --cacert/],
    [['--cacert', fileURLToPath(import.meta.url), 'http://h.test'], 77, /^httptrace: --cacert .* holds no PEM certificate\n$/],
    [['-X', 'GE T', 'h.test'], 2, /^httptrace: -X wants a method token, got "GE T"\n$/],
    [['-H', 'X-A: 1\r\nX-B: 2', 'h.test'], 2, /^httptrace: -H X-A: the value holds a CR, LF or NUL\n$/],
    [['-H', 'X A: 1', 'h.test'], 2, /^httptrace: -H wants "Name: value"/],
    [['--repeat', '-1', 'h.test'], 2, /^httptrace: [^\n]*--repeat[^\n]*\n$/],
    [['--client', 'fetch', '-H', 'Expect: 100-continue', 'h.test'], 2, /^httptrace: --client fetch cannot send Expect/],
    [['-b', 'cookies.txt', 'h.test'], 2, /^httptrace: -b reads cookies from a string/],
    [['-u', 'alice', 'h.test'], 2, /^httptrace: -u wants user:password/],
  ];
  for (const [args, code, message] of cases) {
    const r = await runCli(args);
    assert.equal(r.code, code, `${args.join(' ')}: ${r.stderr}`);
    assert.match(r.stderr, message);
    assert.equal(r.stdout, '', 'nothing on stdout, no request made');
  }
});

test('--help and --version', async () => {
  const help = await runCli(['--help']);
  assert.equal(help.code, 0);
  for (const option of ['-X', '-H', '-d', '-A', '-k', '--cacert', '-x', '-L', '-o', '-m', '--repeat', '--wait', '--no-keepalive', '--resolve', '--dns-server', '-Z', '--client', '-v', '--trace-json', '--har', '--show-secrets', '-w', '-s', '-S', '-i', '-I', '-D', '--json', '--data-raw', '--compressed']) {
    assert.ok(help.stdout.includes(`${option} `) || help.stdout.includes(`${option},`), option);
  }
  assert.ok(help.stdout.split('\n').length <= 50, 'one screen');
  for (const group of ['http/post:', 'tls:', 'connection/dns/proxy:', 'output:']) assert.match(help.stdout, new RegExp(`^${group}$`, 'm'));
  const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };
  assert.equal((await runCli(['-V'])).stdout, `httptrace ${pkg.version}\n`);
});

test('the built command: shebang, package bin, exit code of a real process', () => {
  const main = fileURLToPath(new URL('../src/cli/main.js', import.meta.url));
  assert.equal(readFileSync(main, 'utf8').split('\n')[0], '#!/usr/bin/env node');
  const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { bin?: Record<string, string> };
  assert.deepEqual(pkg.bin, { httptrace: 'dist/cli/main.js' });
  const r = spawnSync(process.execPath, [main, 'ftp://h.test/'], { encoding: 'utf8' });
  assert.equal(r.status, 1);
  assert.equal(r.stderr, 'httptrace: unsupported protocol "ftp:" in "ftp://h.test/" (http and https only)\n');
});
