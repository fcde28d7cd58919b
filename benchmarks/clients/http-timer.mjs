/**
 * `@szmarczak/http-timer` (what got used) on a plain keep-alive `http.Agent`: timings for each
 * request, read when the body ends.
 */
import http from 'node:http';
import timer from '@szmarczak/http-timer';

export async function setup(_variant, url) {
  const { hostname, port } = new URL(url);
  const agent = new http.Agent({ keepAlive: true, maxSockets: 16 });
  const request = () =>
    new Promise((resolve, reject) => {
      const req = http.get({ host: hostname, port, path: '/', agent }, (res) => {
        res.resume();
        res.on('end', () => {
          if (typeof res.timings?.phases !== 'object') reject(new Error('http-timer: no timings'));
          else resolve();
        });
      });
      timer(req);
      req.on('error', reject);
    });
  return { agent, request, close: () => agent.destroy() };
}
