/**
 * Reading recordings: streams each file line by line, validates every line with the schema, and
 * yields its raw facts as a ProcessEvent plus the host it belongs to. Several files are merged in
 * time order (kept apart by host: name + boot id).
 *
 * Bad input never throws a stack trace and never hangs:
 * - a missing file, a directory, a device, an empty file, a JSON array, a file with no valid line
 *   → ExitError (one line, exit status 2);
 * - a bad line (not JSON, not an object, wrong types, missing minimum fields, longer than
 *   maxLineBytes) → reported through `onBadLine` as {file, line, reason} and counted; with
 *   `strict` the first one is a ExitError instead;
 * - a last line without newline that does not parse (the recorder was killed mid-line) → a
 *   warning through `onWarning`, not a bad line;
 * - gzip input (rotated files compressed with --compress, or any gzip of a recording) is read
 *   transparently, recognised by its magic bytes; gzip data that ends early or turns corrupt → a
 *   warning, keeping what came before;
 * - input that is not text at all (NUL bytes, many control bytes or invalid UTF-8 at its start) →
 *   ExitError in one line, not one bad line per newline found in it.
 */

import { closeSync, constants, fstatSync, openSync, readSync } from 'node:fs';
import { firstNonBlank, insaneTimeReason, JSON_ARRAY_REASON, NOT_JSON_REASONS, parseLineWith, UNREADABLE_TIME, withLineRequirements } from './line-parse.js';
import { newProcessEvent, type ProcessEvent } from '../sensor/process-event.js';
import { LineReader, DEFAULT_MAX_LINE_BYTES } from './line-reader.js';
import { HostRegistry, learnHostFacts, lineToEvent, newHostFacts, newLineHostFacts, type RecordingHost } from './line-to-event.js';
import { endOfLastWholeLine } from './line-chunks.js';
import { Kind as PackedKind, Slot, type PackedFactsReader } from './packed-facts.js';
import { ParallelRecordLines } from './parallel-record-lines.js';
import { parseWorkerPool, type ParseWorkerPool } from './parse-worker-pool.js';
import { EXIT_BAD_INPUT, EXIT_FAILURE, ExitError } from '../exit-error.js';
import { lineScannerOrNull, type RecordLineScanner } from './record-line-scanner.js';
import { recordLineJsonSchema, validateRecordLine, type RecordLine } from './schema.js';

export interface BadLine {
  file: string;
  /** 1-based line number. */
  line: number;
  reason: string;
}

export interface ReadOptions {
  /** Stop (ExitError, exit 2) at the first bad line. */
  strict?: boolean;
  /** Longest line accepted (default 1 MiB); longer ones are bad lines, skipped. */
  maxLineBytes?: number;
  onBadLine?: (bad: BadLine) => void;
  onWarning?: (message: string) => void;
  /** Share hosts across files (MergedRecordingReader passes one registry to all its files). */
  hosts?: HostRegistry;
  /** A file whose first this-many non-blank lines are all bad is not a recording (default 100). */
  giveUpAfterBadLines?: number;
  /**
   * Plain files with at least this many bytes left to read are parsed by worker threads
   * (default PARALLEL_MIN_BYTES; Infinity keeps every file on the main thread).
   */
  parallelMinBytes?: number;
  /** Bytes per chunk handed to a worker (default 1 MiB; tests make it small). */
  parallelChunkBytes?: number;
  /**
   * Lines read on this thread go first through the native line scanner, as in the workers
   * (default true; false: every line through JSON.parse and the schema, for tests to compare).
   */
  lineScanner?: boolean;
}

/**
 * Below this much to read, a file is parsed on the main thread. The workers start in tens of ms
 * (and the main thread reads on meanwhile), but each one's code runs slowly until V8 has optimised
 * it (its first ~20 000 lines), which a small file never gets past.
 */
export const PARALLEL_MIN_BYTES = 16 * 1024 * 1024;

