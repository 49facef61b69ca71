/**
 * RecordingWriter: appends recording lines to a file (or stdout) safely.
 *
 * - Created with mode 0600, O_CREAT|O_EXCL|O_NOFOLLOW: never through a symlink, never over an
 *   existing file. `force` truncates an existing regular file (still refusing a symlink) and resets
 *   its mode to 0600; `append` adds to it (first ending a partial last line left by a crash).
 * - `-` writes to stdout.
 * - Lines are buffered and written whole with synchronous writes: the buffer is written when it
 *   reaches `bufferBytes`, at least every `flushIntervalMs` (1 s), and on flush()/close().
 *   A synchronous write either lands completely in the page cache or not at all before a signal
 *   handler can run, so a SIGKILL loses at most what was still buffered, never half a line except
 *   on a short write (disk full), which the reader tolerates as a truncated last line.
 * - close() writes what is buffered, fsyncs and closes.
 * - `rotate`: when the file reaches maxBytes (checked after each buffer write, so at line
 *   boundaries) it is fsynced and renamed FILE → FILE.1 (FILE.1 → FILE.2 …, keeping `keep`), and
 *   a new FILE is created 0600 the same safe way. `onNewFile` may supply header lines for it (the
 *   record command writes a snapshot of the live processes, so every file replays on its own).
 */

import {
  closeSync,
  constants,
  fchmodSync,
  fstatSync,
  fsyncSync,
  lstatSync,
  openSync,
  readSync,
  renameSync,
  unlinkSync,
  writeSync,
} from 'node:fs';
import { EXIT_BAD_INPUT, EXIT_FAILURE, ExitError } from '../exit-error.js';
import type { RotateSpec } from './rotate-spec.js';

export const DEFAULT_FLUSH_INTERVAL_MS = 1000;
export const DEFAULT_BUFFER_BYTES = 256 * 1024;
/** Mode of every recording file created. */
export const RECORDING_FILE_MODE = 0o600;

export interface RecordingWriterOptions {
  /** Truncate an existing regular file (never a symlink). */
  force?: boolean;
  /** Append to an existing regular file (never a symlink); created if missing. */
  append?: boolean;
  /** Size-based rotation (not with `-`). */
  rotate?: RotateSpec | null;
  flushIntervalMs?: number;
  bufferBytes?: number;
  /** Lines (each ending in \n) to start every file created by rotation with. */
  onNewFile?: () => string;
}

export interface WriterStats {
  /** Lines accepted by write(). */
  lines: number;
  /** Bytes written to files (all files, after rotation too). */
  bytes: number;
  /** Rotations done. */
  rotations: number;
}

const { O_WRONLY, O_CREAT, O_EXCL, O_NOFOLLOW, O_TRUNC, O_APPEND } = constants;

export class RecordingWriter {
  readonly path: string;
  readonly toStdout: boolean;
  private fd: number;
  private pending = '';
  private readonly bufferBytes: number;
  private readonly rotate: RotateSpec | null;
  private readonly onNewFile: (() => string) | undefined;
  private timer: NodeJS.Timeout | null = null;
  private fileBytes = 0;
  private regularFile: boolean;
  private closed = false;
  private readonly counters: WriterStats = { lines: 0, bytes: 0, rotations: 0 };

