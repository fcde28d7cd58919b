/**
 * The command line: `util.parseArgs` with curl's option names, checked into {@link CliOptions}.
 * Every bad option or URL becomes a {@link CliError} with exit code 2 (3 for a bad URL, 1 for an
 * unsupported protocol, as curl) and a one-line message.
 * @module
 */
import { isIP } from 'node:net';
import { parseArgs } from 'node:util';
import { CliError } from './cli-error.js';

/** A `--resolve host:port:addr[,addr]` entry. */
export interface ResolveEntry {
  host: string;
  port: number;
  addrs: string[];
}

/** The transports the CLI can trace. */
export type ClientKind = 'node' | 'undici' | 'fetch';

/** The parsed command line. */
export interface CliOptions {
  urls: URL[];
  method: string | undefined;
  /** `-H` and `-A` in order; an empty value removes the header (`-H 'User-Agent:'`). */
  headers: Array<[string, string]>;
  /** `-d` values joined by `&`, still with their `@file`/`@-` references. */
  data: string[];
  insecure: boolean;
  cacert: string | undefined;
  proxy: string | undefined;
  location: boolean;
  maxRedirs: number;
  output: string | undefined;
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
  json: boolean;
  har: string | undefined;
  showSecrets: boolean;
  fail: boolean;
  /** `false` with `--no-color`; otherwise decided from the terminal and `NO_COLOR`. */
  color: boolean | undefined;
  help: boolean;
  version: boolean;
}

const spec = {
  request: { type: 'string', short: 'X' },
  header: { type: 'string', short: 'H', multiple: true },
  data: { type: 'string', short: 'd', multiple: true },
  'user-agent': { type: 'string', short: 'A' },
  insecure: { type: 'boolean', short: 'k' },
  cacert: { type: 'string' },
  proxy: { type: 'string', short: 'x' },
  location: { type: 'boolean', short: 'L' },
  'max-redirs': { type: 'string' },
  output: { type: 'string', short: 'o' },
  'max-time': { type: 'string', short: 'm' },
  repeat: { type: 'string' },
  wait: { type: 'string' },
  'no-keepalive': { type: 'boolean' },
  resolve: { type: 'string', multiple: true },
  'dns-server': { type: 'string' },
  parallel: { type: 'boolean', short: 'Z' },
  client: { type: 'string' },
  verbose: { type: 'boolean', short: 'v' },
  json: { type: 'boolean' },
  har: { type: 'string' },
  'show-secrets': { type: 'boolean' },
  fail: { type: 'boolean', short: 'f' },
  'no-color': { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
  version: { type: 'boolean', short: 'V' },
} as const;

const usage = (message: string): CliError => new CliError('ERR_HTTPTRACE_CLI_USAGE', message, 2);

function count(name: string, value: string | undefined, fallback: number, min: number): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!/^\d+$/.test(value) || n < min) throw usage(`--${name} must be a whole number >= ${min}, got "${value}"`);
  return n;
}

