/**
 * Decodes the packed records the addon drains (layout: bpf/sessiontop.h) into ProcessEvents.
 * One DataView over the drain buffer, one reused event object: decoding allocates only the strings
 * the record carries (comm, and for exec the path, argv, cwd).
 */
import { Flag, HEADER_SIZE, Kind, Off, RECORD_VERSION, SHELL_NAMES, TypedVia } from './record-layout.js';
import { StringInterner } from './string-interner.js';
import { decodeUntrusted } from './untrusted-bytes.js';
import { type EventAction, type FdType, type ProcessEvent, resetProcessEvent } from './process-event.js';
import { copyOnlcr, type TtyOutputCoalescer, type TtyWrite } from './tty-output-coalescer.js';

/** Nanoseconds per clock tick (USER_HZ = 100), the unit of /proc/<pid>/stat starttime. */
const NS_PER_TICK = 10_000_000;
const TWO_POW_32 = 4294967296;

export interface DecodeCounters {
  /** Records decoded into events. */
  records: number;
  /** Records skipped: unknown kind or version, or a size that does not fit. */
  malformed: number;
}

export class RecordDecoder {
  readonly counters: DecodeCounters = { records: 0, malformed: 0 };
  private view: DataView;
  private bytes: Uint8Array;
  /** comm, paths and cgroup names repeat from record to record: one string each. */
  private readonly strings = new StringInterner();
  /** Terminal output records go here (one event per ~100 ms per terminal); null: one event each. */
  private readonly tty: TtyOutputCoalescer | null;
  private readonly ttyWrite: TtyWrite = { time: 0, pid: 0, startTicks: 0, tty: 0, rows: 0, columns: 0, skippedBefore: 0, skippedAfter: 0, capped: false, onlcr: false };
  private onEvent: (e: ProcessEvent) => void = () => {};

  /**
   * @param bootOffsetMs CLOCK_REALTIME − CLOCK_BOOTTIME in ms (addon.bootClockOffsetMs()), to turn
   *   boot-clock timestamps into wall time.
   */
  constructor(
    buffer: Uint8Array,
    private bootOffsetMs: number,
    tty: TtyOutputCoalescer | null = null,
  ) {
    this.tty = tty;
    this.bytes = buffer;
    this.view = new DataView(buffer.buffer, buffer.byteOffset, buffer.byteLength);
  }

  setBootOffset(ms: number): void {
    this.bootOffsetMs = ms;
  }

  /**
   * Decodes the first `length` bytes of the buffer, calling `onEvent` with `event` (reset and
   * refilled for each record). Returns the number of events delivered.
   */
  decode(length: number, event: ProcessEvent, onEvent: (e: ProcessEvent) => void): number {
    const v = this.view;
    let off = 0;
    let delivered = 0;
    const tty = this.tty;
    this.onEvent = onEvent;
    while (off + HEADER_SIZE <= length) {
      const size = v.getUint32(off + Off.size, true);
      if (size < HEADER_SIZE || off + size > length || (size & 7) !== 0) {
        // A size that cannot be right: the rest of the batch cannot be framed.
        this.counters.malformed++;
        break;
      }
      const r = this.fill(off, size, event);
      if (r === FILLED) {
        this.counters.records++;
        delivered++;
        // a process's pending terminal output comes before its next event (its exec, its exit)
        if (tty !== null && tty.pending !== 0) tty.flushPid(event.pid, onEvent);
        onEvent(event);
      } else if (r === COALESCED) {
        this.counters.records++;
      } else {
        this.counters.malformed++;
      }
      off += size;
    }
    return delivered;
  }

