/**
 * EntrySessionRecord: the mutable implementation of EntrySession kept by the ProcessTable.
 * Leader-derived fields (user, tty, start) are read from the leader node on demand.
 */

import { AUDIT_UNSET } from '../sensor/process-event.js';
import { nextStamp, type CopyIdentity } from './process-record.js';
import type { EntrySession, EntryType, MemberSet, ProcessNode, SessionState, TypedLine } from './types.js';

/** What a node needs to be on a session's history list (the links live in the node). */
export interface HistoryLinks extends ProcessNode {
  exitedPrev: HistoryLinks | null;
  exitedNext: HistoryLinks | null;
}
import { TerminalOutputLog } from './terminal-output.js';

/** Terminals whose output one entry session keeps (the least recently written goes first). */
const MAX_TERMINALS = 8;

export class EntrySessionRecord implements EntrySession {
  readonly leader: ProcessNode;
  type: EntryType;
  sourceIp: string;
  lastActivity: number;
  liveCount = 0;
  lastTyped: TypedLine | null = null;
  lastTypedBy: ProcessNode | null = null;
  lastUserEntered: ProcessNode | null = null;
  loginRemnant = false;
  /** Terminal output by terminal (dev_t), null until some member writes to one. */
  terminals: Map<number, TerminalOutputLog> | null = null;
  private lastWritten: TerminalOutputLog | null = null;
  readonly members = new SessionMembers();
  /** Exited processes kept as this session's history, oldest first (history-retention.ts). */
  historyHead: HistoryLinks | null = null;
  historyTail: HistoryLinks | null = null;
  historyCount = 0;
  /** Identity across copies of the table (table-checkpoint.ts), made by the first checkpoint that holds it. */
  identity: CopyIdentity | null = null;
  /** The frozen copy the last table checkpoint took of this session (shared while it is unchanged). */
  frozen: object | null = null;

  constructor(leader: ProcessNode, type: EntryType, sourceIp: string) {
    this.leader = leader;
    this.type = type;
    this.sourceIp = sourceIp;
    this.lastActivity = leader.lastActivity;
  }

  get id(): string {
    return this.leader.entityId;
  }

  get user(): number {
    const l = this.leader;
    return l.loginUid !== AUDIT_UNSET ? l.loginUid : l.euid;
  }

  get tty(): number {
    return this.leader.tty;
  }

  get start(): number {
    return this.leader.start;
  }

  get service(): boolean {
    return this.type === 'init';
  }

  get end(): number {
    const l = this.leader;
    return l.exited ? l.end : 0;
  }

  get state(): SessionState {
    if (this.liveCount <= 0) return 'ended';
    return this.leader.exited || this.loginRemnant ? 'detached' : 'active';
  }

  pushHistory(n: HistoryLinks): void {
    n.exitedPrev = this.historyTail;
    n.exitedNext = null;
    if (this.historyTail !== null) this.historyTail.exitedNext = n;
    else this.historyHead = n;
    this.historyTail = n;
    this.historyCount++;
  }

  removeHistory(n: HistoryLinks): void {
    if (n.exitedPrev !== null) n.exitedPrev.exitedNext = n.exitedNext;
    else this.historyHead = n.exitedNext;
    if (n.exitedNext !== null) n.exitedNext.exitedPrev = n.exitedPrev;
    else this.historyTail = n.exitedPrev;
    n.exitedPrev = n.exitedNext = null;
    this.historyCount--;
  }

  /**
   * The terminal the session's person saw: the entry leader's controlling terminal when it has
   * output, else the terminal written to last. Other terminals of the session (a tmux pane's inner
   * pty, whose screen the tmux client redraws on the login's terminal) are kept but not shown.
   */
  get terminal(): TerminalOutputLog | null {
    const all = this.terminals;
    if (all === null) return null;
    const tty = this.leader.tty;
    return (tty !== 0 ? all.get(tty) : undefined) ?? this.lastWritten;
  }

