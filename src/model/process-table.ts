/**
 * ProcessTable: the process model. Fed ProcessEvents from any source (eBPF, /proc, a recording),
 * it keeps one ProcessNode per (pid, start time), updated IN PLACE, and derives what docs/design.md
 * specifies: entity ids, parent / group / session / entry leaders and entry types, interactive,
 * user-entered and last user-entered, previous execs, container ids, typed lines. It also keeps the
 * entry sessions the UI lists.
 *
 * `apply(e)` returns the enriched node the event was about, so a recorder can serialize it at once.
 * The event object is the caller's (reused): the table copies what it keeps.
 *
 * Backfill: `snapshot` events may arrive in any order (children before parents); their links and
 * leaders are resolved together by `finishBackfill()`, which the table also runs by itself before
 * the first non-snapshot event and before any query (get, find, processes, sessions).
 *
 * Bounds: exited processes stay for `retentionMs`. They are history or noise
 * (history-retention.ts): noise is at most `maxExited` host-wide (oldest evicted first); each
 * login session keeps at most `maxHistoryPerSession` history processes (its own oldest go), so a
 * storm in one session never evicts another's history. At most `maxProcesses` nodes are tracked at
 * all (oldest noise evicted first, then the oldest history of the session holding the most, then
 * the least recently created live ones whose end must have been lost).
 */

import type { ProcessEvent } from '../sensor/process-event.js';
import { AUDIT_UNSET } from '../sensor/process-event.js';
import { containerIdFromCgroup } from './container-id.js';
import { decideEntryLeader, isKernelThreadOrInit, LOGIN_ENTRY_TYPES, newEntryDecision } from './entry-leader.js';
import type { LoginLeaderLookup } from './entry-leader.js';
import { EntrySessionRecord } from './entry-session.js';
import { isHistory } from './history-retention.js';
import { isInteractive, isUserEntered, lastUserEnteredOf } from './interactive.js';
import { isPersonEntered, TICK_SLACK_MS } from './person-entered.js';
import { nextStamp, NO_ARGS, ProcessRecord } from './process-record.js';
import { flattenSessionTree, listEntrySessions, listSubSessions } from './session-view.js';
import type {
  EntrySession,
  EntryType,
  HostInfo,
  ModelStats,
  ProcessNode,
  ProcessTableOptions,
  SessionTreeRow,
  SessionViewOptions,
  SubSession,
} from './types.js';

/** The table's own state apart from its nodes' fields (see ProcessTable.internals). */
export interface TableInternals {
  /** pid → newest holder, in the map's order; older holders hang off `olderSamePid`. */
  byPid: ReadonlyMap<number, ProcessRecord>;
  /** Entry sessions in the set's order (the order they were created in). */
  sessions: ReadonlySet<EntrySessionRecord>;
  loginByAudit: ReadonlyMap<number, EntrySessionRecord>;
  /** Snapshots waiting for finishBackfill. */
  pending: ProcessRecord[];
  /** Exited noise list, oldest first (linked by exitedNext). */
  exitedHead: ProcessRecord | null;
  exitedTail: ProcessRecord | null;
  typedShells: ReadonlySet<string>;
  counters: TableCounters;
}

/** Internals handed to a new table (it owns them). */
export interface OwnedTableInternals extends TableInternals {
  byPid: Map<number, ProcessRecord>;
  sessions: Set<EntrySessionRecord>;
  loginByAudit: Map<number, EntrySessionRecord>;
  typedShells: Set<string>;
}

export interface TableCounters {
  historyCount: number;
  historyExpiredAt: number;
  liveCount: number;
  exitedCount: number;
  eventCount: number;
  lostCount: number;
  evictedCount: number;
  droppedLiveCount: number;
  capRescanAt: number;
}

export const DEFAULT_RETENTION_MS = 1_800_000;
export const DEFAULT_MAX_HISTORY_PER_SESSION = 4096;
export const DEFAULT_MAX_EXITED = 8192;
export const DEFAULT_MAX_PROCESSES = 250_000;
export const DEFAULT_MAX_PREVIOUS = 8;
export const DEFAULT_MAX_TYPED_LINES = 64;
export const DEFAULT_MAX_TERMINAL_CHARS = 262_144;

/** Suffix the kernel appends to /proc/<pid>/exe of a replaced binary. */
const DELETED_SUFFIX = ' (deleted)';

export class ProcessTable {
  readonly host: HostInfo;
  readonly retentionMs: number;
  readonly maxExited: number;
  readonly maxProcesses: number;
  readonly maxHistoryPerSession: number;
  readonly maxPrevious: number;
  readonly maxTypedLines: number;
  readonly maxTerminalChars: number;

