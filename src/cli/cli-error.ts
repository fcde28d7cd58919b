/**
 * The CLI's errors: a stable `code` and the process exit code (curl's numbers where one fits).
 * @module
 */

/** Stable codes of the CLI's own errors. */
export type CliErrorCode =
  | 'ERR_HTTPTRACE_CLI_USAGE'
  | 'ERR_HTTPTRACE_CLI_BAD_URL'
  | 'ERR_HTTPTRACE_CLI_UNSUPPORTED_PROTOCOL'
  | 'ERR_HTTPTRACE_CLI_NOT_SUPPORTED'
  | 'ERR_HTTPTRACE_CLI_READ'
  | 'ERR_HTTPTRACE_CLI_WRITE'
  | 'ERR_HTTPTRACE_CLI_TOO_MANY_REDIRECTS';

/** An error of the command line: bad input, an unsupported option, a file that cannot be read. */
export class CliError extends Error {
  override name = 'CliError' as const;
  readonly code: CliErrorCode;
  readonly exitCode: number;
  constructor(code: CliErrorCode, message: string, exitCode: number, options?: { cause?: unknown }) {
    super(message, options);
    this.code = code;
    this.exitCode = exitCode;
  }
}
