/**
 * Table checkpoints: a frozen copy of a ProcessTable that restores to an identical table — every
 * node with all its facts and derived fields (links, leaders, entry sessions, interactive,
 * user/person-entered, exec history `previous`, typed lines), every list in its order (pid map,
 * session members, the exited noise list, each session's history), counters and terminal output —
 * so a table restored from a checkpoint and fed the events that followed behaves exactly as the
 * original did. Replay seeking keeps one every N events (record/recording-seek.ts).
 *
 * Sharing: a node's frozen copy is kept on the node (`frozen`) and reused by the next checkpoint
 * while nothing in the node changed (compared field by field), so a table of 200 000 nodes of
 * which a few thousand changed costs a few thousand new copies, not 200 000. Most of a busy
 * host's nodes are history (exited processes kept for their session), which never changes.
 *
 * Frozen copies are appended to a CheckpointLog in chunks of CHUNK; a checkpoint holds the chunks
 * it uses and a bit per log entry saying which it holds. So its own cost is a bit per entry ever
 * logged, not a pointer per node — the garbage collector has next to nothing more to trace per
 * checkpoint — and a chunk is freed once no checkpoint uses it. Entries appended after a checkpoint
 * was taken (in a chunk it shares) are outside its bits: a checkpoint never sees later state.
 *
 * Links are saved as identities (ProcessRecord.identity, EntrySessionRecord.identity: the same
 * object for every copy of one node), lists as order stamps (joinStamp, exitStamp, keyStamp): a
 * restore notes in each identity where its new node is, rebuilds the links through them and sorts
 * by the stamps. Exec history and typed lines are frozen arrays shared by the node and its copies
 * (the table copies a frozen array before changing it).
 * Evicted nodes still linked to (a live process's exited-and-evicted parent or leaders, a session's
 * last typist) are frozen along with the table's own, and restored as evicted nodes.
 */

import { EntrySessionRecord } from './entry-session.js';
import type { ExitCause, EntryType, HostInfo, PreviousExec, ProcessTableOptions, TypedLine } from './types.js';
import { ProcessRecord, type CopyIdentity } from './process-record.js';
import { ProcessTable, type TableCounters } from './process-table.js';
import type { FdType } from '../sensor/process-event.js';
import type { TerminalOutputLog } from './terminal-output.js';

/** Frozen copies per log chunk (a power of two). */
const CHUNK_BITS = 9;
const CHUNK = 1 << CHUNK_BITS;

/** A node as a checkpoint holds it. Immutable once made (apart from `mark`, scratch of a freeze). */
export interface FrozenNode {
  /** Position in the CheckpointLog, and the chunk that holds it. */
  index: number;
  chunk: FrozenNode[];
  /** The freeze that last counted it (dedup within one freeze). */
  mark: number;

  identity: CopyIdentity;
  /** A cache (of pid, start and host): not compared. */
  cachedEntityId: string | null;
  pid: number;
  ppid: number;
  pgid: number;
  sid: number;
  startTicks: number;
  start: number;
  startGuessed: boolean;
  end: number;
  uid: number;
  euid: number;
  suid: number;
  gid: number;
  egid: number;
  sgid: number;
  tty: number;
  stdinDev: number;
  stdinType: FdType;
  stdoutDev: number;
  stdoutType: FdType;
  stderrDev: number;
  stderrType: FdType;
  comm: string;
  executable: string;
  name: string;
  /** Shared with the node: the table replaces args arrays, it never changes one. */
  args: string[];
  cwd: string;
  cgroup: string;
  containerId: string;
  sshConnection: string;
  exitCode: number;
  signal: number;
  exitCause: ExitCause;
  entryType: EntryType | null;
  entrySourceIp: string;
  entryClaimedSourceIp: string;
  /** Frozen, shared with the node until the table changes it (it copies a frozen array first). */
  previous: readonly PreviousExec[];
  typed: readonly TypedLine[];
  lastActivity: number;
  snapshotTime: number;
  bits: number;
  loginUid32: number;
  auditSessionId32: number;
  joinStamp: number;
  exitStamp: number;
  keyStamp: number;
  /** Links, as the identities of the nodes and sessions linked to. */
  parent: CopyIdentity | null;
  groupLeader: CopyIdentity | null;
  sessionLeader: CopyIdentity | null;
  entryLeader: CopyIdentity | null;
  lastUserEntered: CopyIdentity | null;
  olderSamePid: CopyIdentity | null;
  entrySession: CopyIdentity | null;
  ledSession: CopyIdentity | null;
  history: CopyIdentity | null;
  /** On its entry session's member list. */
  member: boolean;
  /** Holds its pid's key in the table's pid map (the newest holder). */
  head: boolean;
}

