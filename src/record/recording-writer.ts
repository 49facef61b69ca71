/**
 * RecordingWriter: appends recording lines to a file (or stdout) safely.
 *
 * - The file's directory is opened once (OutputDirectory: walked component by component, refused
 *   when another user could redirect it) and every create, rename and unlink goes through that
 *   handle. A new file is created 0600 with O_CREAT|O_EXCL|O_NOFOLLOW: never through a symlink,
 *   never over an existing file. `force` truncates and `append` adds to an existing file only when
 *   it is a regular file of ours with one link and mode 0600 or narrower (`append` first ends a
 *   partial last line left by a crash).
 * - `-` writes to stdout. A pipe or socket there is made non-blocking (stdout-pipe.ts): a stalled
 *   reader never blocks the process (a signal is handled at once); up to `backlogBytes` wait in
 *   memory, lines beyond are dropped and counted (`dropped`), and close() waits at most
 *   `closeWaitMs` for the reader before counting what is left as dropped too. A failed write is
 *   reported through `onBackgroundFailure` even when the periodic flush met it.
 * - Lines are encoded once, straight into one reused byte buffer (no string concatenation: a long
 *   chain of joined strings costs far more to encode than its bytes), and written whole with
 *   synchronous writes: the buffer is written when it reaches `bufferBytes`, at least every
 *   `flushIntervalMs` (1 s), and on flush()/close().
 *   A synchronous write either lands completely in the page cache or not at all before a signal
 *   handler can run, so a SIGKILL loses at most what was still buffered, never half a line except
 *   on a short write (disk full), which the reader tolerates as a truncated last line.
 * - close() writes what is buffered, fsyncs and closes.
 * - `rotate`: the size is checked before each write, so a file never exceeds maxBytes (only a
 *   single line longer than what a fresh file has room for can make it do so). A full file is
 *   fsynced, closed and shifted to FILE.1 (recording-rotation.ts), and a new file is created the
 *   same safe way; `onNewFile` may supply header lines for it (the record command writes a
 *   snapshot of the live processes, so every file replays on its own). A rotation step that fails
 *   never stops the recording: it is reported through `onWarning` (one line) and writing goes on.
 *   With a `handoff` (`--compress`: rotated-gzip.ts), the full file is instead moved aside within
 *   the same directory handle and handed over; the handoff shifts, names and compresses rotated
 *   files. The directory handle stays open until the handoff is idle.
 * - A short write (disk full) cuts the file back to its last whole line.
 */

import { closeSync, fsyncSync, ftruncateSync, openSync, readSync, writeSync, constants } from 'node:fs';
import { OutputDirectory, RECORDING_FILE_MODE } from './output-directory.js';
import { makeNonBlocking } from './stdout-pipe.js';
import { EXIT_BAD_INPUT, EXIT_FAILURE, ExitError } from '../exit-error.js';
import { createNext, pruneStrays, shiftRotated } from './recording-rotation.js';
import type { RotateSpec } from './rotate-spec.js';

export { RECORDING_FILE_MODE };
export const DEFAULT_FLUSH_INTERVAL_MS = 1000;
export const DEFAULT_BUFFER_BYTES = 256 * 1024;
/** Room in the line buffer beyond `bufferBytes`, so that the line that fills it fits. */
const OUT_SLACK_BYTES = 64 * 1024;

/** Takes over the files rotation moves aside (compression); see rotated-gzip.ts. */
export interface RotationHandoff {
  /** A fresh name in the active file's directory, to move the full file to. */
  nextName(): string;
  /** The full file now called `name` is complete (fsynced, closed): it is the handoff's from here. */
  take(name: string): void;
  /** Resolves once every file taken so far is done with (the directory handle stays open until then). */
  idle(): Promise<void>;
}

export interface RecordingWriterOptions {
  /** Truncate an existing regular file of ours (never a symlink, FIFO, other owner's file). */
  force?: boolean;
  /** Append to an existing regular file of ours (same checks); created if missing. */
  append?: boolean;
  /** Size-based rotation (not with `-`). */
  rotate?: RotateSpec | null;
  flushIntervalMs?: number;
  bufferBytes?: number;
  /** Lines (each ending in \n) to start every file created by rotation with. */
  onNewFile?: () => string;
  /** One line about a rotation that did not go as planned (recording continues). */
  onWarning?: (message: string) => void;
  /** A write failure met by the periodic flush (EPIPE: stdout's reader left). */
  onBackgroundFailure?: (err: unknown) => void;
  /** stdout only: bytes waiting for a slow reader before lines are dropped (default 8 MiB). */
  backlogBytes?: number;
  /** stdout only: how long close() waits for a stalled reader (default 2 s). */
  closeWaitMs?: number;
  /**
   * Takes rotated files over instead of renaming them FILE.1 … (when KEEP > 0); made with the
   * writer's own directory handle, so compression renames and removes through it too.
   */
  handoff?: ((dir: OutputDirectory, name: string) => RotationHandoff) | null;
}

