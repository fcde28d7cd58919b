/**
 * `--client fetch` (Node's built-in fetch) and `--client undici` (npm undici 7, loaded through the
 * CLI's loader seam) through httptrace/undici: the same run, the same hooks, reuse and redirects.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { jsonLines, runCli } from './helpers/cli-io.js';
import { closedPort } from './helpers/ports.js';
import { startTestServer } from './helpers/test-server.js';
import type { UndiciModule } from '../src/cli/undici-client.js';

const loadUndici = async () => (await import('undici7')) as unknown as UndiciModule;
const names = (lines: Array<Record<string, any>>, req: number) => lines.filter((l) => l.req === req).map((l) => l.hook ?? `[${l.mark}]`);

for (const client of ['fetch', 'undici'] as const) {
  test(`--client ${client}: a fresh connection, a redirect on the reused one, then a reused one`, async (t) => {
    const server = await startTestServer(t);
    const { code, stdout, stderr } = await runCli(['--client', client, '--trace-json', '-', '-L', server.url('/redirect'), server.url('/ok')], '', { loadUndici });
    assert.equal(code, 0, stderr);
    const lines = jsonLines(stdout);
    const first = names(lines, 1);
    assert.deepEqual(first.slice(0, 7), ['[request]', 'getConn', 'dnsStart', 'dnsDone', 'connectStart', 'connectDone', 'gotConn']);
    assert.ok(first.indexOf('[redirect]') < first.lastIndexOf('getConn'));
    assert.deepEqual(first.slice(-2), ['[response]', '[body]']);
    assert.deepEqual(lines.filter((l) => l.hook === 'gotConn').map((l) => l.args.reused), [false, true, true]);
    assert.equal(server.connections, 1);
    assert.deepEqual(lines.find((l) => l.req === 2 && l.mark === 'response')!.args, { status: 200, err: null });
    const human = await runCli(['--client', client, server.url('/slow-headers?ms=100')], '', { loadUndici });
    const wait = Number(/server processing\s+([\d.]+) ms/.exec(human.stdout)?.[1]);
    assert.ok(wait >= 95 && wait <= 180, `server processing ${wait} ms`);
  });

  test(`--client ${client}: a refused connection is exit 7 with the root cause`, async () => {
    const port = await closedPort();
    const { code, stdout } = await runCli(['--client', client, '--trace-json', '-', `http://127.0.0.1:${port}/`], '', { loadUndici });
    assert.equal(code, 7);
    const response = jsonLines(stdout).find((l) => l.mark === 'response')!;
    assert.equal(response.args.status, null);
    assert.equal(response.args.err.code, 'ECONNREFUSED');
  });
}

function undiciInstalled(): boolean {
  try {
    import.meta.resolve('undici');
    return true;
  } catch {
    return false;
  }
}

test('--client undici without npm undici installed: exit 2 and what to do', { skip: undiciInstalled() && 'npm undici is installed here' }, async () => {
  const r = await runCli(['--client', 'undici', 'http://127.0.0.1:9/']);
  assert.equal(r.code, 2);
  assert.equal(r.stderr, 'httptrace: --client undici needs the npm package undici (npm install undici), or use --client fetch\n');
  assert.equal(r.stdout, '');
});
