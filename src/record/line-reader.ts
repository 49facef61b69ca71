/**
 * LineReader: splits a file descriptor into lines, synchronously, in bounded memory.
 *
 * - Reads in chunks into one reused buffer; finds newlines with Buffer#indexOf (memchr).
 * - A line longer than `maxLineBytes` (its CR included, its LF not) is not kept: it is skipped up
 *   to its newline and reported as `tooLong` (its length is counted), so a 10 MB line neither
 *   hangs nor grows memory.
 * - The last line may lack its newline (`unterminated`): a crash can leave a partial line.
 * - A trailing \r (CRLF files) is removed.
 * - Input that is not text (a NUL byte: JSON text never holds one raw) stops the reader at once:
 *   `binaryAt` tells where, and nothing of that chunk is returned (`--from - < /dev/zero` ends).
 * - `seek(offset)` restarts at a byte offset (the caller makes sure it is a line start).
 * - A gzip stream (recognised by its first two bytes, whatever the file's name) is inflated as it
 *   is read; offsets and `bytesRead` are then those of the inflated text (seeking re-inflates from
 *   the start), and `gzipDamage` says when the gzip data ended early or turned corrupt.
 * - `head` keeps the first bytes of the (inflated) input, for telling text from binary.
 *
 * Synchronous on purpose: it is the hot path of replay (no promise per line), and every caller
 * (snapshot, replay, benches) reads a local file.
 */

import { readSync } from 'node:fs';
import { GunzipInput, isGzipMagic } from './gzip-input.js';

export const DEFAULT_MAX_LINE_BYTES = 1024 * 1024;
const DEFAULT_CHUNK_BYTES = 256 * 1024;

export class LineReader {
  /** The current line's bytes are `bytes[lineFrom, lineStop)` (valid until the next call of next(); empty when tooLong). */
  lineFrom = 0;
  lineStop = 0;
  /** The current line's text, decoded when first asked for. */
  private text: string | null = '';
  /** 1-based number of the current line. */
  lineNo = 0;
  /** Byte offset of the current line's start. */
  offset = 0;
  /** Byte length of the current line (without its newline). */
  length = 0;
  /** The current line exceeded maxLineBytes; `line` is '' and the line was skipped. */
  tooLong = false;
  /** The current line is the last one and has no newline. */
  unterminated = false;

  private readonly fd: number;
  private readonly maxLineBytes: number;
  private buf: Buffer;
  /** Valid data is buf[start, end); bufOffset is the file offset of buf[0]. */
  private start = 0;
  private end = 0;
  private bufOffset = 0;
  private filePos: number;
  private eof = false;
  /** Bytes read from the file so far (for progress). */
  bytesRead = 0;
  /** Byte offset of the first NUL byte met (-1: none): the input is not text, reading stopped. */
  binaryAt = -1;
  /** The first bytes of the input (inflated, for gzip); empty before the first read. */
  head: Buffer = Buffer.alloc(0);
  /** The input is gzip (known after the first read). */
  gzip = false;
  /** Position of the next raw (compressed, for gzip) read in the file. */
  private rawPos: number;
  private gunzip: GunzipInput | null = null;
  private sniffed = false;

  /** Pipes cannot be read at a position: read sequentially (and seek() is unavailable). */
  private readonly positional: boolean;

  /** The current line's text (valid after next() returned true and !tooLong; '' when tooLong). */
  get line(): string {
    if (this.text === null) this.text = this.buf.toString('utf8', this.lineFrom, this.lineStop);
    return this.text;
  }

  /** The buffer the current line's bytes are in (see lineFrom). */
  get bytes(): Buffer {
    return this.buf;
  }

  constructor(
    fd: number,
    options: { maxLineBytes?: number; chunkBytes?: number; startOffset?: number; positional?: boolean } = {},
  ) {
    this.fd = fd;
    this.positional = options.positional ?? true;
    this.maxLineBytes = options.maxLineBytes ?? DEFAULT_MAX_LINE_BYTES;
    const chunk = options.chunkBytes ?? DEFAULT_CHUNK_BYTES;
    this.buf = Buffer.allocUnsafe(Math.max(chunk, 4096));
    this.filePos = options.startOffset ?? 0;
    this.rawPos = this.filePos;
    this.bufOffset = this.filePos;
    if (this.positional) {
      // A file: look at its first two bytes wherever reading starts (a resumed read seeks first).
      const magic = Buffer.alloc(2);
      const n = readSync(fd, magic, 0, 2, 0);
      this.gzip = isGzipMagic(magic, n);
      this.sniffed = !this.gzip;
    }
  }

  /** Byte offset of the next line to be read (just after the current one). */
  get nextLineOffset(): number {
    return this.bufOffset + this.start;
  }

  /** What went wrong with the gzip data ('' when whole, or not gzip). */
  get gzipDamage(): string {
    return this.gunzip?.damage ?? '';
  }

  /** Restarts reading at `offset` (a line start); line numbers restart at `lineNo` (0 = unknown). */
  seek(offset: number, lineNo = 0): void {
    if (!this.positional) throw new Error('cannot seek in a pipe');
    this.start = 0;
    this.end = 0;
    this.lineFrom = this.lineStop = 0;
    this.text = '';
    this.eof = false;
    this.lineNo = lineNo;
    if (this.gzip) {
      // No random access into deflate data: inflate again from the start and skip to `offset`.
      this.gunzip = null;
      this.filePos = 0;
      let skip = offset;
      while (skip > 0) {
        const n = this.read(0, Math.min(skip, this.buf.length));
        if (n === 0) break;
        skip -= n;
        this.filePos += n;
      }
    } else {
      this.filePos = offset;
      this.rawPos = offset;
    }
    this.bufOffset = this.filePos;
  }