export interface WriterStats {
  /** Lines accepted by write(). */
  lines: number;
  /** Bytes written to files (all files, after rotation too). */
  bytes: number;
  /** Rotations done. */
  rotations: number;
  /** Lines dropped because stdout's reader was too slow (never for files). */
  dropped: number;
}

export class RecordingWriter {
  readonly path: string;
  readonly toStdout: boolean;
  private fd: number;
  /** Lines accepted and not written yet: bytes [0, used) of `out` (after `carry`). */
  private out: Buffer;
  private used = 0;
  private readonly bufferBytes: number;
  private readonly rotate: RotateSpec | null;
  private readonly onNewFile: (() => string) | undefined;
  private readonly onWarning: (message: string) => void;
  private readonly dir: OutputDirectory | null;
  /** The file's name in `dir` as asked, and the one being written (differs after a fallback). */
  private readonly name: string;
  private currentName: string;
  private readonly handoff: RotationHandoff | null;
  private timer: NodeJS.Timeout | null = null;
  private fileBytes = 0;
  /** Bytes of the current file's header (a file holding only its header is never rotated). */
  private headerBytes = 0;
  private closed = false;
  /** Our files that could not be moved into FILE.1 (see pruneStrays). */
  private readonly strays: string[] = [];
  private lastWarning = -Infinity;
  private warningsHeld = 0;
  private readonly counters: WriterStats = { lines: 0, bytes: 0, rotations: 0, dropped: 0 };
  /** stdout is a non-blocking pipe: EAGAIN keeps the rest for later instead of waiting. */
  private readonly nonBlocking: boolean;
  /**
   * Bytes taken from `out` and not written yet, written before it: what a non-blocking stdout did
   * not take yet, or what a failed write (disk full) left for a later flush or close.
   */
  private carry: Buffer | null = null;
  private readonly backlogBytes: number;
  private readonly closeWaitMs: number;
  private readonly onBackgroundFailure: ((err: unknown) => void) | undefined;

  private constructor(path: string, fd: number, dir: OutputDirectory | null, name: string, fileBytes: number, options: RecordingWriterOptions) {
    this.path = path;
    this.toStdout = path === '-';
    this.fd = fd;
    this.dir = dir;
    this.name = name;
    this.currentName = name;
    this.fileBytes = fileBytes;
    this.bufferBytes = Math.max(1, options.bufferBytes ?? DEFAULT_BUFFER_BYTES);
    this.out = Buffer.allocUnsafe(this.bufferBytes + OUT_SLACK_BYTES);
    this.rotate = options.rotate ?? null;
    this.onNewFile = options.onNewFile;
    this.onWarning = options.onWarning ?? (() => undefined);
    this.onBackgroundFailure = options.onBackgroundFailure;
    this.nonBlocking = this.toStdout && makeNonBlocking(fd);
    this.backlogBytes = options.backlogBytes ?? 8 * 1024 * 1024;
    this.closeWaitMs = options.closeWaitMs ?? 2000;
    this.handoff = options.handoff && dir !== null && this.rotate !== null && this.rotate.keep > 0 ? options.handoff(dir, name) : null;
    const interval = options.flushIntervalMs ?? DEFAULT_FLUSH_INTERVAL_MS;
    if (interval > 0) {
      this.timer = setInterval(() => this.flushQuietly(), interval);
      this.timer.unref();
    }
  }

  /** Opens (creates) the recording. Throws ExitError with a one-line message. */
  static open(path: string, options: RecordingWriterOptions = {}): RecordingWriter {
    if (options.force && options.append) {
      throw new ExitError('--force and --append exclude each other', EXIT_BAD_INPUT, 'EUSAGE');
    }
    if (path === '') throw new ExitError('no output file given (use -o FILE, or - for stdout)', EXIT_BAD_INPUT, 'EUSAGE');
    if (path === '-') {
      if (options.rotate) throw new ExitError('--rotate needs a file, not stdout', EXIT_BAD_INPUT, 'EUSAGE');
      return new RecordingWriter(path, 1, null, '-', 0, options);
    }
    const { dir, name } = OutputDirectory.forFile(path);
    try {
      const mode = options.append ? 'append' : options.force ? 'force' : 'create';
      const { fd, size, regular } = dir.openFile(name, mode);
      if (!regular && options.rotate) {
        closeSync(fd);
        throw new ExitError(`--rotate needs a regular file, not the device ${path}`, EXIT_BAD_INPUT, 'EUSAGE');
      }
      let bytes = size;
      if (mode === 'append' && size > 0 && !endsWithNewline(fd, size)) {
        // A crash left a partial last line: end it, so our first line stays a line of its own.
        writeSync(fd, '\n');
        bytes += 1;
      }
      return new RecordingWriter(path, fd, dir, name, bytes, options);
    } catch (err) {
      dir.close();
      throw err;
    }
  }

