/** Go's proxy selection rules: HTTP(S)_PROXY, NO_PROXY, loopback, URL parsing. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { proxyFromEnvironment } from '../src/index.js';
import { noProxyMatcher, parseProxyURL, proxyAuthorization, proxyChooser } from '../src/internal/proxy-config.js';

const pick = (env: NodeJS.ProcessEnv, url: string): string | undefined => proxyFromEnvironment(env)(new URL(url))?.href;

test('HTTP_PROXY for http targets, HTTPS_PROXY for https targets, upper case first', () => {
  const env = { HTTP_PROXY: 'http://hp:3128', https_proxy: 'sp:8080', http_proxy: 'http://lower:1' };
  assert.equal(pick(env, 'http://example.test/a'), 'http://hp:3128/');
  assert.equal(pick(env, 'https://example.test/a'), 'http://sp:8080/', 'no scheme means http://');
  assert.equal(pick({ http_proxy: 'http://lower:1' }, 'http://example.test/'), 'http://lower:1/');
  assert.equal(pick({}, 'http://example.test/'), undefined);
  assert.equal(pick({ HTTP_PROXY: 'http://hp:1' }, 'https://example.test/'), undefined);
});

test('loopback targets are never proxied from the environment', () => {
  const env = { HTTP_PROXY: 'http://hp:3128', HTTPS_PROXY: 'http://hp:3128' };
  for (const url of ['http://localhost:8080/', 'http://127.0.0.1/', 'http://127.1.2.3:9/', 'https://[::1]:8443/', 'http://LOCALHOST/']) {
    assert.equal(pick(env, url), undefined, url);
  }
  // An explicit proxy URL applies to every target, loopback included (Go's http.ProxyURL).
  assert.equal(proxyChooser('http://p:1')?.(new URL('http://localhost/'))?.href, 'http://p:1/');
});

test("NO_PROXY: Go's matching rules", () => {
  const exempt = noProxyMatcher('foo.com, .bar.com, *.baz.com, 10.0.0.0/8, 192.168.1.1, qux.com:8080, [2001:db8::1]');
  const cases: Array<[string, string, boolean]> = [
    ['foo.com', '80', true],
    ['www.foo.com', '80', true],
    ['xfoo.com', '80', false],
    ['bar.com', '80', false],
    ['a.bar.com', '80', true],
    ['baz.com', '80', false],
    ['a.baz.com', '443', true],
    ['10.1.2.3', '80', true],
    ['11.1.2.3', '80', false],
    ['192.168.1.1', '80', true],
    ['qux.com', '8080', true],
    ['qux.com', '80', false],
    ['2001:db8::1', '80', true],
    ['FOO.COM', '80', true],
  ];
  for (const [host, port, expected] of cases) assert.equal(exempt(host, port), expected, `${host}:${port}`);
  assert.equal(noProxyMatcher('*')('anything.test', '1'), true);
  assert.equal(noProxyMatcher('')('anything.test', '1'), false);
  const env = { HTTPS_PROXY: 'http://hp:1', no_proxy: 'internal.test' };
  assert.equal(pick(env, 'https://api.internal.test/'), undefined);
  assert.equal(pick(env, 'https://api.external.test/'), 'http://hp:1/');
});

test('bad proxy values are TypeErrors that name the source', () => {
  assert.throws(() => proxyFromEnvironment({ HTTP_PROXY: 'http://[bad' }), { code: 'ERR_HTTPTRACE_INVALID_OPTION', message: /HTTP_PROXY: invalid proxy URL/ });
  assert.throws(() => proxyChooser('https://p:1'), { message: /only http:\/\/ proxies are supported, got https:/ });
  assert.throws(() => parseProxyURL('socks5://p:1', 'HTTPS_PROXY'), { message: /HTTPS_PROXY: only http:\/\/ proxies/ });
});

test('Proxy-Authorization comes from the proxy URL credentials, percent-decoded', () => {
  assert.equal(proxyAuthorization(new URL('http://us%40er:p%3Ass@p:1')), `Basic ${Buffer.from('us@er:p:ss').toString('base64')}`);
  assert.equal(proxyAuthorization(new URL('http://p:1')), undefined);
});
