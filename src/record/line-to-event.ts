/**
 * A validated recording line → the raw facts it carries (a ProcessEvent) and the host it is from.
 *
 * Only raw facts are taken; every derived field of the line (entity ids, leaders' entity ids,
 * entry_meta and sessiontop.entry_meta, interactive, user_entered, last_user_entered, previous,
 * container.id) is ignored:
 * the model recomputes them.
 *
 * Start ticks (the entity-id input): `sessiontop.start_ticks` when present; else derived from
 * `process.start` and the host's boot time when known (learned from any line that has both start
 * and start ticks, or from `host.uptime`); else `process.start` at 10 ms precision.
 */

import {
  AUDIT_UNSET,
  clearTerminalOutput,
  FD_TYPE_NAMES,
  makeDev,
  type EventAction,
  type FdType,
  type ProcessEvent,
} from '../sensor/process-event.js';
import type { HostInfo } from '../model/types.js';
import { CLOCK_TICKS_PER_SECOND } from '../model/host-info.js';
import { parseIsoMs } from './ecs-time.js';
import type { RecordLine } from './schema.js';
import { LearnedNames } from '../text/user-names.js';

const MS_PER_TICK = 1000 / CLOCK_TICKS_PER_SECOND;
const EMPTY: string[] = Object.freeze([]) as unknown as string[];
const NO_SKIPS: number[] = Object.freeze([]) as unknown as number[];

/**
 * One host of a recording (host.name + host.boot.id + the ssh destination it came through, if
 * any): one model per host when replaying.
 */
export interface RecordingHost {
  /** `name|bootId`, and `|via` for a host watched over ssh. */
  readonly key: string;
  /** The model's HostInfo. `bootTimeMs` is filled in once learned (0 until then). */
  readonly info: HostInfo;
  bootTimeKnown: boolean;
  /** uid/gid names the recording carried for this host. */
  readonly names: LearnedNames;
}

/** What names a line's host (and the once-per-host facts it may carry). */
export interface HostFacts {
  /** host.name, else host.hostname, else ''. */
  name: string;
  bootId: string;
  /** The line's own sessiontop.ssh_destination ('' when none). */
  via: string;
  pidNsIno: string | undefined;
  kernel: string | undefined;
}

export function newHostFacts(): HostFacts {
  return { name: '', bootId: '', via: '', pidNsIno: undefined, kernel: undefined };
}

/**
 * Every field of a line that the reading of a valid line looks at: hostFactsOf, lineToFacts,
 * lineRequirementIssue and insaneTimeReason (line-parse.ts) read these and nothing else (and the
 * presence of the objects on the way to them: process.io). The line scanner
 * (record-line-scanner.ts) builds only these, with the objects on the way when the line has them,
 * and checks the rest of a line without building it; a test gives the functions whole lines and
 * lines cut down so and compares. A field read here must be added to the list. A field that is an
 * array is taken whole.
 */
export const LINE_FACT_FIELDS: readonly string[] = [
  '@timestamp',
  'event.action',
  'host.name',
  'host.hostname',
  'host.boot.id',
  'host.pid_ns_ino',
  'host.uptime',
  'host.os.kernel',
  'user.id',
  'user.name',
  'process.pid',
  'process.start',
  'process.name',
  'process.executable',
  'process.args',
  'process.working_directory',
  'process.exit_code',
  'process.tty.char_device.major',
  'process.tty.char_device.minor',
  'process.tty.rows',
  'process.tty.columns',
  'process.user.id',
  'process.user.name',
  'process.real_user.id',
  'process.real_user.name',
  'process.saved_user.id',
  'process.group.id',
  'process.group.name',
  'process.real_group.id',
  'process.real_group.name',
  'process.saved_group.id',
  'process.io.text',
  'process.io.total_bytes_captured',
  'process.io.total_bytes_skipped',
  'process.io.max_bytes_per_process_exceeded',
  'process.io.bytes_skipped',
  'process.parent.pid',
  'process.group_leader.pid',
  'process.session_leader.pid',
  'container.id',
  'sessiontop.start_ticks',
  'sessiontop.ssh_destination',
  'sessiontop.audit.login_uid',
  'sessiontop.audit.session_id',
  'sessiontop.stdin.type',
  'sessiontop.stdin.major',
  'sessiontop.stdin.minor',
  'sessiontop.stdout.type',
  'sessiontop.stdout.major',
  'sessiontop.stdout.minor',
  'sessiontop.stderr.type',
  'sessiontop.stderr.major',
  'sessiontop.stderr.minor',
  'sessiontop.comm',
  'sessiontop.args_truncated',
  'sessiontop.cgroup',
  'sessiontop.ssh_connection',
  'sessiontop.signal',
  'sessiontop.exit_cause',
  'sessiontop.setpgid.pid',
  'sessiontop.setpgid.pgid',
  'sessiontop.typed.line',
  'sessiontop.typed.truncated',
  'sessiontop.typed.shell',
  'sessiontop.lost',
];

