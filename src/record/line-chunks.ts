/**
 * Cutting a recording into chunks that parse workers read independently: byte ranges, each owning
 * the lines that START inside it. A worker reads its range (and the byte before it), skips the
 * tail of a line begun in the previous range, and reads past its end to finish its own last line;
 * so the main thread never scans the file, and every line is read by exactly one worker.
 *
 * The lines are those LineReader gives: split at LF, a trailing CR removed from the text (its byte
 * still counted in `length`), a line longer than `maxLineBytes` reported as too long without being
 * kept, the file's last line possibly without newline. Input that is not text (a NUL byte) stops
 * the chunk at the line holding it: `binaryAt` says where.
 */

import { readSync } from 'node:fs';

/** Called for every line a chunk owns, in order. `text` is null for a line over the limit. */
export type ChunkLineVisitor = (line: number, offset: number, length: number, text: string | null, unterminated: boolean) => void;

/**
 * The same, given the line's bytes instead of its text: `bytes[from, to)` is what `text` would
 * decode (the trailing CR left out); `bytes` is null for a line over the limit. The bytes are only
 * valid during the call (the buffer is reused).
 */
export type ChunkLineBytesVisitor = (line: number, offset: number, length: number, bytes: Buffer | null, from: number, to: number, unterminated: boolean) => void;

export interface ChunkResult {
  /** Lines the chunk owns (blank ones included): the next chunk's line numbers start after them. */
  lines: number;
  /** File offset of a NUL byte met in an owned line (its line and the rest are not visited); −1: none. */
  binaryAt: number;
}

const EXTEND_BYTES = 64 * 1024;

/** Reads file bytes [offset, offset + length) into buf from 0; fewer at the end of the file. */
function readAt(fd: number, buf: Buffer, length: number, offset: number): number {
  let got = 0;
  while (got < length) {
    const n = readSync(fd, buf, got, length - got, offset + got);
    if (n === 0) break;
    got += n;
  }
  return got;
}

/**
 * Visits the lines that start in file bytes [start, end) (line numbers 1, 2, … within the chunk).
 * `scratch` is reused between calls when large enough.
 */
export function readChunkLines(fd: number, start: number, end: number, maxLineBytes: number, visit: ChunkLineVisitor, scratch?: { buf: Buffer }): ChunkResult {
  return readChunkLineBytes(
    fd,
    start,
    end,
    maxLineBytes,
    (line, offset, length, bytes, from, to, unterminated) => visit(line, offset, length, bytes === null ? null : bytes.toString('utf8', from, to), unterminated),
    scratch,
  );
}

/** readChunkLines giving each line's bytes (its UTF-8 decoding left to the visitor). */
export function readChunkLineBytes(fd: number, start: number, end: number, maxLineBytes: number, visit: ChunkLineBytesVisitor, scratch?: { buf: Buffer }): ChunkResult {
  const from = start > 0 ? start - 1 : 0;
  const want = end - from;
  let buf = scratch?.buf;
  if (buf === undefined || buf.length < want) {
    buf = Buffer.allocUnsafe(want);
    if (scratch !== undefined) scratch.buf = buf;
  }
  const have = readAt(fd, buf, want, from);
  // index in buf of the first line this chunk owns
  let pos: number;
  if (start === 0) pos = 0;
  else if (have > 0 && buf[0] === 0x0a) pos = 1;
  else {
    const nl = have > 1 ? buf.indexOf(0x0a, 1) : -1;
    if (nl === -1 || nl >= have - 1) return { lines: 0, binaryAt: -1 };
    pos = nl + 1;
  }
  let nul = pos < have ? buf.indexOf(0, pos) : -1;
  if (nul >= have) nul = -1;
  let line = 0;
  while (pos < have) {
    const nl = buf.indexOf(0x0a, pos);
    if (nl !== -1 && nl < have) {
      if (nul !== -1 && nul < nl) return { lines: line, binaryAt: from + nul };
      line++;
      const length = nl - pos;
      if (length > maxLineBytes) visit(line, from + pos, length, null, 0, 0, false);
      else visit(line, from + pos, length, buf, pos, length > 0 && buf[nl - 1] === 0x0d ? nl - 1 : nl, false);
      pos = nl + 1;
      continue;
    }
    // the last line crosses the end of the range: read on to its newline (or the end of the file)
    if (nul !== -1) return { lines: line, binaryAt: from + nul };
    const parts: Buffer[] = [buf.subarray(pos, have)];
    let length = have - pos;
    let kept = length;
    let at = from + have;
    let terminated = false;
    const piece = Buffer.allocUnsafe(EXTEND_BYTES);
    for (;;) {
      const n = readAt(fd, piece, EXTEND_BYTES, at);
      if (n === 0) break;
      let stop = piece.indexOf(0x0a);
      if (stop >= n) stop = -1;
      const part = stop === -1 ? n : stop;
      const z = piece.indexOf(0);
      if (z !== -1 && z < part) return { lines: line, binaryAt: at + z };
      if (kept <= maxLineBytes) {
        parts.push(Buffer.from(piece.subarray(0, part)));
        kept += part;
      }
      length += part;
      at += n;
      if (stop !== -1) {
        terminated = true;
        break;
      }
    }
    line++;
    if (length > maxLineBytes) visit(line, from + pos, length, null, 0, 0, !terminated);
    else {
      const whole = Buffer.concat(parts, length);
      const stopAt = length > 0 && whole[length - 1] === 0x0d ? length - 1 : length;
      visit(line, from + pos, length, whole, 0, stopAt, !terminated);
    }
    break;
  }
  return { lines: line, binaryAt: -1 };
}

/**
 * The offset just after the last newline of the file's first `size` bytes (0 when there is none):
 * the part of a file whose every line is whole.
 */
export function endOfLastWholeLine(fd: number, size: number): number {
  const buf = Buffer.allocUnsafe(EXTEND_BYTES);
  let end = size;
  while (end > 0) {
    const from = Math.max(0, end - EXTEND_BYTES);
    const n = readAt(fd, buf, end - from, from);
    const nl = buf.subarray(0, n).lastIndexOf(0x0a);
    if (nl !== -1) return from + nl + 1;
    end = from;
  }
  return 0;
}
