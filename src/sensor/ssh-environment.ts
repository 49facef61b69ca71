/**
 * Whose environment the sensors read, for SSH_CONNECTION only (the client address of an `sshd`
 * entry session; see docs/design.md). Reading an environment is not free and exposes secrets, so it is
 * read only where the model needs it:
 *
 * - children of an ssh daemon (SSH_PARENT_NAMES): the login shell, the `sshd` entry leader;
 * - possible login remnants: a session leader re-parented to pid 1 that carries a login's audit
 *   ids (a tmux/screen server left running after its user logged out). The model's entry-leader
 *   rule for those (src/model/entry-leader.ts) uses the same predicate, `mayBeLoginRemnant`.
 *
 * The model builds its `sshd` parent rows from SSH_PARENT_NAMES: the names live here, once.
 */

import { AUDIT_UNSET } from './process-event.js';

/** ssh daemon process names (`sshd-session`: OpenSSH ≥ 9.8's per-connection process). */
export const SSH_PARENT_NAMES: ReadonlySet<string> = new Set(['sshd', 'sshd-session']);

/**
 * A session leader whose parent is pid 1 and whose audit login uid and audit session id are both
 * set: what a login leaves running after logout (systemd services and pid 1 have them unset).
 */
export function mayBeLoginRemnant(pid: number, ppid: number, sid: number, loginUid: number, auditSessionId: number): boolean {
  return ppid === 1 && pid === sid && loginUid !== AUDIT_UNSET && auditSessionId !== AUDIT_UNSET;
}
