/**
 * Public types of the process model (src/model). The ECS NDJSON writer (src/record) and the Ink UI
 * (src/ui) are written against these; the model itself lives in process-table.ts.
 *
 * Conventions:
 * - Times are wall clock, milliseconds since the Unix epoch (fractional allowed), like ProcessEvent.
 * - Device numbers use the kernel-internal dev_t encoding of process-event.ts (`makeDev`,
 *   `devMajor`, `devMinor`); 0 means "none".
 * - Strings that come from processes (comm, executable, args, cwd, typed lines, cgroup) are stored
 *   raw and are UNTRUSTED: whoever prints them must escape control characters.
 * - Nodes are updated in place by the ProcessTable. Consumers read them and must never mutate them;
 *   a consumer that needs a frozen copy (e.g. to render later) copies what it needs.
 * - Some ProcessNode / EntrySession properties are accessors (entityId, the booleans, the audit
 *   ids, session user/tty/start): read them by name; object spread or JSON.stringify of a node does
 *   not carry them.
 */

import type { FdType } from '../sensor/process-event.js';

/** How a person or service entered the host (ECS `process.entry_leader.entry_meta.type`). */
export type EntryType = 'init' | 'sshd' | 'ssm' | 'container' | 'terminal' | 'console' | 'unknown';
export const ENTRY_TYPES: readonly EntryType[] = [
  'init',
  'sshd',
  'ssm',
  'container',
  'terminal',
  'console',
  'unknown',
] as const;

/**
 * ECS-ish cause of an exit (`sessiontop.exit_cause`); '' while the process is alive. `unknown`: the
 * process is over but its exit was not seen (lost by the kernel, the pid found reused, or found gone
 * from /proc at a reconciliation): exitCode, signal and coreDumped are then 0 and mean nothing.
 */
export type ExitCause = '' | 'exited' | 'signaled' | 'coredumped' | 'unknown';

/** Life of an entry session (see EntrySession.state). */
export type SessionState = 'active' | 'detached' | 'ended';

/** The host the model describes (ECS `host.*`). */
export interface HostInfo {
  /** os.hostname(). */
  name: string;
  /** /proc/sys/kernel/random/boot_id (a UUID string). */
  bootId: string;
  /** Inode of the pid namespace the pids are in (/proc/self/ns/pid). */
  pidNsIno: number;
  /** os.release(), e.g. "6.8.0-45-generic". */
  kernel: string;
  /** Wall-clock time of boot, ms since the epoch (Date.now() − uptime). */
  bootTimeMs: number;
  /**
   * The ssh destination this host is watched through (`--ssh DEST`); absent for the local host and
   * for recordings made on the host itself. It is the host's label, and part of its identity: two
   * streams from one machine (same name and boot id) stay two hosts.
   */
  via?: string;
}

/** One line entered at an interactive shell (bash readline). */
export interface TypedLine {
  /** When it was entered (ms since the epoch). */
  time: number;
  /** The line as the shell received it (untrusted). */
  line: string;
  /** True when the sensor cut the line at its bound. */
  truncated: boolean;
  /** The shell's working directory when the line was entered ('' when unknown). */
  cwd: string;
  /** The shell it was typed at: 'bash', 'zsh', 'dash' ('' when unknown). */
  shell: string;
}

/** One earlier image of a pid (ECS `process.previous`): what it was before an exec. */
export interface PreviousExec {
  /** When that image was replaced (the time of the exec that followed it). */
  time: number;
  executable: string;
  args: string[];
  argsTruncated: boolean;
}

/**
 * One process, as the model knows it. One node per (pid, start time); the node is kept (exited)
 * for the retention window after the process ends, then evicted.
 */
export interface ProcessNode {
  /**
   * ECS `process.entity_id`: derived from (host boot id, pid-ns inode, pid, startTicks) by
   * entity-id.ts, identical whichever source saw the process. Computed on first read, then cached.
   */
  readonly entityId: string;

  readonly pid: number;
  /** Real parent's pid as last reported (0 unknown / none). */
  readonly ppid: number;
  readonly pgid: number;
  readonly sid: number;
  /** Start time in clock ticks since boot (/proc/<pid>/stat field 22). */
  readonly startTicks: number;
  /** Start, wall clock ms. */
  readonly start: number;
  /**
   * End, wall clock ms; 0 while the process is alive. When `exitCause` is 'unknown' it is when the
   * model learned the process was gone (an upper bound).
   */
  readonly end: number;
  /** True once an `end` was seen (or the pid was found reused / gone). */
  readonly exited: boolean;

  readonly uid: number;
  readonly euid: number;
  readonly suid: number;
  readonly gid: number;
  readonly egid: number;
  readonly sgid: number;
  /** Audit login uid (AUDIT_UNSET when none). */
  readonly loginUid: number;
  /** Audit session id (AUDIT_UNSET when none). */
  readonly auditSessionId: number;