/** One event read from a recording. The object (and its event) is reused by the next read. */
export interface RecordEntry {
  file: string;
  /** Index of the file among those read together (0 for a single file). */
  fileIndex: number;
  lineNo: number;
  /** Byte offset of the line in its file. */
  offset: number;
  /** Byte offset just after the line (its newline included): where reading resumes. */
  nextOffset: number;
  host: RecordingHost;
  event: ProcessEvent;
}

export interface ReadStats {
  /** Non-blank lines seen. */
  lines: number;
  /** Lines that became events. */
  events: number;
  badLines: number;
  /** A truncated last line was ignored. */
  truncatedTail: boolean;
}

const DEFAULT_GIVE_UP = 100;

/** Where a file's reading resumes: a line start and the number of lines before it. */
export interface ResumePosition {
  offset: number;
  lineNo: number;
}

/** One recording file (or `-` for stdin). */
export class RecordingFileReader {
  readonly file: string;
  readonly hosts: HostRegistry;
  readonly stats: ReadStats = { lines: 0, events: 0, badLines: 0, truncatedTail: false };
  private readonly fd: number;
  private readonly ownsFd: boolean;
  private readonly lines: LineReader;
  private readonly strict: boolean;
  private readonly onBadLine: ((bad: BadLine) => void) | undefined;
  private readonly onWarning: ((message: string) => void) | undefined;
  private readonly giveUpAfter: number;
  private readonly maxLineBytes: number;
  private readonly entry: RecordEntry;
  private firstBad: BadLine | null = null;
  private fromStart = true;
  private closed = false;
  readonly seekable: boolean;

  /** Position of this file among those read together (set by MergedRecordingReader). */
  fileIndex = 0;
  private done = false;
  private sniffed = false;
  /** Where reading (re)started, for the choice of parsing in workers made at the first next(). */
  private startOffset = 0;
  private choose = true;
  private par: ParallelRecordLines | null = null;
  private parallelEnd = 0;
  /** Events read through the parse workers (for tests and benches). */
  parallelEvents = 0;
  /** Chunks of those decoded by the workers, and by this thread while it would have waited; lines the line scanner read in them. */
  readonly parallelChunks = { workers: 0, local: 0, scannedLines: 0 };
  private readonly parallelMinBytes: number;
  private readonly parallelChunkBytes: number | undefined;
  private readonly scanner: RecordLineScanner | null;
  /** Lines the line scanner read on this thread (for tests and benches). */
  scannedLines = 0;
  private readonly hostFacts = newHostFacts();
  private readonly lineFacts = newLineHostFacts();

  private constructor(file: string, fd: number, ownsFd: boolean, seekable: boolean, options: ReadOptions) {
    this.file = file;
    this.fd = fd;
    this.ownsFd = ownsFd;
    this.seekable = seekable;
    this.hosts = options.hosts ?? new HostRegistry();
    this.strict = options.strict ?? false;
    this.onBadLine = options.onBadLine;
    this.onWarning = options.onWarning;
    this.giveUpAfter = options.giveUpAfterBadLines ?? DEFAULT_GIVE_UP;
    this.maxLineBytes = options.maxLineBytes ?? DEFAULT_MAX_LINE_BYTES;
    this.lines = new LineReader(fd, { maxLineBytes: this.maxLineBytes, positional: seekable });
    this.parallelMinBytes = options.parallelMinBytes ?? PARALLEL_MIN_BYTES;
    this.parallelChunkBytes = options.parallelChunkBytes;
    this.scanner = options.lineScanner === false ? null : mainThreadLineScanner();
    this.entry = { file, fileIndex: 0, lineNo: 0, offset: 0, nextOffset: 0, host: null as unknown as RecordingHost, event: newProcessEvent() };
  }

