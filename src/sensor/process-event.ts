/**
 * ProcessEvent: the raw facts one source (eBPF, /proc backfill or polling, an NDJSON recording)
 * reports about one process at one moment. Sources produce it; src/model consumes it. Nothing here is
 * derived (no entity ids, no leaders): the model computes those, the same way for every source.
 *
 * Hot paths reuse one ProcessEvent object per source (see `newProcessEvent` / `resetProcessEvent`):
 * a consumer must copy what it keeps and must not hold on to the event object itself.
 */

/** Every action a ProcessEvent (and so a recording line's `event.action`) can carry. */
export const EVENT_ACTIONS = [
  'snapshot', // existed when the source started (/proc backfill, or a recording's first lines)
  'fork', // a new process; the facts are the child's
  'exec',
  'end', // whole-process exit (`exitUnknown`: found gone, how it ended is not known)
  'setsid',
  'setpgid', // `targetPid` moved to process group `targetPgid` (the event's own facts are the caller's)
  'id_change', // a set*id call succeeded; uid..sgid are the new credentials
  'typed', // a line entered at an interactive shell (`line`)
  'text_output', // what the process wrote to its controlling terminal (`text`, `io*`, `ttyRows/Columns`)
  'lost', // the kernel dropped `lost` events
] as const;
export type EventAction = (typeof EVENT_ACTIONS)[number];

export type TypedShell = '' | 'bash' | 'zsh' | 'dash';

/** Kind of file open on fd 0, 1 or 2 (values match enum st_fd_type in bpf/sessiontop.h). */
export const FdType = { none: 0, char: 1, file: 2, pipe: 3, socket: 4, other: 5 } as const;
export type FdType = (typeof FdType)[keyof typeof FdType];
export const FD_TYPE_NAMES = ['none', 'char', 'file', 'pipe', 'socket', 'other'] as const;

/** Kernel-internal dev_t encoding, as in the BPF records: major << 20 | minor. */
export const devMajor = (dev: number): number => dev >>> 20;
export const devMinor = (dev: number): number => dev & 0xfffff;
export const makeDev = (major: number, minor: number): number => ((major << 20) | (minor & 0xfffff)) >>> 0;

/** Audit login uid / session id value meaning "unset". */
export const AUDIT_UNSET = 0xffffffff;

export interface ProcessEvent {
  action: EventAction;
  /** When it happened: wall clock, milliseconds since the Unix epoch (fractional). */
  time: number;

  /** Process id (thread-group id) in the initial pid namespace. */
  pid: number;
  /** Real parent's pid (0 when unknown or for pid 1 / kthreadd). */
  ppid: number;
  pgid: number;
  sid: number;
  /** Start time in clock ticks (USER_HZ = 100) since boot, as /proc/<pid>/stat field 22. */
  startTicks: number;
  /** Start time, wall clock ms since the epoch. */
  start: number;

  uid: number;
  euid: number;
  suid: number;
  gid: number;
  egid: number;
  sgid: number;
  /** Audit login uid (AUDIT_UNSET when none). */
  loginUid: number;
  /** Audit session id (AUDIT_UNSET when none). */
  auditSessionId: number;

  /** Controlling tty as dev_t (makeDev), 0 = none. */
  tty: number;
  /** fd 0/1/2: device (char rdev, or the filesystem's dev) and kind. */
  stdinDev: number;
  stdinType: FdType;
  stdoutDev: number;
  stdoutType: FdType;
  stderrDev: number;
  stderrType: FdType;

  /** Kernel comm (at most 15 bytes), untrusted. */
  comm: string;

  // exec and snapshot (empty / false otherwise)
  executable: string;
  args: string[];
  argsTruncated: boolean;
  cwd: string;
  /** Leaf name of the process's cgroup (v2), e.g. `docker-<id>.scope`. */
  cgroup: string;
  /** The SSH_CONNECTION environment variable, when the source saw it ('' otherwise). */
  sshConnection: string;

  // end
  exitCode: number;
  /** Terminating signal number, 0 when it exited normally. */
  signal: number;
  coreDumped: boolean;
  /**
   * The process is over but how it ended is not known (its exit was not seen: lost by the kernel,
   * or the /proc poller found it gone and reaped). exitCode, signal and coreDumped are then 0 and
   * mean nothing; the model sets `exitCause: 'unknown'`.
   */
  exitUnknown: boolean;

