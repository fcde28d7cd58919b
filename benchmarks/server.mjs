/**
 * The benchmark server, in its own process: `http.createServer` on 127.0.0.1, 200 `ok` with
 * Content-Length 2, keep-alive (60 s). Tells its parent the port over IPC (or prints it), then
 * serves until killed.
 */
import http from 'node:http';

const body = Buffer.from('ok');
const server = http.createServer((req, res) => {
  req.resume();
  res.writeHead(200, { 'Content-Type': 'text/plain', 'Content-Length': body.length });
  res.end(body);
});
server.keepAliveTimeout = 60_000;
server.headersTimeout = 65_000;
server.listen(0, '127.0.0.1', () => {
  const { port } = server.address();
  if (process.send) process.send({ port });
  else console.log(`listening on http://127.0.0.1:${port}/`);
});
process.on('disconnect', () => process.exit(0));
