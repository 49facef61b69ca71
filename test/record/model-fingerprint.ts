/** A comparable summary of a ProcessTable's derived state, for round-trip tests. */
import type { ProcessTable } from '../../src/model/process-table.js';
import type { ProcessNode } from '../../src/model/types.js';

export interface NodeFingerprint {
  pid: number;
  ppid: number;
  pgid: number;
  sid: number;
  startTicks: number;
  exited: boolean;
  executable: string;
  args: string;
  parent: string | null;
  groupLeader: string | null;
  sessionLeader: string | null;
  entryLeader: string | null;
  entryType: string | null;
  entrySourceIp: string;
  interactive: boolean;
  userEntered: boolean;
  lastUserEntered: string | null;
  exitCode: number;
  signal: number;
  exitCause: string;
  uid: number;
  euid: number;
  tty: number;
  containerId: string;
  previous: number;
  typed: string[];
}

function id(n: ProcessNode | null): string | null {
  return n === null ? null : n.entityId;
}

export function nodeFingerprint(n: ProcessNode): NodeFingerprint {
  return {
    pid: n.pid,
    ppid: n.ppid,
    pgid: n.pgid,
    sid: n.sid,
    startTicks: n.startTicks,
    exited: n.exited,
    executable: n.executable,
    args: n.args.join('\u0000'),
    parent: id(n.parent),
    groupLeader: id(n.groupLeader),
    sessionLeader: id(n.sessionLeader),
    entryLeader: id(n.entryLeader),
    entryType: n.entryType,
    entrySourceIp: n.entrySourceIp,
    interactive: n.interactive,
    userEntered: n.userEntered,
    lastUserEntered: id(n.lastUserEntered),
    exitCode: n.exitCode,
    signal: n.signal,
    exitCause: n.exitCause,
    uid: n.uid,
    euid: n.euid,
    tty: n.tty,
    containerId: n.containerId,
    previous: n.previous.length,
    typed: n.typed.map((t) => t.line),
  };
}

/** entity id → fingerprint of every tracked node. */
export function modelFingerprint(table: ProcessTable): Map<string, NodeFingerprint> {
  const out = new Map<string, NodeFingerprint>();
  for (const n of table.processes()) out.set(n.entityId, nodeFingerprint(n));
  return out;
}

/** Entry sessions: id → {type, user, sourceIp, members, live}. */
export function sessionFingerprint(table: ProcessTable): Map<string, { type: string; user: number; sourceIp: string; members: number; live: number; lastTyped: string | null }> {
  const out = new Map<string, { type: string; user: number; sourceIp: string; members: number; live: number; lastTyped: string | null }>();
  for (const s of table.entrySessions({ includeServices: true, includeExited: true })) {
    out.set(s.id, { type: s.type, user: s.user, sourceIp: s.sourceIp, members: s.members.size, live: s.liveCount, lastTyped: s.lastTyped?.line ?? null });
  }
  return out;
}
