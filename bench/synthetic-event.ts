/**
 * The synthetic host and event identity the model benches share: one reused ProcessEvent refilled
 * per event, as a decoder delivers them.
 */
import type { HostInfo } from '../src/model/types.js';
import { type EventAction, type ProcessEvent, resetProcessEvent } from '../src/sensor/process-event.js';

export const BENCH_HOST: HostInfo = { name: 'bench', bootId: 'bench-boot-id', pidNsIno: 4026531836, kernel: 'bench', bootTimeMs: 1.7e12 };

/** Resets `e` and fills who the process is: ids, start, credentials and audit ids (uid 1000, session 7). */
export function fillIdentity(e: ProcessEvent, action: EventAction, time: number, pid: number, ppid: number, pgid: number, sid: number, ticks: number): void {
  resetProcessEvent(e);
  e.action = action;
  e.time = time;
  e.pid = pid;
  e.ppid = ppid;
  e.pgid = pgid;
  e.sid = sid;
  e.startTicks = ticks;
  e.start = BENCH_HOST.bootTimeMs + ticks * 10;
  e.uid = e.euid = e.suid = e.gid = e.egid = e.sgid = 1000;
  e.loginUid = 1000;
  e.auditSessionId = 7;
}
