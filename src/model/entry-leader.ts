/**
 * Entry-leader rules (summarized in docs/design.md): which process a person or service entered the host through,
 * and how (`entry_meta.type`). Evaluated at exec and at snapshot; fork copies the parent's entry
 * leader; setsid alone does not re-evaluate (the next exec does). First match wins:
 *
 *  1. pid 1 and kernel threads (pid 2, or parent pid 2) have no entry leader.
 *  2. A session leader (pid == sid) is its own entry leader when:
 *     tty major 4, minor ≥ 64 → terminal (serial line);
 *     tty major 4, minor < 64 and executable basename `login` → console;
 *     parent is pid 1 → init (but see the audit-session improvement below);
 *     otherwise, unless its own basename starts with one of EXCLUDED_SELF_PREFIXES, and its parent
 *     is known: the first row of PARENT_ENTRY_RULES that matches the parent's basename.
 *  3. Otherwise inherit the entry leader of the parent, else of the session leader, else of the
 *     group leader.
 *  4. Still none and a session leader → itself, `unknown`.
 *
 * Improvement on the published rule: a session leader re-parented to pid 1 (a daemonized tmux/screen
 * server found at backfill) whose audit session id equals that of a live login entry session (sshd,
 * ssm, console, terminal) belongs to that session, not to init.
 *
 * Extension, login remnants: the same session leader when NO live login entry session has its
 * audit session id — its user logged out (the login shell and its sshd are gone) and sessiontop
 * (re)started afterwards — yet both its audit session id and its audit login uid are set. PAM gives
 * those to logins only (systemd services and pid 1 have them unset), so it is what a login left
 * running, not a service: it is its own entry leader, typed from its own SSH_CONNECTION (`sshd`,
 * source ip from it) when the environment has one, else `unknown`. Several remnants of one login
 * (tmux and screen) form one entry session: the first evaluated (at backfill: the earliest
 * started) leads it, the others join it through the same audit-session lookup. The /proc reader
 * reads SSH_CONNECTION for exactly these candidates (src/sensor/ssh-environment.ts).
 */

import { AUDIT_UNSET, devMajor, devMinor } from '../sensor/process-event.js';
import { mayBeLoginRemnant, SSH_PARENT_NAMES } from '../sensor/ssh-environment.js';
import type { EntryType, ProcessNode } from './types.js';

/** One way of entering the host, recognised by the session leader's parent. */
export interface ParentEntryRule {
  /** Parent executable basename (exact, or a prefix when `prefix`). */
  readonly parent: string;
  readonly prefix: boolean;
  readonly type: EntryType;
  /** Only when the session leader's controlling tty is a pseudo-terminal (major 136–143). */
  readonly ptyOnly: boolean;
  /** Not when the session leader's own basename is one of these (sshd's own privilege separation). */
  readonly notSelf: readonly string[];
}

/** ssh daemon names (sshd, and OpenSSH ≥ 9.8's per-connection `sshd-session`), kept by the sensor. */
const SSH_DAEMONS: readonly string[] = [...SSH_PARENT_NAMES];

/**
 * THE parent-name → entry type table. A new entry type (kubelet, teleport...) is one row here.
 * The ssh daemon names come from the sensor's SSH_PARENT_NAMES (whose children's environment it
 * reads for SSH_CONNECTION), so they are listed once.
 */
export const PARENT_ENTRY_RULES: readonly ParentEntryRule[] = [
  { parent: 'ssm-session-worker', prefix: false, type: 'ssm', ptyOnly: true, notSelf: [] },
  ...SSH_DAEMONS.map((parent): ParentEntryRule => ({ parent, prefix: false, type: 'sshd', ptyOnly: false, notSelf: SSH_DAEMONS })),
  { parent: 'containerd-shim', prefix: true, type: 'container', ptyOnly: false, notSelf: [] },
  { parent: 'runc', prefix: true, type: 'container', ptyOnly: false, notSelf: [] },
  { parent: 'conmon', prefix: true, type: 'container', ptyOnly: false, notSelf: [] },
];

/** Session leaders whose basename starts with one of these never get a parent-based type. */
export const EXCLUDED_SELF_PREFIXES: readonly string[] = [
  'runc',
  'containerd-shim',
  'calico-node',
  'check-status',
  'conmon',
];

/** Entry types a person logs in through: the audit-session improvement joins these. */
export const LOGIN_ENTRY_TYPES: ReadonlySet<EntryType> = new Set<EntryType>(['sshd', 'ssm', 'console', 'terminal']);

/** tty major of /dev/tty* (virtual consoles: minor < 64; serial ttyS*: minor ≥ 64). */
export const TTY_MAJOR = 4;
/** Unix98 pseudo-terminal slaves (/dev/pts/*) use majors 136–143. */
export const PTY_MAJOR_FIRST = 136;
export const PTY_MAJOR_LAST = 143;