  /**
   * Fills `e` from the record at `off`: FILLED, COALESCED (terminal output handed to the
   * coalescer), or MALFORMED when the record is not one we understand.
   */
  private fill(off: number, size: number, e: ProcessEvent): number {
    const v = this.view;
    const b = this.bytes;
    if (v.getUint16(off + Off.version, true) !== RECORD_VERSION) return MALFORMED;
    const kind = v.getUint16(off + Off.kind, true);
    const action = ACTIONS[kind];
    if (action === undefined) return MALFORMED;

    resetProcessEvent(e);
    e.action = action;
    e.time = this.bootOffsetMs + u64(v, off + Off.tsNs) / 1e6;
    const startLo = v.getUint32(off + Off.startNs, true);
    const startHi = v.getUint32(off + Off.startNs + 4, true);
    e.startTicks = nsToTicks(startLo, startHi);
    e.start = this.bootOffsetMs + (startHi * TWO_POW_32 + startLo) / 1e6;
    e.pid = v.getUint32(off + Off.pid, true);
    e.ppid = v.getUint32(off + Off.ppid, true);
    e.pgid = v.getUint32(off + Off.pgid, true);
    e.sid = v.getUint32(off + Off.sid, true);
    e.uid = v.getUint32(off + Off.uid, true);
    e.euid = v.getUint32(off + Off.euid, true);
    e.suid = v.getUint32(off + Off.suid, true);
    e.gid = v.getUint32(off + Off.gid, true);
    e.egid = v.getUint32(off + Off.egid, true);
    e.sgid = v.getUint32(off + Off.sgid, true);
    e.loginUid = v.getUint32(off + Off.loginUid, true);
    e.auditSessionId = v.getUint32(off + Off.sessionId, true);
    e.tty = v.getUint32(off + Off.ttyDev, true);
    e.stdinDev = v.getUint32(off + Off.fdDev, true);
    e.stdoutDev = v.getUint32(off + Off.fdDev + 4, true);
    e.stderrDev = v.getUint32(off + Off.fdDev + 8, true);
    e.stdinType = b[off + Off.fdType]! as FdType;
    e.stdoutType = b[off + Off.fdType + 1]! as FdType;
    e.stderrType = b[off + Off.fdType + 2]! as FdType;
    e.comm = this.strings.intern(b, off + Off.comm, cEnd(b, off + Off.comm, 16), decodeUntrusted);

    const flags = v.getUint32(off + Off.flags, true);
    const aux0 = v.getUint32(off + Off.aux, true);
    const aux1 = v.getUint32(off + Off.aux + 4, true);
    const end = off + size;
    switch (kind) {
      case Kind.exec: {
        let p = off + HEADER_SIZE;
        const filenameLen = v.getUint16(off + Off.len, true);
        const cwdLen = v.getUint16(off + Off.len + 2, true);
        const cgroupLen = v.getUint16(off + Off.len + 4, true);
        const envLen = v.getUint16(off + Off.len + 6, true);
        const exeLen = v.getUint32(off + Off.aux + 8, true);
        if (p + filenameLen + aux0 + cwdLen + cgroupLen + envLen + exeLen > end) return MALFORMED;
        const filenameAt = p;
        p += filenameLen;
        e.args = splitNul(b, p, p + aux0);
        e.argsTruncated = (flags & Flag.argsTruncated) !== 0;
        p += aux0;
        // (a truncated path is rare and must not share an entry with the same bytes untruncated)
        e.cwd = (flags & Flag.cwdTruncated) !== 0 ? joinCwd(b, p, p + cwdLen, true) : this.strings.intern(b, p, p + cwdLen, joinPathWhole);
        p += cwdLen;
        e.cgroup = this.strings.intern(b, p, p + cgroupLen, decodeUntrusted);
        p += cgroupLen;
        if (flags & Flag.env) e.sshConnection = findEnv(b, p, p + envLen, SSH_CONNECTION);
        p += envLen;
        // The file actually run (symlinks resolved, as /proc/<pid>/exe); else the path as passed.
        if (exeLen > 0) {
          e.executable = (flags & Flag.exeTruncated) !== 0 ? joinCwd(b, p, p + exeLen, true) : this.strings.intern(b, p, p + exeLen, joinPathWhole);
        } else {
          const filename = decodeUntrusted(b, filenameAt, filenameAt + filenameLen);
          e.executable = filename.startsWith('/') || e.cwd === '' ? filename : joinPath(e.cwd, filename);
        }
        break;
      }
      case Kind.exit:
        e.exitCode = (aux0 >>> 8) & 0xff;
        e.signal = aux0 & 0x7f;
        e.coreDumped = (aux0 & 0x80) !== 0;
        break;
      case Kind.setpgid:
        e.targetPid = aux0;
        e.targetPgid = aux1;
        break;
      case Kind.typed: {
        const p = off + HEADER_SIZE;
        const cwdLen = v.getUint16(off + Off.len + 2, true);
        if (p + aux0 + cwdLen > end) return MALFORMED;
        e.line = decodeUntrusted(b, p, p + aux0);
        e.lineTruncated = (flags & Flag.typedTruncated) !== 0;
        const q = p + aux0;
        e.cwd = (flags & Flag.cwdTruncated) !== 0 ? joinCwd(b, q, q + cwdLen, true) : this.strings.intern(b, q, q + cwdLen, joinPathWhole);
        e.shell = SHELL_NAMES[v.getUint32(off + Off.aux + 8, true)] ?? '';
        e.typedVia = TYPED_VIA[v.getUint32(off + Off.aux + 12, true)] ?? '';
        break;
      }
      case Kind.ttyOutput: {
        const p = off + HEADER_SIZE;
        if (p + aux0 > end) return MALFORMED;
        const winsize = v.getUint32(off + Off.aux + 8, true);
        const skippedAfter = v.getUint32(off + Off.aux + 12, true);
        const capped = (flags & Flag.ttyCapped) !== 0;
        const onlcr = (flags & Flag.ttyOnlcr) !== 0;
        if (this.tty !== null) {
          const w = this.ttyWrite;
          w.time = e.time;
          w.pid = e.pid;
          w.startTicks = e.startTicks;
          w.tty = e.tty;
          w.rows = winsize >>> 16;
          w.columns = winsize & 0xffff;
          w.skippedBefore = aux1;
          w.skippedAfter = skippedAfter;
          w.capped = capped;
          w.onlcr = onlcr;
          this.tty.append(e, w, b, p, p + aux0, this.onEvent);
          return COALESCED;
        }
        if (onlcr) {
          const shown = new Uint8Array(2 * aux0);
          e.text = decodeUntrusted(shown, 0, copyOnlcr(b, p, p + aux0, shown, 0));
        } else {
          e.text = decodeUntrusted(b, p, p + aux0);
        }
        e.ioBytes = aux0;
        e.ioSkipped = aux1 + skippedAfter;
        if (aux1 > 0 || skippedAfter > 0) {
          e.ioSkips = [];
          if (aux1 > 0) e.ioSkips.push(0, aux1);
          if (skippedAfter > 0) e.ioSkips.push(aux0, skippedAfter);
        }
        e.ioCapped = capped;
        e.ttyRows = winsize >>> 16;
        e.ttyColumns = winsize & 0xffff;
        break;
      }
      default:
        break;
    }
    return FILLED;
  }
}

