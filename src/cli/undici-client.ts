/**
 * The `--client fetch` and `--client undici` transports: Node's built-in `fetch` or npm undici's
 * `request`, through `createTracingDispatcher` from `httptrace/undici`. One dispatcher per port,
 * so that `--resolve` (per host and port, as curl) can be a plain `lookup`. Redirects are left to
 * the runner (`redirect: 'manual'`); `fetch` adds its own headers and decodes the body, as it does.
 * @module
 */
import { STATUS_CODES } from 'node:http';
import { runWithContext } from '../context.js';
import { createTracingDispatcher, withDispatcherContext, type AgentClass, type Dispatcher } from '../undici/index.js';
import { CliError } from './cli-error.js';
import type { Client, ClientOptions, ClientRequestSpec, ClientResponse } from './client.js';

/** The part of npm undici the CLI uses. */
export interface UndiciModule {
  Agent: AgentClass;
  request(url: URL, options: Record<string, unknown>): Promise<{ statusCode: number; headers: Record<string, string | string[] | undefined>; body: AsyncIterable<Uint8Array> }>;
}

const emptyBody: AsyncIterable<Uint8Array> = { async *[Symbol.asyncIterator]() {} };

function headerPairs(headers: Record<string, string | string[] | undefined>): Array<[string, string]> {
  return Object.entries(headers).flatMap(([name, v]) => (v === undefined ? [] : (Array.isArray(v) ? v : [v]).map((x): [string, string] => [name, x])));
}

function pool(options: ClientOptions, Agent: AgentClass | undefined) {
  const dispatchers = new Map<number, Promise<Dispatcher>>();
  return {
    forPort(port: number): Promise<Dispatcher> {
      let d = dispatchers.get(port);
      if (d === undefined) {
        const lookup = options.lookupFor(port);
        const connect = { rejectUnauthorized: !options.insecure, ...(options.ca === undefined ? {} : { ca: options.ca }), ...(lookup === undefined ? {} : { lookup: lookup as never }) };
        const agent = options.keepAlive ? {} : { pipelining: 0 }; // undici: no keep-alive
        d = createTracingDispatcher({
          connect,
          agent,
          ...(Agent === undefined ? {} : { Agent }),
          ...(options.proxy === undefined ? {} : { proxy: options.proxy }),
        });
        dispatchers.set(port, d);
      }
      return d;
    },
    close(): void {
      for (const d of dispatchers.values()) void d.then((x) => x.destroy()).catch(() => {});
    },
  };
}

const portOf = (url: URL): number => Number(url.port || (url.protocol === 'https:' ? 443 : 80));

function headersOf(spec: ClientRequestSpec): Array<[string, string]> {
  return spec.headers.map(([n, v]): [string, string] => [n, v]);
}

/** `--client fetch`: the built-in `fetch` with a tracing dispatcher. */
export function fetchClient(options: ClientOptions): Client {
  const dispatchers = pool(options, undefined);
  return {
    async request(spec: ClientRequestSpec): Promise<ClientResponse> {
      const dispatcher = withDispatcherContext(await dispatchers.forPort(portOf(spec.url)), spec.traceContext);
      const init = { method: spec.method, headers: headersOf(spec), body: spec.body, redirect: 'manual', dispatcher, ...(spec.signal ? { signal: spec.signal } : {}) };
      const res = await fetch(spec.url, init as unknown as RequestInit);
      return {
        status: res.status,
        statusText: res.statusText,
        httpVersion: 'HTTP/1.1',
        headers: [...res.headers],
        body: (res.body as AsyncIterable<Uint8Array> | null) ?? emptyBody,
      };
    },
    close: () => dispatchers.close(),
  };
}

/** `--client undici`: npm undici's `request` (the module is loaded by the caller). */
export function undiciClient(options: ClientOptions, undici: UndiciModule): Client {
  const dispatchers = pool(options, undici.Agent);
  return {
    async request(spec: ClientRequestSpec): Promise<ClientResponse> {
      const dispatcher = await dispatchers.forPort(portOf(spec.url));
      const init = { method: spec.method, headers: headersOf(spec).flat(), body: spec.body, dispatcher, ...(spec.signal ? { signal: spec.signal } : {}) };
      const res = await runWithContext(spec.traceContext, () => undici.request(spec.url, init));
      return { status: res.statusCode, statusText: STATUS_CODES[res.statusCode] ?? '', httpVersion: 'HTTP/1.1', headers: headerPairs(res.headers), body: res.body };
    },
    close: () => dispatchers.close(),
  };
}

/** Loads npm `undici`, or explains that it is needed. */
export async function loadUndici(): Promise<UndiciModule> {
  try {
    return (await import('undici' as string)) as UndiciModule;
  } catch (cause) {
    throw new CliError('ERR_HTTPTRACE_CLI_NOT_SUPPORTED', '--client undici needs the npm package undici (npm install undici), or use --client fetch', 2, { cause });
  }
}
