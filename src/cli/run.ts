/**
 * The CLI's wiring: arguments → client and collector → the runner → the output, as curl splits
 * it: bodies (`-o`), `-i`/`-D` headers, `-w` and `--trace-json`/`--har` to their files or stdout;
 * the report (the waterfall) to stdout, or to stderr when stdout carries data; every error on
 * stderr. Returns the exit code; never calls `process.exit`.
 * @module
 */
import { open, readFile, writeFile, type FileHandle } from 'node:fs/promises';
import { setImmediate as nextTurn } from 'node:timers/promises';
import { proxyChooser, proxyFromEnvironment, type ProxyChooser } from '../internal/proxy-config.js';
import { TraceCollector } from '../collector/index.js';
import { helpText, parseCliArgs, type CliOptions } from './args.js';
import { CliError } from './cli-error.js';
import { createClient } from './client.js';
import type { UndiciModule } from './undici-client.js';
import { exitCodeOf } from './failure.js';
import { harOfRun } from './har-output.js';
import { ndjsonLine } from './json-output.js';
import { dnsServerLookup, lookupFor } from './lookup.js';
import { failureLine, renderRequest } from './render.js';
import { requestInput, withQuery } from './request-input.js';
import { runRequests, type BodyOutput, type HopRecord, type RequestRecord } from './runner.js';
import { Sink, sinkFailure, type SinkStream } from './sink.js';
import { painter, wantsColor } from './style.js';
import { version } from './version.js';
import { renderWriteOut } from './write-out.js';
import { renderRepeatStats } from './repeat-stats.js';

/** Where the CLI reads and writes (the process's streams, or test doubles). */
export interface CliIo {
  stdout: SinkStream & { isTTY?: boolean | undefined };
  stderr: SinkStream;
  stdin: AsyncIterable<Uint8Array | string>;
  env: NodeJS.ProcessEnv;
  /** Loads npm undici for `--client undici` (default: `import('undici')`). */
  loadUndici?: () => Promise<UndiciModule>;
}

/** `--cacert`: curl exits 77 when the file cannot be read or holds no certificate. */
async function readCa(path: string | undefined): Promise<string | undefined> {
  if (path === undefined) return undefined;
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    throw new CliError('ERR_HTTPTRACE_CLI_READ', `cannot read --cacert ${path}: ${(err as Error).message}`, 77, { cause: err });
  }
  if (!text.includes('-----BEGIN CERTIFICATE-----')) throw new CliError('ERR_HTTPTRACE_CLI_READ', `--cacert ${path} holds no PEM certificate`, 77);
  return text;
}

async function openOutput(path: string | undefined): Promise<FileHandle | undefined> {
  if (path === undefined || path === '-') return undefined;
  try {
    return await open(path, 'w');
  } catch (err) {
    throw new CliError('ERR_HTTPTRACE_CLI_WRITE', `cannot write -o ${path}: ${(err as Error).message}`, 23, { cause: err });
  }
}

async function writeText(flag: string, path: string, text: string, stdout: Sink): Promise<void> {
  if (path === '-') return stdout.write(text);
  try {
    await writeFile(path, text);
  } catch (err) {
    throw new CliError('ERR_HTTPTRACE_CLI_WRITE', `cannot write ${flag} ${path}: ${(err as Error).message}`, 23, { cause: err });
  }
}

/** `-x URL` (curl: a bare `host:port` means http), else Go's environment rules. */
function proxyOf(option: string | undefined, env: NodeJS.ProcessEnv): ProxyChooser | undefined {
  try {
    return option !== undefined ? proxyChooser(option) : proxyFromEnvironment(env);
  } catch (err) {
    throw new CliError('ERR_HTTPTRACE_CLI_USAGE', (err as Error).message.replace(/^httptrace: /, ''), 2, { cause: err });
  }
}

/** The header block of a response, as `-i` and `-D` write it. */
function headerBlock(r: NonNullable<HopRecord['response']>): string {
  return `${r.httpVersion} ${r.status} ${r.statusText}\r\n${r.headers.map(([n, v]) => `${n}: ${v}\r\n`).join('')}\r\n`;
}

