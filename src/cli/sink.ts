/**
 * The CLI's output streams as curl treats them: a write error (a closed pipe, a full disk) is
 * remembered, later writes are dropped, and the run ends with exit 23 instead of a stack trace.
 * @module
 */

/** What a sink writes to (`process.stdout`, a test double). */
export interface SinkStream {
  write(data: string | Uint8Array, callback?: (err?: Error | null) => void): unknown;
}

/** A stream that never throws: the first write error is kept in {@link Sink.error}. */
export class Sink {
  error: NodeJS.ErrnoException | undefined;
  constructor(private readonly stream: SinkStream) {}

  /** Writes, unless an earlier write failed. */
  write(data: string | Uint8Array): void {
    if (this.error !== undefined) return;
    try {
      this.stream.write(data, (err) => {
        if (err) this.error ??= err;
      });
    } catch (err) {
      this.error ??= err as Error;
    }
  }

  /** A body output (`-o -`): rejects once a write has failed, so the transfer stops. */
  async writeBody(chunk: Uint8Array): Promise<void> {
    this.write(chunk);
    if (this.error !== undefined) throw this.error;
  }
}

/** The exit code and message of a failed sink: EPIPE ends quietly (curl: 23), anything else says why. */
export function sinkFailure(sink: Sink): { code: number; message: string | undefined } | undefined {
  const err = sink.error;
  if (err === undefined) return undefined;
  return { code: 23, message: err.code === 'EPIPE' ? undefined : `(23) Failure writing output to destination: ${err.code ?? err.message}` };
}