  /** Controlling tty (dev_t), 0 = none. */
  readonly tty: number;
  readonly stdinDev: number;
  readonly stdinType: FdType;
  readonly stdoutDev: number;
  readonly stdoutType: FdType;
  readonly stderrDev: number;
  readonly stderrType: FdType;

  /** Kernel comm (≤ 15 bytes). */
  readonly comm: string;
  /** Full path of the current image ('' if never seen: e.g. a fork of an unknown parent). */
  readonly executable: string;
  /** Basename of `executable`, or `comm` when the executable is unknown (ECS `process.name`). */
  readonly name: string;
  readonly args: readonly string[];
  readonly argsTruncated: boolean;
  readonly cwd: string;
  /** Leaf name of the cgroup ('' unknown). */
  readonly cgroup: string;
  /** Container id parsed from the cgroup leaf ('' when not in a container). */
  readonly containerId: string;
  /** SSH_CONNECTION as reported for this process ('' unless seen). */
  readonly sshConnection: string;

  /** Exit code (0..255) once exited (0 and meaningless when `exitCause` is 'unknown'). */
  readonly exitCode: number;
  /** Terminating signal, 0 if it exited normally. */
  readonly signal: number;
  readonly coreDumped: boolean;
  readonly exitCause: ExitCause;

  /** pid 2, or a child of pid 2. Kernel threads have no leaders of their own and are folded by the UI. */
  readonly kernelThread: boolean;

  /** Parent process node, null when not known. */
  readonly parent: ProcessNode | null;
  /** Process-group leader (pid == pgid), null when not known. May be the node itself. */
  readonly groupLeader: ProcessNode | null;
  /** Session leader (pid == sid), null when not known. May be the node itself. */
  readonly sessionLeader: ProcessNode | null;
  /** Entry leader (rules in docs/design.md), null for pid 1, kernel threads, or when none could be found. */
  readonly entryLeader: ProcessNode | null;
  /**
   * Set only on nodes that ARE an entry leader: their `entry_meta.type`. Read the type of a
   * process's entry session as `node.entryLeader?.entryType`.
   */
  readonly entryType: EntryType | null;
  /** Set only on entry leaders of type sshd: the client address from SSH_CONNECTION. */
  readonly entrySourceIp: string;
  /**
   * Set only on entry leaders refused as ssh logins (their ssh daemon parent is not vouched for by
   * a root-owned one): the client address their SSH_CONNECTION claims. Untrusted: any user can set it.
   */
  readonly entryClaimedSourceIp: string;
  /** The entry session this process belongs to (null when it has no entry leader). */
  readonly entrySession: EntrySession | null;

  /** ECS interactive: has a controlling tty, and stdin and stderr are that tty. */
  readonly interactive: boolean;
  /** Cmd user-entered: parent's stdin/stderr are the controlling tty and pgid ≠ parent's pgid. */
  readonly userEntered: boolean;
  /**
   * User-entered and asked for by a person (person-entered.ts): its parent is a shell and, where
   * typed lines are captured, a typed line introduced it (not an rc-file, logout-file or sudo
   * plumbing command). The UI highlights these; ECS `user_entered` stays the Cmd rule.
   */
  readonly personEntered: boolean;
  /** Nearest STRICT ancestor that is user-entered (never the node itself), null if none. */
  readonly lastUserEntered: ProcessNode | null;

  /** Earlier images of this pid, oldest first, bounded (ProcessTableOptions.maxPrevious). */
  readonly previous: readonly PreviousExec[];
  /** Lines typed at this process (a shell), oldest first, bounded (ProcessTableOptions.maxTypedLines). */
  readonly typed: readonly TypedLine[];

  /** Time of the last event about this process. */
  readonly lastActivity: number;
  /** True when first learned from a `snapshot` (backfill) rather than a live fork/exec. */
  readonly fromSnapshot: boolean;
}

/**
 * An entry session: every process sharing one entry leader. Kept while any member is alive or
 * retained. Updated in place by the table.
 */
export interface EntrySession {
  /** The entry leader's entity id (stable key for UI selection). */
  readonly id: string;
  readonly leader: ProcessNode;
  readonly type: EntryType;
  /** Login user: the leader's audit login uid when set, else its effective uid. */
  readonly user: number;
  /** Client ip for sshd sessions ('' otherwise). */
  readonly sourceIp: string;
  /** The leader's controlling tty (dev_t, 0 none). */
  readonly tty: number;
  readonly start: number;
  /** Time of the latest event of any member. */
  readonly lastActivity: number;
  /** Members that are alive. */
  readonly liveCount: number;
  /** Latest line typed by any member, and by whom. */
  readonly lastTyped: TypedLine | null;
  readonly lastTypedBy: ProcessNode | null;
  /** The most recent person-entered process (by exec/fork time) in the session. */
  readonly lastUserEntered: ProcessNode | null;
  /**
   * Logout time: when the entry leader ended (ms), 0 while it runs. A session whose leader ended can
   * still have live members (a detached tmux server).
   */
  readonly end: number;
  /** `active` (leader running), `detached` (leader gone, members still running: a detached tmux or
   * screen, or a login remnant), `ended` (nothing left running). */
  readonly state: SessionState;
  /** Exited processes kept as this session's history (history-retention.ts). */
  readonly historyCount: number;
  /**
   * What its processes wrote to the terminal its person saw (the entry leader's, else the one
   * written to last), null when nothing was seen.
   */
  readonly terminal: TerminalOutput | null;
  /** True for `init` sessions (systemd services): the UI folds them by default. */
  readonly service: boolean;
  /**
   * True when the leader is a login remnant: a session leader under pid 1 (a detached tmux/screen
   * server) whose login (same audit session id) is gone; the session is what that login left
   * running (`type` sshd when its SSH_CONNECTION is known, else unknown). See entry-leader.ts.
   */
  readonly loginRemnant: boolean;
  /** All members (alive and retained-exited), including the leader, in joining order. */
  readonly members: MemberSet;
}

