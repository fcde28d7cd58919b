/**
 * The collector's HAR 1.2 builder and redaction helpers, without network; and the HAR checker used
 * by the CLI tests, shown to reject what the spec forbids.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { buildHarLog, hopTimings, redactHeaderValue, redactUrl, type TraceEvent } from '../src/collector/index.js';
import { validateHar } from './helpers/har-validator.js';

const hook = (name: string, t: number, args: Record<string, unknown> = {}): TraceEvent =>
  ({ type: 'hook', hook: name, req: 1, t, args }) as TraceEvent;

const timings = hopTimings([hook('getConn', 0), hook('dnsStart', 0), hook('dnsDone', 5), hook('connectStart', 5), hook('connectDone', 6), hook('gotConn', 6, { reused: false }), hook('wroteRequest', 7), hook('gotFirstResponseByte', 17)], 20);

function log(showSecrets?: boolean) {
  return buildHarLog(
    [{
      startedDateTime: Date.UTC(2026, 0, 2, 3, 4, 5, 678),
      timings,
      request: {
        method: 'POST',
        url: 'http://bob:hunter2@example.test/x?a=1&b=2',
        httpVersion: 'HTTP/1.1',
        headers: [['Authorization', 'Basic Ym9iOmh1bnRlcjI='], ['Cookie', 'sid=abc; theme=dark'], ['Content-Type', 'text/plain']],
        bodySize: 5,
        postData: { mimeType: 'text/plain', text: 'hello' },
      },
      response: { status: 200, statusText: 'OK', httpVersion: 'HTTP/1.1', headers: [['Set-Cookie', 'sid=new; Path=/'], ['Content-Type', 'text/html']], bodySize: 12, redirectURL: '' },
      serverIPAddress: '127.0.0.1',
      connection: '51234',
    }],
    { creator: { name: 'test', version: '1' }, ...(showSecrets === undefined ? {} : { showSecrets }) },
  );
}

test('buildHarLog: a valid HAR 1.2 entry with the collector timings and redacted secrets', () => {
  const har = log();
  assert.deepEqual(validateHar(har), []);
  const [entry] = har.log.entries;
  assert.equal(entry!.startedDateTime, '2026-01-02T03:04:05.678Z');
  assert.deepEqual(entry!.timings, { blocked: 0, dns: 5, connect: 1, send: 1, wait: 10, receive: 3, ssl: -1 });
  assert.equal(entry!.time, 20);
  assert.equal(entry!.request['url'], 'http://***:***@example.test/x?a=1&b=2');
  assert.deepEqual(entry!.request['headers'], [
    { name: 'Authorization', value: 'Basic [redacted]' },
    { name: 'Cookie', value: 'sid=[redacted]; theme=[redacted]' },
    { name: 'Content-Type', value: 'text/plain' },
  ]);
  assert.deepEqual(entry!.request['cookies'], [{ name: 'sid', value: '[redacted]' }, { name: 'theme', value: '[redacted]' }]);
  assert.deepEqual(entry!.request['queryString'], [{ name: 'a', value: '1' }, { name: 'b', value: '2' }]);
  assert.deepEqual(entry!.response['cookies'], [{ name: 'sid', value: '[redacted]' }]);
  assert.deepEqual(entry!.response['content'], { size: 12, mimeType: 'text/html' });
  assert.ok(!JSON.stringify(har).includes('hunter2'));
  const shown = JSON.stringify(log(true));
  assert.ok(shown.includes('hunter2') && shown.includes('Ym9iOmh1bnRlcjI=') && shown.includes('sid=new'));
});

test('the HAR checker rejects what the spec forbids', () => {
  const har = log() as unknown as { log: { entries: Array<Record<string, any>> } };
  const entry = har.log.entries[0]!;
  entry.timings.send = -1;
  entry.time = 999;
  entry.extra = 1;
  delete entry.response.content;
  assert.deepEqual(validateHar(har), [
    'entries[0].extra is not a HAR field (custom fields start with _)',
    'entries[0].response.content must have size and mimeType',
    'entries[0].timings.send must be >= 0 (required, -1 not allowed)',
    'entries[0].time must be the sum of the timings (999 vs 19)',
  ]);
  assert.deepEqual(validateHar({}), ['the document must be {log: {...}}']);
});

test('redaction: credentials keep their scheme and cookie names, URLs lose user and password', () => {
  assert.equal(redactHeaderValue('authorization', 'Bearer abc.def'), 'Bearer [redacted]');
  assert.equal(redactHeaderValue('Proxy-Authorization', 'sometoken'), '[redacted]');
  assert.equal(redactHeaderValue('Set-Cookie', 'a=1; Path=/; Secure'), 'a=[redacted]; Path=/; Secure');
  assert.equal(redactHeaderValue('X-Other', 'visible'), 'visible');
  assert.equal(redactUrl('https://user@h.test/'), 'https://***@h.test/');
  assert.equal(redactUrl('https://h.test/?token=1'), 'https://h.test/?token=1');
  assert.equal(redactUrl('not a url'), 'not a url');
});
