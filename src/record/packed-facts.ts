/**
 * The packed layout in which a parse worker hands the main thread what it read from a chunk of a
 * recording: one fixed-size record per non-blank line, in line order, in one transferable
 * ArrayBuffer (zero-copy), plus the strings (and string/number arrays) the records refer to.
 *
 * A record is STRIDE float64 slots (every fact of a recording line is a number that fits a double
 * exactly: pids, ids, device numbers, counts up to 2^53, times in ms), read through a Float64Array
 * view, so the main thread decodes a line with plain indexed loads and no allocation.
 *
 * Strings are slots too, holding references:
 * - 0: none ('' for the event's string fields, undefined for the optional host and name facts);
 * - n > 0: entry n − 1 of the worker's interned table. Strings that repeat (comm, executable, cwd,
 *   cgroup, host, names, whole argument vectors) are sent once per worker and then only referred
 *   to; the main thread keeps one table per worker, grown by each batch's `interned` in the order
 *   the worker sent them, and started afresh when a batch says `reset` (the worker bounds its table);
 * - n < 0: entry −n − 1 of the batch's own `local` list (typed lines, terminal output, reasons:
 *   strings seen once).
 *
 * Record kinds: EVENT (a valid line: every ProcessEvent fact plus the host facts and the
 * LineHostFacts), BAD (a bad line: its reason), BAD_HOST (a bad line whose host the reader still
 * registers first: the single-threaded reader does so for an unreadable or impossible @timestamp),
 * TOO_LONG (longer than the limit: its byte length), RECHECK (the compiled schema check rejected it:
 * the line's text, in the reason slot, for the main thread to read as it would alone).
 */

import { EVENT_ACTIONS, type EventAction, type FdType, type ProcessEvent, type TypedShell } from '../sensor/process-event.js';
import type { HostFacts, LineHostFacts } from './line-to-event.js';

export const Kind = { event: 1, bad: 2, badHost: 3, tooLong: 4, recheck: 5 } as const;

/** Slot indexes within a record. */
export const Slot = {
  kind: 0,
  /** 1-based line number within the chunk (every line the chunk owns counts, blank ones too). */
  line: 1,
  /** Byte offset of the line in the file. */
  offset: 2,
  /** Byte length of the line without its newline (a trailing CR included). */
  length: 3,
  /** 1 when the line has no newline (the file's last line). */
  unterminated: 4,
  reason: 5,
  // host facts (EVENT and BAD_HOST)
  hostName: 6,
  bootId: 7,
  via: 8,
  pidNsIno: 9,
  kernel: 10,
  // LineHostFacts
  hasStartTicks: 11,
  uptime: 12,
  userName: 13,
  realUserName: 14,
  groupName: 15,
  realGroupName: 16,
  // ProcessEvent
  action: 17,
  time: 18,
  pid: 19,
  ppid: 20,
  pgid: 21,
  sid: 22,
  startTicks: 23,
  start: 24,
  uid: 25,
  euid: 26,
  suid: 27,
  gid: 28,
  egid: 29,
  sgid: 30,
  loginUid: 31,
  auditSessionId: 32,
  tty: 33,
  stdinDev: 34,
  stdinType: 35,
  stdoutDev: 36,
  stdoutType: 37,
  stderrDev: 38,
  stderrType: 39,
  comm: 40,
  executable: 41,
  args: 42,
  cwd: 43,
  cgroup: 44,
  sshConnection: 45,
  exitCode: 46,
  signal: 47,
  targetPid: 48,
  targetPgid: 49,
  text: 50,
  ioBytes: 51,
  ioSkipped: 52,
  ioSkips: 53,
  ttyRows: 54,
  ttyColumns: 55,
  lost: 56,
  line_: 57,
  shell: 58,
  typedVia: 59,
  /** Bit set of the boolean facts (Flag). */
  flags: 60,
} as const;

export const STRIDE = 61;
export const BYTES_PER_RECORD = STRIDE * 8;

