/**
 * The memory check, in its own process (run with --expose-gc):
 *   node --expose-gc memory.mjs <node|undici> <url> [requests]
 * Sends `requests` (default 100,000) traced requests at concurrency 16 through TracingAgent or the
 * tracing dispatcher (npm undici 7), with a trace of 16 hooks that count their calls. Compares the
 * heap after GC at an early checkpoint (10%) and at the end, the listeners left on the sockets and
 * the agent against a plain agent's, the diagnostics channels left subscribed, and collects process
 * warnings (MaxListenersExceededWarning). Prints one JSON line.
 */
import { checkNode, checkUndici } from './lib/memory-checks.mjs';

const [adapter, url, requests = '100000'] = process.argv.slice(2);
if (typeof globalThis.gc !== 'function') throw new Error('run with --expose-gc');
const warnings = [];
process.on('warning', (w) => warnings.push(`${w.name}: ${w.message}`));
const check = adapter === 'node' ? checkNode : adapter === 'undici' ? checkUndici : null;
if (!check) throw new Error(`unknown adapter ${adapter}`);
const result = await check(url, Number(requests));
await new Promise((r) => setImmediate(r));
console.log(JSON.stringify({ adapter, requests: Number(requests), ...result, warnings }));