  /** Opens a recording for reading. Throws ExitError (one line) when it cannot be read. */
  static open(file: string, options: ReadOptions = {}): RecordingFileReader {
    if (file === '-') {
      if (process.stdin.isTTY) {
        throw new ExitError('refusing to read a recording from a terminal: give FILE or pipe one in', EXIT_BAD_INPUT, 'EUSAGE');
      }
      const st = fstatSync(0);
      return new RecordingFileReader('-', 0, false, st.isFile(), options);
    }
    let fd: number;
    try {
      // O_NONBLOCK: a FIFO with no writer must not hang the open (it is refused below)
      fd = openSync(file, constants.O_RDONLY | constants.O_NONBLOCK | constants.O_NOCTTY);
    } catch (err) {
      throw readOpenError(file, err);
    }
    try {
      const st = fstatSync(fd);
      if (st.isDirectory()) throw new ExitError(`${file}: is a directory, not a recording`, EXIT_BAD_INPUT, 'EISDIR');
      if (!st.isFile()) {
        const what = st.isFIFO() ? 'a FIFO; pipe it in with --from - instead' : 'a recording is an NDJSON file';
        throw new ExitError(`${file}: not a regular file (${what})`, EXIT_BAD_INPUT, 'ENOTREG');
      }
      if (st.isFile() && st.size === 0) throw new ExitError(`${file}: empty recording (no lines)`, EXIT_BAD_INPUT, 'EEMPTY');
      return new RecordingFileReader(file, fd, true, st.isFile(), options);
    } catch (err) {
      closeSync(fd);
      throw err;
    }
  }

  /** The next event, or null at the end. Throws ExitError for file-level problems / strict. */
  next(): RecordEntry | null {
    if (this.done) return null;
    if (this.choose) this.chooseParallel();
    const par = this.par;
    if (par !== null) {
      const entry = this.nextParallel(par);
      if (entry !== null) return entry;
      // The workers' range is read: go on from its end on this thread (a last line without
      // newline, or lines appended since the file was opened).
      this.stopParallel();
      if (par.binaryAt >= 0) {
        this.done = true;
        throw new ExitError(`${this.file}: binary data, not a recording (a recording is NDJSON text, or gzip of it)`, EXIT_BAD_INPUT, 'EBINARY');
      }
      this.lines.seek(par.end, par.lineBase);
    }
    const lr = this.lines;
    const e = this.entry.event;
    while (lr.next()) {
      if (!this.sniffed) {
        this.sniffed = true;
        if (this.fromStart && looksBinary(lr.head)) {
          throw new ExitError(
            `${this.file}: binary data, not a recording (a recording is NDJSON text, or gzip of it)`,
            EXIT_BAD_INPUT,
            'EBINARY',
          );
        }
      }
      if (lr.tooLong) {
        this.stats.lines++;
        this.bad(lr.lineNo, `line too long (${lr.length} bytes, limit ${this.maxLineBytes} bytes), skipped`);
        continue;
      }
      // the recorder's own lines through the scanner (as in the workers), anything else as text
      const scanned = this.scanner !== null ? this.scanner.scan(lr.bytes, lr.lineFrom, lr.lineStop) : null;
      let host: RecordingHost | string;
      if (scanned !== null) {
        this.stats.lines++;
        this.scannedLines++;
        host = eventOfLine(withLineRequirements(scanned), this.hosts, e);
      } else {
        const text = lr.line;
        const first = firstNonBlank(text);
        if (first === -1) continue; // blank line
        this.stats.lines++;
        if (text.charCodeAt(first) === 0x5b /* [ */ && this.fromStart && this.stats.events === 0 && this.stats.badLines === 0) {
          throw new ExitError(
            `${this.file}: is a JSON array, not a recording (NDJSON: one JSON object per line)`,
            EXIT_BAD_INPUT,
            'EJSONARRAY',
          );
        }
        host = decodeRecordLine(text, first, this.hosts, e);
      }
      if (typeof host === 'string') {
        if (lr.unterminated && NOT_JSON_REASONS.has(host)) {
          this.truncatedTail(lr.lineNo);
          continue;
        }
        this.bad(lr.lineNo, host);
        continue;
      }
      this.stats.events++;
      const entry = this.entry;
      entry.fileIndex = this.fileIndex;
      entry.lineNo = lr.lineNo;
      entry.offset = lr.offset;
      entry.nextOffset = lr.offset + lr.length + (lr.unterminated ? 0 : 1);
      entry.host = host;
      return entry;
    }
    this.done = true;
    if (lr.gzipDamage !== '') {
      this.stats.truncatedTail = true;
      this.onWarning?.(`${this.file}: ${lr.gzipDamage}; the events before that point were read`);
    }
    if (lr.binaryAt >= 0) {
      throw new ExitError(`${this.file}: binary data, not a recording (a recording is NDJSON text, or gzip of it)`, EXIT_BAD_INPUT, 'EBINARY');
    }
    this.atEnd();
    return null;
  }

