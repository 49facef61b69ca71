/**
 * ExitError: the one error type the command line reports, as one line on stderr, with its exit
 * status: 2 for bad usage or bad input, 1 for anything else (0 is success). Every command maps a
 * thrown value to its status with exitCodeOf, so the mapping lives here and nowhere else.
 */

export const EXIT_OK = 0;
export const EXIT_FAILURE = 1;
export const EXIT_BAD_INPUT = 2;

export class ExitError extends Error {
  /** Process exit status for this failure (1 or 2). */
  readonly exitCode: 1 | 2;
  /** errno-like code when one applies (EUSAGE, EEXIST, ELOOP, ENOENT, EISDIR, EBADLINE...). */
  readonly code: string;

  constructor(message: string, exitCode: 1 | 2, code = 'ERECORDING') {
    super(message);
    this.name = 'ExitError';
    this.exitCode = exitCode;
    this.code = code;
  }
}

/** Bad usage (exit status 2): an unknown option, a malformed value, options that cannot go together. */
export function usageError(message: string): ExitError {
  return new ExitError(message, EXIT_BAD_INPUT, 'EUSAGE');
}

/** True for an ExitError of bad usage (the CLI adds where to find help). */
export function isUsageError(err: unknown): boolean {
  return err instanceof ExitError && err.code === 'EUSAGE';
}

/** One line describing any thrown value (never a stack trace). */
export function oneLineMessage(err: unknown): string {
  const text = err instanceof Error ? err.message : String(err);
  const line = text.split('\n', 1)[0] ?? '';
  return line.length > 300 ? `${line.slice(0, 297)}...` : line;
}

/** The exit status for any thrown value: an ExitError's own, else 1. */
export function exitCodeOf(err: unknown): 1 | 2 {
  return err instanceof ExitError ? err.exitCode : EXIT_FAILURE;
}
