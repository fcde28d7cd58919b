/**
 * The command line: `util.parseArgs` with curl's option names ({@link spec}), checked into
 * {@link CliOptions}. Every bad option or URL becomes a {@link CliError} with exit code 2 (3 for a
 * bad URL, 1 for an unsupported protocol, as curl) and a one-line message, before any connection.
 * @module
 */
import { isIP } from 'node:net';
import { parseArgs } from 'node:util';
import { spec } from './args-spec.js';
import { CliError } from './cli-error.js';

export { helpText } from './args-spec.js';

/** A `--resolve host:port:addr[,addr]` entry. */
export interface ResolveEntry {
  host: string;
  port: number;
  addrs: string[];
}

/** The transports the CLI can trace. */
export type ClientKind = 'node' | 'undici' | 'fetch';

/** One body part: `-d` (`form`), `--data-raw`, `--data-binary`, `--data-urlencode`, `--json`. */
export interface DataPart {
  kind: 'form' | 'raw' | 'binary' | 'urlencode' | 'json';
  value: string;
}

/** The parsed command line. */
export interface CliOptions {
  urls: URL[];
  method: string | undefined;
  /** `-H`, `-A`, `-e`, `-u`, `-b` in order; an empty value removes the header (`-H 'User-Agent:'`). */
  headers: Array<[string, string]>;
  /** The body parts in order, still with their `@file`/`@-` references. */
  data: DataPart[];
  /** `-G`: the data goes into the query. */
  get: boolean;
  /** `-I`: HEAD, headers to the output. */
  head: boolean;
  compressed: boolean;
  insecure: boolean;
  cacert: string | undefined;
  proxy: string | undefined;
  location: boolean;
  maxRedirs: number;
  /** `-o`; `-` is stdout. */
  output: string | undefined;
  include: boolean;
  dumpHeader: string | undefined;
  writeOut: string | undefined;
  silent: boolean;
  showError: boolean;
  /** `-m`, in ms. */
  maxTime: number | undefined;
  repeat: number;
  wait: number;
  keepAlive: boolean;
  resolve: ResolveEntry[];
  dnsServer: string | undefined;
  parallel: boolean;
  client: ClientKind;
  verbose: boolean;
  /** `--trace-json FILE`; `-` is stdout. */
  traceJson: string | undefined;
  /** `--har FILE`; `-` is stdout. */
  har: string | undefined;
  showSecrets: boolean;
  fail: boolean;
  failWithBody: boolean;
  /** `false` with `--no-color`; otherwise decided from the terminal and `NO_COLOR`. */
  color: boolean | undefined;
  help: boolean;
  version: boolean;
}

const usage = (message: string): CliError => new CliError('ERR_HTTPTRACE_CLI_USAGE', message, 2);

const TOKEN = /^[!#$%&'*+.^_`|~\w-]+$/;

function count(name: string, value: string | undefined, fallback: number, min: number): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!/^\d+$/.test(value) || n < min) throw usage(`--${name} must be a whole number >= ${min}, got "${value}"`);
  return n;
}

function header(line: string): [string, string] {
  const colon = line.indexOf(':');
  const name = colon < 0 ? '' : line.slice(0, colon).trim();
  if (!TOKEN.test(name)) throw usage(`-H wants "Name: value", got ${JSON.stringify(line)}`);
  const value = line.slice(colon + 1).trim();
  if (/[\r\n\0]/.test(value)) throw usage(`-H ${name}: the value holds a CR, LF or NUL`);
  return [name, value];
}

function unbracket(addr: string): string {
  return addr.startsWith('[') && addr.endsWith(']') ? addr.slice(1, -1) : addr;
}

function resolveEntry(value: string): ResolveEntry {
  const m = /^(\[[^\]]+\]|[^:]+):(\d+):(.+)$/.exec(value);
  const addrs = m ? m[3]!.split(',').map((a) => unbracket(a.trim())) : [];
  if (!m || Number(m[2]) > 65535 || addrs.some((a) => isIP(a) === 0)) {
    throw usage(`--resolve wants host:port:addr[,addr] with IP addresses, got "${value}"`);
  }
  // As the URL parser does: a Unicode host matches its punycode form.
  const host = unbracket(m[1]!);
  const ascii = isIP(host) !== 0 ? host : new URL(`http://${host}/`).hostname;
  return { host: ascii.toLowerCase(), port: Number(m[2]), addrs };
}

function dnsServer(value: string | undefined): string | undefined {
  if (value === undefined) return undefined;
  const m = /^(?:\[([^\]]+)\]|([^:]+))(?::(\d+))?$/.exec(value) ?? /^([0-9a-f:]+)()$/i.exec(value);
  const ip = m?.[1] || m?.[2] || '';
  const port = m?.[3];
  if (isIP(ip) === 0 || (port !== undefined && Number(port) > 65535)) throw usage(`--dns-server wants ip[:port], got "${value}"`);
  return value;
}

