/**
 * ProcessRecord: the mutable, in-place implementation of ProcessNode owned by the ProcessTable.
 *
 * One class with every field initialised in the constructor, so all nodes share one hidden class
 * (monomorphic property access on the hot path). Fields not in ProcessNode are the table's
 * bookkeeping and are not part of the public API.
 */

import { AUDIT_UNSET, FdType } from '../sensor/process-event.js';
import { hostEntityId } from './entity-id.js';
import type { EntrySessionRecord, SessionMembers } from './entry-session.js';
import type { EntrySession, EntryType, ExitCause, HostInfo, PreviousExec, ProcessNode, TypedLine } from './types.js';

/** Shared empty arrays: a node allocates its own only when it first needs one. */
export const NO_ARGS: string[] = Object.freeze([]) as unknown as string[];
export const NO_PREVIOUS: PreviousExec[] = Object.freeze([]) as unknown as PreviousExec[];
export const NO_TYPED: TypedLine[] = Object.freeze([]) as unknown as TypedLine[];

const F_EXITED = 1;
const F_ARGS_TRUNCATED = 2;
const F_CORE_DUMPED = 4;
const F_KERNEL_THREAD = 8;
const F_INTERACTIVE = 16;
const F_USER_ENTERED = 32;
const F_FROM_SNAPSHOT = 64;
const F_PENDING = 128;
const F_EVICTED = 256;
const F_ENTRY_REMNANT = 512;
const F_PERSON_ENTERED = 1024;

/**
 * What stays the same of a node or session across copies of the table (table-checkpoint.ts). `slot`
 * and `epoch` are scratch of one restore: where the copy being made sits.
 */
export interface CopyIdentity {
  slot: number;
  epoch: number;
}

let lastStamp = 0;
/**
 * A number larger than every one handed out before (in this process): the order stamps of the
 * table's lists (ProcessRecord.joinStamp, exitStamp, keyStamp).
 */
export function nextStamp(): number {
  return ++lastStamp;
}

export class ProcessRecord implements ProcessNode {
  host: HostInfo;
  /** entityId, once computed (reset if startTicks is learned late). */
  cachedEntityId: string | null = null;

  pid: number;
  ppid = 0;
  pgid = 0;
  sid = 0;
  startTicks: number;
  start = 0;
  /**
   * `start` was not given by the event that created the node (its time stood in): the first event
   * that gives one replaces it. Otherwise `start` never changes, so every line naming the process
   * carries the same `process.start` (backfill and live sources differ by a few ms).
   */
  startGuessed = false;
  end = 0;

  uid = 0;
  euid = 0;
  suid = 0;
  gid = 0;
  egid = 0;
  sgid = 0;

  tty = 0;
  stdinDev = 0;
  stdinType: FdType = FdType.none;
  stdoutDev = 0;
  stdoutType: FdType = FdType.none;
  stderrDev = 0;
  stderrType: FdType = FdType.none;

  comm = '';
  executable = '';
  name = '';
  args: string[] = NO_ARGS;
  cwd = '';
  cgroup = '';
  containerId = '';
  sshConnection = '';

  exitCode = 0;
  signal = 0;
  exitCause: ExitCause = '';


  parent: ProcessRecord | null = null;
  groupLeader: ProcessRecord | null = null;
  sessionLeader: ProcessRecord | null = null;
  entryLeader: ProcessRecord | null = null;
  entryType: EntryType | null = null;
  entrySourceIp = '';
  entryClaimedSourceIp = '';
  entrySession: EntrySession | null = null;

  lastUserEntered: ProcessRecord | null = null;

  /** Frozen arrays (NO_PREVIOUS, NO_TYPED, or shared with a checkpoint) are copied before a change. */
  previous: PreviousExec[] = NO_PREVIOUS;
  typed: TypedLine[] = NO_TYPED;

  lastActivity = 0;

  // ---- table bookkeeping (not part of ProcessNode) ----
  /** Boolean facts packed in one small integer (see the F_* bits): a smaller node, less GC. */
  bits = 0;
  /** Audit ids stored as int32 (no heap box for 0xffffffff); read back unsigned. */
  loginUid32 = AUDIT_UNSET | 0;
  auditSessionId32 = AUDIT_UNSET | 0;
  /**
   * Identity of this process across copies of the table (table-checkpoint.ts; made by the first
   * checkpoint that holds the node): a restored copy of the node keeps it, and links between
   * frozen nodes are saved as identities.
   */
  identity: CopyIdentity | null = null;
  /**
   * Order stamps, so a restored table rebuilds its lists in exactly their order: `joinStamp` when
   * the node joined its entry session's member list, `exitStamp` when it went on the exited list
   * (noise or its session's history), `keyStamp` (heads of the pid map only) when its pid became a
   * key of the map (a key keeps its place when its holder changes: the new holder inherits it).
   */
  joinStamp = 0;
  exitStamp = 0;
  keyStamp = 0;
  /** The frozen copy the last table checkpoint took of this node (shared while it is unchanged). */
  frozen: object | null = null;
  /** Time of the facts of the snapshot that created/merged this node (0 if none). */
  snapshotTime = 0;
  /** The entry session this node leads (created when it first became an entry leader). */
  ledSession: EntrySessionRecord | null = null;
  /** An earlier, still retained process that had the same pid (PID reuse chain, newest first). */
  olderSamePid: ProcessRecord | null = null;
  /** Links of its entry session's member list (entry-session.ts SessionMembers). */
  memberOf: SessionMembers | null = null;
  memberPrev: ProcessRecord | null = null;
  memberNext: ProcessRecord | null = null;
  /** The session whose history list holds this node (exited history), else null. */
  history: EntrySessionRecord | null = null;
  /** Doubly linked list of exited nodes, oldest first: the table's noise list or a session's history. */
  exitedPrev: ProcessRecord | null = null;
  exitedNext: ProcessRecord | null = null;