const Flag = { argsTruncated: 1, coreDumped: 2, exitUnknown: 4, lineTruncated: 8, ioCapped: 16 } as const;

const SHELLS: readonly TypedShell[] = ['', 'bash', 'zsh', 'dash'];
const TYPED_VIAS: readonly ProcessEvent['typedVia'][] = ['', 'return', 'accept', 'read'];
const ACTION_INDEX = new Map<EventAction, number>(EVENT_ACTIONS.map((a, i) => [a, i]));
const EMPTY_ARGS: string[] = Object.freeze([]) as unknown as string[];
const NO_SKIPS: number[] = Object.freeze([]) as unknown as number[];

/** Most entries a worker interns before starting its table afresh (bounds both sides' memory). */
export const MAX_INTERNED = 50_000;

/** One batch: the records of a chunk and the values they refer to. */
export interface PackedBatch {
  /** `count` records from its start (it may be longer). */
  buffer: ArrayBuffer;
  count: number;
  /** New entries of the worker's interned table, in order. */
  interned: unknown[];
  /** The worker started its interned table afresh before this batch's entries. */
  reset: boolean;
  local: unknown[];
}

/** Worker side: appends records to a growing buffer; interns repeated values across batches. */
export class PackedFactsWriter {
  private floats = new Float64Array(STRIDE * 256);
  private count = 0;
  private readonly table = new Map<string, number>();
  /** Argument vectors, keyed by their NUL-joined text (apart from strings: ['ls'] is not 'ls'). */
  private readonly argTable = new Map<string, number>();
  private interned: unknown[] = [];
  private local: unknown[] = [];
  private reset = false;
  /** Entries in the interned table (both maps) since it last started afresh. */
  private internedCount = 0;
  /** By slot: the value interned last and its reference (forgotten when the table starts afresh). */
  private readonly lastValue: unknown[] = new Array<unknown>(STRIDE).fill(undefined);
  private readonly lastRef = new Float64Array(STRIDE);
  /** Index of the record being written (STRIDE × its number). */
  private at = 0;

  /** Starts a record of `kind` (every slot 0 until set). */
  begin(kind: number, line: number, offset: number, length: number, unterminated: boolean): void {
    if ((this.count + 1) * STRIDE > this.floats.length) {
      const bigger = new Float64Array(this.floats.length * 2);
      bigger.set(this.floats);
      this.floats = bigger;
    }
    const at = this.count * STRIDE;
    this.floats.fill(0, at, at + STRIDE);
    this.at = at;
    this.count++;
    const f = this.floats;
    f[at + Slot.kind] = kind;
    f[at + Slot.line] = line;
    f[at + Slot.offset] = offset;
    f[at + Slot.length] = length;
    f[at + Slot.unterminated] = unterminated ? 1 : 0;
  }

  set(slot: number, value: number): void {
    this.floats[this.at + slot] = value;
  }

  /** A string seen once (not interned). */
  setLocal(slot: number, value: string | number[] | undefined): void {
    if (value === undefined) return;
    this.local.push(value);
    this.floats[this.at + slot] = -this.local.length;
  }

  /** A string that repeats (interned). */
  setInterned(slot: number, value: string | undefined): void {
    if (value === undefined) return;
    // the value this slot had last (mostly the very same string: the scanner hands out what it
    // remembered) needs no lookup
    if (value === this.lastValue[slot]) {
      this.floats[this.at + slot] = this.lastRef[slot] as number;
      return;
    }
    const ref = this.intern(this.table, value, value);
    this.lastValue[slot] = value;
    this.lastRef[slot] = ref;
    this.floats[this.at + slot] = ref;
  }

  setHost(h: HostFacts): void {
    this.setInterned(Slot.hostName, h.name);
    this.setInterned(Slot.bootId, h.bootId);
    this.setInterned(Slot.via, h.via);
    this.setInterned(Slot.pidNsIno, h.pidNsIno);
    this.setInterned(Slot.kernel, h.kernel);
  }