/** Fills `into` with the host facts of a validated line. */
export function hostFactsOf(line: RecordLine, into: HostFacts): HostFacts {
  const h = line.host;
  into.name = h?.name ?? h?.hostname ?? '';
  into.bootId = h?.boot?.id ?? '';
  into.via = line.sessiontop?.ssh_destination ?? '';
  into.pidNsIno = h?.pid_ns_ino;
  into.kernel = h?.os?.kernel;
  return into;
}

/** The hosts seen while reading one or several recordings. */
export class HostRegistry {
  private readonly hosts = new Map<string, RecordingHost>();
  private last: RecordingHost | null = null;
  private lastName = '';
  private lastBoot = '';
  private lastVia = '';
  private readonly facts = newHostFacts();

  /**
   * `via`: the ssh destination every line read through this registry came from (a remote host's
   * stream); '' for files, whose lines say it themselves (`sessiontop.ssh_destination`).
   */
  constructor(private readonly via = '') {}

  /** The host of a line (created on first sight). */
  hostOf(line: RecordLine): RecordingHost {
    const f = hostFactsOf(line, this.facts);
    return this.hostOfFacts(f.name, f.bootId, f.via, f.pidNsIno, f.kernel);
  }

  /**
   * The host of a line from the facts that name it (what hostOf reads off a parsed line; a parse
   * worker sends them packed): host name, boot id, the line's own ssh destination ('' when none),
   * and the once-per-host pid namespace inode and kernel (undefined when the line lacks them).
   */
  hostOfFacts(name: string, boot: string, lineVia: string, pidNsIno: string | undefined, kernel: string | undefined): RecordingHost {
    const via = this.via !== '' ? this.via : lineVia;
    const last = this.last;
    if (last !== null && name === this.lastName && boot === this.lastBoot && via === this.lastVia) {
      if (last.info.pidNsIno === 0 && pidNsIno !== undefined) learnOnceFacts(last, pidNsIno, kernel);
      return last;
    }
    const key = via === '' ? `${name}|${boot}` : `${name}|${boot}|${via}`;
    let host = this.hosts.get(key);
    if (host === undefined) {
      const ino = Number(pidNsIno ?? 0);
      host = {
        key,
        info: {
          name: name === '' ? 'unknown-host' : name,
          bootId: boot,
          pidNsIno: Number.isSafeInteger(ino) && ino > 0 ? ino : 0,
          kernel: kernel ?? '',
          bootTimeMs: 0,
          ...(via !== '' ? { via } : {}),
        },
        bootTimeKnown: false,
        names: new LearnedNames(),
      };
      this.hosts.set(key, host);
    } else if (host.info.pidNsIno === 0 && pidNsIno !== undefined) {
      learnOnceFacts(host, pidNsIno, kernel);
    }
    this.last = host;
    this.lastName = name;
    this.lastBoot = boot;
    this.lastVia = via;
    return host;
  }

  /** Registers a known host object (a resumed read continues with the same hosts). */
  adopt(host: RecordingHost): void {
    this.hosts.set(host.key, host);
    this.last = null;
  }

  all(): RecordingHost[] {
    return [...this.hosts.values()];
  }

  get size(): number {
    return this.hosts.size;
  }
}

/** The once-per-host facts (written on snapshot lines only) of a host first seen without them. */
function learnOnceFacts(host: RecordingHost, pidNsIno: string, kernel: string | undefined): void {
  const ino = Number(pidNsIno);
  if (Number.isSafeInteger(ino) && ino > 0) host.info.pidNsIno = ino;
  if (host.info.kernel === '' && kernel !== undefined) host.info.kernel = kernel;
}

