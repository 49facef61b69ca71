/**
 * `--rotate SIZE[,KEEP]`: rotate the recording when it reaches SIZE bytes (a SIZE as the command
 * line reads every size: K, M, G, T are powers of 1024, an optional trailing B or iB), keeping KEEP
 * rotated files (FILE.1 … FILE.KEEP; default 5).
 */

import { usageError } from '../exit-error.js';
import { parseSize } from '../text/time-size-grammar.js';

export interface RotateSpec {
  /** Rotate once the current file holds at least this many bytes. */
  maxBytes: number;
  /** Rotated files kept (FILE.1 newest … FILE.keep oldest); 0 keeps none. */
  keep: number;
}

export const DEFAULT_ROTATE_KEEP = 5;
/** Below this a rotated file could not hold a backfill; refuse such sizes as a typo. */
export const MIN_ROTATE_BYTES = 64 * 1024;

export function parseRotateSpec(text: string): RotateSpec {
  const m = /^([^,]*)(?:,\s*(\d+)\s*)?$/.exec(text);
  if (m === null) throw usageError(`invalid --rotate "${text}": expected SIZE[,KEEP], e.g. 100M,5`);
  let maxBytes: number;
  try {
    maxBytes = parseSize(m[1] as string, '--rotate');
  } catch {
    throw usageError(`invalid --rotate "${text}": expected SIZE[,KEEP], e.g. 100M,5`);
  }
  if (maxBytes < MIN_ROTATE_BYTES) throw usageError(`invalid --rotate "${text}": SIZE must be at least 64K`);
  const keep = m[2] === undefined ? DEFAULT_ROTATE_KEEP : Number(m[2]);
  if (!Number.isSafeInteger(keep) || keep > 1000) throw usageError(`invalid --rotate "${text}": KEEP must be 0..1000`);
  return { maxBytes, keep };
}