  /** Continues reading at a byte offset that starts a line (from an index); `lineNo` is that line's number − 1. */
  seek(offset: number, lineNo = 0): void {
    if (!this.seekable) throw new ExitError(`${this.file}: cannot seek in a pipe`, EXIT_FAILURE, 'ESPIPE');
    this.stopParallel();
    this.lines.seek(offset, lineNo);
    this.fromStart = offset === 0;
    this.done = false;
    this.startOffset = offset;
    // a seek reads a bounded stretch (to a target at most one checkpoint interval on): parse
    // workers would read megabytes ahead for nothing (seeks in a 1 M-event file took 3× longer)
    this.choose = false;
  }

  /** Treats the file as read to its end (a resumed read whose file was already exhausted). */
  finish(): void {
    this.done = true;
    this.fromStart = false;
  }

  /** True once next() returned null. */
  get exhausted(): boolean {
    return this.done;
  }

  /** Bytes read so far (by this thread, or up to the last event the workers gave). */
  get bytesRead(): number {
    return this.par !== null ? this.entry.nextOffset : this.lines.bytesRead;
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.stopParallel();
    if (this.ownsFd) closeSync(this.fd);
  }

  // ------------------------------------------------------------------ internals

  /**
   * At the first next() after opening (not after a seek): a plain (not gzip) regular file with at least
   * parallelMinBytes left is read in chunks by the parse workers and this thread, up to its last
   * newline; the rest (if any) by this thread's LineReader. Until the workers are ready (their
   * start-up costs as much as reading a few MB), this thread decodes every chunk itself.
   */
  private chooseParallel(): void {
    this.choose = false;
    if (!this.seekable || this.lines.gzip || !Number.isFinite(this.parallelMinBytes)) return;
    const size = fstatSync(this.fd).size;
    if (size - this.startOffset < this.parallelMinBytes) return;
    const pool = parseWorkerPool();
    if (pool === null) return;
    const end = endOfLastWholeLine(this.fd, size);
    if (end <= this.startOffset) return;
    pool.warm();
    this.parallelEnd = end;
    this.switchToParallel(pool);
  }

  /** Reads the rest of the workers' range, from the next line on, in chunks. */
  private switchToParallel(pool: ParseWorkerPool): void {
    const from = this.lines.nextLineOffset;
    if (from >= this.parallelEnd) return;
    if (!this.sniffed) {
      this.sniffed = true;
      if (this.fromStart) {
        const head = Buffer.alloc(4096);
        const n = readSync(this.fd, head, 0, head.length, 0);
        if (looksBinary(head.subarray(0, n))) {
          throw new ExitError(`${this.file}: binary data, not a recording (a recording is NDJSON text, or gzip of it)`, EXIT_BAD_INPUT, 'EBINARY');
        }
      }
    }
    this.par = new ParallelRecordLines(pool, this.fd, from, this.parallelEnd, this.lines.lineNo, this.maxLineBytes, this.parallelChunkBytes);
  }

  private stopParallel(): void {
    const par = this.par;
    if (par !== null) {
      par.close();
      this.parallelChunks.workers += par.workerChunks;
      this.parallelChunks.local += par.localChunks;
      this.parallelChunks.scannedLines += par.scannedLines;
    }
    this.par = null;
  }