/**
 * What a line carries beyond the event's own facts, which only the reader of the whole stream can
 * use (they depend on what earlier lines taught about the host): whether the line had start ticks,
 * its host uptime, and the user and group names it gave. lineToFacts fills it; learnHostFacts uses it.
 */
export interface LineHostFacts {
  hasStartTicks: boolean;
  /** host.uptime in seconds; NaN when absent. */
  uptime: number;
  userName: string | undefined;
  realUserName: string | undefined;
  groupName: string | undefined;
  realGroupName: string | undefined;
}

export function newLineHostFacts(): LineHostFacts {
  return { hasStartTicks: false, uptime: Number.NaN, userName: undefined, realUserName: undefined, groupName: undefined, realGroupName: undefined };
}

const scratchHostFacts = newLineHostFacts();

/**
 * Fills `e` (every field assigned: a reused object needs no reset) from a validated line of `host`.
 * Returns false when the line's time cannot be read (the caller reports it as a bad line).
 */
export function lineToEvent(line: RecordLine, host: RecordingHost, e: ProcessEvent): boolean {
  if (!lineToFacts(line, e, scratchHostFacts)) return false;
  learnHostFacts(host, e, scratchHostFacts);
  return true;
}

/**
 * The host-dependent part of lineToEvent, applied in line order by the one thread that owns the
 * hosts: learns the host's boot time (from start ticks, else from host.uptime), derives start
 * ticks from process.start when the line had none, and keeps the names the line gave.
 */
export function learnHostFacts(host: RecordingHost, e: ProcessEvent, x: LineHostFacts): void {
  if (x.hasStartTicks) {
    if (!host.bootTimeKnown && e.start !== 0 && e.startTicks !== 0) {
      host.info.bootTimeMs = e.start - e.startTicks * MS_PER_TICK;
      host.bootTimeKnown = true;
    }
  } else if (e.start !== 0) {
    if (!host.bootTimeKnown && !Number.isNaN(x.uptime)) {
      host.info.bootTimeMs = e.time - x.uptime * 1000;
      host.bootTimeKnown = true;
    }
    e.startTicks = Math.max(0, Math.round((e.start - host.info.bootTimeMs) / MS_PER_TICK));
  }
  const names = host.names;
  if (x.userName !== undefined && !names.users.has(e.euid)) names.users.set(e.euid, x.userName);
  if (x.realUserName !== undefined && !names.users.has(e.uid)) names.users.set(e.uid, x.realUserName);
  if (x.groupName !== undefined && !names.groups.has(e.egid)) names.groups.set(e.egid, x.groupName);
  if (x.realGroupName !== undefined && !names.groups.has(e.gid)) names.groups.set(e.gid, x.realGroupName);
}

/**
 * The part of lineToEvent that needs nothing but the line (a parse worker runs it): fills `e`
 * except that start ticks are 0 when the line has none (learnHostFacts derives them), and `x`
 * with what learnHostFacts needs. Returns false when the line's time cannot be read.
 */
