// The README's first example: trace one GET, on an embedded local server (no network needed).
import http from 'node:http';
import { withClientTrace, emptyContext } from 'httptrace';
import { TracingAgent } from 'httptrace/node';

const server = http.createServer((req, res) => res.end('ok\n')).listen(0, '127.0.0.1');
await new Promise((resolve) => server.once('listening', resolve));
const url = `http://localhost:${server.address().port}/`;

const agent = new TracingAgent({ keepAlive: true });
const traceContext = withClientTrace(emptyContext, {
  dnsDone: ({ addrs }) => console.log('dnsDone', addrs),
  connectDone: (network, addr, err) => console.log('connectDone', network, addr, err),
  gotConn: ({ reused, wasIdle }) => console.log('gotConn', { reused, wasIdle }),
  wroteHeaderField: (key, values) => console.log('wroteHeaderField', key, values),
  gotFirstResponseByte: () => console.log('gotFirstResponseByte'),
  putIdleConn: (err) => console.log('putIdleConn', err),
});
for (let i = 0; i < 2; i++) {
  await new Promise((resolve) => http.get(url, { agent, traceContext, family: 4 }, (res) => res.resume().on('end', resolve)));
}
agent.destroy();
server.close();