  /** The log of terminal `tty`, created (evicting the least recently written beyond the bound). */
  terminalLog(tty: number, maxChars: number): TerminalOutputLog {
    this.terminals ??= new Map();
    let log = this.terminals.get(tty);
    if (log === undefined) {
      if (this.terminals.size >= MAX_TERMINALS) {
        let oldest: number | null = null;
        let oldestTime = Number.POSITIVE_INFINITY;
        for (const [k, l] of this.terminals) {
          if (k === this.leader.tty) continue;
          const t = l.chunks[l.chunks.length - 1]?.time ?? 0;
          if (t < oldestTime) {
            oldestTime = t;
            oldest = k;
          }
        }
        if (oldest !== null) {
          if (this.terminals.get(oldest) === this.lastWritten) this.lastWritten = null;
          this.terminals.delete(oldest);
        }
      }
      log = new TerminalOutputLog(tty, maxChars);
      this.terminals.set(tty, log);
    }
    this.lastWritten = log;
    return log;
  }

  /** Copies of the terminal logs (replay checkpoints), and putting them back. */
  cloneTerminals(): Map<number, TerminalOutputLog> | null {
    if (this.terminals === null) return null;
    const out = new Map<number, TerminalOutputLog>();
    for (const [k, l] of this.terminals) out.set(k, l.clone());
    return out;
  }

  restoreTerminals(logs: ReadonlyMap<number, TerminalOutputLog>, lastTty: number): void {
    this.terminals = new Map();
    for (const [k, l] of logs) this.terminals.set(k, l.clone());
    this.lastWritten = this.terminals.get(lastTty) ?? null;
  }

  /** The terminal written to last (0: none). */
  get lastWrittenTty(): number {
    return this.lastWritten?.tty ?? 0;
  }
}

/** What a node needs to be on a SessionMembers list: the links live in the node itself. */
export interface MemberLinks extends ProcessNode {
  memberOf: SessionMembers | null;
  /** When it joined (order stamp, see ProcessRecord.joinStamp). */
  joinStamp: number;
  memberPrev: MemberLinks | null;
  memberNext: MemberLinks | null;
}

/**
 * An entry session's members as an intrusive doubly linked list (the links are fields of the
 * process nodes): add, delete and has are O(1) with no allocation, where a Set re-hashes its table
 * over and over under the add/delete churn of a process storm (measured: 10% of the live
 * pipeline's time, and garbage).
 */
export class SessionMembers implements MemberSet {
  private head: MemberLinks | null = null;
  private tail: MemberLinks | null = null;
  private count = 0;

  get size(): number {
    return this.count;
  }

  has(n: ProcessNode): boolean {
    return (n as Partial<MemberLinks>).memberOf === this;
  }

  /** Appends `n` (no-op when it is already a member). Returns whether it was added. */
  add(n: MemberLinks): boolean {
    if (n.memberOf === this) return false;
    if (n.memberOf !== null) n.memberOf.delete(n);
    n.memberOf = this;
    n.joinStamp = nextStamp();
    n.memberPrev = this.tail;
    n.memberNext = null;
    if (this.tail !== null) this.tail.memberNext = n;
    else this.head = n;
    this.tail = n;
    this.count++;
    return true;
  }

  /** Removes `n`. Returns whether it was a member. */
  delete(n: MemberLinks): boolean {
    if (n.memberOf !== this) return false;
    const prev = n.memberPrev;
    const next = n.memberNext;
    if (prev !== null) prev.memberNext = next;
    else this.head = next;
    if (next !== null) next.memberPrev = prev;
    else this.tail = prev;
    n.memberOf = null;
    n.memberPrev = null;
    n.memberNext = null;
    this.count--;
    return true;
  }

  *[Symbol.iterator](): Iterator<ProcessNode> {
    for (let n = this.head; n !== null; n = n.memberNext) yield n;
  }
}
