// Runs the built `httptrace` command as a real process (for pipes, /dev/full, the exit code).
import { spawn, type StdioOptions } from 'node:child_process';
import { fileURLToPath } from 'node:url';

/** The built main.js (test build). */
export const cliMain = fileURLToPath(new URL('../../src/cli/main.js', import.meta.url));

/** How one run of the process ended. */
export interface BinResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/**
 * Spawns `node main.js ...args`. `stdout` replaces the stdout pipe (a file descriptor); with
 * `closeAfterFirstChunk`, the read end of stdout is closed after its first chunk (as `| head -c`).
 * Killed after 20 s.
 */
export function runBin(args: string[], options: { stdout?: number; closeAfterFirstChunk?: boolean } = {}): Promise<BinResult> {
  const stdio: StdioOptions = ['ignore', options.stdout ?? 'pipe', 'pipe'];
  const child = spawn(process.execPath, [cliMain, ...args], { stdio, env: { ...process.env, NO_COLOR: '1' } });
  let stdout = '';
  let stderr = '';
  child.stdout?.setEncoding('utf8').on('data', (chunk: string) => {
    stdout += chunk;
    if (options.closeAfterFirstChunk) child.stdout?.destroy();
  });
  child.stderr?.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  const timer = setTimeout(() => child.kill(), 20_000);
  return new Promise((resolve, reject) => {
    child.once('error', reject);
    child.once('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}