function header(line: string): [string, string] {
  const colon = line.indexOf(':');
  const name = colon < 0 ? '' : line.slice(0, colon).trim();
  if (!/^[!#$%&'*+.^_`|~\w-]+$/.test(name)) throw usage(`-H wants "Name: value", got "${line}"`);
  return [name, line.slice(colon + 1).trim()];
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
  return { host: unbracket(m[1]!).toLowerCase(), port: Number(m[2]), addrs };
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

/** Parses `argv` (without the node and script paths). Throws a {@link CliError} on bad input. */
export function parseCliArgs(argv: readonly string[]): CliOptions {
  let parsed;
  try {
    parsed = parseArgs({ args: [...argv], options: spec, allowPositionals: true, strict: true });
  } catch (err) {
    throw usage(`${(err as Error).message.replace(/\. To specify a positional.*$/s, '')} (see httptrace --help)`);
  }
  const v = parsed.values;
  const help = v.help === true;
  const version = v.version === true;
  if (!help && !version && parsed.positionals.length === 0) throw usage('no URL given (see httptrace --help)');
  const client = v.client ?? 'node';
  if (client !== 'node' && client !== 'undici' && client !== 'fetch') throw usage(`--client must be node, undici or fetch, got "${client}"`);
  const maxTime = v['max-time'] === undefined ? undefined : Number(v['max-time']);
  if (maxTime !== undefined && !(maxTime > 0)) throw usage(`--max-time wants a number of seconds > 0, got "${v['max-time']}"`);
  const headers = (v.header ?? []).map(header);
  if (v['user-agent'] !== undefined) headers.push(['User-Agent', v['user-agent']]);
  return {
    urls: parsed.positionals.map(parseUrl),
    method: v.request,
    headers,
    data: v.data ?? [],
    insecure: v.insecure === true,
    cacert: v.cacert,
    proxy: v.proxy,
    location: v.location === true,
    maxRedirs: count('max-redirs', v['max-redirs'], 50, 0),
    output: v.output,
    maxTime: maxTime === undefined ? undefined : maxTime * 1000,
    repeat: count('repeat', v.repeat, 1, 1),
    wait: count('wait', v.wait, 0, 0),
    keepAlive: v['no-keepalive'] !== true,
    resolve: (v.resolve ?? []).map(resolveEntry),
    dnsServer: dnsServer(v['dns-server']),
    parallel: v.parallel === true,
    client,
    verbose: v.verbose === true,
    json: v.json === true,
    har: v.har,
    showSecrets: v['show-secrets'] === true,
    fail: v.fail === true,
    color: v['no-color'] === true ? false : undefined,
    help,
    version,
  };
}

/** The `--help` text. */
export const helpText = `Usage: httptrace [options] <url>...

Traces HTTP requests with Go's httptrace hooks and shows where the time went.
Several URLs share one connection pool and are requested in order.

  -X, --request METHOD       request method (default GET, or POST with -d)
  -H, --header "Name: value" add a header (repeatable); "Name:" removes one
  -d, --data DATA            request body; @file reads a file, @- stdin (repeatable, joined by &)
  -A, --user-agent UA        User-Agent (default httptrace/<version>)
  -k, --insecure             do not verify the server's certificate
      --cacert FILE          trust the CA certificates in FILE (PEM)
  -x, --proxy URL            http proxy for every request (default: HTTP_PROXY, HTTPS_PROXY, NO_PROXY)
  -L, --location             follow redirects, showing each hop
      --max-redirs N         at most N redirects with -L (default 50)
  -o, --output FILE          save the response bodies to FILE (default: read and discard)
  -m, --max-time SECONDS     give up on a request after this long (exit 28)
      --repeat N             make each request N times, in order, on one pool
      --wait MS              pause between repeats
      --no-keepalive         one connection per request
      --resolve H:P:ADDR[,ADDR]  answer host H on port P with ADDR (as curl)
      --dns-server IP[:PORT] resolve names with this DNS server
  -Z, --parallel             make the requests at once instead of in order
      --client KIND          node (default), undici or fetch
  -v, --verbose              show every hook with its time
      --json                 NDJSON events on stdout (see the README)
      --har FILE             write a HAR 1.2 log of the run
      --show-secrets         do not redact credentials and cookies
  -f, --fail                 exit 22 when the final status is 400 or more
      --no-color             no colours (NO_COLOR is respected too)
  -h, --help                 this help
  -V, --version              the version

Exit codes: 0 ok, 1 unsupported protocol, 2 bad option, 3 bad URL, 6 DNS, 7 connect,
22 HTTP error (with -f), 23 write error, 26 read error, 28 timeout, 35 TLS, 47 too many
redirects, 52 empty reply, 56 receive error (and a refused proxy CONNECT), 60 certificate
not verified, 77 cannot read --cacert.
`;