  /** pid → newest process with that pid; older retained ones hang off `olderSamePid`. */
  private byPid = new Map<number, ProcessRecord>();
  private sessions = new Set<EntrySessionRecord>();
  /**
   * Audit session id → the entry session that claims it: a login (sshd, ssm, console, terminal) or
   * a login remnant (for the daemonized tmux/screen improvement and its remnant extension).
   */
  private loginByAudit = new Map<number, EntrySessionRecord>();
  private pending: ProcessRecord[] = [];
  /** Exited noise, oldest first (history lives in per-session lists, see EntrySessionRecord). */
  private exitedHead: ProcessRecord | null = null;
  private exitedTail: ProcessRecord | null = null;
  private historyCount = 0;
  /** Model time history was last checked against the retention window (once a second). */
  private historyExpiredAt = Number.NEGATIVE_INFINITY;
  /** Executables of shells lines were typed at: typed capture is on for them (person-entered.ts). */
  private typedShells = new Set<string>();
  private readonly captureOn = (shell: ProcessNode): boolean => shell.typed.length > 0 || this.typedShells.has(shell.executable);
  private liveCount = 0;
  private exitedCount = 0;
  private eventCount = 0;
  private lostCount = 0;
  private evictedCount = 0;
  /** Live nodes evicted by the process cap (their ends were lost, or the input claims too many). */
  private droppedLiveCount = 0;
  /** Size the table must reach before the cap scans for live victims again (0: any time). */
  private capRescanAt = 0;
  /** Set by obtain(): whether the node it returned was just created. */
  private created = false;
  private readonly decision = newEntryDecision();
  private readonly loginLeader: LoginLeaderLookup = (id) => this.lookupLoginLeader(id);

  constructor(options: ProcessTableOptions) {
    this.host = options.host;
    this.retentionMs = options.retentionMs ?? DEFAULT_RETENTION_MS;
    this.maxExited = Math.max(0, options.maxExited ?? DEFAULT_MAX_EXITED);
    this.maxProcesses = Math.max(1, options.maxProcesses ?? DEFAULT_MAX_PROCESSES);
    this.maxHistoryPerSession = Math.max(0, options.maxHistoryPerSession ?? DEFAULT_MAX_HISTORY_PER_SESSION);
    this.maxPrevious = Math.max(0, options.maxPrevious ?? DEFAULT_MAX_PREVIOUS);
    this.maxTypedLines = Math.max(0, options.maxTypedLines ?? DEFAULT_MAX_TYPED_LINES);
    this.maxTerminalChars = Math.max(0, options.maxTerminalChars ?? DEFAULT_MAX_TERMINAL_CHARS);
  }

  // ------------------------------------------------------------------ events

  /**
   * Applies one event and returns the node it concerns (for `setpgid`: the process whose group
   * changed), or null for `lost`.
   */
  apply(e: ProcessEvent): ProcessNode | null {
    this.eventCount++;
    let node: ProcessRecord | null;
    if (e.action === 'snapshot') {
      node = this.onSnapshot(e);
    } else if (e.action === 'lost') {
      this.lostCount += e.lost;
      node = null;
    } else {
      if (this.pending.length !== 0) this.finishBackfill();
      switch (e.action) {
        case 'fork':
          node = this.onFork(e);
          break;
        case 'exec':
          node = this.onExec(e);
          break;
        case 'end':
          node = this.onEnd(e);
          break;
        case 'setsid':
          node = this.onSetsid(e);
          break;
        case 'setpgid':
          node = this.onSetpgid(e);
          break;
        case 'id_change':
          node = this.onHeaderOnly(e);
          break;
        case 'typed':
          node = this.onTyped(e);
          break;
        case 'text_output':
          node = this.onTextOutput(e);
          break;
        default:
          node = null;
      }
    }
    this.expire(e.time);
    return node;
  }

  /**
   * Resolves every snapshot applied since the last call (links, leaders, entry sessions,
   * interactive, user-entered), in start order. Returns those nodes, oldest first: a recorder
   * writes its `snapshot` lines from them.
   */
  finishBackfill(): ProcessNode[] {
    const list = this.pending;
    if (list.length === 0) return [];
    this.pending = [];
    list.sort(byStartTicks);
    for (const r of list) {
      if (r.evicted) continue;
      r.parent = r.ppid === 0 ? null : this.holderBefore(r.ppid, r.startTicks);
      this.linkLeaders(r);
    }
    const out: ProcessNode[] = [];
    for (const r of list) {
      if (r.evicted) continue;
      r.pending = false;
      this.evaluateEntry(r);
      this.evaluateTerminal(r, r.start + TICK_SLACK_MS);
      out.push(r);
    }
    return out;
  }

  /** Evicts exited processes older than the retention window at `now`; returns how many. */
  sweep(now: number = Date.now()): number {
    const before = this.evictedCount;
    this.expire(now);
    return this.evictedCount - before;
  }

  // ------------------------------------------------------------------ queries

  /** The newest process with this pid (alive, or exited and retained). */
  get(pid: number): ProcessNode | undefined {
    if (this.pending.length !== 0) this.finishBackfill();
    return this.byPid.get(pid);
  }

  /** The process (pid, startTicks), including retained earlier holders of a reused pid. */
  find(pid: number, startTicks: number): ProcessNode | undefined {
    if (this.pending.length !== 0) this.finishBackfill();
    for (let r = this.byPid.get(pid) ?? null; r !== null; r = r.olderSamePid) if (r.startTicks === startTicks) return r;
    return undefined;
  }

