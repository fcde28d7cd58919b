/** The traced resolver: DNS hooks around any lookup function, Go-style coalescing, async callbacks. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { LookupAddress } from 'node:dns';
import { tracedLookup, type LookupFunction } from '../src/internal/resolver.js';
import { contextClientTrace, emptyContext, withClientTrace, type DNSDoneInfo } from '../src/index.js';
import { fakeLookup } from './helpers/fake-dns.js';

function traceLog(log: string[], name: string) {
  return contextClientTrace(
    withClientTrace(emptyContext, {
      dnsStart: ({ host }) => void log.push(`${name} start ${host}`),
      dnsDone: ({ addrs, err, coalesced }: DNSDoneInfo) =>
        void log.push(`${name} done ${addrs.join(',')} ${err ? (err as NodeJS.ErrnoException).code : 'ok'}${coalesced ? ' coalesced' : ''}`),
    }),
  )!;
}

function lookupAll(fn: LookupFunction, host: string): Promise<LookupAddress[]> {
  return new Promise((resolve, reject) =>
    fn(host, { all: true }, (err, addrs) => (err ? reject(err) : resolve(addrs as LookupAddress[]))),
  );
}

test('concurrent identical lookups share one query; later ones start a new query', async () => {
  const dns = fakeLookup({ 'a.test': ['10.0.0.1', '10.0.0.2'] }, { delayMs: 20 });
  const log: string[] = [];
  const one = tracedLookup(traceLog(log, '1'), dns as LookupFunction);
  const two = tracedLookup(traceLog(log, '2'), dns as LookupFunction);
  const [a, b] = await Promise.all([lookupAll(one, 'a.test'), lookupAll(two, 'a.test')]);
  assert.deepEqual(a, b);
  assert.deepEqual(dns.calls, ['a.test']);
  assert.deepEqual(log, ['1 start a.test', '2 start a.test', '1 done 10.0.0.1,10.0.0.2 ok coalesced', '2 done 10.0.0.1,10.0.0.2 ok coalesced']);
  log.length = 0;
  await lookupAll(one, 'a.test');
  assert.deepEqual(log, ['1 start a.test', '1 done 10.0.0.1,10.0.0.2 ok']);
  assert.equal(dns.calls.length, 2);
});

test('lookups with different options or different lookup functions are not coalesced', async () => {
  const dns = fakeLookup({ 'a.test': ['10.0.0.1', '::1'] }, { delayMs: 10 });
  const other = fakeLookup({ 'a.test': ['10.0.0.9'] }, { delayMs: 10 });
  const log: string[] = [];
  const trace = traceLog(log, 'x');
  const single = new Promise<string>((resolve) =>
    tracedLookup(trace, dns as LookupFunction)('a.test', { family: 6 }, (_e, addr) => resolve(addr as string)),
  );
  const [all, fromOther, one] = await Promise.all([
    lookupAll(tracedLookup(trace, dns as LookupFunction), 'a.test'),
    lookupAll(tracedLookup(trace, other as LookupFunction), 'a.test'),
    single,
  ]);
  assert.equal(all.length, 2);
  assert.deepEqual(fromOther, [{ address: '10.0.0.9', family: 4 }]);
  assert.equal(one, '::1');
  assert.equal(dns.calls.length, 2);
  assert.ok(log.every((l) => !l.includes('coalesced')));
});

test('errors reach dnsDone with empty addrs and the caller with the same error', async () => {
  const log: string[] = [];
  const fn = tracedLookup(traceLog(log, 'e'), fakeLookup({}) as LookupFunction);
  await assert.rejects(lookupAll(fn, 'nx.test'), { code: 'ENOTFOUND' });
  assert.deepEqual(log, ['e start nx.test', 'e done  ENOTFOUND']);
});

test('a synchronous lookup (or one that throws) still calls back asynchronously', async () => {
  const sync: LookupFunction = (_h, _o, cb) => cb(null, [{ address: '127.0.0.1', family: 4 }]);
  let returned = false;
  const done = new Promise<boolean>((resolve) =>
    tracedLookup(traceLog([], 's'), sync)('s.test', { all: true }, () => resolve(returned)),
  );
  returned = true;
  assert.equal(await done, true);
  const throwing: LookupFunction = () => { throw Object.assign(new Error('bad'), { code: 'EBAD' }); };
  const err = await new Promise<unknown>((resolve) => tracedLookup(traceLog([], 't'), throwing)('t.test', { all: true }, resolve));
  assert.equal((err as NodeJS.ErrnoException).code, 'EBAD');
});