  /** next() over the workers' records: the same checks, in the same order, as the line loop. */
  private nextParallel(par: ParallelRecordLines): RecordEntry | null {
    const e = this.entry.event;
    for (;;) {
      let more: boolean;
      try {
        more = par.next();
      } catch (err) {
        if (err instanceof ExitError) throw err;
        throw new ExitError(`${this.file}: ${oneLine((err as Error).message ?? String(err))}`, EXIT_FAILURE, 'EIO');
      }
      if (!more) return null;
      const r = par.records as PackedFactsReader;
      const i = par.index;
      const kind = r.num(i, Slot.kind);
      const lineNo = par.lineBase + r.num(i, Slot.line);
      const length = r.num(i, Slot.length);
      const unterminated = r.num(i, Slot.unterminated) === 1;
      this.stats.lines++;
      if (kind === PackedKind.tooLong) {
        this.bad(lineNo, `line too long (${length} bytes, limit ${this.maxLineBytes} bytes), skipped`);
        continue;
      }
      if (kind === PackedKind.recheck) {
        // the compiled check said no: read the line here as the line loop would (zod says why)
        const text = r.str(i, Slot.reason) as string;
        const host = decodeRecordLine(text, firstNonBlank(text), this.hosts, e);
        if (typeof host === 'string') {
          this.bad(lineNo, host);
          continue;
        }
        return this.entryOf(lineNo, r.num(i, Slot.offset), length, unterminated, host);
      }
      const reason = r.str(i, Slot.reason);
      if (kind === PackedKind.bad) {
        if (reason === JSON_ARRAY_REASON && this.fromStart && this.stats.events === 0 && this.stats.badLines === 0) {
          throw new ExitError(`${this.file}: is a JSON array, not a recording (NDJSON: one JSON object per line)`, EXIT_BAD_INPUT, 'EJSONARRAY');
        }
        if (unterminated && NOT_JSON_REASONS.has(reason as string)) {
          this.truncatedTail(lineNo);
          continue;
        }
        this.bad(lineNo, reason as string);
        continue;
      }
      const f = r.host(i, this.hostFacts);
      const host = this.hosts.hostOfFacts(f.name, f.bootId, f.via, f.pidNsIno, f.kernel);
      if (kind === PackedKind.event) {
        r.event(i, e, this.lineFacts);
        learnHostFacts(host, e, this.lineFacts);
      }
      if (reason !== undefined) {
        this.bad(lineNo, reason);
        continue;
      }
      return this.entryOf(lineNo, r.num(i, Slot.offset), length, unterminated, host);
    }
  }

  private entryOf(lineNo: number, offset: number, length: number, unterminated: boolean, host: RecordingHost): RecordEntry {
    this.stats.events++;
    this.parallelEvents++;
    const entry = this.entry;
    entry.fileIndex = this.fileIndex;
    entry.lineNo = lineNo;
    entry.offset = offset;
    entry.nextOffset = offset + length + (unterminated ? 0 : 1);
    entry.host = host;
    return entry;
  }

  private truncatedTail(lineNo: number): void {
    this.stats.truncatedTail = true;
    this.onWarning?.(`${this.file}:${lineNo}: last line is incomplete (no newline: the recorder stopped mid-line); ignored`);
  }

  private bad(lineNo: number, reason: string): void {
    this.stats.badLines++;
    const bad: BadLine = { file: this.file, line: lineNo, reason };
    if (this.firstBad === null) this.firstBad = bad;
    if (this.strict) throw new ExitError(`${this.file}:${lineNo}: ${reason}`, EXIT_BAD_INPUT, 'EBADLINE');
    this.onBadLine?.(bad);
    if (this.stats.events === 0 && this.fromStart && this.stats.badLines >= this.giveUpAfter) {
      throw new ExitError(
        `${this.file}: not a sessiontop recording (the first ${this.stats.badLines} lines are all invalid; line ${this.firstBad.line}: ${this.firstBad.reason})`,
        EXIT_BAD_INPUT,
        'ENOTRECORDING',
      );
    }
  }