  /** Advances to the next line; false at end of file (or at input that is not text). */
  next(): boolean {
    if (this.binaryAt >= 0) return false;
    this.tooLong = false;
    this.unterminated = false;
    let scanned = 0; // bytes after `start` already known to hold no newline
    for (;;) {
      const from = this.start + scanned;
      const nl = from < this.end ? this.buf.indexOf(0x0a, from) : -1;
      if (nl !== -1 && nl < this.end) {
        this.emit(this.start, nl);
        this.start = nl + 1;
        return true;
      }
      scanned = this.end - this.start;
      if (scanned > this.maxLineBytes) return this.skipLongLine();
      if (this.binaryAt >= 0) return false;
      if (this.eof) {
        if (scanned === 0) return false;
        this.emit(this.start, this.end);
        this.unterminated = true;
        this.start = this.end;
        return true;
      }
      this.fill();
    }
  }

  private emit(from: number, to: number): void {
    this.lineNo++;
    this.offset = this.bufOffset + from;
    if (to - from > this.maxLineBytes) {
      // over the limit though already buffered whole: too long all the same (the limit is exact)
      this.tooLong = true;
      this.length = to - from;
      this.lineFrom = this.lineStop = 0;
      this.text = '';
      return;
    }
    let stop = to;
    if (stop > from && this.buf[stop - 1] === 0x0d) stop--;
    this.length = to - from;
    this.lineFrom = from;
    this.lineStop = stop;
    this.text = null;
  }

  /** Reads more data after `end`, compacting or growing the buffer as needed (sets eof at the end). */
  private fill(): void {
    if (this.start > 0 && (this.end === this.buf.length || this.start > this.buf.length >>> 1)) {
      this.buf.copy(this.buf, 0, this.start, this.end);
      this.end -= this.start;
      this.bufOffset += this.start;
      this.start = 0;
    }
    if (this.end === this.buf.length) {
      // A line longer than the buffer but within maxLineBytes: grow (bounded by maxLineBytes).
      const bigger = Buffer.allocUnsafe(Math.min(this.buf.length * 2, this.maxLineBytes + 4098));
      this.buf.copy(bigger, 0, this.start, this.end);
      this.buf = bigger;
    }
    const n = this.read(this.end, this.buf.length - this.end);
    if (n === 0) {
      this.eof = true;
      return;
    }
    this.end += n;
    this.filePos += n;
    this.bytesRead += n;
  }

  /** Skips the rest of an over-long line; reports it as the current line with tooLong set. */
  private skipLongLine(): boolean {
    this.lineNo++;
    this.offset = this.bufOffset + this.start;
    let length = this.end - this.start; // bytes of the line seen so far (none is a newline)
    for (;;) {
      // Drop everything buffered (bufOffset then equals filePos) and read on until a newline.
      this.bufOffset += this.end;
      this.start = 0;
      this.end = 0;
      if (this.eof) {
        this.unterminated = true;
        break;
      }
      const n = this.read(0, this.buf.length);
      if (n === 0) {
        this.eof = true;
        this.unterminated = true;
        break;
      }
      this.filePos += n;
      this.bytesRead += n;
      const nl = this.buf.indexOf(0x0a, 0);
      if (nl !== -1 && nl < n) {
        length += nl;
        this.end = n;
        this.start = nl + 1;
        break;
      }
      length += n;
      this.end = n;
    }
    this.tooLong = true;
    this.lineFrom = this.lineStop = 0;
    this.text = '';
    this.length = length;
    return true;
  }

  /** Reads input bytes (inflated when the input is gzip) into buf[at, at + length). */
  private read(at: number, length: number): number {
    if (this.gzip && this.gunzip === null) {
      this.rawPos = 0;
      this.sniffed = true;
      this.gunzip = new GunzipInput((into) => this.readRaw(into, 0, into.length), new Uint8Array(0));
    }
    let n: number;
    if (this.gunzip !== null) {
      n = this.gunzip.read(this.buf, at, length);
    } else if (this.sniffed) {
      n = this.readRaw(this.buf, at, length);
    } else {
      // A pipe's first read: gzip or not?
      this.sniffed = true;
      n = this.readRaw(this.buf, at, length);
      if (n === 1 && this.buf[at] === 0x1f) n += this.readRaw(this.buf, at + 1, length - 1);
      if (this.rawPos === n && isGzipMagic(this.buf.subarray(at), n)) {
        this.gzip = true;
        const first = Uint8Array.prototype.slice.call(this.buf, at, at + n);
        this.gunzip = new GunzipInput((into) => this.readRaw(into, 0, into.length), first);
        n = this.gunzip.read(this.buf, at, length);
      }
    }
    if (this.head.length === 0 && n > 0) this.head = Buffer.from(this.buf.subarray(at, at + Math.min(n, 4096)));
    // Text never holds a NUL byte (checked on the inflated bytes for gzip): stop at binary input.
    const nul = n > 0 ? this.buf.subarray(at, at + n).indexOf(0) : -1;
    if (nul >= 0) {
      this.binaryAt = this.filePos + nul;
      this.eof = true;
      return 0;
    }
    return n;
  }

  private readRaw(into: Buffer, at: number, length: number): number {
    for (;;) {
      try {
        const n = readSync(this.fd, into, at, length, this.positional ? this.rawPos : null);
        this.rawPos += n;
        return n;
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'EAGAIN') throw err;
        sleepMs(2); // a non-blocking pipe with nothing yet: wait for the writer
      }
    }
  }
}

const sleepCell = new Int32Array(new SharedArrayBuffer(4));
function sleepMs(ms: number): void {
  Atomics.wait(sleepCell, 0, 0, ms);
}
