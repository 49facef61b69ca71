/**
 * `--rotate SIZE[,KEEP]`: rotate the recording when it reaches SIZE bytes (suffixes K, M, G, T,
 * powers of 1024; an optional trailing B or iB), keeping KEEP rotated files (FILE.1 … FILE.KEEP;
 * default 5).
 */

import { EXIT_BAD_INPUT, RecordingError } from '../exit-error.js';

export interface RotateSpec {
  /** Rotate once the current file holds at least this many bytes. */
  maxBytes: number;
  /** Rotated files kept (FILE.1 newest … FILE.keep oldest); 0 keeps none. */
  keep: number;
}

export const DEFAULT_ROTATE_KEEP = 5;
/** Below this a rotated file could not hold a backfill; refuse such sizes as a typo. */
export const MIN_ROTATE_BYTES = 64 * 1024;

const UNITS: Record<string, number> = { '': 1, K: 1024, M: 1024 ** 2, G: 1024 ** 3, T: 1024 ** 4 };

export function parseRotateSpec(text: string): RotateSpec {
  const m = /^\s*(\d+(?:\.\d+)?)\s*([KMGT]?)(?:i?B)?\s*(?:,\s*(\d+)\s*)?$/i.exec(text);
  if (m === null) {
    throw new RecordingError(`invalid --rotate "${text}": expected SIZE[,KEEP], e.g. 100M,5`, EXIT_BAD_INPUT, 'EUSAGE');
  }
  const unit = UNITS[(m[2] ?? '').toUpperCase()] ?? 1;
  const maxBytes = Math.floor(Number(m[1]) * unit);
  if (!Number.isSafeInteger(maxBytes) || maxBytes < MIN_ROTATE_BYTES) {
    throw new RecordingError(`invalid --rotate "${text}": SIZE must be at least 64K`, EXIT_BAD_INPUT, 'EUSAGE');
  }
  const keep = m[3] === undefined ? DEFAULT_ROTATE_KEEP : Number(m[3]);
  if (!Number.isSafeInteger(keep) || keep > 1000) {
    throw new RecordingError(`invalid --rotate "${text}": KEEP must be 0..1000`, EXIT_BAD_INPUT, 'EUSAGE');
  }
  return { maxBytes, keep };
}
