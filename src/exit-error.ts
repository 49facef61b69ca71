/**
 * RecordingError: a failure the command line reports as one line on stderr, with the exit status
 * DESIGN.md §5 gives it: 2 for bad usage or bad input, 1 for anything else.
 */

export const EXIT_OK = 0;
export const EXIT_FAILURE = 1;
export const EXIT_BAD_INPUT = 2;

export class RecordingError extends Error {
  /** Process exit status for this failure (1 or 2). */
  readonly exitCode: 1 | 2;
  /** errno-like code when one applies (EEXIST, ELOOP, ENOENT, EISDIR, EBADLINE...). */
  readonly code: string;

  constructor(message: string, exitCode: 1 | 2, code = 'ERECORDING') {
    super(message);
    this.name = 'RecordingError';
    this.exitCode = exitCode;
    this.code = code;
  }
}

/** One line describing any thrown value (never a stack trace). */
export function oneLineMessage(err: unknown): string {
  const text = err instanceof Error ? err.message : String(err);
  const line = text.split('\n', 1)[0] ?? '';
  return line.length > 300 ? `${line.slice(0, 297)}...` : line;
}

/** The exit status for any thrown value: a RecordingError's own, else 1. */
export function exitCodeOf(err: unknown): 1 | 2 {
  return err instanceof RecordingError ? err.exitCode : EXIT_FAILURE;
}