  /** Writes every fact of `e` and of `x` into the current record. */
  setEvent(e: ProcessEvent, x: LineHostFacts): void {
    const f = this.floats;
    const at = this.at;
    f[at + Slot.hasStartTicks] = x.hasStartTicks ? 1 : 0;
    f[at + Slot.uptime] = x.uptime;
    this.setInterned(Slot.userName, x.userName);
    this.setInterned(Slot.realUserName, x.realUserName);
    this.setInterned(Slot.groupName, x.groupName);
    this.setInterned(Slot.realGroupName, x.realGroupName);
    f[at + Slot.action] = ACTION_INDEX.get(e.action) as number;
    f[at + Slot.time] = e.time;
    f[at + Slot.pid] = e.pid;
    f[at + Slot.ppid] = e.ppid;
    f[at + Slot.pgid] = e.pgid;
    f[at + Slot.sid] = e.sid;
    f[at + Slot.startTicks] = e.startTicks;
    f[at + Slot.start] = e.start;
    f[at + Slot.uid] = e.uid;
    f[at + Slot.euid] = e.euid;
    f[at + Slot.suid] = e.suid;
    f[at + Slot.gid] = e.gid;
    f[at + Slot.egid] = e.egid;
    f[at + Slot.sgid] = e.sgid;
    f[at + Slot.loginUid] = e.loginUid;
    f[at + Slot.auditSessionId] = e.auditSessionId;
    f[at + Slot.tty] = e.tty;
    f[at + Slot.stdinDev] = e.stdinDev;
    f[at + Slot.stdinType] = e.stdinType;
    f[at + Slot.stdoutDev] = e.stdoutDev;
    f[at + Slot.stdoutType] = e.stdoutType;
    f[at + Slot.stderrDev] = e.stderrDev;
    f[at + Slot.stderrType] = e.stderrType;
    if (e.comm !== '') this.setInterned(Slot.comm, e.comm);
    if (e.executable !== '') this.setInterned(Slot.executable, e.executable);
    if (e.args.length > 0) {
      if (e.args !== this.lastValue[Slot.args]) {
        this.lastValue[Slot.args] = e.args;
        this.lastRef[Slot.args] = this.intern(this.argTable, e.args.join('\u0000'), e.args);
      }
      f[at + Slot.args] = this.lastRef[Slot.args] as number;
    }
    if (e.cwd !== '') this.setInterned(Slot.cwd, e.cwd);
    if (e.cgroup !== '') this.setInterned(Slot.cgroup, e.cgroup);
    if (e.sshConnection !== '') this.setInterned(Slot.sshConnection, e.sshConnection);
    f[at + Slot.exitCode] = e.exitCode;
    f[at + Slot.signal] = e.signal;
    f[at + Slot.targetPid] = e.targetPid;
    f[at + Slot.targetPgid] = e.targetPgid;
    if (e.text !== '') this.setLocal(Slot.text, e.text);
    f[at + Slot.ioBytes] = e.ioBytes;
    f[at + Slot.ioSkipped] = e.ioSkipped;
    if (e.ioSkips.length > 0) this.setLocal(Slot.ioSkips, e.ioSkips);
    f[at + Slot.ttyRows] = e.ttyRows;
    f[at + Slot.ttyColumns] = e.ttyColumns;
    f[at + Slot.lost] = e.lost;
    if (e.line !== '') this.setLocal(Slot.line_, e.line);
    f[at + Slot.shell] = SHELLS.indexOf(e.shell);
    f[at + Slot.typedVia] = TYPED_VIAS.indexOf(e.typedVia);
    f[at + Slot.flags] =
      (e.argsTruncated ? Flag.argsTruncated : 0) |
      (e.coreDumped ? Flag.coreDumped : 0) |
      (e.exitUnknown ? Flag.exitUnknown : 0) |
      (e.lineTruncated ? Flag.lineTruncated : 0) |
      (e.ioCapped ? Flag.ioCapped : 0);
  }

