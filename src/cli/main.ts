#!/usr/bin/env node
/**
 * The `httptrace` command (package `bin`). See `httptrace --help` and the README.
 * @module
 */
import { run } from './run.js';

// A closed pipe or a full disk is reported by run() through its sinks (exit 23), never as a crash.
for (const stream of [process.stdout, process.stderr]) {
  stream.on('error', (err: NodeJS.ErrnoException) => {
    if (stream === process.stdout) process.exitCode = 23;
    if (err.code === 'EPIPE') stream.destroy();
  });
}

try {
  process.exitCode = await run(process.argv.slice(2), { stdout: process.stdout, stderr: process.stderr, stdin: process.stdin, env: process.env });
} catch (err) {
  process.stderr.write(`httptrace: internal error: ${(err as Error).stack ?? String(err)}\n`);
  process.exitCode = 1;
}