  /** Linear search by entity id (for UI selection; not for hot paths). */
  findByEntityId(entityId: string): ProcessNode | undefined {
    for (const n of this.processes()) if (n.entityId === entityId) return n;
    return undefined;
  }

  /** Every tracked process (alive and retained exited). */
  *processes(): IterableIterator<ProcessNode> {
    if (this.pending.length !== 0) this.finishBackfill();
    for (const head of this.byPid.values()) for (let r: ProcessRecord | null = head; r !== null; r = r.olderSamePid) yield r;
  }

  /** Entry sessions, most recently active first (services excluded unless asked). */
  entrySessions(opts: SessionViewOptions = {}): EntrySession[] {
    if (this.pending.length !== 0) this.finishBackfill();
    return listEntrySessions(this.sessions, opts);
  }

  /** The entry session led by the process with this entity id. */
  entrySession(id: string): EntrySession | undefined {
    if (this.pending.length !== 0) this.finishBackfill();
    for (const s of this.sessions) if (s.id === id) return s;
    return undefined;
  }

  /** Sessions (by sid) inside an entry session: its own, then panes / sudo pty sessions. */
  subSessions(entry: EntrySession, opts: SessionViewOptions = {}): SubSession[] {
    return listSubSessions(entry, opts);
  }

  /** An entry session's process tree flattened depth-first (for the UI's tree view). */
  sessionTree(entry: EntrySession, opts: SessionViewOptions = {}): SessionTreeRow[] {
    return flattenSessionTree(entry, opts);
  }

  /** Processes in no entry session: pid 1, kernel threads, anything without a leader. By pid. */
  unattached(opts: SessionViewOptions = {}): ProcessNode[] {
    if (this.pending.length !== 0) this.finishBackfill();
    const includeExited = opts.includeExited ?? true;
    const out: ProcessNode[] = [];
    for (const n of this.processes()) if (n.entrySession === null && (includeExited || !n.exited)) out.push(n);
    out.sort((a, b) => a.pid - b.pid || a.startTicks - b.startTicks);
    return out;
  }

  stats(): ModelStats {
    return {
      events: this.eventCount,
      tracked: this.liveCount + this.exitedCount,
      live: this.liveCount,
      exited: this.exitedCount,
      history: this.historyCount,
      entrySessions: this.sessions.size,
      lost: this.lostCount,
      evicted: this.evictedCount,
      droppedLive: this.droppedLiveCount,
    };
  }

  // ------------------------------------------------------------------ per action

  private onSnapshot(e: ProcessEvent): ProcessRecord {
    const r = this.obtain(e);
    if (this.created) {
      this.fillHeader(r, e);
      this.fillImage(r, e);
    } else if (e.time >= r.lastActivity) {
      // Same process seen again (live event first, or a second scan): newer facts win.
      this.fillHeader(r, e);
      this.fillImage(r, e);
    } else if (r.executable === '') {
      this.fillImage(r, e);
    }
    r.fromSnapshot = true;
    if (e.time > r.snapshotTime) r.snapshotTime = e.time;
    this.touch(r, e.time);
    if (!r.pending) {
      r.pending = true;
      this.pending.push(r);
    }
    return r;
  }

  private onFork(e: ProcessEvent): ProcessRecord {
    const r = this.obtain(e);
    if (this.created) {
      this.adoptNew(r, e);
    } else if (e.time >= r.lastActivity && !r.exited) {
      // Duplicate delivery (also seen by the /proc scan): merge the header facts, keep the rest.
      this.fillHeader(r, e);
    }
    this.touch(r, e.time);
    return r;
  }

  private onExec(e: ProcessEvent): ProcessRecord {
    const r = this.obtain(e);
    if (this.created) {
      this.adoptNew(r, e);
    } else if (r.fromSnapshot && e.time < r.snapshotTime) {
      // Older than the backfill facts, which already reflect this exec (or a later one).
      if (r.executable === '') this.fillImage(r, e);
      this.touch(r, e.time);
      return r;
    } else {
      this.fillHeader(r, e);
    }
    this.pushPrevious(r, e.time);
    this.fillImage(r, e);
    r.parent = r.ppid === 0 ? null : this.holderBefore(r.ppid, r.startTicks);
    this.linkLeaders(r);
    this.evaluateEntry(r);
    this.evaluateTerminal(r, e.time);
    this.touch(r, e.time);
    const s = r.entrySession;
    if (r.personEntered && s !== null) (s as EntrySessionRecord).lastUserEntered = r;
    return r;
  }