/** An entry session as a checkpoint holds it (members, history and terminal output are rebuilt apart). */
export interface FrozenSession {
  identity: CopyIdentity;
  mark: number;
  leader: CopyIdentity;
  type: EntryType;
  sourceIp: string;
  lastActivity: number;
  liveCount: number;
  lastTyped: TypedLine | null;
  lastTypedBy: CopyIdentity | null;
  lastUserEntered: CopyIdentity | null;
  loginRemnant: boolean;
}

/** Where frozen copies go; one per seekable replay (its checkpoints share the chunks). */
export class CheckpointLog {
  private tail: FrozenNode[] = [];
  /** Entries ever appended. */
  length = 0;

  append(e: FrozenNode): void {
    if (this.tail.length === CHUNK) this.tail = [];
    e.index = this.length++;
    e.chunk = this.tail;
    this.tail.push(e);
  }
}

/** A frozen ProcessTable (see the module comment). */
export interface TableCheckpoint {
  readonly host: HostInfo;
  /** Log entries that existed when it was taken; `held` has a bit for each. */
  readonly logLength: number;
  readonly held: Uint32Array;
  /** The log's chunks it holds entries of (index: entry index >> CHUNK_BITS), else null. */
  readonly chunks: (FrozenNode[] | null)[];
  /** Nodes held (the table's and the evicted ones linked to). */
  readonly nodes: number;
  /** The table's entry sessions, in its order. */
  readonly sessions: readonly FrozenSession[];
  /** Sessions no longer in the table that a held node still points to. */
  readonly otherSessions: readonly FrozenSession[];
  /** Terminal logs by session (copies sharing the chunks). */
  readonly terminals: ReadonlyMap<CopyIdentity, { logs: Map<number, TerminalOutputLog>; lastTty: number }>;
  /** Audit session id → session. */
  readonly loginByAudit: readonly (readonly [number, CopyIdentity])[];
  readonly typedShells: readonly string[];
  readonly counters: Readonly<TableCounters>;
}

let freezeCount = 0;

function newIdentity(): CopyIdentity {
  return { slot: -1, epoch: 0 };
}

function idOf(r: ProcessRecord | null): CopyIdentity | null {
  return r === null ? null : (r.identity ??= newIdentity());
}

function sessionId(s: unknown): CopyIdentity | null {
  return s === null ? null : ((s as EntrySessionRecord).identity ??= newIdentity());
}

