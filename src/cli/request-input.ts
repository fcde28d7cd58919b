/**
 * What every request of a run sends: the method, the headers (the CLI adds `User-Agent` only) and
 * the body of `-d` (`@file` and `@-` read once, up front).
 * @module
 */
import { readFile } from 'node:fs/promises';
import type { CliOptions } from './args.js';
import { CliError } from './cli-error.js';

/** The request template of a run. */
export interface RequestInput {
  method: string;
  headers: Array<[string, string]>;
  body: Buffer | undefined;
}

async function readAll(stream: AsyncIterable<Uint8Array | string>): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(typeof chunk === 'string' ? Buffer.from(chunk) : Buffer.from(chunk));
  return Buffer.concat(chunks);
}

async function dataPart(value: string, stdin: AsyncIterable<Uint8Array | string>): Promise<Buffer> {
  if (!value.startsWith('@')) return Buffer.from(value);
  const path = value.slice(1);
  try {
    return path === '-' ? await readAll(stdin) : await readFile(path);
  } catch (err) {
    throw new CliError('ERR_HTTPTRACE_CLI_READ', `cannot read -d ${value}: ${(err as Error).message}`, 26, { cause: err });
  }
}

/**
 * The method (`-X`, else POST with `-d`, else GET), the headers (`User-Agent: httptrace/<version>`
 * unless `-A` or `-H` sets or removes it, then `-H` in order; an empty `-H` value removes the
 * header) and the body.
 */
export async function requestInput(options: CliOptions, version: string, stdin: AsyncIterable<Uint8Array | string>): Promise<RequestInput> {
  const parts: Buffer[] = [];
  for (const value of options.data) parts.push(await dataPart(value, stdin));
  const body = parts.length === 0 ? undefined : Buffer.concat(parts.flatMap((p, i) => (i === 0 ? [p] : [Buffer.from('&'), p])));
  const removed = new Set(options.headers.filter(([, v]) => v === '').map(([n]) => n.toLowerCase()));
  const given = new Set(options.headers.map(([n]) => n.toLowerCase()));
  const headers: Array<[string, string]> = [];
  if (!given.has('user-agent')) headers.push(['User-Agent', `httptrace/${version}`]);
  for (const [name, value] of options.headers) if (!removed.has(name.toLowerCase())) headers.push([name, value]);
  return { method: options.method ?? (body === undefined ? 'GET' : 'POST'), headers, body };
}
