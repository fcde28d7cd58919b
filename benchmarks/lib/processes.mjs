/**
 * Child processes for the benchmarks: the server (forked, its port over IPC) and one run of a
 * command whose last stdout line is a JSON result.
 */
import { fork, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const here = (file) => fileURLToPath(new URL(`../${file}`, import.meta.url));

/** Starts server.mjs in its own process; resolves with its URL and a stop function. */
export function startServer() {
  return new Promise((resolve, reject) => {
    const child = fork(here('server.mjs'), [], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
    child.once('error', reject);
    child.once('exit', (code) => reject(new Error(`server exited with ${code}`)));
    child.once('message', ({ port }) => {
      resolve({ url: `http://127.0.0.1:${port}/`, stop: () => child.kill() });
    });
  });
}

/** Runs `command args`; resolves with the JSON of its last stdout line, rejects on failure. */
export function runJson(command, args, { env } = {}) {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, ...env } });
    let out = '';
    let err = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (err += d));
    child.on('error', reject);
    child.on('close', (code) => {
      const last = out.trim().split('\n').pop() ?? '';
      if (code !== 0) return reject(new Error(`${args.join(' ')} exited with ${code}\n${err}${out}`));
      try {
        resolve({ ...JSON.parse(last), stderr: err });
      } catch {
        reject(new Error(`${args.join(' ')}: no JSON result\n${err}${out}`));
      }
    });
  });
}

/** Runs one client configuration in its own node process. */
export function runClient(config, url, requests, warmup, concurrency = 16, nodeFlags = []) {
  return runJson(process.execPath, [...nodeFlags, here('client.mjs'), config, url, String(requests), String(warmup), String(concurrency)]);
}

export { here };