  private constructor(path: string, fd: number, regularFile: boolean, fileBytes: number, options: RecordingWriterOptions) {
    this.path = path;
    this.toStdout = path === '-';
    this.fd = fd;
    this.regularFile = regularFile;
    this.fileBytes = fileBytes;
    this.bufferBytes = Math.max(1, options.bufferBytes ?? DEFAULT_BUFFER_BYTES);
    this.rotate = options.rotate ?? null;
    this.onNewFile = options.onNewFile;
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
      return new RecordingWriter(path, 1, false, 0, options);
    }
    const { fd, regular, size } = openRecordingFile(path, options.append ? 'append' : options.force ? 'force' : 'create');
    return new RecordingWriter(path, fd, regular, size, options);
  }

  /** Adds one line (must end with \n). */
  write(line: string): void {
    if (this.closed) throw new ExitError(`${this.path}: recording already closed`, EXIT_FAILURE, 'ECLOSED');
    this.pending += line;
    this.counters.lines++;
    if (this.pending.length >= this.bufferBytes) this.flush();
  }

  /** Writes what is buffered (rotating if due). Throws ExitError on an I/O failure. */
  flush(): void {
    if (this.pending.length === 0 || this.closed) return;
    const chunk = this.pending;
    this.pending = '';
    this.writeChunk(chunk);
    if (this.rotate !== null && this.regularFile && this.fileBytes >= this.rotate.maxBytes) this.rotateNow();
  }

  /** Writes what is buffered, fsyncs and closes. Safe to call twice. */
  close(): void {
    if (this.closed) return;
    if (this.timer !== null) clearInterval(this.timer);
    this.timer = null;
    try {
      this.flush();
    } finally {
      this.closed = true;
      syncQuietly(this.fd);
      if (!this.toStdout) closeSync(this.fd);
    }
  }

  /** Makes the file durable now (flush + fsync) without closing it. */
  sync(): void {
    this.flush();
    syncQuietly(this.fd);
  }

  get isClosed(): boolean {
    return this.closed;
  }

  stats(): WriterStats {
    return { ...this.counters };
  }

  // ------------------------------------------------------------------ internals

  private flushQuietly(): void {
    try {
      this.flush();
    } catch (err) {
      // The timer cannot throw into anyone; keep the data for the next explicit flush/close,
      // which reports the error.
      this.lastTimerError = err;
    }
  }

  /** The last error a background flush met (the next flush()/close() reports its own). */
  lastTimerError: unknown = null;

  private writeChunk(chunk: string): void {
    const buf = Buffer.from(chunk, 'utf8');
    let off = 0;
    while (off < buf.length) {
      let n: number;
      try {
        n = writeSync(this.fd, buf, off, buf.length - off);
      } catch (err) {
        const code = (err as NodeJS.ErrnoException).code;
        if (code === 'EAGAIN') {
          sleepMs(1); // a non-blocking stdout pipe whose reader is slow: wait, never drop
          continue;
        }
        // Keep what was not written, so a later close() can still try (e.g. after ENOSPC clears).
        this.pending = buf.subarray(off).toString('utf8') + this.pending;
        throw ioError(this.path, err);
      }
      off += n;
      this.fileBytes += n;
      this.counters.bytes += n;
    }
  }

  private rotateNow(): void {
    const spec = this.rotate as RotateSpec;
    syncQuietly(this.fd);
    closeSync(this.fd);
    this.fd = -1;
    try {
      if (spec.keep === 0) {
        unlinkSync(this.path);
      } else {
        unlinkIfExists(`${this.path}.${spec.keep}`);
        for (let i = spec.keep - 1; i >= 1; i--) renameIfExists(`${this.path}.${i}`, `${this.path}.${i + 1}`);
        renameSync(this.path, `${this.path}.1`);
      }
    } catch (err) {
      // Could not rotate: keep recording into the same file rather than lose events.
      const reopened = openRecordingFile(this.path, 'append');
      this.fd = reopened.fd;
      this.fileBytes = reopened.size;
      throw ioError(this.path, err);
    }
    const { fd, regular } = openRecordingFile(this.path, 'create');
    this.fd = fd;
    this.regularFile = regular;
    this.fileBytes = 0;
    this.counters.rotations++;
    const header = this.onNewFile?.() ?? '';
    if (header.length > 0) this.writeChunk(header);
  }
}

type OpenMode = 'create' | 'force' | 'append';

