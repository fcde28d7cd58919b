// Test doubles for the CLI's streams: run `httptrace` in-process and capture what it writes.
import { run, type CliIo } from '../../src/cli/run.js';

/** What one in-process run of the CLI produced. */
export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs the CLI with `args`, no TTY, no colour from the environment, `stdin` as given. */
export async function runCli(args: string[], stdin = '', extra: Partial<CliIo> = {}): Promise<CliResult> {
  let stdout = '';
  let stderr = '';
  const code = await run(args, {
    stdout: { write: (s: string | Uint8Array) => (stdout += typeof s === 'string' ? s : Buffer.from(s).toString('utf8')), isTTY: false },
    stderr: { write: (s: string | Uint8Array) => (stderr += typeof s === 'string' ? s : Buffer.from(s).toString('utf8')) },
    stdin: (async function* () {
      if (stdin) yield Buffer.from(stdin);
    })(),
    env: {},
    ...extra,
  });
  return { code, stdout, stderr };
}

/** The `--json` lines of a run, parsed. */
export function jsonLines(stdout: string): Array<Record<string, any>> {
  return stdout.trim().split('\n').map((line) => JSON.parse(line) as Record<string, any>);
}