  /** Adds one line (must end with \n). */
  write(line: string): void {
    if (this.closed) throw new ExitError(`${this.path}: recording already closed`, EXIT_FAILURE, 'ECLOSED');
    if (this.nonBlocking && this.used + (this.carry?.length ?? 0) >= this.backlogBytes) {
      this.counters.dropped++;
      return;
    }
    // a UTF-16 code unit takes at most 3 bytes of UTF-8
    if (this.used + 3 * line.length > this.out.length) this.makeRoom(3 * line.length);
    this.used += this.out.write(line, this.used, 'utf8');
    this.counters.lines++;
    if (this.used >= this.bufferBytes) this.flush();
  }

  /** Room for `bytes` more in `out`: what is buffered is written first, and `out` grows for a long line. */
  private makeRoom(bytes: number): void {
    if (this.used > 0) this.flush();
    if (this.used + bytes <= this.out.length) return;
    // a slow stdout reader kept the bytes, or one line is longer than the buffer: grow
    const bigger = Buffer.allocUnsafe(Math.max(2 * this.out.length, this.used + bytes));
    this.out.copy(bigger, 0, 0, this.used);
    this.out = bigger;
  }

  /** Writes what is buffered (rotating before a write that would overfill the file). */
  flush(): void {
    if (this.closed) return;
    if (this.carry !== null) {
      const carry = this.carry;
      this.carry = null;
      this.writeOut(carry);
      if (this.carry !== null) return; // the reader is still slow (or the disk still full)
    }
    if (this.used === 0) return;
    // a view of `out`: whatever is not written below is copied into `carry` before `out` is reused
    const chunk = this.out.subarray(0, this.used);
    this.used = 0;
    this.writeOut(chunk);
    // a long line grew `out`: back to the usual size once it is written
    if (this.carry === null && this.out.length > 4 * (this.bufferBytes + OUT_SLACK_BYTES)) this.out = Buffer.allocUnsafe(this.bufferBytes + OUT_SLACK_BYTES);
  }

  /** Writes whole lines of `buf`, rotating first where the file would overfill; what a failure leaves goes to `carry`. */
  private writeOut(buf: Buffer): void {
    if (this.rotate === null) {
      this.writeChunk(buf);
      return;
    }
    const max = this.rotate.maxBytes;
    let off = 0;
    while (off < buf.length) {
      const room = max - this.fileBytes;
      if (buf.length - off <= room) {
        this.writeChunk(buf.subarray(off));
        break;
      }
      // the whole lines that still fit, then a new file
      const cut = room > 0 ? buf.lastIndexOf(0x0a, off + room - 1) : -1;
      let stop: number;
      if (cut >= off) {
        stop = cut + 1;
        this.writeRange(buf, off, stop);
        this.rotateNow(buf, stop);
      } else if (this.fileBytes > this.headerBytes) {
        stop = off;
        this.rotateNow(buf, off);
      } else {
        // one line longer than a fresh file has room for: it cannot be split
        const end = buf.indexOf(0x0a, off);
        stop = end < 0 ? buf.length : end + 1;
        this.writeRange(buf, off, stop);
      }
      off = stop;
    }
  }

  /** writeChunk of buf[off, stop); on a failure what follows `stop` is kept too (after what the chunk left). */
  private writeRange(buf: Buffer, off: number, stop: number): void {
    try {
      this.writeChunk(buf.subarray(off, stop));
    } catch (err) {
      this.keep(buf.subarray(stop));
      throw err;
    }
  }

  /** Keeps bytes for a later flush, after those already kept (copied: `out` is reused). */
  private keep(bytes: Buffer): void {
    if (bytes.length === 0) return;
    this.carry = this.carry === null ? Buffer.from(bytes) : Buffer.concat([this.carry, bytes]);
  }