  private onEnd(e: ProcessEvent): ProcessRecord {
    const r = this.obtain(e);
    if (this.created) this.adoptNew(r, e);
    if (r.exited && (r.exitCause !== 'unknown' || e.exitUnknown)) {
      this.touch(r, e.time);
      return r; // duplicate end, or nothing new
    }
    // A first end, or the real end of a process already found gone (exitCause 'unknown').
    if (e.exitUnknown) {
      r.exitCode = 0;
      r.signal = 0;
      r.coreDumped = false;
      r.exitCause = 'unknown';
    } else {
      r.exitCode = e.exitCode;
      r.signal = e.signal;
      r.coreDumped = e.coreDumped;
      r.exitCause = e.coreDumped ? 'coredumped' : e.signal !== 0 ? 'signaled' : 'exited';
    }
    r.end = e.time;
    this.touch(r, e.time);
    if (!r.exited) this.markExited(r);
    return r;
  }

  private onSetsid(e: ProcessEvent): ProcessRecord {
    const r = this.obtain(e);
    if (this.created) {
      this.adoptNew(r, e);
    } else {
      this.fillHeader(r, e);
      this.linkLeaders(r);
      // setsid alone does not re-evaluate the entry leader (the next exec does).
      this.evaluateTerminal(r, e.time);
    }
    this.touch(r, e.time);
    return r;
  }

  private onSetpgid(e: ProcessEvent): ProcessRecord {
    const caller = this.onHeaderOnly(e);
    const targetPid = e.targetPid !== 0 ? e.targetPid : e.pid;
    const target = targetPid === caller.pid ? caller : this.byPid.get(targetPid);
    if (target === undefined || target.exited) return caller;
    target.pgid = e.targetPgid !== 0 ? e.targetPgid : targetPid;
    this.linkLeaders(target);
    const was = target.personEntered;
    target.userEntered = isUserEntered(target, target.parent);
    target.personEntered = isPersonEntered(target, target.parent, e.time, this.captureOn);
    const s = target.entrySession;
    if (target.personEntered && !was && s !== null) (s as EntrySessionRecord).lastUserEntered = target;
    this.touch(target, e.time);
    return target;
  }

  /** id_change, and the caller side of setpgid: refresh the header facts. */
  private onHeaderOnly(e: ProcessEvent): ProcessRecord {
    const r = this.obtain(e);
    if (this.created) this.adoptNew(r, e);
    else if (!r.exited) this.fillHeader(r, e);
    this.touch(r, e.time);
    return r;
  }

  private onTyped(e: ProcessEvent): ProcessRecord {
    const r = this.onHeaderOnly(e);
    // the shell's current directory, as of this line (a typed `cd` moves it without an exec)
    if (e.cwd !== '' && !r.exited) r.cwd = e.cwd;
    if (this.maxTypedLines === 0) return r;
    const line = { time: e.time, line: e.line, truncated: e.lineTruncated, cwd: e.cwd, shell: e.shell };
    const first = r.typed.length === 0;
    if (first) r.typed = [line];
    else {
      if (Object.isFrozen(r.typed)) r.typed = r.typed.slice(); // shared with a checkpoint
      r.typed.push(line);
    }
    if (first) this.captureFound(r, e.time);
    if (r.typed.length > this.maxTypedLines) r.typed.shift();
    const s = r.entrySession as EntrySessionRecord | null;
    if (s !== null) {
      s.lastTyped = line;
      s.lastTypedBy = r;
    }
    return r;
  }

  /**
   * Terminal output: it belongs to the writer (learned from the record's facts when unknown) and to
   * the writer's entry session, whose terminal log keeps it. The record's facts never refresh a
   * known writer (they lack the stdio fields).
   */
  private onTextOutput(e: ProcessEvent): ProcessRecord {
    const r = this.obtain(e);
    if (this.created) this.adoptNew(r, e);
    this.touch(r, e.time);
    const s = r.entrySession as EntrySessionRecord | null;
    if (s !== null && this.maxTerminalChars > 0) {
      s.terminalLog(e.tty, this.maxTerminalChars).append({ time: e.time, text: e.text, rows: e.ttyRows, columns: e.ttyColumns, pid: e.pid }, e.ioSkipped, e.ioCapped, e.ioBytes);
    }
    return r;
  }

  // ------------------------------------------------------------------ copies (table-checkpoint.ts)

  /** The table's own state, read by table-checkpoint.ts to freeze a copy. Not to be mutated. */
  internals(): TableInternals {
    return {
      byPid: this.byPid,
      sessions: this.sessions,
      loginByAudit: this.loginByAudit,
      pending: this.pending,
      exitedHead: this.exitedHead,
      exitedTail: this.exitedTail,
      typedShells: this.typedShells,
      counters: {
        historyCount: this.historyCount,
        historyExpiredAt: this.historyExpiredAt,
        liveCount: this.liveCount,
        exitedCount: this.exitedCount,
        eventCount: this.eventCount,
        lostCount: this.lostCount,
        evictedCount: this.evictedCount,
        droppedLiveCount: this.droppedLiveCount,
        capRescanAt: this.capRescanAt,
      },
    };
  }