  /**
   * Hands over the records written since the last take: the buffer they were written in, whole
   * (`count` says how many; the caller transfers it). The next records go into `spare` (a batch
   * buffer the reader is done with) when it is as big, else into a new buffer: a fresh buffer of a
   * few hundred KiB costs its pages faulted in afresh, and nothing is copied either way.
   */
  take(spare: ArrayBuffer | null = null): PackedBatch {
    const buffer = this.floats.buffer as ArrayBuffer;
    const size = this.floats.length;
    this.floats = spare !== null && spare.byteLength >= size * 8 ? new Float64Array(spare) : new Float64Array(size);
    const batch: PackedBatch = { buffer, count: this.count, interned: this.interned, reset: this.reset, local: this.local };
    this.count = 0;
    this.interned = [];
    this.local = [];
    // bounded: start afresh between batches (never inside one: its records refer to the table)
    this.reset = this.internedCount >= MAX_INTERNED;
    if (this.reset) {
      this.table.clear();
      this.argTable.clear();
      this.lastValue.fill(undefined);
      this.internedCount = 0;
    }
    return batch;
  }

  private intern(map: Map<string, number>, key: string, value: unknown): number {
    let ref = map.get(key);
    if (ref === undefined) {
      this.interned.push(value);
      ref = ++this.internedCount;
      map.set(key, ref);
    }
    return ref;
  }
}

/**
 * Main-thread side: the records of one batch. The interned table passed in is the worker's table
 * as of this batch (PackedTables keeps it in step).
 */
export class PackedFactsReader {
  readonly floats: Float64Array;
  readonly count: number;
  private readonly interned: unknown[];
  private readonly local: unknown[];

  constructor(batch: PackedBatch, interned: unknown[]) {
    this.floats = new Float64Array(batch.buffer, 0, batch.count * STRIDE);
    this.count = batch.count;
    this.interned = interned;
    this.local = batch.local;
  }

  num(i: number, slot: number): number {
    return this.floats[i * STRIDE + slot] as number;
  }

  /** The string in `slot` of record `i`; undefined when none. */
  str(i: number, slot: number): string | undefined {
    return this.value(this.floats[i * STRIDE + slot] as number) as string | undefined;
  }

  host(i: number, into: HostFacts): HostFacts {
    into.name = this.str(i, Slot.hostName) ?? '';
    into.bootId = this.str(i, Slot.bootId) ?? '';
    into.via = this.str(i, Slot.via) ?? '';
    into.pidNsIno = this.str(i, Slot.pidNsIno);
    into.kernel = this.str(i, Slot.kernel);
    return into;
  }

