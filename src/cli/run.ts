/**
 * The CLI's wiring: arguments → client and collector → the runner → the output (the waterfall,
 * `--json` lines, `--har`). Returns the exit code; never calls `process.exit`.
 * @module
 */
import { open, readFile, writeFile, type FileHandle } from 'node:fs/promises';
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
import { renderRequest } from './render.js';
import { requestInput } from './request-input.js';
import { runRequests, type RequestRecord } from './runner.js';
import { wantsColor } from './style.js';
import { version } from './version.js';

/** Where the CLI reads and writes (the process's streams, or test doubles). */
export interface CliIo {
  stdout: { write(text: string): unknown; isTTY?: boolean | undefined };
  stderr: { write(text: string): unknown };
  stdin: AsyncIterable<Uint8Array | string>;
  env: NodeJS.ProcessEnv;
  /** Loads npm undici for `--client undici` (default: `import('undici')`). */
  loadUndici?: () => Promise<UndiciModule>;
}

async function readCa(path: string | undefined): Promise<string | undefined> {
  if (path === undefined) return undefined;
  try {
    return await readFile(path, 'utf8');
  } catch (err) {
    throw new CliError('ERR_HTTPTRACE_CLI_READ', `cannot read --cacert ${path}: ${(err as Error).message}`, 77, { cause: err });
  }
}

async function openOutput(path: string | undefined): Promise<FileHandle | undefined> {
  if (path === undefined) return undefined;
  try {
    return await open(path, 'w');
  } catch (err) {
    throw new CliError('ERR_HTTPTRACE_CLI_WRITE', `cannot write -o ${path}: ${(err as Error).message}`, 23, { cause: err });
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

async function execute(options: CliOptions, io: CliIo): Promise<number> {
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
  const color = wantsColor(options.color, io.env, io.stdout.isTTY === true);
  const collector = new TraceCollector(options.json ? { onEvent: (e) => io.stdout.write(ndjsonLine(e, show)) } : {});
  const codes = new Map<number, number>();
  const done = (record: RequestRecord): void => {
    const events = collector.eventsOf(record.req);
    const exitCode = exitCodeOf(record, events, options.fail);
    codes.set(record.req, exitCode);
    if (options.json) return;
    const block = renderRequest({ record, events, exitCode }, { color, verbose: options.verbose, showSecrets: show, output: options.output });
    io.stdout.write(`${record.req > 1 ? '\n' : ''}${block}`);
  };
  let records: RequestRecord[];
  const output = await openOutput(options.output);
  try {
    records = await runRequests(client, collector, { ...options, input, output, onDone: done });
  } finally {
    client.close();
    await output?.close();
  }
  if (options.har !== undefined) {
    const har = harOfRun(records, collector, { version, showSecrets: show, body: input.body });
    try {
      await writeFile(options.har, `${JSON.stringify(har, null, 2)}\n`);
    } catch (err) {
      throw new CliError('ERR_HTTPTRACE_CLI_WRITE', `cannot write --har ${options.har}: ${(err as Error).message}`, 23, { cause: err });
    }
  }
  return [...codes.values()].reverse().find((c) => c !== 0) ?? 0;
}

/** Runs `httptrace` with `argv` (no node/script paths) and returns the exit code. */
export async function run(argv: readonly string[], io: CliIo): Promise<number> {
  try {
    const options = parseCliArgs(argv);
    if (options.help) {
      io.stdout.write(helpText);
      return 0;
    }
    if (options.version) {
      io.stdout.write(`httptrace ${version}\n`);
      return 0;
    }
    return await execute(options, io);
  } catch (err) {
    if (!(err instanceof CliError)) throw err;
    io.stderr.write(`httptrace: ${err.message}\n`);
    return err.exitCode;
  }
}
