/**
 * `--har` (validated against the HAR 1.2 structure, timings from the collector) and redaction of
 * secrets in every output, with `--show-secrets` to keep them.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { jsonLines, runCli } from './helpers/cli-io.js';
import { validateHar } from './helpers/har-validator.js';
import { startTestServer } from './helpers/test-server.js';
import { fixturesDir } from './helpers/tls-fixture.js';

async function tempDir(t: { after(fn: () => unknown): unknown }): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'httptrace-har-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  return dir;
}

test('--har: a valid HAR 1.2 log, one entry per hop, -1 for the phases of a reused connection', async (t) => {
  const server = await startTestServer(t, { tls: true });
  const file = join(await tempDir(t), 'run.har');
  const { code } = await runCli(['--cacert', join(fixturesDir, 'ca.pem'), '-L', '--har', file, server.url('/redirect'), server.url('/slow-headers?ms=100')]);
  assert.equal(code, 0);
  const har = JSON.parse(await readFile(file, 'utf8'));
  assert.deepEqual(validateHar(har), []);
  const entries = har.log.entries as Array<Record<string, any>>;
  assert.deepEqual(entries.map((e) => [e.request.url, e.response.status]), [
    [server.url('/redirect'), 302],
    [server.url('/ok'), 200],
    [server.url('/slow-headers?ms=100'), 200],
  ]);
  assert.equal(har.log.creator.name, 'httptrace');
  const [fresh, reused, slow] = entries as [Record<string, any>, Record<string, any>, Record<string, any>];
  assert.ok(fresh.timings.dns >= 0 && fresh.timings.ssl > 0 && fresh.timings.connect >= fresh.timings.ssl, JSON.stringify(fresh.timings));
  assert.deepEqual([reused.timings.dns, reused.timings.connect, reused.timings.ssl], [-1, -1, -1]);
  assert.ok(slow.timings.wait >= 95 && slow.timings.wait <= 180, `wait ${slow.timings.wait}`);
  assert.equal(fresh.response.redirectURL, '/ok');
  assert.equal(fresh.serverIPAddress, '127.0.0.1');
  assert.equal(fresh.connection, reused.connection, 'same connection id for the reused hop');
  assert.deepEqual(fresh.request.headers.map((h: { name: string }) => h.name), ['User-Agent', 'Host', 'Connection']);
  assert.ok(Date.parse(reused.startedDateTime) >= Date.parse(fresh.startedDateTime));
});

test('--har of a failed request: status 0, the error, still valid', async (t) => {
  const server = await startTestServer(t, { tls: true });
  const file = join(await tempDir(t), 'fail.har');
  const { code } = await runCli(['--har', file, server.url('/ok')]);
  assert.equal(code, 60);
  const har = JSON.parse(await readFile(file, 'utf8'));
  assert.deepEqual(validateHar(har), []);
  const [entry] = har.log.entries;
  assert.equal(entry.response.status, 0);
  assert.match(entry._error, /certificate/);
  assert.equal(entry.timings.blocked, -1);
});

test('secrets are redacted in the output, the -v timeline, --json and --har; --show-secrets keeps them', async (t) => {
  const server = await startTestServer(t);
  const dir = await tempDir(t);
  const url = `http://alice:pa55word@localhost:${server.port}/cookie`;
  const secrets = ['tok3n', 'pa55word', 'alice', 'c00kie', 's3cret'];
  const args = ['-H', 'Authorization: Bearer tok3n', '-H', 'Cookie: sid=c00kie', url];
  const human = await runCli(['-v', ...args]);
  const json = await runCli(['--trace-json', '-', ...args]);
  const har = await runCli(['--har', join(dir, 'a.har'), ...args]);
  const harText = await readFile(join(dir, 'a.har'), 'utf8');
  for (const out of [human.stdout, json.stdout, harText]) {
    for (const secret of secrets) assert.ok(!out.includes(secret), `${secret} leaked in:\n${out}`);
  }
  assert.equal(har.code, 0);
  assert.match(human.stdout, /wroteHeaderField {6}Authorization: Bearer \[redacted\]\n/);
  assert.match(human.stdout, /Set-Cookie: session=\[redacted\]; Path=\/; HttpOnly\n/);
  assert.match(human.stdout, /^GET http:\/\/\*\*\*:\*\*\*@localhost:/);
  const lines = jsonLines(json.stdout);
  assert.deepEqual(lines.find((l) => l.args.key === 'Cookie')!.args.values, ['sid=[redacted]']);
  // Only the output is redacted: the server got the real values.
  const sent = server.requests.at(-1)!.rawHeaders;
  assert.equal(sent[sent.indexOf('Authorization') + 1], 'Bearer tok3n');
  const shown = await runCli(['-v', '--show-secrets', ...args]);
  for (const secret of secrets) assert.ok(shown.stdout.includes(secret), `${secret} shown with --show-secrets`);
});