/** Opens a recording file safely; returns the fd, whether it is a regular file and its size. */
export function openRecordingFile(path: string, mode: OpenMode): { fd: number; regular: boolean; size: number } {
  const flags =
    mode === 'create'
      ? O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW
      : mode === 'force'
        ? O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW
        : O_WRONLY | O_CREAT | O_APPEND | O_NOFOLLOW;
  let fd: number;
  try {
    fd = openSync(path, flags, RECORDING_FILE_MODE);
  } catch (err) {
    throw openError(path, err);
  }
  try {
    const st = fstatSync(fd);
    const regular = st.isFile();
    if (regular && mode === 'force') fchmodSync(fd, RECORDING_FILE_MODE);
    let size = regular ? st.size : 0;
    if (regular && mode === 'append' && size > 0 && !endsWithNewline(path, size)) {
      // A crash left a partial last line: end it, so our first line stays a line of its own.
      writeSync(fd, '\n');
      size += 1;
    }
    return { fd, regular, size };
  } catch (err) {
    closeSync(fd);
    throw ioError(path, err);
  }
}

function endsWithNewline(path: string, size: number): boolean {
  let fd = -1;
  try {
    fd = openSync(path, constants.O_RDONLY | O_NOFOLLOW);
    const b = Buffer.alloc(1);
    return readSync(fd, b, 0, 1, size - 1) === 1 && b[0] === 0x0a;
  } catch {
    return true;
  } finally {
    if (fd >= 0) closeSync(fd);
  }
}

function openError(path: string, err: unknown): ExitError {
  const code = (err as NodeJS.ErrnoException).code ?? 'EIO';
  switch (code) {
    case 'EEXIST': {
      const kind = fileKind(path);
      if (kind === 'symlink') return new ExitError(`${path} is a symbolic link; refusing to write a recording through it (give the real path)`, EXIT_BAD_INPUT, 'ELOOP');
      if (kind === 'directory') return new ExitError(`${path} is a directory; give a file name for the recording`, EXIT_BAD_INPUT, 'EISDIR');
      return new ExitError(`${path} already exists; use --force to overwrite it or --append to add to it`, EXIT_BAD_INPUT, code);
    }
    case 'ELOOP':
      return new ExitError(`${path} is a symbolic link; refusing to write a recording through it (give the real path)`, EXIT_BAD_INPUT, code);
    case 'EISDIR':
      return new ExitError(`${path} is a directory; give a file name for the recording`, EXIT_BAD_INPUT, code);
    case 'ENOENT':
    case 'ENOTDIR':
      return new ExitError(`cannot create ${path}: its directory does not exist`, EXIT_BAD_INPUT, code);
    case 'EACCES':
    case 'EPERM':
      return new ExitError(`cannot create ${path}: permission denied (choose a writable directory)`, EXIT_FAILURE, code);
    default:
      return ioError(path, err);
  }
}

function fileKind(path: string): 'symlink' | 'directory' | 'other' {
  try {
    const st = lstatSync(path);
    return st.isSymbolicLink() ? 'symlink' : st.isDirectory() ? 'directory' : 'other';
  } catch {
    return 'other';
  }
}

function ioError(path: string, err: unknown): ExitError {
  const e = err as NodeJS.ErrnoException;
  const code = e.code ?? 'EIO';
  if (code === 'EPIPE') return new ExitError(`${path === '-' ? 'stdout' : path}: reader closed the pipe`, EXIT_FAILURE, code);
  if (code === 'ENOSPC') return new ExitError(`${path}: no space left on device (free space or use --rotate)`, EXIT_FAILURE, code);
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

function renameIfExists(from: string, to: string): void {
  try {
    renameSync(from, to);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
  }
}

function unlinkIfExists(path: string): void {
  try {
    unlinkSync(path);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
  }
}

const sleepCell = new Int32Array(new SharedArrayBuffer(4));
function sleepMs(ms: number): void {
  Atomics.wait(sleepCell, 0, 0, ms);
}
