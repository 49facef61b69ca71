/**
 * EntrySessionRecord: the mutable implementation of EntrySession kept by the ProcessTable.
 * Leader-derived fields (user, tty, start) are read from the leader node on demand.
 */

import { AUDIT_UNSET } from '../sensor/process-event.js';
import type { EntrySession, EntryType, ProcessNode, TypedLine } from './types.js';

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
  readonly members = new Set<ProcessNode>();

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
