// `npm run demo`: the README's first example, then the httptrace command against an embedded local
// HTTPS server with its own test CA (examples/demo-certs/, copies of test/fixtures/). Offline.
import https from 'node:https';
import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const file = (path) => fileURLToPath(new URL(path, import.meta.url));
const cli = file('../dist/cli/main.js');
if (!existsSync(cli)) {
  console.error('dist/ is missing: run `npm run build` first (`npm run demo` does).');
  process.exit(1);
}

const run = (args) =>
  new Promise((resolve, reject) => {
    const child = spawn(process.execPath, args, { stdio: 'inherit' });
    child.once('error', reject);
    child.once('exit', (code) => resolve(code));
  });

let failed = 0;
console.log('── examples/first-trace.mjs (the README\'s first example) ──\n');
if ((await run([file('first-trace.mjs')])) !== 0) failed++;

const server = https.createServer(
  { key: readFileSync(file('demo-certs/server.key')), cert: readFileSync(file('demo-certs/server.pem')) },
  (req, res) => {
    const path = new URL(req.url, 'https://localhost').pathname;
    if (path === '/redirect') return res.writeHead(302, { Location: '/' }).end();
    if (path === '/early-hints') res.writeEarlyHints({ link: '</style.css>; rel=preload; as=style' });
    if (path === '/slow') return setTimeout(() => res.end('slow\n'), 300);
    res.end('hello\n');
  },
);
await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
const origin = `https://localhost:${server.address().port}`;
const ca = 'examples/demo-certs/ca.pem';

const runs = [
  ['a fresh connection, then the same URL on the reused one', [`${origin}/`, `${origin}/`]],
  ['a redirect, followed with -L (each hop shown)', ['-L', `${origin}/redirect`]],
  ['103 Early Hints, with -v: every hook and its time', ['-v', `${origin}/early-hints`]],
  ['a slow endpoint: 300 ms of server processing', [`${origin}/slow`]],
];
for (const [what, args] of runs) {
  console.log(`\n── ${what} ──\n$ httptrace --cacert ${ca} ${args.join(' ')}\n`);
  if ((await run([cli, '--cacert', file('demo-certs/ca.pem'), ...args])) !== 0) failed++;
}
server.close();
process.exitCode = failed === 0 ? 0 : 1;