/** Parses a URL as curl does: no scheme means `http://`. */
export function parseUrl(raw: string): URL {
  const withScheme = /^[a-z][a-z\d+.-]*:\/\//i.test(raw) ? raw : `http://${raw}`;
  let url: URL;
  try {
    url = new URL(withScheme);
  } catch {
    throw new CliError('ERR_HTTPTRACE_CLI_BAD_URL', `bad URL "${raw}"`, 3);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new CliError('ERR_HTTPTRACE_CLI_UNSUPPORTED_PROTOCOL', `unsupported protocol "${url.protocol}" in "${raw}" (http and https only)`, 1);
  }
  return url;
}

/** `-H`-style headers of `-A`, `-e`, `-u`, `-b`, in curl's order, before the `-H` ones. */
function shortcutHeaders(v: Record<string, unknown>): Array<[string, string]> {
  const out: Array<[string, string]> = [];
  const user = v['user'] as string | undefined;
  if (user !== undefined) {
    if (!user.includes(':')) throw usage('-u wants user:password (prompting for a password is not supported)');
    out.push(['Authorization', `Basic ${Buffer.from(user).toString('base64')}`]);
  }
  const ua = v['user-agent'] as string | undefined;
  if (ua !== undefined) out.push(['User-Agent', ua]);
  const referer = v['referer'] as string | undefined;
  if (referer !== undefined) out.push(['Referer', referer]);
  const cookies = (v['cookie'] as string[] | undefined) ?? [];
  if (cookies.some((c) => !c.includes('='))) throw usage('-b reads cookies from a string "name=value; ..." only (cookie files are not supported)');
  if (cookies.length > 0) out.push(['Cookie', cookies.join('; ')]);
  for (const [, value] of out) if (/[\r\n\0]/.test(value)) throw usage('a header value holds a CR, LF or NUL');
  return out;
}

const dataKinds: Readonly<Record<string, DataPart['kind']>> = { data: 'form', 'data-raw': 'raw', 'data-binary': 'binary', 'data-urlencode': 'urlencode', json: 'json' };

/** The body parts in command-line order (from parseArgs' tokens). */
function dataParts(tokens: ReadonlyArray<{ kind: string; name?: string; value?: string | undefined }>): DataPart[] {
  return tokens.flatMap((t) => {
    const kind = t.kind === 'option' && t.name !== undefined ? dataKinds[t.name] : undefined;
    return kind === undefined || t.value === undefined ? [] : [{ kind, value: t.value }];
  });
}

/** Parses `argv` (without the node and script paths). Throws a {@link CliError} on bad input. */
export function parseCliArgs(argv: readonly string[]): CliOptions {
  let parsed;
  try {
    parsed = parseArgs({ args: [...argv], options: spec, allowPositionals: true, strict: true, tokens: true });
  } catch (err) {
    const first = (err as Error).message.split(/\.\s|\n/)[0]!.replace(/\.$/, '');
    throw usage(`${first} (see httptrace --help)`);
  }
  const v = parsed.values;
  const help = v.help === true;
  const version = v.version === true;
  const rawUrls = [...(v.url ?? []), ...parsed.positionals];
  if (!help && !version && rawUrls.length === 0) throw usage('no URL given (see httptrace --help)');
  const client = v.client ?? 'node';
  if (client !== 'node' && client !== 'undici' && client !== 'fetch') throw usage(`--client must be node, undici or fetch, got "${client}"`);
  const maxTime = v['max-time'] === undefined ? undefined : Number(v['max-time']);
  if (maxTime !== undefined && !(maxTime > 0)) throw usage(`--max-time wants a number of seconds > 0, got "${v['max-time']}"`);
  if (v.request !== undefined && !TOKEN.test(v.request)) throw usage(`-X wants a method token, got ${JSON.stringify(v.request)}`);
  const headers = [...shortcutHeaders(v), ...(v.header ?? []).map(header)];
  if (client === 'fetch' && headers.some(([n, value]) => n.toLowerCase() === 'expect' && value !== '')) {
    throw usage('--client fetch cannot send Expect (undici rejects it); use --client node');
  }
  return {
    urls: rawUrls.map(parseUrl),
    method: v.request,
    headers,
    data: dataParts(parsed.tokens),
    get: v.get === true,
    head: v.head === true,
    compressed: v.compressed === true,
    insecure: v.insecure === true,
    cacert: v.cacert,
    proxy: v.proxy,
    location: v.location === true,
    maxRedirs: count('max-redirs', v['max-redirs'], 50, 0),
    output: v.output,
    include: v.include === true,
    dumpHeader: v['dump-header'],
    writeOut: v['write-out'],
    silent: v.silent === true,
    showError: v['show-error'] === true,
    maxTime: maxTime === undefined ? undefined : maxTime * 1000,
    repeat: count('repeat', v.repeat, 1, 1),
    wait: count('wait', v.wait, 0, 0),
    keepAlive: v['no-keepalive'] !== true,
    resolve: (v.resolve ?? []).map(resolveEntry),
    dnsServer: dnsServer(v['dns-server']),
    parallel: v.parallel === true,
    client,
    verbose: v.verbose === true,
    traceJson: v['trace-json'],
    har: v.har,
    showSecrets: v['show-secrets'] === true,
    fail: v.fail === true || v['fail-with-body'] === true,
    failWithBody: v['fail-with-body'] === true,
    color: v['no-color'] === true ? false : undefined,
    help,
    version,
  };
}
