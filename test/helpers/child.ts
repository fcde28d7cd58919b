/**
 * Runs a compiled helper script in a child Node process and waits for it to exit by itself: the way
 * to prove that nothing (socket, timer, listener on a handle) keeps a process alive.
 */
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

/** How a child process ended. */
export interface ChildResult {
  /** Exit code, `null` when killed. */
  code: number | null;
  /** `true` when it did not exit by itself before the deadline (it was then killed). */
  timedOut: boolean;
  ms: number;
  stdout: string;
  stderr: string;
}

/** The path of a compiled helper next to this one (`fault-child.js`, `soak-child.js`). */
export function helperScript(name: string): string {
  return fileURLToPath(new URL(name, import.meta.url));
}

/**
 * Spawns `node [execArgv] script jsonArg` and resolves when it exits. After `deadlineMs` it is
 * killed (SIGKILL) and `timedOut` is set.
 */
export function runChild(script: string, arg: unknown, options: { deadlineMs: number; execArgv?: string[] }): Promise<ChildResult> {
  const started = performance.now();
  const child = spawn(process.execPath, [...(options.execArgv ?? []), script, JSON.stringify(arg)], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    child.kill('SIGKILL');
  }, options.deadlineMs);
  return new Promise((resolve, reject) => {
    child.once('error', (err) => {
      clearTimeout(timer);
      reject(err);
    });
    child.once('close', (code) => {
      clearTimeout(timer);
      resolve({ code, timedOut, ms: performance.now() - started, stdout, stderr });
    });
  });
}