export function isPty(tty: number): boolean {
  const major = devMajor(tty);
  return tty !== 0 && major >= PTY_MAJOR_FIRST && major <= PTY_MAJOR_LAST;
}

/** pid 1, kthreadd (pid 2) and its children. */
export function isKernelThreadOrInit(pid: number, ppid: number): boolean {
  return pid === 1 || pid === 2 || ppid === 2;
}

/**
 * Answers "which entry leader claims this audit session id?": the leader of a live login entry
 * session (one with live members) with it, or of an earlier login remnant of it (null: none).
 */
export type LoginLeaderLookup = (auditSessionId: number) => ProcessNode | null;

/** Result of decideEntryLeader (reused by the caller: no allocation per decision). */
export interface EntryDecision {
  leader: ProcessNode | null;
  /** When `leader` is the process itself: its entry type. Null otherwise. */
  type: EntryType | null;
  /** For sshd entries: the client ip from SSH_CONNECTION ('' otherwise). */
  sourceIp: string;
  /** When `leader` is the process itself: whether it leads as a login remnant. */
  remnant: boolean;
}

export function newEntryDecision(): EntryDecision {
  return { leader: null, type: null, sourceIp: '', remnant: false };
}

/**
 * Applies the rules to `n`, using its resolved `parent`, `sessionLeader` and `groupLeader` links
 * and their (already decided) entry leaders. Writes the answer into `out` and returns it.
 */
export function decideEntryLeader(n: ProcessNode, loginLeader: LoginLeaderLookup, out: EntryDecision): EntryDecision {
  out.leader = null;
  out.type = null;
  out.sourceIp = '';
  out.remnant = false;
  // 1.
  if (isKernelThreadOrInit(n.pid, n.ppid)) return out;
  // 2.
  if (n.pid === n.sid) {
    const type = sessionLeaderOwnType(n);
    if (type !== null) {
      if (type === 'init' && n.auditSessionId !== AUDIT_UNSET) {
        // Improvement: a daemonized tmux/screen server joins the live login with its audit session
        // id, or an earlier remnant of that login (see the header).
        const login = loginLeader(n.auditSessionId);
        if (login !== null && login !== n) {
          out.leader = login;
          return out;
        }
        // Extension: no such login any more, but login audit ids → a login remnant, not a service.
        if (mayBeLoginRemnant(n.pid, n.ppid, n.sid, n.loginUid, n.auditSessionId)) {
          out.leader = n;
          out.remnant = true;
          if (n.sshConnection !== '') {
            out.type = 'sshd';
            out.sourceIp = sshClientIp(n.sshConnection);
          } else {
            out.type = 'unknown';
          }
          return out;
        }
      }
      out.leader = n;
      out.type = type;
      if (type === 'sshd') out.sourceIp = sshClientIp(n.sshConnection);
      return out;
    }
  }
  // 3.
  const inherited =
    n.parent?.entryLeader ?? n.sessionLeader?.entryLeader ?? n.groupLeader?.entryLeader ?? null;
  if (inherited !== null) {
    out.leader = inherited;
    return out;
  }
  // 4.
  if (n.pid === n.sid) {
    out.leader = n;
    out.type = 'unknown';
  }
  return out;
}

/** Rule 2 alone: the entry type a session leader has as its own entry leader, or null. */
export function sessionLeaderOwnType(n: ProcessNode): EntryType | null {
  if (n.tty !== 0 && devMajor(n.tty) === TTY_MAJOR) {
    if (devMinor(n.tty) >= 64) return 'terminal';
    if (n.name === 'login') return 'console';
  }
  if (n.ppid === 1) return 'init';
  const parent = n.parent;
  if (parent === null || startsWithAny(n.name, EXCLUDED_SELF_PREFIXES)) return null;
  const rule = matchParentRule(parent.name, n);
  return rule === null ? null : rule.type;
}

/** The first PARENT_ENTRY_RULES row matching this parent basename for this session leader. */
export function matchParentRule(parentName: string, self: ProcessNode): ParentEntryRule | null {
  for (const rule of PARENT_ENTRY_RULES) {
    const hit = rule.prefix ? parentName.startsWith(rule.parent) : parentName === rule.parent;
    if (!hit) continue;
    if (rule.ptyOnly && !isPty(self.tty)) continue;
    if (rule.notSelf.includes(self.name)) continue;
    return rule;
  }
  return null;
}

/** First field of SSH_CONNECTION ("client_ip client_port server_ip server_port"), '' if none. */
export function sshClientIp(sshConnection: string): string {
  if (sshConnection === '') return '';
  const s = sshConnection.trim();
  const space = s.indexOf(' ');
  return space < 0 ? s : s.slice(0, space);
}

function startsWithAny(s: string, prefixes: readonly string[]): boolean {
  for (const p of prefixes) if (s.startsWith(p)) return true;
  return false;
}