  /** Writes what is buffered, fsyncs and closes. Safe to call twice. */
  close(): void {
    if (this.closed) return;
    if (this.timer !== null) clearInterval(this.timer);
    this.timer = null;
    try {
      this.flush();
      if (this.nonBlocking) this.drainBounded();
    } finally {
      this.closed = true;
      syncQuietly(this.fd);
      if (!this.toStdout && this.fd >= 0) closeSync(this.fd);
      const dir = this.dir;
      if (this.handoff !== null && dir !== null) void this.handoff.idle().finally(() => dir.close());
      else dir?.close();
    }
  }

  /**
   * Drops what is buffered and closes; removes the file when nothing was written to it (a
   * recording refused after its file was created, e.g. a rotation size too small for this host).
   * For stdout whose reader left, this ends without another failing write.
   */
  discard(): void {
    if (this.closed) return;
    const untouched = this.counters.bytes === 0 && this.counters.rotations === 0;
    this.used = 0;
    this.carry = null;
    const dir = this.dir;
    const name = this.currentName;
    if (!this.toStdout && untouched && dir !== null) {
      if (this.timer !== null) clearInterval(this.timer);
      this.timer = null;
      this.closed = true;
      closeSync(this.fd);
      try {
        dir.unlink(name);
      } catch {
        // it stays, empty
      }
      dir.close();
      return;
    }
    this.close();
  }

  /** Makes the file durable now (flush + fsync) without closing it. */
  sync(): void {
    this.flush();
    syncQuietly(this.fd);
  }

  get isClosed(): boolean {
    return this.closed;
  }

  /** The file being written (differs from `path` after a rotation fallback). */
  get currentFile(): string {
    return this.dir === null ? this.path : this.dir.shown(this.currentName);
  }

  stats(): WriterStats {
    return { ...this.counters };
  }

  // ------------------------------------------------------------------ internals

  private flushQuietly(): void {
    try {
      this.flush();
    } catch (err) {
      // The timer cannot throw into anyone: keep the data for the next explicit flush/close, and
      // tell the owner (a reader that left ends a stdout recording at once).
      this.lastTimerError = err;
      this.onBackgroundFailure?.(err);
    }
  }

  /** stdout: waits at most closeWaitMs for a slow reader, then counts what is left as dropped. */
  private drainBounded(): void {
    const deadline = Date.now() + this.closeWaitMs;
    while ((this.used > 0 || this.carry !== null) && Date.now() < deadline) {
      sleepMs(10);
      this.flush();
    }
    if (this.carry !== null) {
      this.counters.dropped++; // the line the reader got only part of
      this.carry = null;
    }
    if (this.used > 0) {
      let lines = 0;
      for (let i = this.out.indexOf(0x0a); i >= 0 && i < this.used; i = this.out.indexOf(0x0a, i + 1)) lines++;
      this.counters.dropped += lines;
      this.used = 0;
    }
  }

  /** The last error a background flush met (the next flush()/close() reports its own). */
  lastTimerError: unknown = null;

  private writeChunk(buf: Buffer): void {
    let off = 0;
    while (off < buf.length) {
      let n: number;
      try {
        n = writeSync(this.fd, buf, off, buf.length - off);
      } catch (err) {
        const code = (err as NodeJS.ErrnoException).code;
        if (code === 'EAGAIN') {
          if (this.nonBlocking) {
            // a slow reader: keep the rest (as bytes: a write may end inside a character) for the
            // next flush, bounded by backlogBytes; never block
            this.keep(buf.subarray(off));
            return;
          }
          sleepMs(1); // an inherited non-blocking descriptor we did not choose: wait, never drop
          continue;
        }
        // A short write (disk full) may have left part of a line: cut the file back to its last
        // whole line, so it ends as a recording should. Keep what was not written, so a later
        // close() can still try (e.g. after ENOSPC clears).
        const kept = this.cutToLastWholeLine(buf, off);
        this.keep(buf.subarray(kept));
        throw ioError(this.path, err, this.rotate !== null);
      }
      off += n;
      this.fileBytes += n;
      this.counters.bytes += n;
    }
  }

  /**
   * After a failed write that got `written` bytes of `buf` into the file: truncates the file to the
   * end of the last whole line of `buf` (a regular file only); returns how many bytes of `buf`
   * stay in the file.
   */
  private cutToLastWholeLine(buf: Buffer, written: number): number {
    if (written === 0 || this.dir === null) return written;
    const nl = buf.lastIndexOf(0x0a, written - 1);
    const kept = nl + 1;
    if (kept === written) return written;
    try {
      ftruncateSync(this.fd, this.fileBytes - (written - kept));
    } catch {
      return written; // could not cut: the reader tolerates a partial last line
    }
    this.fileBytes -= written - kept;
    this.counters.bytes -= written - kept;
    return kept;
  }