function sameEntries<T>(a: readonly T[], b: readonly T[]): boolean {
  if (a === b) return true;
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** Whether `e` still describes `r` (every field the checkpoint keeps). */
function sameNode(r: ProcessRecord, e: FrozenNode, head: boolean): boolean {
  return (
    e.head === head &&
    e.lastActivity === r.lastActivity && e.bits === r.bits && e.end === r.end &&
    e.ppid === r.ppid && e.pgid === r.pgid && e.sid === r.sid && e.startTicks === r.startTicks &&
    e.start === r.start && e.startGuessed === r.startGuessed &&
    e.uid === r.uid && e.euid === r.euid && e.suid === r.suid && e.gid === r.gid && e.egid === r.egid && e.sgid === r.sgid &&
    e.loginUid32 === r.loginUid32 && e.auditSessionId32 === r.auditSessionId32 && e.tty === r.tty &&
    e.stdinDev === r.stdinDev && e.stdinType === r.stdinType && e.stdoutDev === r.stdoutDev && e.stdoutType === r.stdoutType &&
    e.stderrDev === r.stderrDev && e.stderrType === r.stderrType &&
    e.comm === r.comm && e.executable === r.executable && e.name === r.name && e.args === r.args && e.cwd === r.cwd &&
    e.cgroup === r.cgroup && e.containerId === r.containerId && e.sshConnection === r.sshConnection &&
    e.exitCode === r.exitCode && e.signal === r.signal && e.exitCause === r.exitCause &&
    e.entryType === r.entryType && e.entrySourceIp === r.entrySourceIp && e.entryClaimedSourceIp === r.entryClaimedSourceIp &&
    e.snapshotTime === r.snapshotTime && e.joinStamp === r.joinStamp && e.exitStamp === r.exitStamp && e.keyStamp === r.keyStamp &&
    e.parent === idOf(r.parent) && e.groupLeader === idOf(r.groupLeader) && e.sessionLeader === idOf(r.sessionLeader) &&
    e.entryLeader === idOf(r.entryLeader) && e.lastUserEntered === idOf(r.lastUserEntered) &&
    e.olderSamePid === idOf(r.olderSamePid) &&
    e.entrySession === sessionId(r.entrySession) && e.ledSession === sessionId(r.ledSession) &&
    e.history === sessionId(r.history) && e.member === (r.memberOf !== null) &&
    sameEntries(e.previous, r.previous) && sameEntries(e.typed, r.typed)
  );
}

function freezeNode(r: ProcessRecord, head: boolean): FrozenNode {
  return {
    index: 0,
    chunk: null as unknown as FrozenNode[],
    mark: 0,
    identity: idOf(r) as CopyIdentity,
    cachedEntityId: r.cachedEntityId,
    pid: r.pid,
    ppid: r.ppid,
    pgid: r.pgid,
    sid: r.sid,
    startTicks: r.startTicks,
    start: r.start,
    startGuessed: r.startGuessed,
    end: r.end,
    uid: r.uid,
    euid: r.euid,
    suid: r.suid,
    gid: r.gid,
    egid: r.egid,
    sgid: r.sgid,
    tty: r.tty,
    stdinDev: r.stdinDev,
    stdinType: r.stdinType,
    stdoutDev: r.stdoutDev,
    stdoutType: r.stdoutType,
    stderrDev: r.stderrDev,
    stderrType: r.stderrType,
    comm: r.comm,
    executable: r.executable,
    name: r.name,
    args: r.args,
    cwd: r.cwd,
    cgroup: r.cgroup,
    containerId: r.containerId,
    sshConnection: r.sshConnection,
    exitCode: r.exitCode,
    signal: r.signal,
    exitCause: r.exitCause,
    entryType: r.entryType,
    entrySourceIp: r.entrySourceIp,
    entryClaimedSourceIp: r.entryClaimedSourceIp,
    previous: Object.freeze(r.previous),
    typed: Object.freeze(r.typed),
    lastActivity: r.lastActivity,
    snapshotTime: r.snapshotTime,
    bits: r.bits,
    loginUid32: r.loginUid32,
    auditSessionId32: r.auditSessionId32,
    joinStamp: r.joinStamp,
    exitStamp: r.exitStamp,
    keyStamp: r.keyStamp,
    parent: idOf(r.parent),
    groupLeader: idOf(r.groupLeader),
    sessionLeader: idOf(r.sessionLeader),
    entryLeader: idOf(r.entryLeader),
    lastUserEntered: idOf(r.lastUserEntered),
    olderSamePid: idOf(r.olderSamePid),
    entrySession: sessionId(r.entrySession),
    ledSession: sessionId(r.ledSession),
    history: sessionId(r.history),
    member: r.memberOf !== null,
    head,
  };
}

function sameSession(s: EntrySessionRecord, f: FrozenSession): boolean {
  return (
    f.leader === idOf(s.leader as ProcessRecord) && f.type === s.type && f.sourceIp === s.sourceIp &&
    f.lastActivity === s.lastActivity && f.liveCount === s.liveCount && f.lastTyped === s.lastTyped &&
    f.lastTypedBy === idOf(s.lastTypedBy as ProcessRecord | null) &&
    f.lastUserEntered === idOf(s.lastUserEntered as ProcessRecord | null) && f.loginRemnant === s.loginRemnant
  );
}

function freezeSession(s: EntrySessionRecord): FrozenSession {
  return {
    identity: sessionId(s) as CopyIdentity,
    mark: 0,
    leader: idOf(s.leader as ProcessRecord) as CopyIdentity,
    type: s.type,
    sourceIp: s.sourceIp,
    lastActivity: s.lastActivity,
    liveCount: s.liveCount,
    lastTyped: s.lastTyped,
    lastTypedBy: idOf(s.lastTypedBy as ProcessRecord | null),
    lastUserEntered: idOf(s.lastUserEntered as ProcessRecord | null),
    loginRemnant: s.loginRemnant,
  };
}

/** A frozen copy of `table`, sharing unchanged nodes with earlier checkpoints through `log`. Does not change the table. */
export function freezeTable(table: ProcessTable, log: CheckpointLog): TableCheckpoint {
  const t = table.internals();
  const mark = ++freezeCount;
  const held: FrozenNode[] = [];
  const otherSessions: FrozenSession[] = [];
  /** Sessions outside the table's set still pointed to, to freeze. */
  const otherQueue: EntrySessionRecord[] = [];

  const hold = (r: ProcessRecord, head: boolean): void => {
    let e = r.frozen as FrozenNode | null;
    if (e !== null && e.mark === mark) return;
    if (e === null || !sameNode(r, e, head)) {
      e = freezeNode(r, head);
      log.append(e);
      r.frozen = e;
    }
    e.mark = mark;
    held.push(e);
    // evicted nodes still linked to are not in the pid map: hold them here
    holdLinked(r.parent);
    holdLinked(r.groupLeader);
    holdLinked(r.sessionLeader);
    holdLinked(r.entryLeader);
    holdLinked(r.lastUserEntered);
    // (only an evicted node can point to a session gone from the table; checked for all the same)
    holdSession(r.entrySession as EntrySessionRecord | null);
    holdSession(r.ledSession);
    holdSession(r.history);
  };
  const holdLinked = (r: ProcessRecord | null): void => {
    if (r !== null && r.evicted) hold(r, false);
  };
  const holdSession = (s: EntrySessionRecord | null): void => {
    if (s === null || t.sessions.has(s)) return;
    const f = s.frozen as FrozenSession | null;
    if (f !== null && f.mark === mark) return;
    const g = f !== null && sameSession(s, f) ? f : freezeSession(s);
    s.frozen = g;
    g.mark = mark;
    otherSessions.push(g);
    otherQueue.push(s);
  };
  const sessionLinks = (s: EntrySessionRecord): void => {
    holdLinked(s.leader as ProcessRecord);
    holdLinked(s.lastTypedBy as ProcessRecord | null);
    holdLinked(s.lastUserEntered as ProcessRecord | null);
  };

  for (const head of t.byPid.values()) {
    hold(head, true);
    for (let r = head.olderSamePid; r !== null; r = r.olderSamePid) hold(r, false);
  }
  // nodes in the table point only to sessions in it (an evicted node may not: see hold)
  const sessions: FrozenSession[] = [];
  const terminals = new Map<CopyIdentity, { logs: Map<number, TerminalOutputLog>; lastTty: number }>();
  for (const s of t.sessions) {
    const f = s.frozen as FrozenSession | null;
    const g = f !== null && sameSession(s, f) ? f : freezeSession(s);
    s.frozen = g;
    sessions.push(g);
    sessionLinks(s);
    const logs = s.cloneTerminals();
    if (logs !== null) terminals.set(sessionId(s) as CopyIdentity, { logs, lastTty: s.lastWrittenTty });
  }
  for (let i = 0; i < otherQueue.length; i++) {
    const s = otherQueue[i] as EntrySessionRecord;
    sessionLinks(s);
    const logs = s.cloneTerminals();
    if (logs !== null) terminals.set(sessionId(s) as CopyIdentity, { logs, lastTty: s.lastWrittenTty });
  }

  const logLength = log.length;
  const bits = new Uint32Array((logLength + 31) >>> 5);
  const chunks: (FrozenNode[] | null)[] = new Array<FrozenNode[] | null>((logLength + CHUNK - 1) >>> CHUNK_BITS).fill(null);
  for (const e of held) {
    bits[e.index >>> 5]! |= 1 << (e.index & 31);
    chunks[e.index >>> CHUNK_BITS] = e.chunk;
  }
  const loginByAudit: (readonly [number, CopyIdentity])[] = [];
  for (const [id, s] of t.loginByAudit) {
    // an entry for a session gone from the table is one the table drops when it next looks
    if (t.sessions.has(s)) loginByAudit.push([id, sessionId(s) as CopyIdentity]);
  }
  return {
    host: table.host,
    logLength,
    held: bits,
    chunks,
    nodes: held.length,
    sessions,
    otherSessions,
    terminals,
    loginByAudit,
    typedShells: [...t.typedShells],
    counters: { ...t.counters },
  };
}

/** Calls `fn` with every frozen node `cp` holds. */
export function forEachFrozen(cp: TableCheckpoint, fn: (e: FrozenNode) => void): void {
  const bits = cp.held;
  for (let w = 0; w < bits.length; w++) {
    let word = bits[w] as number;
    while (word !== 0) {
      const low = word & -word;
      const index = (w << 5) + (31 - Math.clz32(low));
      word ^= low;
      fn((cp.chunks[index >>> CHUNK_BITS] as FrozenNode[])[index & (CHUNK - 1)] as FrozenNode);
    }
  }
}

/** `e` as a node: `r` (a node of a discarded table, every field overwritten) or a new one. */
function thawNode(e: FrozenNode, host: HostInfo, r: ProcessRecord = new ProcessRecord(host, e.pid, e.startTicks)): ProcessRecord {
  r.host = host;
  r.pid = e.pid;
  r.startTicks = e.startTicks;
  r.identity = e.identity;
  r.cachedEntityId = e.cachedEntityId;
  r.ppid = e.ppid;
  r.pgid = e.pgid;
  r.sid = e.sid;
  r.start = e.start;
  r.startGuessed = e.startGuessed;
  r.end = e.end;
  r.uid = e.uid;
  r.euid = e.euid;
  r.suid = e.suid;
  r.gid = e.gid;
  r.egid = e.egid;
  r.sgid = e.sgid;
  r.tty = e.tty;
  r.stdinDev = e.stdinDev;
  r.stdinType = e.stdinType;
  r.stdoutDev = e.stdoutDev;
  r.stdoutType = e.stdoutType;
  r.stderrDev = e.stderrDev;
  r.stderrType = e.stderrType;
  r.comm = e.comm;
  r.executable = e.executable;
  r.name = e.name;
  r.args = e.args;
  r.cwd = e.cwd;
  r.cgroup = e.cgroup;
  r.containerId = e.containerId;
  r.sshConnection = e.sshConnection;
  r.exitCode = e.exitCode;
  r.signal = e.signal;
  r.exitCause = e.exitCause;
  r.entryType = e.entryType;
  r.entrySourceIp = e.entrySourceIp;
  r.entryClaimedSourceIp = e.entryClaimedSourceIp;
  // frozen arrays, shared: the table copies one before it changes it
  r.previous = e.previous as PreviousExec[];
  r.typed = e.typed as TypedLine[];
  r.lastActivity = e.lastActivity;
  r.snapshotTime = e.snapshotTime;
  r.bits = e.bits;
  r.loginUid32 = e.loginUid32;
  r.auditSessionId32 = e.auditSessionId32;
  r.joinStamp = e.joinStamp;
  r.exitStamp = e.exitStamp;
  r.keyStamp = e.keyStamp;
  // unchanged since: the next checkpoint of the restored table shares this copy
  r.frozen = e;
  // links and lists: set by thawTable once every node exists
  r.parent = r.groupLeader = r.sessionLeader = r.entryLeader = r.lastUserEntered = r.olderSamePid = null;
  r.entrySession = r.ledSession = r.history = null;
  r.memberOf = null;
  r.memberPrev = r.memberNext = null;
  r.exitedPrev = r.exitedNext = null;
  return r;
}

/** Sort keys hold stamp·2²² + position: exact while stamps stay under 2³¹ and positions under 2²². */
const POSITION_BITS = 2 ** 22;
const STAMP_LIMIT = 2 ** 31;

/**
 * The nodes whose sort keys are `keys[0..n)`, in stamp order, by a native numeric sort of the keys
 * (several times faster than a comparator sort over 200 000 nodes); beyond the keys' range
 * (`exact` false), the nodes `chosen` sorted by `stamp` with a comparator.
 */
function inStampOrder(
  keys: Float64Array,
  n: number,
  nodes: readonly ProcessRecord[],
  exact: boolean,
  chosen: (r: ProcessRecord) => boolean,
  stamp: (r: ProcessRecord) => number,
): ProcessRecord[] {
  if (!exact) return nodes.filter(chosen).sort((a, b) => stamp(a) - stamp(b));
  const out = new Array<ProcessRecord>(n);
  const sorted = keys.subarray(0, n).sort();
  for (let i = 0; i < n; i++) out[i] = nodes[(sorted[i] as number) % POSITION_BITS] as ProcessRecord;
  return out;
}

let thawCount = 0;

/**
 * A new table identical to the one `cp` was taken of (options: the original table's). `spare`:
 * node objects of discarded tables (ProcessTable.surrenderNodes) the new table is made of, as many
 * as it needs (taken off the end of the array): a restore then allocates next to nothing, where
 * allocating 200 000 nodes anew costs more in garbage collection than the rest of the restore.
 */
export function thawTable(cp: TableCheckpoint, options: ProcessTableOptions, spare: ProcessRecord[] = []): ProcessTable {
  const host = options.host;
  const epoch = ++thawCount;
  const frozen: FrozenNode[] = [];
  const nodes: ProcessRecord[] = [];
  forEachFrozen(cp, (e) => {
    e.identity.slot = nodes.length;
    e.identity.epoch = epoch;
    frozen.push(e);
    nodes.push(thawNode(e, host, spare.pop()));
  });
  /** The restored node of a link (null when none, or not held: cannot happen, see freezeTable). */
  const node = (id: CopyIdentity | null): ProcessRecord | null => (id === null || id.epoch !== epoch ? null : (nodes[id.slot] as ProcessRecord));

  const restoredSessions: EntrySessionRecord[] = [];
  const thawSession = (f: FrozenSession): EntrySessionRecord => {
    const s = new EntrySessionRecord(node(f.leader) as ProcessRecord, f.type, f.sourceIp);
    s.identity = f.identity;
    s.frozen = f;
    s.lastActivity = f.lastActivity;
    s.liveCount = f.liveCount;
    s.lastTyped = f.lastTyped;
    s.lastTypedBy = node(f.lastTypedBy);
    s.lastUserEntered = node(f.lastUserEntered);
    s.loginRemnant = f.loginRemnant;
    f.identity.slot = restoredSessions.length;
    f.identity.epoch = epoch;
    restoredSessions.push(s);
    return s;
  };
  const sessions = new Set<EntrySessionRecord>();
  for (const f of cp.sessions) sessions.add(thawSession(f));
  for (const f of cp.otherSessions) thawSession(f);
  const session = (id: CopyIdentity | null): EntrySessionRecord | null => (id === null || id.epoch !== epoch ? null : (restoredSessions[id.slot] as EntrySessionRecord));

  // sort keys of the pid map's heads, the members and the exited, gathered while the nodes are at hand
  const count = nodes.length;
  const headKeys = new Float64Array(count);
  const memberKeys = new Float64Array(count);
  const exitedKeys = new Float64Array(count);
  let heads = 0;
  let members = 0;
  let exited = 0;
  let exact = count < POSITION_BITS;
  const pending: ProcessRecord[] = [];
  for (let i = 0; i < count; i++) {
    const r = nodes[i] as ProcessRecord;
    const e = frozen[i] as FrozenNode;
    r.parent = node(e.parent);
    r.groupLeader = node(e.groupLeader);
    r.sessionLeader = node(e.sessionLeader);
    r.entryLeader = node(e.entryLeader);
    r.lastUserEntered = node(e.lastUserEntered);
    r.olderSamePid = node(e.olderSamePid);
    r.entrySession = session(e.entrySession);
    r.ledSession = session(e.ledSession);
    r.history = session(e.history);
    if (e.head) {
      headKeys[heads++] = e.keyStamp * POSITION_BITS + i;
      if (e.keyStamp >= STAMP_LIMIT) exact = false;
    }
    if (e.member) {
      memberKeys[members++] = e.joinStamp * POSITION_BITS + i;
      if (e.joinStamp >= STAMP_LIMIT) exact = false;
    }
    if (r.exited && !r.evicted) {
      exitedKeys[exited++] = e.exitStamp * POSITION_BITS + i;
      if (e.exitStamp >= STAMP_LIMIT) exact = false;
    }
    if (r.pending) pending.push(r);
  }

  const byPid = new Map<number, ProcessRecord>();
  for (const r of inStampOrder(headKeys, heads, nodes, exact, (x) => (x.frozen as FrozenNode).head, (x) => x.keyStamp)) byPid.set(r.pid, r);
  for (const r of inStampOrder(memberKeys, members, nodes, exact, (x) => (x.frozen as FrozenNode).member, (x) => x.joinStamp)) {
    const stamp = r.joinStamp;
    (r.entrySession as EntrySessionRecord).members.add(r);
    r.joinStamp = stamp;
  }
  let exitedHead: ProcessRecord | null = null;
  let exitedTail: ProcessRecord | null = null;
  for (const r of inStampOrder(exitedKeys, exited, nodes, exact, (x) => x.exited && !x.evicted, (x) => x.exitStamp)) {
    if (r.history !== null) {
      r.history.pushHistory(r);
      continue;
    }
    r.exitedPrev = exitedTail;
    if (exitedTail !== null) exitedTail.exitedNext = r;
    else exitedHead = r;
    exitedTail = r;
  }
  pending.sort((a, b) => a.startTicks - b.startTicks || a.pid - b.pid);
  for (const [id, saved] of cp.terminals) session(id)?.restoreTerminals(saved.logs, saved.lastTty);
  const loginByAudit = new Map<number, EntrySessionRecord>();
  for (const [auditId, id] of cp.loginByAudit) loginByAudit.set(auditId, session(id) as EntrySessionRecord);

  return ProcessTable.fromInternals(options, {
    byPid,
    sessions,
    loginByAudit,
    pending,
    exitedHead,
    exitedTail,
    typedShells: new Set(cp.typedShells),
    counters: { ...cp.counters },
  });
}

/**
 * Fields of ProcessRecord and EntrySessionRecord and how a checkpoint keeps each (a test checks that
 * every field of the classes is listed, so a new field cannot be forgotten here).
 */
export const CHECKPOINTED_NODE_FIELDS: readonly string[] = [
  'host', // the table's
  'cachedEntityId', 'pid', 'ppid', 'pgid', 'sid', 'startTicks', 'start', 'startGuessed', 'end',
  'uid', 'euid', 'suid', 'gid', 'egid', 'sgid', 'tty', 'stdinDev', 'stdinType', 'stdoutDev', 'stdoutType',
  'stderrDev', 'stderrType', 'comm', 'executable', 'name', 'args', 'cwd', 'cgroup', 'containerId',
  'sshConnection', 'exitCode', 'signal', 'exitCause', 'parent', 'groupLeader', 'sessionLeader',
  'entryLeader', 'entryType', 'entrySourceIp', 'entryClaimedSourceIp', 'entrySession', 'lastUserEntered',
  'previous', 'typed', 'lastActivity', 'bits', 'loginUid32', 'auditSessionId32', 'identity', 'joinStamp',
  'exitStamp', 'keyStamp', 'frozen', 'snapshotTime', 'ledSession', 'olderSamePid', 'history',
  'memberOf', 'memberPrev', 'memberNext', // the member list, rebuilt by joinStamp
  'exitedPrev', 'exitedNext', // the noise and history lists, rebuilt by exitStamp
];
export const CHECKPOINTED_SESSION_FIELDS: readonly string[] = [
  'leader', 'type', 'sourceIp', 'lastActivity', 'liveCount', 'lastTyped', 'lastTypedBy', 'lastUserEntered',
  'loginRemnant', 'identity', 'frozen',
  'terminals', 'lastWritten', // kept as copies of the logs, by session
  'members', 'historyHead', 'historyTail', 'historyCount', // rebuilt from the nodes' stamps
];