  private atEnd(): void {
    if (!this.fromStart || this.stats.events > 0) return;
    if (this.stats.lines === 0) {
      throw new ExitError(
        this.stats.truncatedTail ? `${this.file}: no complete line (the recording was cut short)` : `${this.file}: empty recording (no lines)`,
        EXIT_BAD_INPUT,
        'EEMPTY',
      );
    }
    const first = this.firstBad;
    throw new ExitError(
      `${this.file}: no valid recording line${first === null ? '' : ` (line ${first.line}: ${first.reason})`}`,
      EXIT_BAD_INPUT,
      'ENOTRECORDING',
    );
  }
}

/**
 * Several recordings read as one stream in time order (a k-way merge on each file's next event).
 * Files share one HostRegistry, so a host's rotated files feed one model.
 */
export class MergedRecordingReader {
  readonly readers: RecordingFileReader[];
  readonly hosts: HostRegistry;
  private heads: (RecordEntry | null)[] = [];
  private consumed = -1;
  private started = false;

  private constructor(readers: RecordingFileReader[], hosts: HostRegistry) {
    this.readers = readers;
    this.hosts = hosts;
    readers.forEach((r, i) => (r.fileIndex = i));
  }

  /** Opens every file (all or nothing: a file that cannot be opened closes the others). */
  static open(files: readonly string[], options: ReadOptions = {}): MergedRecordingReader {
    if (files.length === 0) throw new ExitError('no recording given', EXIT_BAD_INPUT, 'EUSAGE');
    const hosts = options.hosts ?? new HostRegistry();
    const readers: RecordingFileReader[] = [];
    try {
      for (const f of files) readers.push(RecordingFileReader.open(f, { ...options, hosts }));
    } catch (err) {
      for (const r of readers) r.close();
      throw err;
    }
    return new MergedRecordingReader(readers, hosts);
  }

  /** The next event in time order across files, or null when every file is done. */
  next(): RecordEntry | null {
    const readers = this.readers;
    if (readers.length === 1) return (readers[0] as RecordingFileReader).next();
    if (!this.started) {
      this.started = true;
      this.heads = readers.map((r) => r.next());
    } else if (this.consumed >= 0) {
      this.heads[this.consumed] = (readers[this.consumed] as RecordingFileReader).next();
    }
    let best = -1;
    let bestTime = Infinity;
    for (let i = 0; i < this.heads.length; i++) {
      const h = this.heads[i];
      if (h !== null && h !== undefined && h.event.time < bestTime) {
        best = i;
        bestTime = h.event.time;
      }
    }
    this.consumed = best;
    return best < 0 ? null : (this.heads[best] as RecordEntry);
  }

  /**
   * Where each file resumes so that every event handed out so far counts as consumed and nothing
   * else does: {offset, lineNo} (lineNo = number of lines before offset), or null for a file read
   * to its end. `lastHandedOut` is the entry last returned by next(), if the caller applied it.
   */
  positions(lastHandedOut: RecordEntry | null): (ResumePosition | null)[] {
    return this.readers.map((r, i) => {
      const head = this.readers.length === 1 ? lastHandedOut : this.started ? (this.heads[i] ?? null) : null;
      if (this.readers.length > 1 && !this.started) return { offset: 0, lineNo: 0 };
      if (head === null) return r.exhausted ? null : this.readers.length === 1 ? { offset: 0, lineNo: 0 } : null;
      const consumed = this.readers.length === 1 || i === this.consumed;
      return consumed ? { offset: head.nextOffset, lineNo: head.lineNo } : { offset: head.offset, lineNo: head.lineNo - 1 };
    });
  }

  /** Continues every file from positions() (taken on a reader of the same files). */
  resume(positions: readonly (ResumePosition | null)[]): void {
    this.readers.forEach((r, i) => {
      const p = positions[i];
      if (p === null || p === undefined) r.finish();
      else r.seek(p.offset, p.lineNo);
    });
    this.heads = [];
    this.consumed = -1;
    this.started = false;
  }

