/**
 * The CLI's pure output steps, without network: the waterfall block from collected events, the
 * `-v` timeline, colour decisions, and the JSON form of errors and arguments.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { TraceEvent } from '../src/collector/index.js';
import { eventJson, errorJson } from '../src/cli/json-output.js';
import { failureLine, renderRequest } from '../src/cli/render.js';
import type { RequestRecord } from '../src/cli/runner.js';
import { painter, wantsColor } from '../src/cli/style.js';

const ev = (name: string, t: number, args: Record<string, unknown> = {}): TraceEvent =>
  (name.startsWith('[') ? { type: 'mark', mark: name.slice(1, -1), req: 1, t, args } : { type: 'hook', hook: name, req: 1, t, args }) as TraceEvent;

const cert = { subject: 'CN=example.test', issuer: 'C=US\nO=Test CA', validTo: 'Jan  1 00:00:00 2030 GMT' };
const events: TraceEvent[] = [
  ev('[request]', 0, { method: 'GET', url: 'https://example.test/' }),
  ev('getConn', 0, { hostPort: 'example.test:443' }),
  ev('dnsStart', 0, { host: 'example.test' }),
  ev('dnsDone', 10, { addrs: ['192.0.2.1'], coalesced: false, err: null }),
  ev('connectStart', 10, { network: 'tcp', addr: '192.0.2.1:443' }),
  ev('connectDone', 20, { network: 'tcp', addr: '192.0.2.1:443', err: null }),
  ev('tlsHandshakeStart', 20),
  ev('tlsHandshakeDone', 40, { version: 'TLSv1.3', cipherSuite: 'TLS_AES_128_GCM_SHA256', negotiatedProtocol: 'http/1.1', serverName: 'example.test', didResume: false, handshakeComplete: true, peerCertificates: [cert], err: null }),
  ev('gotConn', 40, { reused: false, wasIdle: false, idleTime: 0, remoteAddr: '192.0.2.1:443', localAddr: '192.0.2.9:5000' }),
  ev('wroteHeaderField', 40, { key: 'Authorization', values: ['Bearer secret'] }),
  ev('wroteHeaders', 40),
  ev('wroteRequest', 40, { err: null }),
  ev('gotFirstResponseByte', 120),
  ev('[response]', 120, { status: 200, err: null }),
  ev('[body]', 160, { bytes: 42, err: null }),
];
const record: RequestRecord = {
  req: 1,
  error: undefined,
  timedOut: false,
  hops: [{ method: 'GET', url: 'https://example.test/', bodySize: 0, response: { status: 200, statusText: 'OK', httpVersion: 'HTTP/1.1', headers: [['Content-Type', 'text/plain'], ['Set-Cookie', 'id=1']], bodyBytes: 42 } }],
};

test('the waterfall block: facts, status, headers, phases with bars, curl figures', () => {
  const out = renderRequest({ record, events, exitCode: 0 }, { color: false, verbose: false, showSecrets: false });
  assert.equal(out, [
    'GET https://example.test/',
    '  dns         example.test → 192.0.2.1',
    '  connection  new · 192.0.2.1:443',
    '  tls         TLSv1.3 · TLS_AES_128_GCM_SHA256 · ALPN http/1.1',
    '  certificate CN=example.test · issuer C=US, O=Test CA · expires Jan  1 00:00:00 2030 GMT',
    'HTTP/1.1 200 OK',
    '  Content-Type: text/plain',
    '  Set-Cookie: id=[redacted]',
    '',
    '  queue                 0.00 ms  █',
    '  DNS lookup           10.00 ms  ██',
    '  TCP connect          10.00 ms    ██',
    '  TLS handshake        20.00 ms      ████',
    '  request write         0.00 ms          █',
    '  server processing    80.00 ms          ████████████████',
    '  content transfer     40.00 ms                          ████████',
    '  namelookup 10.00 · connect 20.00 · appconnect 40.00 · pretransfer 40.00 · starttransfer 120.00 · total 160.00 ms',
    '  body 42 bytes, read and discarded (-o FILE saves it)',
    '',
  ].join('\n'));
});

test('-v adds the timeline; a failure names its phase and exit code', () => {
  const failed: RequestRecord = { ...record, error: Object.assign(new Error('connect ECONNREFUSED 192.0.2.1:443'), { code: 'ECONNREFUSED' }), hops: [{ method: 'GET', url: 'https://example.test/', bodySize: 0 }] };
  const refused = [...events.slice(0, 5), ev('connectDone', 12, { network: 'tcp', addr: '192.0.2.1:443', err: failed.error }), ev('[response]', 12, { status: null, err: failed.error })];
  const out = renderRequest({ record: failed, events: refused, exitCode: 7 }, { color: false, verbose: true, showSecrets: false });
  assert.equal(failureLine({ record: failed, events: refused, exitCode: 7 }, painter(false)), '✗ TCP connect failed: ECONNREFUSED connect ECONNREFUSED 192.0.2.1:443 (exit 7)');
  assert.doesNotMatch(out, /✗/);
  assert.match(out, /\n {6}\+0\.000 ms {2}\[request\] {13}GET https:\/\/example\.test\/\n/);
  assert.match(out, /\n {5}\+12\.000 ms {2}connectDone {11}tcp 192\.0\.2\.1:443 error ECONNREFUSED: connect ECONNREFUSED/);
  assert.match(out, /namelookup 10\.00 · connect 12\.00 ms\n/);
  const verbose = renderRequest({ record, events, exitCode: 0 }, { color: false, verbose: true, showSecrets: false });
  assert.match(verbose, /wroteHeaderField {6}Authorization: Bearer \[redacted\]\n/);
});

test('colour: ANSI only when asked; NO_COLOR and --no-color win over a TTY', () => {
  const coloured = renderRequest({ record, events, exitCode: 0 }, { color: true, verbose: false, showSecrets: false });
  assert.match(coloured, /\u001b\[/);
  assert.equal(coloured.replace(/\u001b\[\d+m/g, ''), renderRequest({ record, events, exitCode: 0 }, { color: false, verbose: false, showSecrets: false }));
  assert.equal(wantsColor(undefined, {}, true), true);
  assert.equal(wantsColor(undefined, {}, false), false);
  assert.equal(wantsColor(undefined, { NO_COLOR: '1' }, true), false);
  assert.equal(wantsColor(false, {}, true), false);
  assert.equal(wantsColor(undefined, { FORCE_COLOR: '1' }, false), true);
});

test('JSON: errors as their root cause {name, code, message}; certificates counted; undefined as null', () => {
  const socketError = Object.assign(new Error('getaddrinfo ENOTFOUND h.test'), { code: 'ENOTFOUND' });
  const fetchFailed = new TypeError('fetch failed', { cause: socketError });
  assert.deepEqual(errorJson(fetchFailed), { name: 'Error', code: 'ENOTFOUND', message: 'getaddrinfo ENOTFOUND h.test' });
  assert.deepEqual(errorJson(new TypeError('other', { cause: socketError })), { name: 'TypeError', code: null, message: 'other' });
  assert.equal(errorJson(null), null);
  const tls = eventJson(events[7]!, false);
  assert.deepEqual(tls.args, { version: 'TLSv1.3', cipherSuite: 'TLS_AES_128_GCM_SHA256', negotiatedProtocol: 'http/1.1', serverName: 'example.test', didResume: false, peerCertificates: 1, err: null });
  assert.deepEqual(eventJson(ev('gotConn', 5, { reused: true, wasIdle: true, idleTime: undefined, remoteAddr: null }), false).args, { reused: true, wasIdle: true, idleTime: null, remoteAddr: null });
  assert.deepEqual(eventJson(ev('got1xxResponse', 5, { code: 103, header: { 'set-cookie': ['a=b'], link: ['</x>'] } }), false).args, { code: 103, header: { 'set-cookie': ['a=[redacted]'], link: ['</x>'] } });
});
