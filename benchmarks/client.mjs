/**
 * One client configuration in its own process:
 *   node client.mjs <config> <url> <requests> [warmup] [concurrency]
 * Runs `warmup` requests, then `requests` timed ones at `concurrency` (default 16), and prints one
 * JSON line: requests per second and client CPU per request. Used by run.mjs, callgrind.mjs and
 * profile.mjs.
 */
import { configNamed } from './clients/configs.mjs';
import { measureLoad, runLoad } from './lib/load.mjs';

const [name, url, requests, warmup = '0', concurrency = '16'] = process.argv.slice(2);
if (!name || !url || !requests) {
  console.error('usage: node client.mjs <config> <url> <requests> [warmup] [concurrency]');
  process.exit(2);
}
const config = configNamed(name);
const { setup } = await import(`./clients/${config.module}.mjs`);
const client = await setup(config.variant, url);
await runLoad(client.request, Number(warmup), Number(concurrency));
const result = await measureLoad(client.request, Number(requests), Number(concurrency));
await client.close();
console.log(JSON.stringify({ config: name, ...result }));