export function lineToFacts(line: RecordLine, e: ProcessEvent, x: LineHostFacts): boolean {
  const time = parseIsoMs(line['@timestamp']);
  if (!Number.isFinite(time)) return false;
  const action: EventAction = line.event.action;
  const p = line.process;
  const st = line.sessiontop;
  e.action = action;
  e.time = time;

  e.pid = p?.pid ?? 0;
  e.ppid = p?.parent?.pid ?? 0;
  e.pgid = p?.group_leader?.pid ?? 0;
  e.sid = p?.session_leader?.pid ?? 0;

  const startText = p?.start;
  const start = startText === undefined ? 0 : parseIsoMs(startText);
  e.start = Number.isFinite(start) ? start : 0;
  const ticks = st?.start_ticks;
  x.hasStartTicks = ticks !== undefined;
  e.startTicks = ticks ?? 0;
  x.uptime = line.host?.uptime ?? Number.NaN;

  // credentials: effective from process.user (or the event's user), real/saved default to it
  const euid = idOf(p?.user?.id ?? line.user?.id);
  e.euid = euid;
  e.uid = p?.real_user?.id !== undefined ? idOf(p.real_user.id) : euid;
  e.suid = p?.saved_user?.id !== undefined ? idOf(p.saved_user.id) : euid;
  const egid = idOf(p?.group?.id);
  e.egid = egid;
  e.gid = p?.real_group?.id !== undefined ? idOf(p.real_group.id) : egid;
  e.sgid = p?.saved_group?.id !== undefined ? idOf(p.saved_group.id) : egid;
  x.userName = p?.user?.name ?? line.user?.name;
  x.realUserName = p?.real_user?.name;
  x.groupName = p?.group?.name;
  x.realGroupName = p?.real_group?.name;

  const audit = st?.audit;
  e.loginUid = audit?.login_uid ?? AUDIT_UNSET;
  e.auditSessionId = audit?.session_id ?? AUDIT_UNSET;

  const cd = p?.tty?.char_device;
  e.tty = cd === undefined || (cd.major === undefined && cd.minor === undefined) ? 0 : makeDev(cd.major ?? 0, cd.minor ?? 0);
  const stdin = st?.stdin;
  e.stdinType = fdType(stdin?.type);
  e.stdinDev = stdin === undefined ? 0 : makeDev(stdin.major ?? 0, stdin.minor ?? 0);
  const stdout = st?.stdout;
  e.stdoutType = fdType(stdout?.type);
  e.stdoutDev = stdout === undefined ? 0 : makeDev(stdout.major ?? 0, stdout.minor ?? 0);
  const stderr = st?.stderr;
  e.stderrType = fdType(stderr?.type);
  e.stderrDev = stderr === undefined ? 0 : makeDev(stderr.major ?? 0, stderr.minor ?? 0);

  e.comm = st?.comm ?? p?.name ?? '';
  e.executable = p?.executable ?? '';
  e.args = p?.args ?? EMPTY;
  e.argsTruncated = st?.args_truncated ?? false;
  e.cwd = p?.working_directory ?? '';
  e.cgroup = st?.cgroup ?? line.container?.id ?? '';
  e.sshConnection = st?.ssh_connection ?? '';

  // exit: process.exit_code follows the shell convention (128 + signal when signaled)
  const signal = st?.signal ?? 0;
  const cause = st?.exit_cause;
  const code = p?.exit_code ?? 0;
  e.coreDumped = cause === 'coredumped';
  e.exitUnknown = cause === 'unknown';
  if (e.exitUnknown) {
    e.signal = 0;
    e.exitCode = 0;
  } else if (signal !== 0) {
    e.signal = signal;
    e.exitCode = code === 128 + (signal & 0x7f) ? 0 : code;
  } else if ((cause === 'signaled' || cause === 'coredumped') && code > 128 && code < 256) {
    e.signal = code - 128;
    e.exitCode = 0;
  } else {
    e.signal = 0;
    e.exitCode = code;
  }

  const setpgid = st?.setpgid;
  e.targetPid = setpgid?.pid ?? 0;
  e.targetPgid = setpgid?.pgid ?? 0;
  const typed = st?.typed;
  e.line = typed?.line ?? '';
  e.lineTruncated = typed?.truncated ?? false;
  e.shell = typed?.shell ?? '';
  e.lost = st?.lost ?? 0;

  const io = action === 'text_output' ? p?.io : undefined;
  if (io !== undefined) {
    e.text = io.text ?? '';
    e.ioBytes = io.total_bytes_captured ?? 0;
    e.ioSkipped = io.total_bytes_skipped ?? 0;
    e.ioCapped = io.max_bytes_per_process_exceeded ?? false;
    const skips = io.bytes_skipped;
    if (skips !== undefined && skips.length > 0) {
      e.ioSkips = [];
      for (const k of skips) e.ioSkips.push(k.offset ?? 0, k.length ?? 0);
    } else {
      e.ioSkips = NO_SKIPS;
    }
    e.ttyRows = p?.tty?.rows ?? 0;
    e.ttyColumns = p?.tty?.columns ?? 0;
  } else {
    clearTerminalOutput(e);
  }
  return true;
}

function idOf(id: string | undefined): number {
  if (id === undefined) return 0;
  const n = Number(id);
  return n <= 0xffffffff ? n : 0; // the schema guarantees 1-10 digits
}

function fdType(name: string | undefined): FdType {
  if (name === undefined) return 0;
  const i = (FD_TYPE_NAMES as readonly string[]).indexOf(name);
  return (i < 0 ? 5 : i) as FdType;
}
