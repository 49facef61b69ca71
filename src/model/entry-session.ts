/**
 * EntrySessionRecord: the mutable implementation of EntrySession kept by the ProcessTable.
 * Leader-derived fields (user, tty, start) are read from the leader node on demand.
 */

import { AUDIT_UNSET } from '../sensor/process-event.js';
import type { EntrySession, EntryType, MemberSet, ProcessNode, TypedLine } from './types.js';
import type { TerminalOutputLog } from './terminal-output.js';

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
  terminal: TerminalOutputLog | null = null;
  readonly members = new SessionMembers();

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
}

/** What a node needs to be on a SessionMembers list: the links live in the node itself. */
export interface MemberLinks extends ProcessNode {
  memberOf: SessionMembers | null;
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