  /**
   * Empties the table and hands over its nodes (appended to `out`), for a table-checkpoint restore
   * to remake into the nodes of the tables that replace this one (nothing may read this table or
   * its nodes after). The nodes keep their old links: unlinkSpare() drops those of the ones left.
   */
  surrenderNodes(out: ProcessRecord[] = []): ProcessRecord[] {
    for (const head of this.byPid.values()) for (let r: ProcessRecord | null = head; r !== null; r = r.olderSamePid) out.push(r);
    this.byPid = new Map();
    this.sessions = new Set();
    this.loginByAudit = new Map();
    this.pending = [];
    this.exitedHead = this.exitedTail = null;
    this.liveCount = this.exitedCount = this.historyCount = 0;
    return out;
  }

  /** A table holding `state` (built by table-checkpoint.ts; the table owns its maps and nodes from now on). */
  static fromInternals(options: ProcessTableOptions, state: OwnedTableInternals): ProcessTable {
    const t = new ProcessTable(options);
    t.byPid = state.byPid;
    t.sessions = state.sessions;
    t.loginByAudit = state.loginByAudit;
    t.typedShells = state.typedShells;
    t.pending = state.pending;
    t.exitedHead = state.exitedHead;
    t.exitedTail = state.exitedTail;
    const c = state.counters;
    t.historyCount = c.historyCount;
    t.historyExpiredAt = c.historyExpiredAt;
    t.liveCount = c.liveCount;
    t.exitedCount = c.exitedCount;
    t.eventCount = c.eventCount;
    t.lostCount = c.lostCount;
    t.evictedCount = c.evictedCount;
    t.droppedLiveCount = c.droppedLiveCount;
    t.capRescanAt = c.capRescanAt;
    return t;
  }

  // ------------------------------------------------------------------ node lifecycle

  /**
   * The node for (e.pid, e.startTicks): existing (duplicate delivery merges), or new. A newer start
   * time for a known pid is PID reuse: the old holder is over (even if its end was never seen).
   */
  private obtain(e: ProcessEvent): ProcessRecord {
    const pid = e.pid;
    const st = e.startTicks;
    const head = this.byPid.get(pid);
    this.created = false;
    if (head === undefined) return this.create(e, null);
    if (st === 0 || head.startTicks === st) return head;
    if (head.startTicks === 0) {
      head.startTicks = st; // first time the start is known (e.g. a sparse recording line)
      head.cachedEntityId = null;
      return head;
    }
    if (st > head.startTicks) {
      if (!head.exited) this.markGone(head, e.time);
      return this.create(e, head);
    }
    // An earlier holder of this pid (its events arrive after the newer one's): find or add it.
    let newer = head;
    for (let r = head.olderSamePid; r !== null; r = r.olderSamePid) {
      if (r.startTicks === st) return r;
      if (r.startTicks < st) break;
      newer = r;
    }
    const older = this.create(e, null, newer);
    this.markGone(older, e.time);
    return older;
  }

  /** A new node; `replaces` is the pid's current head, `after` a chain node to insert it behind. */
  private create(e: ProcessEvent, replaces: ProcessRecord | null, after: ProcessRecord | null = null): ProcessRecord {
    const r = new ProcessRecord(this.host, e.pid, e.startTicks);
    r.start = e.start !== 0 ? e.start : e.time;
    r.startGuessed = e.start === 0;
    r.lastActivity = e.time;
    if (after !== null) {
      r.olderSamePid = after.olderSamePid;
      after.olderSamePid = r;
    } else {
      r.olderSamePid = replaces;
      // a new key goes last in the map; a key whose holder changes keeps its place
      r.keyStamp = replaces !== null ? replaces.keyStamp : nextStamp();
      this.byPid.set(e.pid, r);
    }
    this.liveCount++;
    this.created = true;
    if (this.liveCount + this.exitedCount > this.maxProcesses) this.enforceProcessCap(r);
    return r;
  }

  /** First facts of a node created by a live event: header, parent's image and entry leader. */
  private adoptNew(r: ProcessRecord, e: ProcessEvent): void {
    this.fillHeader(r, e);
    const parent = r.ppid === 0 ? null : this.holderBefore(r.ppid, r.startTicks);
    r.parent = parent;
    if (parent !== null) {
      // A forked child runs its parent's image until it execs.
      r.executable = parent.executable;
      r.name = parent.name;
      r.args = parent.args;
      r.argsTruncated = parent.argsTruncated;
      r.cwd = parent.cwd;
      r.cgroup = parent.cgroup;
      r.containerId = parent.containerId;
      r.sshConnection = parent.sshConnection;
    } else {
      r.name = r.comm;
    }
    this.linkLeaders(r);
    if (parent !== null && !parent.pending && !r.kernelThread) {
      // fork copies the parent's entry leader
      r.entryLeader = parent.entryLeader;
      this.joinSession(r);
    } else {
      this.evaluateEntry(r);
    }
    this.evaluateTerminal(r, e.time);
  }

