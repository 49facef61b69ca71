/**
 * Coalesces the kernel's terminal-output records (one per write) into `text_output` events, so a
 * chatty program (one write per character, a progress bar) is one event per ~100 ms, not one per
 * byte.
 *
 * One pending buffer per terminal, owned by the process that wrote last: consecutive writes of one
 * process to one terminal are appended; a write by another process to the same terminal, a change
 * of window size, a full buffer, the age bound, or any other event of the owner (its exec or exit
 * must follow its output) emits the pending text first. So the bytes of each terminal keep their
 * order, and every event belongs to one process.
 *
 * Hot path: appending copies bytes into a preallocated buffer; an event (and its string) is built
 * only when a buffer is emitted.
 */
import { decodeUntrusted } from './untrusted-bytes.js';
import { newProcessEvent, type ProcessEvent, resetProcessEvent } from './process-event.js';

/** Default age bound of a pending buffer, ms. */
export const COALESCE_MS = 100;
/** Bytes one pending buffer holds before it is emitted. */
export const COALESCE_BYTES = 65536;

/** The facts of one write record (the header a decoder read), without its bytes. */
export interface TtyWrite {
  time: number;
  pid: number;
  startTicks: number;
  tty: number;
  rows: number;
  columns: number;
  /** Bytes skipped before these ones (rate limit, bound) since the writer's previous record. */
  skippedBefore: number;
  /** Bytes of this write not kept (after the kept ones). */
  skippedAfter: number;
  /** The writer reached its per-process bound. */
  capped: boolean;
  /** The terminal turned each \n into \r\n (termios OPOST|ONLCR): the text shows what it displayed. */
  onlcr: boolean;
}

class PendingOutput {
  readonly bytes = new Uint8Array(COALESCE_BYTES);
  length = 0;
  /** Header facts of the owner (copied from the first record). */
  readonly owner: ProcessEvent = newProcessEvent();
  ownerPid = 0;
  ownerStart = 0;
  firstTime = 0;
  rows = 0;
  columns = 0;
  skipped = 0;
  /** offset, length pairs; reused. */
  readonly skips: number[] = [];
  capped = false;
  active = false;
  /** Bytes the owner wrote (before any \n → \r\n): process.io.total_bytes_captured. */
  written = 0;
}

export class TtyOutputCoalescer {
  private readonly byTty = new Map<number, PendingOutput>();
  private readonly byPid = new Map<number, PendingOutput>();
  private activeCount = 0;
  private readonly out: ProcessEvent = newProcessEvent();

  constructor(private readonly maxAgeMs: number = COALESCE_MS) {}

  /** Pending buffers not yet emitted. */
  get pending(): number {
    return this.activeCount;
  }

  /**
   * Adds one write: `header` holds the writer's facts (reset and filled by the decoder; copied here
   * when a buffer starts), `w` the record's output facts, bytes[start, end) what was kept.
   */
  append(header: ProcessEvent, w: TtyWrite, bytes: Uint8Array, start: number, end: number, onEvent: (e: ProcessEvent) => void): void {
    let p = this.byTty.get(w.tty);
    if (p === undefined) {
      p = new PendingOutput();
      this.byTty.set(w.tty, p);
    }
    const n = end - start;
    // room for the bytes, every \n possibly becoming \r\n
    const room = w.onlcr ? 2 * n : n;
    if (p.active && (p.ownerPid !== w.pid || p.ownerStart !== w.startTicks || ((w.rows !== p.rows || w.columns !== p.columns) && n > 0) || p.length + room > COALESCE_BYTES)) {
      this.emit(p, onEvent, true);
    }
    if (!p.active) this.begin(p, header, w);
    if (w.skippedBefore > 0) this.skip(p, w.skippedBefore);
    p.length = w.onlcr ? copyOnlcr(bytes, start, end, p.bytes, p.length) : copyPlain(bytes, start, end, p.bytes, p.length);
    p.written += end - start;
    if (w.skippedAfter > 0) this.skip(p, w.skippedAfter);
    if (w.capped) p.capped = true;
  }

  /** Emits the pending output of process `pid` (before another event of it is delivered). */
  flushPid(pid: number, onEvent: (e: ProcessEvent) => void): void {
    if (this.activeCount === 0) return;
    const p = this.byPid.get(pid);
    if (p !== undefined && p.active) this.emit(p, onEvent, true);
  }

  /** Emits every buffer older than the age bound at `now` (wall-clock ms). */
  flushDue(now: number, onEvent: (e: ProcessEvent) => void): void {
    if (this.activeCount === 0) return;
    for (const p of this.byTty.values()) if (p.active && now - p.firstTime >= this.maxAgeMs) this.emit(p, onEvent, false, now);
  }