async function execute(options: CliOptions, io: CliIo, stdout: Sink, stderr: Sink): Promise<number> {
  const proxy = proxyOf(options.proxy, io.env);
  const ca = await readCa(options.cacert);
  const input = await requestInput(options, version, io.stdin);
  const server = options.dnsServer === undefined ? undefined : dnsServerLookup(options.dnsServer);
  const client = await createClient(options.client, {
    keepAlive: options.keepAlive,
    insecure: options.insecure,
    ca,
    lookupFor: (port) => lookupFor(options.resolve, server, port),
    proxy,
  }, io.loadUndici);
  const show = options.showSecrets;
  const outputPath = options.output ?? (options.include || options.head ? '-' : undefined);
  const stdoutData = outputPath === '-' || options.traceJson === '-' || options.har === '-' || options.dumpHeader === '-';
  const report = options.silent ? undefined : stdoutData ? stderr : stdout;
  const errors = options.silent && !options.showError ? undefined : stderr;
  const color = wantsColor(options.color, io.env, report === stdout && io.stdout.isTTY === true);
  const traceLines: string[] = [];
  const onEvent = options.traceJson === undefined ? undefined : options.traceJson === '-' ? (line: string) => stdout.write(line) : (line: string) => traceLines.push(line);
  const collector = new TraceCollector(onEvent === undefined ? {} : { onEvent: (e) => onEvent(ndjsonLine(e, show)) });
  const codes = new Map<number, number>();
  const done = (record: RequestRecord): void => {
    const events = collector.eventsOf(record.req);
    const exitCode = exitCodeOf(record, events, options.fail);
    codes.set(record.req, exitCode);
    const view = { record, events, exitCode };
    if (options.writeOut !== undefined) stdout.write(renderWriteOut(options.writeOut, { ...view, showSecrets: show }));
    report?.write(`${record.req > 1 ? '\n' : ''}${renderRequest(view, { color, verbose: options.verbose, showSecrets: show, output: outputPath })}`);
    const why = failureLine(view, painter(false));
    // A failed stdout is reported once, at the end (quietly for a closed pipe).
    if (why !== undefined && !(exitCode === 23 && stdout.error !== undefined)) errors?.write(`httptrace: ${why}\n`);
  };
  const file = await openOutput(outputPath);
  const output: BodyOutput | undefined = outputPath === '-' ? { write: (chunk) => stdout.writeBody(chunk) } : file;
  const dumped: string[] = [];
  const onHeaders = (r: NonNullable<HopRecord['response']>): void => {
    const block = headerBlock(r);
    if (options.include || options.head) void output?.write(Buffer.from(block)).catch(() => {});
    if (options.dumpHeader === '-') stdout.write(block);
    else if (options.dumpHeader !== undefined) dumped.push(block);
  };
  let records: RequestRecord[];
  try {
    records = await runRequests(client, collector, {
      ...options,
      urls: options.urls.map((u) => withQuery(u, input.query)),
      input,
      output,
      decode: options.compressed && options.client !== 'fetch',
      onHeaders,
      onDone: done,
    });
  } finally {
    client.close();
    await file?.close();
  }
  if (options.repeat > 1) report?.write(`\n${renderRepeatStats(records.map((r) => collector.eventsOf(r.req)))}`);
  if (options.dumpHeader !== undefined && options.dumpHeader !== '-') await writeText('-D', options.dumpHeader, dumped.join(''), stdout);
  if (options.traceJson !== undefined && options.traceJson !== '-') await writeText('--trace-json', options.traceJson, traceLines.join(''), stdout);
  if (options.har !== undefined) {
    const har = harOfRun(records, collector, { version, showSecrets: show, body: input.body });
    await writeText('--har', options.har, `${JSON.stringify(har, null, 2)}\n`, stdout);
  }
  return [...codes.values()].reverse().find((c) => c !== 0) ?? 0;
}

/** Runs `httptrace` with `argv` (no node/script paths) and returns the exit code. */
export async function run(argv: readonly string[], io: CliIo): Promise<number> {
  const stdout = new Sink(io.stdout);
  const stderr = new Sink(io.stderr);
  let code: number;
  try {
    const options = parseCliArgs(argv);
    if (options.help) stdout.write(helpText);
    else if (options.version) stdout.write(`httptrace ${version}\n`);
    code = options.help || options.version ? 0 : await execute(options, io, stdout, stderr);
  } catch (err) {
    if (!(err instanceof CliError)) throw err;
    if (err.exitCode !== 23 || stdout.error === undefined) stderr.write(`httptrace: ${err.message}\n`);
    code = err.exitCode;
  }
  await nextTurn(); // the write callbacks of the last writes
  const failed = sinkFailure(stdout);
  if (failed === undefined) return code;
  if (failed.message !== undefined) stderr.write(`httptrace: ${failed.message}\n`);
  return failed.code;
}