  private fillHeader(r: ProcessRecord, e: ProcessEvent): void {
    r.ppid = e.ppid;
    r.pgid = e.pgid;
    r.sid = e.sid;
    r.uid = e.uid;
    r.euid = e.euid;
    r.suid = e.suid;
    r.gid = e.gid;
    r.egid = e.egid;
    r.sgid = e.sgid;
    r.loginUid = e.loginUid;
    r.auditSessionId = e.auditSessionId;
    r.tty = e.tty;
    r.stdinDev = e.stdinDev;
    r.stdinType = e.stdinType;
    r.stdoutDev = e.stdoutDev;
    r.stdoutType = e.stdoutType;
    r.stderrDev = e.stderrDev;
    r.stderrType = e.stderrType;
    if (e.comm !== '') r.comm = e.comm;
    // One start per process: the creating event's, unless it had none (see ProcessRecord.startGuessed).
    if (r.startGuessed && e.start !== 0 && r.startTicks === e.startTicks) {
      r.start = e.start;
      r.startGuessed = false;
    }
    r.kernelThread = e.pid === 2 || e.ppid === 2;
  }

  /** Image facts of an exec or snapshot. Empty optional strings keep what was known. */
  private fillImage(r: ProcessRecord, e: ProcessEvent): void {
    r.executable = e.executable;
    r.name = nameOf(e.executable, r.comm);
    r.args = e.args.length === 0 ? NO_ARGS : e.args.slice();
    r.argsTruncated = e.argsTruncated;
    if (e.cwd !== '') r.cwd = e.cwd;
    if (e.cgroup !== '' && e.cgroup !== r.cgroup) {
      r.cgroup = e.cgroup;
      r.containerId = containerIdFromCgroup(e.cgroup);
    }
    if (e.sshConnection !== '') r.sshConnection = e.sshConnection;
  }

  private pushPrevious(r: ProcessRecord, time: number): void {
    if (r.executable === '' || this.maxPrevious === 0) return;
    const prev = { time, executable: r.executable, args: r.args, argsTruncated: r.argsTruncated };
    // Most processes exec once: a one-entry array, not one grown by push (16 slots).
    if (r.previous.length === 0) {
      r.previous = [prev];
      return;
    }
    if (Object.isFrozen(r.previous)) r.previous = r.previous.slice(); // shared with a checkpoint
    r.previous.push(prev);
    if (r.previous.length > this.maxPrevious) r.previous.shift();
  }

  /** Process `r` is over without an end event (pid reused, or an older holder): how, unknown. */
  private markGone(r: ProcessRecord, time: number): void {
    r.end = time;
    r.exitCause = 'unknown';
    this.markExited(r);
  }

  private markExited(r: ProcessRecord): void {
    r.exited = true;
    r.exitStamp = nextStamp();
    this.liveCount--;
    this.exitedCount++;
    const s = r.entrySession as EntrySessionRecord | null;
    if (s !== null) s.liveCount--;
    if (s !== null && this.maxHistoryPerSession > 0 && isHistory(r)) {
      r.history = s;
      s.pushHistory(r);
      this.historyCount++;
      while (s.historyCount > this.maxHistoryPerSession && s.historyHead !== null) this.evict(s.historyHead as ProcessRecord);
      return;
    }
    r.exitedPrev = this.exitedTail;
    r.exitedNext = null;
    if (this.exitedTail !== null) this.exitedTail.exitedNext = r;
    else this.exitedHead = r;
    this.exitedTail = r;
    while (this.exitedCount - this.historyCount > this.maxExited && this.exitedHead !== null) this.evict(this.exitedHead);
  }

  private expire(now: number): void {
    const limit = now - this.retentionMs;
    let head = this.exitedHead;
    while (head !== null && head.end < limit) {
      this.evict(head);
      head = this.exitedHead;
    }
    // history: per session, checked once a second of model time (O(sessions))
    if (this.historyCount > 0 && (now - this.historyExpiredAt >= 1000 || now < this.historyExpiredAt)) {
      this.historyExpiredAt = now;
      for (const s of this.sessions) {
        let h = s.historyHead as ProcessRecord | null;
        while (h !== null && h.end < limit) {
          this.evict(h);
          h = s.historyHead as ProcessRecord | null;
        }
      }
    }
  }