  /** Emits everything (the source stops). */
  flushAll(onEvent: (e: ProcessEvent) => void): void {
    if (this.activeCount === 0) return;
    for (const p of this.byTty.values()) if (p.active) this.emit(p, onEvent, true);
  }

  private begin(p: PendingOutput, header: ProcessEvent, w: TtyWrite): void {
    const o = p.owner;
    o.pid = header.pid;
    o.ppid = header.ppid;
    o.pgid = header.pgid;
    o.sid = header.sid;
    o.startTicks = header.startTicks;
    o.start = header.start;
    o.uid = header.uid;
    o.euid = header.euid;
    o.suid = header.suid;
    o.gid = header.gid;
    o.egid = header.egid;
    o.sgid = header.sgid;
    o.loginUid = header.loginUid;
    o.auditSessionId = header.auditSessionId;
    o.tty = header.tty;
    o.comm = header.comm;
    p.ownerPid = w.pid;
    p.ownerStart = w.startTicks;
    p.firstTime = w.time;
    p.rows = w.rows;
    p.columns = w.columns;
    p.skipped = 0;
    p.skips.length = 0;
    p.capped = false;
    p.written = 0;
    p.active = true;
    this.activeCount++;
    const prev = this.byPid.get(w.pid);
    if (prev === undefined || !prev.active || prev === p) this.byPid.set(w.pid, p);
  }

  private skip(p: PendingOutput, n: number): void {
    p.skipped += n;
    const k = p.skips.length;
    // adjacent skips merge
    if (k >= 2 && p.skips[k - 2] === p.length) p.skips[k - 1]! += n;
    else p.skips.push(p.length, n);
  }

  /**
   * Builds the event and resets the buffer. Unless `whole`, an incomplete UTF-8 sequence at the end
   * stays pending (the writer's next bytes complete it).
   */
  private emit(p: PendingOutput, onEvent: (e: ProcessEvent) => void, whole: boolean, now = 0): void {
    const cut = whole ? p.length : completeUtf8Length(p.bytes, p.length);
    const e = resetProcessEvent(this.out);
    const o = p.owner;
    e.action = 'text_output';
    e.time = p.firstTime;
    e.pid = o.pid;
    e.ppid = o.ppid;
    e.pgid = o.pgid;
    e.sid = o.sid;
    e.startTicks = o.startTicks;
    e.start = o.start;
    e.uid = o.uid;
    e.euid = o.euid;
    e.suid = o.suid;
    e.gid = o.gid;
    e.egid = o.egid;
    e.sgid = o.sgid;
    e.loginUid = o.loginUid;
    e.auditSessionId = o.auditSessionId;
    e.tty = o.tty;
    e.comm = o.comm;
    e.text = cut === 0 ? '' : decodeUntrusted(p.bytes, 0, cut);
    e.ioBytes = Math.min(p.written, cut);
    e.ioSkipped = p.skipped;
    e.ioSkips = p.skips.length === 0 ? e.ioSkips : p.skips.slice();
    e.ioCapped = p.capped;
    e.ttyRows = p.rows;
    e.ttyColumns = p.columns;
    const tail = p.length - cut;
    if (tail > 0) {
      p.bytes.copyWithin(0, cut, p.length);
      p.length = tail;
      p.skipped = 0;
      p.skips.length = 0;
      p.capped = false;
      p.written = tail;
      p.firstTime = now; // the carried bytes start the next event
    } else {
      p.length = 0;
      p.active = false;
      this.activeCount--;
      if (this.byPid.get(o.pid) === p) this.byPid.delete(o.pid);
    }
    if (cut > 0 || e.ioSkipped > 0) onEvent(e);
  }
}

function copyPlain(src: Uint8Array, start: number, end: number, dst: Uint8Array, at: number): number {
  dst.set(src.subarray(start, end), at);
  return at + end - start;
}

/** Copies src[start, end) to dst at `at`, each \n as \r\n (what an ONLCR terminal shows); returns the new end. */
export function copyOnlcr(src: Uint8Array, start: number, end: number, dst: Uint8Array, at: number): number {
  let o = at;
  for (let i = start; i < end; i++) {
    const b = src[i]!;
    if (b === 0x0a) dst[o++] = 0x0d;
    dst[o++] = b;
  }
  return o;
}

/** Length of the longest prefix of bytes[0, length) that does not end inside a UTF-8 sequence. */
export function completeUtf8Length(bytes: Uint8Array, length: number): number {
  // look back at most 3 bytes for the lead byte of the last sequence
  for (let back = 1; back <= 3 && back <= length; back++) {
    const b = bytes[length - back]!;
    if ((b & 0xc0) === 0x80) continue; // continuation byte
    if (b < 0x80) return length;
    const need = b >= 0xf0 ? 4 : b >= 0xe0 ? 3 : b >= 0xc0 ? 2 : 1;
    return back < need ? length - back : length;
  }
  return length;
}