  /** One warning line at most per minute (a user planting things in the slots cannot flood stderr). */
  private warnRateLimited(message: string): void {
    const now = Date.now();
    if (now - this.lastWarning < 60_000) {
      this.warningsHeld++;
      return;
    }
    const held = this.warningsHeld > 0 ? ` (and ${this.warningsHeld} more since the last warning)` : '';
    this.lastWarning = now;
    this.warningsHeld = 0;
    this.onWarning(`${message}${held}; recording continues`);
  }

  /** Closes the full file, shifts the rotated ones and starts a new file (never stops); `buf` from `restAt` is still to write. */
  private rotateNow(buf: Buffer, restAt: number): void {
    const spec = this.rotate as RotateSpec;
    const dir = this.dir as OutputDirectory;
    syncQuietly(this.fd);
    closeSync(this.fd);
    this.fd = -1;
    let problems: string[];
    let handedOver = '';
    if (this.handoff !== null) {
      handedOver = this.handoff.nextName();
      problems = [];
      let moved = false;
      try {
        moved = dir.rename(this.currentName, handedOver);
      } catch (err) {
        problems.push(`cannot move ${this.currentName} aside: ${(err as NodeJS.ErrnoException).code ?? 'failed'}`);
      }
      if (!moved) {
        handedOver = '';
        this.strays.push(this.currentName);
        pruneStrays(dir, this.strays, spec.keep);
      }
    } else {
      const shifted = shiftRotated(dir, this.name, this.currentName, spec.keep);
      problems = shifted.problems;
      if (!shifted.moved) {
        this.strays.push(this.currentName);
        pruneStrays(dir, this.strays, spec.keep);
      }
    }
    let next: ReturnType<typeof createNext>;
    try {
      next = createNext(dir, this.name);
    } catch (err) {
      // nowhere to write at all: keep what is left for close() to report
      this.keep(buf.subarray(restAt));
      throw ioError(this.path, err, true);
    }
    if (next.problem !== null) problems.push(next.problem);
    if (problems.length > 0) this.warnRateLimited(`rotation of ${this.path}: ${problems.join('; ')}`);
    this.fd = next.file.fd;
    this.currentName = next.name;
    this.fileBytes = 0;
    this.headerBytes = 0;
    this.counters.rotations++;
    if (handedOver !== '') this.handoff?.take(handedOver);
    const header = this.onNewFile?.() ?? '';
    if (header.length > 0) {
      try {
        this.writeChunk(Buffer.from(header, 'utf8'));
      } catch (err) {
        this.keep(buf.subarray(restAt));
        throw err;
      }
      this.headerBytes = this.fileBytes;
    }
  }
}

/** Whether the file behind `fd` ends in a newline (read through a second, read-only descriptor). */
function endsWithNewline(fd: number, size: number): boolean {
  let rfd = -1;
  try {
    rfd = openSync(`/proc/self/fd/${fd}`, constants.O_RDONLY | constants.O_NONBLOCK);
    const b = Buffer.alloc(1);
    return readSync(rfd, b, 0, 1, size - 1) === 1 && b[0] === 0x0a;
  } catch {
    return true;
  } finally {
    if (rfd >= 0) closeSync(rfd);
  }
}

function ioError(path: string, err: unknown, rotating = false): ExitError {
  const e = err as NodeJS.ErrnoException;
  const code = e.code ?? 'EIO';
  if (code === 'EPIPE') return new ExitError(`${path === '-' ? 'stdout' : path}: reader closed the pipe`, EXIT_FAILURE, code);
  if (code === 'ENOSPC') return new ExitError(`${path}: no space left on device (${rotating ? 'free space or lower the --rotate SIZE or KEEP' : 'free space or use --rotate'})`, EXIT_FAILURE, code);
  const msg = (e.message ?? String(err)).split('\n', 1)[0];
  return new ExitError(`${path}: ${msg}`, EXIT_FAILURE, code);
}

function syncQuietly(fd: number): void {
  try {
    fsyncSync(fd);
  } catch {
    // pipes, ttys and /dev/null cannot be fsynced (EINVAL): nothing to make durable there
  }
}

const sleepCell = new Int32Array(new SharedArrayBuffer(4));
function sleepMs(ms: number): void {
  Atomics.wait(sleepCell, 0, 0, ms);
}
