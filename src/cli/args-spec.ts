/**
 * The options `httptrace` accepts (curl's names and meanings) and the `--help` text, grouped as
 * curl's `--help` categories.
 * @module
 */

/** The `util.parseArgs` options. */
export const spec = {
  // http / post
  request: { type: 'string', short: 'X' },
  header: { type: 'string', short: 'H', multiple: true },
  data: { type: 'string', short: 'd', multiple: true },
  'data-raw': { type: 'string', multiple: true },
  'data-binary': { type: 'string', multiple: true },
  'data-urlencode': { type: 'string', multiple: true },
  json: { type: 'string', multiple: true },
  get: { type: 'boolean', short: 'G' },
  head: { type: 'boolean', short: 'I' },
  'user-agent': { type: 'string', short: 'A' },
  referer: { type: 'string', short: 'e' },
  user: { type: 'string', short: 'u' },
  cookie: { type: 'string', short: 'b', multiple: true },
  compressed: { type: 'boolean' },
  'http1.1': { type: 'boolean' },
  location: { type: 'boolean', short: 'L' },
  'max-redirs': { type: 'string' },
  url: { type: 'string', multiple: true },
  // tls
  insecure: { type: 'boolean', short: 'k' },
  cacert: { type: 'string' },
  // connection / dns / proxy
  proxy: { type: 'string', short: 'x' },
  'max-time': { type: 'string', short: 'm' },
  'no-keepalive': { type: 'boolean' },
  resolve: { type: 'string', multiple: true },
  'dns-server': { type: 'string' },
  // output
  output: { type: 'string', short: 'o' },
  include: { type: 'boolean', short: 'i' },
  'dump-header': { type: 'string', short: 'D' },
  'write-out': { type: 'string', short: 'w' },
  silent: { type: 'boolean', short: 's' },
  'show-error': { type: 'boolean', short: 'S' },
  fail: { type: 'boolean', short: 'f' },
  'fail-with-body': { type: 'boolean' },
  // tracing
  repeat: { type: 'string' },
  wait: { type: 'string' },
  parallel: { type: 'boolean', short: 'Z' },
  client: { type: 'string' },
  verbose: { type: 'boolean', short: 'v' },
  'trace-json': { type: 'string' },
  har: { type: 'string' },
  'show-secrets': { type: 'boolean' },
  'no-color': { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
  version: { type: 'boolean', short: 'V' },
} as const;

/** The `--help` text (one screen). */
export const helpText = `Usage: httptrace [options] <url>...
Traces HTTP requests (Go's httptrace hooks) and shows where the time went. curl's flags, curl's meaning.

http/post:
  -X, --request METHOD        -H, --header "Name: value" ("Name:" removes one)
  -d, --data DATA (@file, @-) form; also --data-raw, --data-binary, --data-urlencode
      --json DATA             send JSON (Content-Type and Accept: application/json)
  -G, --get                   put -d data in the URL query      -I, --head  HEAD, show headers
  -A, --user-agent UA         -e, --referer URL                 -u, --user USER:PASS
  -b, --cookie "N=V; N2=V2"   --compressed (ask for and decode gzip/deflate/br)
  -L, --location              --max-redirs N (default 50)       --url URL   --http1.1 (the default)
tls:
  -k, --insecure              --cacert FILE (PEM)
connection/dns/proxy:
  -x, --proxy URL             (default: HTTP_PROXY, HTTPS_PROXY, NO_PROXY)
  -m, --max-time SECONDS      --no-keepalive (one connection per request)
      --resolve HOST:PORT:ADDR[,ADDR]     --dns-server IP[:PORT]
output:
  -o, --output FILE           save the bodies ("-": stdout, the report then goes to stderr)
  -i, --include               headers before the body in the output
  -D, --dump-header FILE      -w, --write-out FORMAT (%{time_total}, %{http_code}, %{json}, ...)
  -s, --silent                no report, no error messages     -S, --show-error  errors even with -s
  -f, --fail                  exit 22 on a status >= 400 (no body) --fail-with-body (with the body)
tracing (httptrace's own):
      --repeat N              each request N times on one pool, then statistics
      --wait MS               pause between repeats       -Z, --parallel  all requests at once
      --client KIND           node (default), undici or fetch
  -v, --verbose               every hook with its time
      --trace-json FILE       the events as NDJSON ("-": stdout)
      --har FILE              a HAR 1.2 log ("-": stdout)
      --show-secrets          do not redact credentials and cookies
      --no-color              no colours (NO_COLOR is respected too)
  -h, --help                  -V, --version

Exit codes (curl's): 0 ok, 1 unsupported protocol, 2 bad option, 3 bad URL, 6 DNS, 7 connect,
22 HTTP error (-f), 23 write error, 26 read error, 28 timeout, 35 TLS, 47 too many redirects,
52 empty reply, 56 receive error, 60 certificate not verified, 77 bad --cacert.
`;
