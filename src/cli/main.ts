#!/usr/bin/env node
/**
 * The `httptrace` command (package `bin`). See `httptrace --help` and the README.
 * @module
 */
import { run } from './run.js';

try {
  process.exitCode = await run(process.argv.slice(2), { stdout: process.stdout, stderr: process.stderr, stdin: process.stdin, env: process.env });
} catch (err) {
  process.stderr.write(`httptrace: internal error: ${(err as Error).stack ?? String(err)}\n`);
  process.exitCode = 1;
}