  constructor(host: HostInfo, pid: number, startTicks: number) {
    this.host = host;
    this.pid = pid;
    this.startTicks = startTicks;
  }

  /** Drops every link of a node kept spare for reuse (ProcessTable.surrenderNodes), so it holds nothing of its old table. */
  unlinkSpare(): void {
    this.parent = this.groupLeader = this.sessionLeader = this.entryLeader = this.lastUserEntered = this.olderSamePid = null;
    this.entrySession = this.ledSession = this.history = null;
    this.memberOf = null;
    this.memberPrev = this.memberNext = this.exitedPrev = this.exitedNext = null;
    this.frozen = null;
  }

  get exited(): boolean {
    return (this.bits & F_EXITED) !== 0;
  }
  set exited(v: boolean) {
    this.bits = v ? this.bits | F_EXITED : this.bits & ~F_EXITED;
  }
  get argsTruncated(): boolean {
    return (this.bits & F_ARGS_TRUNCATED) !== 0;
  }
  set argsTruncated(v: boolean) {
    this.bits = v ? this.bits | F_ARGS_TRUNCATED : this.bits & ~F_ARGS_TRUNCATED;
  }
  get coreDumped(): boolean {
    return (this.bits & F_CORE_DUMPED) !== 0;
  }
  set coreDumped(v: boolean) {
    this.bits = v ? this.bits | F_CORE_DUMPED : this.bits & ~F_CORE_DUMPED;
  }
  get kernelThread(): boolean {
    return (this.bits & F_KERNEL_THREAD) !== 0;
  }
  set kernelThread(v: boolean) {
    this.bits = v ? this.bits | F_KERNEL_THREAD : this.bits & ~F_KERNEL_THREAD;
  }
  get interactive(): boolean {
    return (this.bits & F_INTERACTIVE) !== 0;
  }
  set interactive(v: boolean) {
    this.bits = v ? this.bits | F_INTERACTIVE : this.bits & ~F_INTERACTIVE;
  }
  get userEntered(): boolean {
    return (this.bits & F_USER_ENTERED) !== 0;
  }
  set userEntered(v: boolean) {
    this.bits = v ? this.bits | F_USER_ENTERED : this.bits & ~F_USER_ENTERED;
  }
  get personEntered(): boolean {
    return (this.bits & F_PERSON_ENTERED) !== 0;
  }
  set personEntered(v: boolean) {
    this.bits = v ? this.bits | F_PERSON_ENTERED : this.bits & ~F_PERSON_ENTERED;
  }
  get fromSnapshot(): boolean {
    return (this.bits & F_FROM_SNAPSHOT) !== 0;
  }
  set fromSnapshot(v: boolean) {
    this.bits = v ? this.bits | F_FROM_SNAPSHOT : this.bits & ~F_FROM_SNAPSHOT;
  }
  /** Waiting for finishBackfill() to resolve its links and leaders. */
  get pending(): boolean {
    return (this.bits & F_PENDING) !== 0;
  }
  set pending(v: boolean) {
    this.bits = v ? this.bits | F_PENDING : this.bits & ~F_PENDING;
  }
  /** Removed from the table. */
  get evicted(): boolean {
    return (this.bits & F_EVICTED) !== 0;
  }
  set evicted(v: boolean) {
    this.bits = v ? this.bits | F_EVICTED : this.bits & ~F_EVICTED;
  }
  /** This node is its own entry leader as a login remnant (entry-leader.ts). */
  get entryRemnant(): boolean {
    return (this.bits & F_ENTRY_REMNANT) !== 0;
  }
  set entryRemnant(v: boolean) {
    this.bits = v ? this.bits | F_ENTRY_REMNANT : this.bits & ~F_ENTRY_REMNANT;
  }
  get loginUid(): number {
    return this.loginUid32 >>> 0;
  }
  set loginUid(v: number) {
    this.loginUid32 = v | 0;
  }
  get auditSessionId(): number {
    return this.auditSessionId32 >>> 0;
  }
  set auditSessionId(v: number) {
    this.auditSessionId32 = v | 0;
  }

  get entityId(): string {
    let id = this.cachedEntityId;
    if (id === null) {
      id = hostEntityId(this.host, this.pid, this.startTicks);
      this.cachedEntityId = id;
    }
    return id;
  }
}
