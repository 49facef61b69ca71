/**
 * The raw facts the model holds of a process, written back into a ProcessEvent: what a source
 * would report of it. Used to synthesize events from the model (an `end` for a process found gone,
 * `snapshot` lines of the model, a remote host's processes).
 */
import { type EventAction, type ProcessEvent, resetProcessEvent } from '../sensor/process-event.js';
import type { ProcessNode } from './types.js';

/** Resets `e` and fills the header facts of `n` (ids, times, credentials, tty and stdio, comm). */
export function nodeHeaderToEvent(n: ProcessNode, action: EventAction, time: number, e: ProcessEvent): ProcessEvent {
  resetProcessEvent(e);
  e.action = action;
  e.time = time;
  e.pid = n.pid;
  e.ppid = n.ppid;
  e.pgid = n.pgid;
  e.sid = n.sid;
  e.startTicks = n.startTicks;
  e.start = n.start;
  e.uid = n.uid;
  e.euid = n.euid;
  e.suid = n.suid;
  e.gid = n.gid;
  e.egid = n.egid;
  e.sgid = n.sgid;
  e.loginUid = n.loginUid;
  e.auditSessionId = n.auditSessionId;
  e.tty = n.tty;
  e.stdinDev = n.stdinDev;
  e.stdinType = n.stdinType;
  e.stdoutDev = n.stdoutDev;
  e.stdoutType = n.stdoutType;
  e.stderrDev = n.stderrDev;
  e.stderrType = n.stderrType;
  e.comm = n.comm;
  return e;
}