/** One text_output event as a session's terminal log keeps it. */
export interface TerminalChunk {
  readonly time: number;
  /** Untrusted terminal bytes (escape sequences included): render through an emulator only. */
  readonly text: string;
  readonly rows: number;
  readonly columns: number;
  /** The writer. */
  readonly pid: number;
}

/** The recent output of an entry session to one terminal (see model/terminal-output.ts). */
export interface TerminalOutput {
  /** The terminal (dev_t). */
  readonly tty: number;
  /** Recent chunks, oldest first (the oldest are dropped beyond the table's maxTerminalChars). */
  readonly chunks: readonly TerminalChunk[];
  /** Chunks ever appended: chunks[i] is number `appended - chunks.length + i`. */
  readonly appended: number;
  /** Chunks dropped from the front. */
  readonly dropped: number;
  /** Bytes captured and bytes skipped (rate limit, per-process bound) over the whole session. */
  readonly bytes: number;
  readonly skipped: number;
  /** Some writer reached its per-process bound. */
  readonly capped: boolean;
  /** Latest known window size (0 when unknown). */
  readonly rows: number;
  readonly columns: number;
}

/**
 * The members of an entry session: membership test, count and iteration (joining order). Not to be
 * mutated while iterated (the model only changes it inside `apply`).
 */
export interface MemberSet extends Iterable<ProcessNode> {
  has(n: ProcessNode): boolean;
  readonly size: number;
}

/**
 * A session (setsid) inside an entry session: the entry leader's own session, a tmux/screen pane,
 * a sudo pty session... `leader` is the session leader node when known.
 */
export interface SubSession {
  readonly sid: number;
  readonly leader: ProcessNode | null;
  /** Members of this session within the entry session, ordered by start time. */
  readonly processes: readonly ProcessNode[];
}

/** One row of a flattened process tree (depth-first, children ordered by start). */
export interface SessionTreeRow {
  readonly node: ProcessNode;
  /** 0 for roots of the entry session's tree. */
  readonly depth: number;
  /** The node is a session leader other than the entry leader (a sub-session starts here). */
  readonly subSessionStart: boolean;
}

/** Options of the session view queries. */
export interface SessionViewOptions {
  /** Include `init` (service) sessions. Default false. */
  includeServices?: boolean;
  /** Include exited (retained) processes / sessions with no live member. Default true. */
  includeExited?: boolean;
}

/** Configuration of a ProcessTable. */
export interface ProcessTableOptions {
  /** Host the pids belong to (entity ids depend on it). */
  host: HostInfo;
  /** How long exited processes stay visible, ms. Default 1 800 000 (30 min). */
  retentionMs?: number;
  /**
   * At most this many exited processes are retained; the oldest are evicted. Default 8192 (about
   * 27 exits/s sustained over the 5-minute window; beyond that, a storm, the cap binds).
   */
  maxExited?: number;
  /**
   * Hard cap on tracked processes (alive + exited). Beyond it, the oldest exited go first, then the
   * least recently active (processes whose end was lost). Default 250 000.
   */
  maxProcesses?: number;
  /**
   * Exited processes kept as history per login entry session (history-retention.ts): beyond it the
   * session's oldest history goes. Default 4096.
   */
  maxHistoryPerSession?: number;
  /** Earlier images kept per process. Default 8. */
  maxPrevious?: number;
  /** Typed lines kept per process. Default 64. */
  maxTypedLines?: number;
  /** Characters of terminal output kept per entry session (0: none kept). Default 262 144. */
  maxTerminalChars?: number;
}

/** Counters of a ProcessTable. */
export interface ModelStats {
  /** Events applied. */
  events: number;
  /** Nodes currently tracked (alive + exited). */
  tracked: number;
  live: number;
  exited: number;
  /** Exited processes kept as history of login sessions (part of `exited`). */
  history: number;
  entrySessions: number;
  /** Sum of `lost` events (events the kernel dropped). */
  lost: number;
  /** Nodes evicted so far (retention, caps). */
  evicted: number;
  /** Live nodes evicted because there were more than the process cap (never leaders or parents). */
  droppedLive: number;
}