  /** Fills every field of `e` and of `x` from EVENT record `i`. */
  event(i: number, e: ProcessEvent, x: LineHostFacts): void {
    const f = this.floats;
    const at = i * STRIDE;
    x.hasStartTicks = f[at + Slot.hasStartTicks] === 1;
    x.uptime = f[at + Slot.uptime] as number;
    x.userName = this.value(f[at + Slot.userName] as number) as string | undefined;
    x.realUserName = this.value(f[at + Slot.realUserName] as number) as string | undefined;
    x.groupName = this.value(f[at + Slot.groupName] as number) as string | undefined;
    x.realGroupName = this.value(f[at + Slot.realGroupName] as number) as string | undefined;
    e.action = EVENT_ACTIONS[f[at + Slot.action] as number] as EventAction;
    e.time = f[at + Slot.time] as number;
    e.pid = f[at + Slot.pid] as number;
    e.ppid = f[at + Slot.ppid] as number;
    e.pgid = f[at + Slot.pgid] as number;
    e.sid = f[at + Slot.sid] as number;
    e.startTicks = f[at + Slot.startTicks] as number;
    e.start = f[at + Slot.start] as number;
    e.uid = f[at + Slot.uid] as number;
    e.euid = f[at + Slot.euid] as number;
    e.suid = f[at + Slot.suid] as number;
    e.gid = f[at + Slot.gid] as number;
    e.egid = f[at + Slot.egid] as number;
    e.sgid = f[at + Slot.sgid] as number;
    e.loginUid = f[at + Slot.loginUid] as number;
    e.auditSessionId = f[at + Slot.auditSessionId] as number;
    e.tty = f[at + Slot.tty] as number;
    e.stdinDev = f[at + Slot.stdinDev] as number;
    e.stdinType = f[at + Slot.stdinType] as FdType;
    e.stdoutDev = f[at + Slot.stdoutDev] as number;
    e.stdoutType = f[at + Slot.stdoutType] as FdType;
    e.stderrDev = f[at + Slot.stderrDev] as number;
    e.stderrType = f[at + Slot.stderrType] as FdType;
    e.comm = this.text(f[at + Slot.comm] as number);
    e.executable = this.text(f[at + Slot.executable] as number);
    const args = f[at + Slot.args] as number;
    e.args = args === 0 ? EMPTY_ARGS : (this.value(args) as string[]);
    e.cwd = this.text(f[at + Slot.cwd] as number);
    e.cgroup = this.text(f[at + Slot.cgroup] as number);
    e.sshConnection = this.text(f[at + Slot.sshConnection] as number);
    e.exitCode = f[at + Slot.exitCode] as number;
    e.signal = f[at + Slot.signal] as number;
    e.targetPid = f[at + Slot.targetPid] as number;
    e.targetPgid = f[at + Slot.targetPgid] as number;
    e.text = this.text(f[at + Slot.text] as number);
    e.ioBytes = f[at + Slot.ioBytes] as number;
    e.ioSkipped = f[at + Slot.ioSkipped] as number;
    const skips = f[at + Slot.ioSkips] as number;
    e.ioSkips = skips === 0 ? NO_SKIPS : (this.value(skips) as number[]);
    e.ttyRows = f[at + Slot.ttyRows] as number;
    e.ttyColumns = f[at + Slot.ttyColumns] as number;
    e.lost = f[at + Slot.lost] as number;
    e.line = this.text(f[at + Slot.line_] as number);
    e.shell = SHELLS[f[at + Slot.shell] as number] as TypedShell;
    e.typedVia = TYPED_VIAS[f[at + Slot.typedVia] as number] as ProcessEvent['typedVia'];
    const flags = f[at + Slot.flags] as number;
    e.argsTruncated = (flags & Flag.argsTruncated) !== 0;
    e.coreDumped = (flags & Flag.coreDumped) !== 0;
    e.exitUnknown = (flags & Flag.exitUnknown) !== 0;
    e.lineTruncated = (flags & Flag.lineTruncated) !== 0;
    e.ioCapped = (flags & Flag.ioCapped) !== 0;
  }

  private text(ref: number): string {
    return ref === 0 ? '' : (this.value(ref) as string);
  }

  private value(ref: number): unknown {
    if (ref === 0) return undefined;
    return ref > 0 ? this.interned[ref - 1] : this.local[-ref - 1];
  }
}

/** Main-thread side: one interned table per worker, kept in step with the batches as they arrive. */
export class PackedTables {
  private readonly tables: unknown[][] = [];

  /**
   * Takes a batch's interned entries (call it for every batch of a worker, in the order they
   * arrive, including batches that end up unused); returns the table the batch's references use.
   */
  receive(worker: number, batch: PackedBatch): unknown[] {
    let t = this.tables[worker];
    if (t === undefined || batch.reset) {
      t = [];
      this.tables[worker] = t;
    }
    for (const v of batch.interned) t.push(v);
    return t;
  }

  /** Forgets every table (the workers were restarted: theirs start empty). */
  clear(): void {
    this.tables.length = 0;
  }
}
