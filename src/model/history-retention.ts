/**
 * Which exited processes are history and which are noise, for the retention policy of the
 * ProcessTable:
 *
 * - history ("kept"): in a login entry session (sshd, ssm, console, serial terminal, or what a
 *   login left running), a process a person entered, a shell lines were typed at, the entry leader
 *   or a sub-session leader (tmux pane shell, sudo pty session). Kept for the whole retention
 *   window; each entry session's history is bounded by its own cap, so a storm in one session never
 *   evicts another's.
 * - noise: everything else (services, automation, a fork loop's children, shell helpers). Evicted
 *   first when the host-wide cap of exited processes binds.
 */

import { LOGIN_ENTRY_TYPES } from './entry-leader.js';
import type { ProcessNode } from './types.js';

export function isHistory(n: ProcessNode): boolean {
  const s = n.entrySession;
  if (s === null || !(LOGIN_ENTRY_TYPES.has(s.type) || s.loginRemnant)) return false;
  return n.personEntered || n.typed.length > 0 || n === s.leader || n.pid === n.sid;
}