  /**
   * Over maxProcesses: oldest noise first, then the oldest history of the session holding the
   * most, else the oldest-created live nodes (their ends must have been lost) — but never one that
   * holds the tree together: a session or group leader, an entry leader, pid 1 and kernel threads,
   * or the parent of a live process (victims are leaves). If nothing else is left, the table goes
   * over the cap rather than lose the sessions' shape, up to twice the cap (a hard bound on memory:
   * beyond it, leaders go too, oldest first). `droppedLive` counts the live nodes evicted (said
   * once by the commands).
   */
  private enforceProcessCap(protect: ProcessRecord): void {
    while (this.liveCount + this.exitedCount > this.maxProcesses && this.exitedHead !== null) {
      this.evict(this.exitedHead);
    }
    while (this.liveCount + this.exitedCount > this.maxProcesses && this.historyCount > 0) {
      let biggest: EntrySessionRecord | null = null;
      for (const s of this.sessions) if (biggest === null || s.historyCount > biggest.historyCount) biggest = s;
      if (biggest === null || biggest.historyHead === null) break;
      // a batch (down to 1 % under the cap) from that session, so the scan of sessions is amortized
      const target = this.maxProcesses - Math.ceil(this.maxProcesses / 100);
      while (biggest.historyHead !== null && this.liveCount + this.exitedCount > target) this.evict(biggest.historyHead as ProcessRecord);
    }
    let excess = this.liveCount + this.exitedCount - this.maxProcesses;
    if (excess <= 0) return;
    // Evict a batch (1 %) at once so that a table full of live nodes costs O(1) amortized; when a
    // scan found too few victims (all leaders or parents), the next waits for another batch.
    const batch = Math.ceil(this.maxProcesses / 100);
    if (this.liveCount + this.exitedCount < this.capRescanAt && this.liveCount + this.exitedCount <= 2 * this.maxProcesses) return;
    excess = Math.max(excess, batch);
    const parents = new Set<ProcessRecord>();
    for (const head of this.byPid.values()) {
      for (let r: ProcessRecord | null = head; r !== null; r = r.olderSamePid) if (!r.exited && r.parent !== null) parents.add(r.parent);
    }
    const victims: ProcessRecord[] = [];
    for (const head of this.byPid.values()) {
      if (victims.length >= excess) break;
      if (head === protect || head.exited || isKernelThreadOrInit(head.pid, head.ppid)) continue;
      if (head.pid === head.sid || head.pid === head.pgid || head.entryLeader === head || parents.has(head)) continue;
      victims.push(head);
    }
    const hardExcess = this.liveCount + this.exitedCount - 2 * this.maxProcesses;
    if (victims.length < hardExcess) {
      const chosen = new Set(victims);
      for (const head of this.byPid.values()) {
        if (victims.length >= hardExcess) break;
        if (head === protect || head.exited || isKernelThreadOrInit(head.pid, head.ppid) || chosen.has(head)) continue;
        victims.push(head);
      }
    }
    this.capRescanAt = victims.length < excess ? this.liveCount + this.exitedCount + batch : 0;
    for (const v of victims) {
      this.markExited(v);
      this.evict(v);
      this.droppedLiveCount++;
    }
  }

  private evict(r: ProcessRecord): void {
    if (r.evicted) return;
    const head = this.byPid.get(r.pid);
    if (head === r) {
      if (r.olderSamePid !== null) {
        r.olderSamePid.keyStamp = r.keyStamp;
        this.byPid.set(r.pid, r.olderSamePid);
      } else {
        this.byPid.delete(r.pid);
      }
    } else {
      for (let p = head ?? null; p !== null; p = p.olderSamePid) {
        if (p.olderSamePid === r) {
          p.olderSamePid = r.olderSamePid;
          break;
        }
      }
    }
    if (r.exited && r.history !== null) {
      r.history.removeHistory(r);
      r.history = null;
      this.historyCount--;
      this.exitedCount--;
    } else if (r.exited) {
      if (r.exitedPrev !== null) r.exitedPrev.exitedNext = r.exitedNext;
      else this.exitedHead = r.exitedNext;
      if (r.exitedNext !== null) r.exitedNext.exitedPrev = r.exitedPrev;
      else this.exitedTail = r.exitedPrev;
      r.exitedPrev = r.exitedNext = null;
      this.exitedCount--;
    } else {
      this.liveCount--;
    }
    const s = r.entrySession as EntrySessionRecord | null;
    if (s !== null) this.leaveSession(s, r);
    r.evicted = true;
    // Drop links that could chain evicted ancestors together (memory stays bounded); the
    // leaders stay, so a live child can still report its parent's group / entry leader.
    r.parent = null;
    r.lastUserEntered = null;
    r.olderSamePid = null;
    this.evictedCount++;
  }

  // ------------------------------------------------------------------ derivations

  /** The newest holder of `pid` that started no later than `startTicks` (0: any). */
  private holderBefore(pid: number, startTicks: number): ProcessRecord | null {
    let r = this.byPid.get(pid) ?? null;
    if (startTicks === 0) return r;
    while (r !== null && r.startTicks > startTicks) r = r.olderSamePid;
    return r;
  }

  private linkLeaders(r: ProcessRecord): void {
    r.groupLeader = r.pgid === r.pid ? r : r.pgid === 0 ? null : this.leaderOf(r.pgid, r.startTicks);
    r.sessionLeader = r.sid === r.pid ? r : r.sid === 0 ? null : this.leaderOf(r.sid, r.startTicks);
  }

  /** Leader of a group/session id: the holder that started first, else the current one. */
  private leaderOf(id: number, startTicks: number): ProcessRecord | null {
    return this.holderBefore(id, startTicks) ?? this.byPid.get(id) ?? null;
  }

  private evaluateEntry(r: ProcessRecord): void {
    const d = decideEntryLeader(r, this.loginLeader, this.decision);
    const leader = d.leader as ProcessRecord | null;
    r.entryLeader = leader;
    if (leader === r) {
      r.entryType = d.type;
      r.entrySourceIp = d.sourceIp;
      r.entryClaimedSourceIp = d.claimedSourceIp;
      r.entryRemnant = d.remnant;
    }
    this.joinSession(r);
  }