  // setpgid
  targetPid: number;
  targetPgid: number;

  // typed (`cwd` above is then the shell's working directory when the line was entered)
  line: string;
  lineTruncated: boolean;
  /** The shell the line was typed at: 'bash', 'zsh', 'dash' ('' when unknown). */
  shell: TypedShell;
  /**
   * Which probe saw the line (live only, not recorded): 'return' (the line editor returned it),
   * 'accept' (accept-line inside a read begun before the sensor started), 'read' (read(2) of a
   * canonical-mode terminal); '' otherwise.
   */
  typedVia: '' | 'return' | 'accept' | 'read';

  // text_output (ECS process.io.*, process.tty.rows/columns)
  /**
   * The bytes written to the terminal, decoded as UTF-8 (invalid bytes as U+DC80+byte), control and
   * escape sequences included: untrusted, only ever shown through a terminal emulator's cells.
   */
  text: string;
  /** Bytes captured in this event (process.io.total_bytes_captured). */
  ioBytes: number;
  /** Bytes written but not captured (rate limit, per-process bound, record bound): total_bytes_skipped. */
  ioSkipped: number;
  /** Where bytes were skipped: offset (into the captured bytes), length, offset, length... */
  ioSkips: number[];
  /** The writer has reached its per-process bound (process.io.max_bytes_per_process_exceeded). */
  ioCapped: boolean;
  /** Window size of the terminal when written (0 when unknown). */
  ttyRows: number;
  ttyColumns: number;

  // lost
  lost: number;
}

export function newProcessEvent(): ProcessEvent {
  return resetProcessEvent({} as ProcessEvent);
}

/** Clears every field to its neutral value, keeping the object's shape stable (monomorphic). */
export function resetProcessEvent(e: ProcessEvent): ProcessEvent {
  e.action = 'snapshot';
  e.time = 0;
  e.pid = 0;
  e.ppid = 0;
  e.pgid = 0;
  e.sid = 0;
  e.startTicks = 0;
  e.start = 0;
  e.uid = 0;
  e.euid = 0;
  e.suid = 0;
  e.gid = 0;
  e.egid = 0;
  e.sgid = 0;
  e.loginUid = AUDIT_UNSET;
  e.auditSessionId = AUDIT_UNSET;
  e.tty = 0;
  e.stdinDev = 0;
  e.stdinType = FdType.none;
  e.stdoutDev = 0;
  e.stdoutType = FdType.none;
  e.stderrDev = 0;
  e.stderrType = FdType.none;
  e.comm = '';
  e.executable = '';
  e.args = EMPTY_ARGS;
  e.argsTruncated = false;
  e.cwd = '';
  e.cgroup = '';
  e.sshConnection = '';
  e.exitCode = 0;
  e.signal = 0;
  e.coreDumped = false;
  e.exitUnknown = false;
  e.targetPid = 0;
  e.targetPgid = 0;
  e.line = '';
  e.lineTruncated = false;
  e.shell = '';
  e.typedVia = '';
  clearTerminalOutput(e);
  e.lost = 0;
  return e;
}

const EMPTY_ARGS: string[] = Object.freeze([]) as unknown as string[];
const NO_SKIPS: number[] = Object.freeze([]) as unknown as number[];

/** A source of ProcessEvents (eBPF, /proc, a recording). */
export interface EventSource {
  readonly name: 'bpf' | 'procfs' | 'replay';
  /** True when short-lived processes can be missed (/proc polling). */
  readonly degraded: boolean;
  /** Starts delivering; `onEvent` gets a reused event object (copy what you keep). */
  start(onEvent: (e: ProcessEvent) => void): Promise<void>;
  stop(): Promise<void>;
}

/** Empties the terminal-output facts of `e` (an event that is not `text_output`). */
export function clearTerminalOutput(e: ProcessEvent): void {
  e.text = '';
  e.ioBytes = 0;
  e.ioSkipped = 0;
  e.ioSkips = NO_SKIPS;
  e.ioCapped = false;
  e.ttyRows = 0;
  e.ttyColumns = 0;
}
