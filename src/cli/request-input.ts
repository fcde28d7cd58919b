/**
 * What every request of a run sends, as curl builds it: the method, the headers (`User-Agent`,
 * then the ones the body implies, then `-H` in order) and the body of `-d`, `--data-raw`,
 * `--data-binary`, `--data-urlencode`, `--json` (`@file` and `@-` read once, up front).
 * @module
 */
import { readFile } from 'node:fs/promises';
import type { CliOptions, DataPart } from './args.js';
import { CliError } from './cli-error.js';

/** The request template of a run. */
export interface RequestInput {
  method: string;
  headers: Array<[string, string]>;
  body: Buffer | undefined;
  /** `-G`: the data to append to each URL's query. */
  query: string | undefined;
}

async function readAll(stream: AsyncIterable<Uint8Array | string>): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(typeof chunk === 'string' ? Buffer.from(chunk) : Buffer.from(chunk));
  return Buffer.concat(chunks);
}

async function readRef(ref: string, flag: string, stdin: AsyncIterable<Uint8Array | string>): Promise<Buffer> {
  try {
    return ref === '-' ? await readAll(stdin) : await readFile(ref);
  } catch (err) {
    throw new CliError('ERR_HTTPTRACE_CLI_READ', `cannot read ${flag} @${ref}: ${(err as Error).message}`, 26, { cause: err });
  }
}

/** One part as curl sends it: `-d @file` drops CR and LF, `--data-urlencode [name]=content|[name]@file` encodes. */
async function dataPart(part: DataPart, stdin: AsyncIterable<Uint8Array | string>): Promise<Buffer> {
  const { kind, value } = part;
  if (kind === 'raw' || !value.startsWith('@') || kind === 'urlencode') {
    if (kind !== 'urlencode') return Buffer.from(value);
    const m = /^([^=@]*)([=@])(.*)$/s.exec(value);
    if (m === null) return Buffer.from(encodeURIComponent(value));
    const content = m[2] === '@' ? (await readRef(m[3]!, '--data-urlencode', stdin)).toString('utf8') : m[3]!;
    return Buffer.from(`${m[1] ? `${m[1]}=` : ''}${encodeURIComponent(content)}`);
  }
  const content = await readRef(value.slice(1), kind === 'form' ? '-d' : `--data-${kind}`, stdin);
  return kind === 'form' ? Buffer.from(content.toString('latin1').replace(/[\r\n]/g, ''), 'latin1') : content;
}

/**
 * The method (`-X`, else HEAD with `-I`, POST with a body, else GET), the headers and the body.
 * `-d` adds `Content-Type: application/x-www-form-urlencoded`, `--json` `Content-Type` and `Accept:
 * application/json`, `--compressed` `Accept-Encoding`, unless `-H` sets them; an empty `-H` value
 * removes a header.
 */
export async function requestInput(options: CliOptions, version: string, stdin: AsyncIterable<Uint8Array | string>): Promise<RequestInput> {
  const parts: Buffer[] = [];
  for (const part of options.data) parts.push(await dataPart(part, stdin));
  const joined = parts.length === 0 ? undefined : Buffer.concat(parts.flatMap((p, i) => (i === 0 ? [p] : [Buffer.from('&'), p])));
  const query = options.get ? joined?.toString('utf8') : undefined;
  const body = options.get ? undefined : joined;
  const json = options.data.some((p) => p.kind === 'json');
  const implied: Array<[string, string]> = [['User-Agent', `httptrace/${version}`]];
  if (options.compressed) implied.push(['Accept-Encoding', 'deflate, gzip, br']);
  if (body !== undefined) implied.push(['Content-Type', json ? 'application/json' : 'application/x-www-form-urlencoded']);
  if (json) implied.push(['Accept', 'application/json']);
  const given = new Set(options.headers.map(([n]) => n.toLowerCase()));
  const removed = new Set(options.headers.filter(([, v]) => v === '').map(([n]) => n.toLowerCase()));
  const headers = implied.filter(([n]) => !given.has(n.toLowerCase()));
  for (const [name, value] of options.headers) if (!removed.has(name.toLowerCase())) headers.push([name, value]);
  const method = options.method ?? (options.head ? 'HEAD' : body === undefined ? 'GET' : 'POST');
  return { method, headers, body, query };
}

/** `-G`: the URL with the data appended to its query. */
export function withQuery(url: URL, query: string | undefined): URL {
  if (query === undefined || query === '') return url;
  const out = new URL(url);
  out.search = out.search === '' ? `?${query}` : `${out.search}&${query}`;
  return out;
}