  /** interactive, user-entered, person-entered (deciding at `at`, ms) and last user-entered. */
  private evaluateTerminal(r: ProcessRecord, at: number): void {
    r.interactive = isInteractive(r);
    r.userEntered = isUserEntered(r, r.parent);
    r.personEntered = isPersonEntered(r, r.parent, at, this.captureOn);
    r.lastUserEntered = lastUserEnteredOf(r.parent) as ProcessRecord | null;
    const s = r.entrySession as EntrySessionRecord | null;
    if (r.personEntered && s !== null && (s.lastUserEntered === null || s.lastUserEntered.start <= r.start)) {
      s.lastUserEntered = r;
    }
  }

  /**
   * The first line typed at `shell`: capture is on for it (and for its executable host-wide), so
   * what it ran before — rc-file commands — was not typed: they stop being person-entered.
   */
  private captureFound(shell: ProcessRecord, time: number): void {
    if (shell.executable !== '') this.typedShells.add(shell.executable);
    const s = shell.entrySession as EntrySessionRecord | null;
    if (s === null) return;
    let changed = false;
    for (const m of s.members) {
      if (m.parent === shell && m.personEntered && m.start <= time) {
        (m as ProcessRecord).personEntered = false;
        changed = true;
      }
    }
    if (!changed) return;
    let last: ProcessNode | null = null;
    for (const m of s.members) if (m.personEntered && (last === null || m.start >= last.start)) last = m;
    s.lastUserEntered = last;
  }

  /**
   * The leader of the entry session claiming this audit session id, while that session has live
   * members (a login whose shell ended but whose tmux still runs still claims it).
   */
  private lookupLoginLeader(auditSessionId: number): ProcessNode | null {
    const s = this.loginByAudit.get(auditSessionId);
    if (s === undefined) return null;
    const l = s.leader;
    if (
      s.liveCount <= 0 ||
      !this.sessions.has(s) ||
      l.auditSessionId !== auditSessionId ||
      !(LOGIN_ENTRY_TYPES.has(s.type) || s.loginRemnant)
    ) {
      this.loginByAudit.delete(auditSessionId);
      return null;
    }
    return l;
  }

  /** Puts `r` in the entry session of its entry leader (creating it), leaving its old one. */
  private joinSession(r: ProcessRecord): void {
    const leader = r.entryLeader;
    let target: EntrySessionRecord | null = null;
    if (leader !== null) {
      target = leader.ledSession;
      if (target === null) {
        target = new EntrySessionRecord(leader, leader.entryType ?? 'unknown', leader.entrySourceIp);
        leader.ledSession = target;
        this.sessions.add(target);
      }
      if (leader === r) this.updateLedSession(target, r);
    }
    const old = r.entrySession as EntrySessionRecord | null;
    if (old !== target) {
      if (old !== null) this.leaveSession(old, r);
      if (target !== null) {
        target.members.add(r);
        if (!r.exited) target.liveCount++;
      }
      r.entrySession = target;
    }
    if (target !== null && r.lastActivity > target.lastActivity) target.lastActivity = r.lastActivity;
  }

  private updateLedSession(s: EntrySessionRecord, leader: ProcessRecord): void {
    const type: EntryType = leader.entryType ?? 'unknown';
    s.type = type;
    s.sourceIp = leader.entrySourceIp;
    s.loginRemnant = leader.entryRemnant;
    if ((LOGIN_ENTRY_TYPES.has(type) || s.loginRemnant) && leader.auditSessionId !== AUDIT_UNSET && !leader.exited) {
      this.loginByAudit.set(leader.auditSessionId, s);
    }
  }

  private leaveSession(s: EntrySessionRecord, r: ProcessRecord): void {
    if (!s.members.delete(r)) return;
    if (!r.exited) s.liveCount--;
    if (s.members.size === 0) {
      this.sessions.delete(s);
      const leader = s.leader as ProcessRecord;
      if (leader.ledSession === s) leader.ledSession = null;
      if (this.loginByAudit.get(leader.auditSessionId) === s) this.loginByAudit.delete(leader.auditSessionId);
    }
  }

  private touch(r: ProcessRecord, time: number): void {
    if (time > r.lastActivity) r.lastActivity = time;
    const s = r.entrySession as EntrySessionRecord | null;
    if (s !== null && time > s.lastActivity) s.lastActivity = time;
  }
}

/** ECS process.name: basename of the executable (without " (deleted)"), else comm. */
export function nameOf(executable: string, comm: string): string {
  if (executable === '') return comm;
  let end = executable.length;
  if (executable.endsWith(DELETED_SUFFIX)) end -= DELETED_SUFFIX.length;
  const slash = executable.lastIndexOf('/', end - 1);
  const name = executable.slice(slash + 1, end);
  return name === '' ? comm : name;
}

function byStartTicks(a: ProcessRecord, b: ProcessRecord): number {
  return a.startTicks - b.startTicks || a.pid - b.pid;
}