  stats(): ReadStats {
    const total: ReadStats = { lines: 0, events: 0, badLines: 0, truncatedTail: false };
    for (const r of this.readers) {
      total.lines += r.stats.lines;
      total.events += r.stats.events;
      total.badLines += r.stats.badLines;
      total.truncatedTail ||= r.stats.truncatedTail;
    }
    return total;
  }

  close(): void {
    for (const r of this.readers) r.close();
  }
}

/**
 * True when the first bytes of an input cannot be a recording's text: a NUL byte, more than 5% of
 * control bytes other than tab, CR, LF and form feed, or more than 5% of invalid UTF-8.
 */
export function looksBinary(head: Buffer): boolean {
  if (head.length === 0) return false;
  let control = 0;
  for (let i = 0; i < head.length; i++) {
    const b = head[i] as number;
    if (b === 0) return true;
    if ((b < 0x20 && b !== 0x09 && b !== 0x0a && b !== 0x0d && b !== 0x0c) || b === 0x7f) control++;
  }
  if (control * 20 > head.length) return true;
  // the sample may end inside a character: ignore a replacement at its very end
  const text = head.toString('utf8');
  let invalid = 0;
  for (let i = 0; i < text.length - 1; i++) if (text.charCodeAt(i) === 0xfffd) invalid++;
  return invalid * 20 > text.length;
}


/**
 * The line → event path every reader shares (files, and the streams of remote hosts): parses one
 * non-blank line (`first` = index of its first non-blank character), validates it with the schema
 * and fills `e` with its raw facts. Returns the line's host (from `hosts`, created on first sight),
 * or the one-line reason it is a bad line.
 */
export function decodeRecordLine(text: string, first: number, hosts: HostRegistry, e: ProcessEvent): RecordingHost | string {
  return eventOfLine(parseRecordLine(text, first), hosts, e);
}

/** The second half: a line that passed the schema (or why it did not) into `e`; its host, or the reason it is bad. */
function eventOfLine(line: RecordLine | string, hosts: HostRegistry, e: ProcessEvent): RecordingHost | string {
  if (typeof line === 'string') return line;
  const host = hosts.hostOf(line);
  if (!lineToEvent(line, host, e)) return UNREADABLE_TIME;
  const insane = insaneTimeReason(line, e);
  return insane === '' ? host : insane;
}

/** The first half of decodeRecordLine: JSON.parse and the schema; the line, or why it is bad. */
export function parseRecordLine(text: string, first: number): RecordLine | string {
  return parseLineWith(text, first, checkOnMainThread) as RecordLine | string;
}

/** The main thread's line scanner, built at first use (null: the addon cannot be loaded here). */
let mainScanner: RecordLineScanner | null | undefined;
function mainThreadLineScanner(): RecordLineScanner | null {
  if (mainScanner === undefined) mainScanner = lineScannerOrNull(recordLineJsonSchema());
  return mainScanner;
}

function checkOnMainThread(value: unknown): RecordLine | string {
  const v = validateRecordLine(value);
  return v.ok ? v.line : v.reason;
}

export { firstNonBlank, NOT_JSON_REASONS };

function oneLine(s: string): string {
  return s.split('\n', 1)[0] as string;
}

function readOpenError(file: string, err: unknown): ExitError {
  const code = (err as NodeJS.ErrnoException).code ?? 'EIO';
  switch (code) {
    case 'ENOENT':
      return new ExitError(`${file}: no such file`, EXIT_BAD_INPUT, code);
    case 'ENOTDIR':
      return new ExitError(`${file}: no such file (a path component is not a directory)`, EXIT_BAD_INPUT, code);
    case 'EISDIR':
      return new ExitError(`${file}: is a directory, not a recording`, EXIT_BAD_INPUT, code);
    case 'EACCES':
    case 'EPERM':
      return new ExitError(`${file}: permission denied (recordings are 0600: read it as its owner or root)`, EXIT_FAILURE, code);
    default: {
      const msg = ((err as Error).message ?? String(err)).split('\n', 1)[0];
      return new ExitError(`${file}: ${msg}`, EXIT_FAILURE, code);
    }
  }
}