const MALFORMED = 0;
const FILLED = 1;
const COALESCED = 2;

const TYPED_VIA: ProcessEvent['typedVia'][] = [];
TYPED_VIA[TypedVia.return] = 'return';
TYPED_VIA[TypedVia.accept] = 'accept';
TYPED_VIA[TypedVia.read] = 'read';

const ACTIONS: (EventAction | undefined)[] = [];
ACTIONS[Kind.fork] = 'fork';
ACTIONS[Kind.exec] = 'exec';
ACTIONS[Kind.exit] = 'end';
ACTIONS[Kind.setsid] = 'setsid';
ACTIONS[Kind.setpgid] = 'setpgid';
ACTIONS[Kind.idChange] = 'id_change';
ACTIONS[Kind.typed] = 'typed';
ACTIONS[Kind.ttyOutput] = 'text_output';

function u64(v: DataView, off: number): number {
  return v.getUint32(off + 4, true) * TWO_POW_32 + v.getUint32(off, true);
}

/** floor((hi·2³² + lo) / 10⁷) computed exactly: 2³² = 429·10⁷ + 4 967 296. */
export function nsToTicks(lo: number, hi: number): number {
  return hi * 429 + Math.floor((hi * 4967296 + lo) / NS_PER_TICK);
}

/** End of a NUL-terminated string of at most `max` bytes. */
function cEnd(b: Uint8Array, start: number, max: number): number {
  let end = start;
  const limit = start + max;
  while (end < limit && b[end] !== 0) end++;
  return end;
}

/** argv as laid out in memory: each argument NUL-terminated (the last may be cut by the bound). */
function splitNul(b: Uint8Array, start: number, end: number): string[] {
  const out: string[] = [];
  let s = start;
  for (let i = start; i < end; i++) {
    if (b[i] === 0) {
      out.push(decodeUntrusted(b, s, i));
      s = i + 1;
    }
  }
  if (s < end) out.push(decodeUntrusted(b, s, end));
  return out;
}

const joinPathWhole = (b: Uint8Array, start: number, end: number): string => joinCwd(b, start, end, false);

/** Path components arrive leaf first, each NUL-terminated. */
function joinCwd(b: Uint8Array, start: number, end: number, truncated: boolean): string {
  const parts = splitNul(b, start, end);
  if (parts.length === 0) return truncated ? '…' : '/';
  parts.reverse();
  return (truncated ? '…/' : '/') + parts.join('/');
}

function joinPath(dir: string, rel: string): string {
  const parts = (dir === '/' ? '' : dir).split('/');
  for (const seg of rel.split('/')) {
    if (seg === '' || seg === '.') continue;
    if (seg === '..') {
      if (parts.length > 1) parts.pop();
    } else parts.push(seg);
  }
  return parts.join('/') || '/';
}

const SSH_CONNECTION = Buffer.from('SSH_CONNECTION=');

function findEnv(b: Uint8Array, start: number, end: number, key: Buffer): string {
  let s = start;
  for (let i = start; i <= end; i++) {
    if (i === end || b[i] === 0) {
      if (i - s > key.length) {
        let match = true;
        for (let k = 0; k < key.length; k++) {
          if (b[s + k] !== key[k]) {
            match = false;
            break;
          }
        }
        if (match) return decodeUntrusted(b, s + key.length, i);
      }
      s = i + 1;
    }
  }
  return '';
}
