/**
 * Reading processes from /proc into ProcessEvents: the backfill at start (`scanProcSnapshot`) and
 * the building block of the /proc polling source. The facts are the same an eBPF event carries:
 * ids, credentials, audit ids, controlling tty (proc(5) decoding), fd 0–2 devices and kinds, comm,
 * executable, argv (bounded, with a truncated flag), cwd, cgroup leaf and SSH_CONNECTION for the
 * processes ssh-environment.ts names (children of sshd, possible login remnants).
 *
 * Processes vanish at any moment: every read is guarded, a process that disappears mid-read is
 * skipped, and nothing here throws for it. Without root some files are unreadable (exe, cwd, fds,
 * environ of other users' processes): those facts stay empty.
 */

import { readdirSync, readFileSync, readlinkSync, statSync } from 'node:fs';
import type { Stats } from 'node:fs';
import { AUDIT_UNSET, FdType, makeDev, newProcessEvent, resetProcessEvent } from './process-event.js';
import type { ProcessEvent } from './process-event.js';
import { mayBeLoginRemnant, SSH_PARENT_NAMES } from './ssh-environment.js';

export { SSH_PARENT_NAMES } from './ssh-environment.js';

/** Default argv bound, as the eBPF sensor's (ST_ARGS_DEFAULT). */
export const DEFAULT_ARGS_MAX = 16384;
/** /proc/<pid>/stat `flags` bit of kernel threads (PF_KTHREAD). */
export const PF_KTHREAD = 0x00200000;
/** Clock ticks per second of /proc times (USER_HZ). */
const TICKS_PER_SECOND = 100;
const TWO_POW_32 = 0x1_0000_0000;
const DELETED_SUFFIX = ' (deleted)';

export interface ProcReadOptions {
  /** Wall-clock ms at boot (HostInfo.bootTimeMs): turns start ticks into `start`. */
  bootTimeMs: number;
  /** argv bytes kept (NULs included), beyond which `argsTruncated` is set. Default 16 KiB. */
  argsMax?: number;
  /** Mount point of procfs. Default '/proc'. */
  procRoot?: string;
}

/** The parsed fields of /proc/<pid>/stat that sessiontop uses. */
export interface ProcStat {
  pid: number;
  comm: string;
  /** One-letter state (R, S, D, Z, T, ...). */
  state: string;
  ppid: number;
  pgid: number;
  sid: number;
  /** Raw tty_nr (see decodeTtyNr). */
  ttyNr: number;
  flags: number;
  startTicks: number;
  /** Field 52: wait(2)-style exit status (meaningful for zombies), 0 if absent. */
  exitStatus: number;
}

// ---------------------------------------------------------------- pure decoders

/** proc(5) tty_nr → makeDev form: major = bits 8–15, minor = bits 0–7 | bits 20–31. */
export function decodeTtyNr(ttyNr: number): number {
  const v = ttyNr >>> 0;
  if (v === 0) return 0;
  const major = (v >>> 8) & 0xff;
  const minor = (v & 0xff) | ((v >>> 12) & 0xfff00);
  return makeDev(major, minor);
}

/**
 * Userspace (glibc) dev_t as Node's fs.Stats reports it → makeDev form.
 * major = ((dev >> 8) & 0xfff) | ((dev >> 32) & ~0xfff); minor = (dev & 0xff) | ((dev >> 12) & ~0xff).
 * Plain arithmetic: the value may exceed 32 bits.
 */
export function decodeUserspaceDev(dev: number): number {
  if (dev === 0) return 0;
  const low = dev % TWO_POW_32 >>> 0;
  const high = Math.floor(dev / TWO_POW_32) >>> 0;
  const major = ((low >>> 8) & 0xfff) | (high & 0xfffff000);
  const minor = (low & 0xff) | ((low >>> 12) & 0xfff00) | ((high & 0xfff) << 20);
  return makeDev(major, minor);
}

/** Parses /proc/<pid>/stat (comm may hold spaces and parentheses: it ends at the LAST ')'). */
export function parseStat(text: string): ProcStat | null {
  const open = text.indexOf('(');
  const close = text.lastIndexOf(')');
  if (open < 0 || close < open) return null;
  const pid = Number.parseInt(text.slice(0, open), 10);
  const rest = text.slice(close + 2).split(' ');
  // rest[0] is field 3 (state); field N is rest[N - 3].
  if (rest.length < 20 || !Number.isFinite(pid)) return null;
  const num = (field: number): number => {
    const v = Number(rest[field - 3]);
    return Number.isFinite(v) ? v : 0;
  };
  return {
    pid,
    comm: text.slice(open + 1, close),
    state: rest[0] ?? '?',
    ppid: num(4),
    pgid: num(5),
    sid: num(6),
    ttyNr: num(7),
    flags: num(9),
    startTicks: num(22),
    exitStatus: rest.length >= 50 ? num(52) : 0,
  };
}

/** Kernel threads: PF_KTHREAD, or kthreadd (pid 2) and its children. */
export function isKernelThread(stat: ProcStat): boolean {
  return (stat.flags & PF_KTHREAD) !== 0 || stat.pid === 2 || stat.ppid === 2;
}

/** Sets uid/euid/suid and gid/egid/sgid from /proc/<pid>/status. */
export function parseStatusIds(text: string, e: ProcessEvent): void {
  const uid = /^Uid:\s+(\d+)\s+(\d+)\s+(\d+)/m.exec(text);
  if (uid !== null) {
    e.uid = Number(uid[1]);
    e.euid = Number(uid[2]);
    e.suid = Number(uid[3]);
  }
  const gid = /^Gid:\s+(\d+)\s+(\d+)\s+(\d+)/m.exec(text);
  if (gid !== null) {
    e.gid = Number(gid[1]);
    e.egid = Number(gid[2]);
    e.sgid = Number(gid[3]);
  }
}

/** argv from /proc/<pid>/cmdline (NUL-separated), keeping at most `max` bytes. */
export function parseCmdline(buf: Buffer, max: number): { args: string[]; truncated: boolean } {
  let end = buf.length;
  const truncated = end > max;
  if (truncated) end = max;
  else if (end > 0 && buf[end - 1] === 0) end--; // the final NUL
  if (end <= 0) return { args: [], truncated };
  return { args: buf.toString('utf8', 0, end).split('\0'), truncated };
}

/** Leaf name of the process's cgroup: the v2 ("0::") path, else the first non-root v1 path. */
export function cgroupLeaf(text: string): string {
  let fallback = '';
  for (const line of text.split('\n')) {
    const first = line.indexOf(':');
    const second = line.indexOf(':', first + 1);
    if (first < 0 || second < 0) continue;
    const path = line.slice(second + 1);
    const leaf = path.slice(path.lastIndexOf('/') + 1);
    if (line.startsWith('0::')) {
      if (leaf !== '') return leaf;
    } else if (fallback === '' && leaf !== '') {
      fallback = leaf;
    }
  }
  return fallback;
}

/** The value of SSH_CONNECTION in a NUL-separated environment block ('' if absent). */
export function sshConnectionFromEnviron(buf: Buffer): string {
  const key = 'SSH_CONNECTION=';
  let from = 0;
  while (from < buf.length) {
    let end = buf.indexOf(0, from);
    if (end < 0) end = buf.length;
    if (end - from > key.length && buf.toString('latin1', from, from + key.length) === key) {
      return buf.toString('utf8', from + key.length, end);
    }
    from = end + 1;
  }
  return '';
}

/** Exit code / signal / core flag from a wait(2) status. */
export function decodeWaitStatus(status: number, e: ProcessEvent): void {
  const sig = status & 0x7f;
  if (sig === 0) {
    e.exitCode = (status >>> 8) & 0xff;
    e.signal = 0;
    e.coreDumped = false;
  } else {
    e.exitCode = 0;
    e.signal = sig;
    e.coreDumped = (status & 0x80) !== 0;
  }
}

/** The device and kind of an open file, as the eBPF sensor reports fds 0–2. */
export function fdFacts(st: Stats): { dev: number; type: FdType } {
  if (st.isCharacterDevice()) return { dev: decodeUserspaceDev(st.rdev), type: FdType.char };
  const dev = decodeUserspaceDev(st.dev);
  if (st.isFile()) return { dev, type: FdType.file };
  if (st.isFIFO()) return { dev, type: FdType.pipe };
  if (st.isSocket()) return { dev, type: FdType.socket };
  return { dev, type: FdType.other };
}

// ---------------------------------------------------------------- guarded reads

function readText(path: string): string | null {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return null;
  }
}

function readBuffer(path: string): Buffer | null {
  try {
    return readFileSync(path);
  } catch {
    return null;
  }
}

function readLink(path: string): string {
  try {
    return readlinkSync(path);
  } catch {
    return '';
  }
}

function readNumber(path: string, fallback: number): number {
  const t = readText(path);
  if (t === null) return fallback;
  const v = Number(t.trim());
  return Number.isFinite(v) && t.trim() !== '' ? v : fallback;
}

function statFd(path: string): Stats | undefined {
  try {
    return statSync(path, { throwIfNoEntry: false });
  } catch {
    return undefined;
  }
}

/** /proc/<pid>/stat, parsed, or null if the process is gone. */
export function readStat(pid: number, procRoot = '/proc'): ProcStat | null {
  const t = readText(`${procRoot}/${pid}/stat`);
  return t === null ? null : parseStat(t);
}

/** Path of a process's executable without the " (deleted)" mark ('' unreadable / kernel thread). */
export function readExecutable(pid: number, procRoot = '/proc'): string {
  const exe = readLink(`${procRoot}/${pid}/exe`);
  return exe.endsWith(DELETED_SUFFIX) ? exe.slice(0, -DELETED_SUFFIX.length) : exe;
}

/** Basename of a process's executable, else its comm ('' if gone). */
export function readProcessName(pid: number, procRoot = '/proc'): string {
  const exe = readExecutable(pid, procRoot);
  if (exe !== '') return exe.slice(exe.lastIndexOf('/') + 1);
  return readStat(pid, procRoot)?.comm ?? '';
}

/** Numeric entries of /proc: the thread-group leaders (threads are not listed). */
export function listPids(procRoot = '/proc'): number[] {
  let names: string[];
  try {
    names = readdirSync(procRoot);
  } catch {
    return [];
  }
  const pids: number[] = [];
  for (const n of names) {
    const c = n.charCodeAt(0);
    if (c < 48 || c > 57) continue;
    const pid = Number(n);
    if (Number.isInteger(pid) && pid > 0) pids.push(pid);
  }
  return pids;
}

/**
 * Fills `e` (reset first) with everything /proc says about `pid`, as a `snapshot` event timed now.
 * SSH_CONNECTION is read from the environment of children of sshd (`parentName` names the parent,
 * basename of its executable; by default read from /proc) and of possible login remnants (a
 * session leader under pid 1 with audit ids set, ssh-environment.ts), not otherwise.
 * Returns false if the process is gone.
 */
export function readProcessEvent(
  pid: number,
  e: ProcessEvent,
  opts: ProcReadOptions,
  parentName: (ppid: number) => string = (ppid) => readProcessName(ppid, opts.procRoot),
): boolean {
  const root = opts.procRoot ?? '/proc';
  const dir = `${root}/${pid}`;
  const stat = readStat(pid, root);
  if (stat === null) return false;
  resetProcessEvent(e);
  e.action = 'snapshot';
  e.time = Date.now();
  e.pid = stat.pid;
  e.ppid = stat.ppid;
  e.pgid = stat.pgid;
  e.sid = stat.sid;
  e.startTicks = stat.startTicks;
  e.start = opts.bootTimeMs + (stat.startTicks * 1000) / TICKS_PER_SECOND;
  e.tty = decodeTtyNr(stat.ttyNr);
  e.comm = stat.comm;

  const status = readText(`${dir}/status`);
  if (status === null) return false;
  parseStatusIds(status, e);
  if (isKernelThread(stat)) return true; // no image, fds, audit ids or cgroup of their own

  e.loginUid = readNumber(`${dir}/loginuid`, AUDIT_UNSET);
  e.auditSessionId = readNumber(`${dir}/sessionid`, AUDIT_UNSET);
  e.executable = readExecutable(pid, root);
  const cmdline = readBuffer(`${dir}/cmdline`);
  if (cmdline !== null) {
    const argv = parseCmdline(cmdline, opts.argsMax ?? DEFAULT_ARGS_MAX);
    e.args = argv.args;
    e.argsTruncated = argv.truncated;
  }
  e.cwd = readLink(`${dir}/cwd`);
  const cgroup = readText(`${dir}/cgroup`);
  if (cgroup !== null) e.cgroup = cgroupLeaf(cgroup);

  const fd0 = statFd(`${dir}/fd/0`);
  if (fd0 !== undefined) {
    const f = fdFacts(fd0);
    e.stdinDev = f.dev;
    e.stdinType = f.type;
  }
  const fd1 = statFd(`${dir}/fd/1`);
  if (fd1 !== undefined) {
    const f = fdFacts(fd1);
    e.stdoutDev = f.dev;
    e.stdoutType = f.type;
  }
  const fd2 = statFd(`${dir}/fd/2`);
  if (fd2 !== undefined) {
    const f = fdFacts(fd2);
    e.stderrDev = f.dev;
    e.stderrType = f.type;
  }

  if (
    mayBeLoginRemnant(stat.pid, stat.ppid, stat.sid, e.loginUid, e.auditSessionId) ||
    (stat.ppid > 1 && SSH_PARENT_NAMES.has(parentName(stat.ppid)))
  ) {
    const env = readBuffer(`${dir}/environ`);
    if (env !== null) e.sshConnection = sshConnectionFromEnviron(env);
  }
  // Gone while we read (its files vanish; stat reports a zombie or a different start)?
  const again = readStat(pid, root);
  return again !== null && again.startTicks === stat.startTicks;
}

/**
 * Backfill: one `snapshot` event (a new object each) per existing process, threads excluded,
 * kernel threads included (ppid 2 / pid 2 identifies them) unless `includeKernelThreads` is false.
 * Ordered by start time (parents before children).
 */
export function scanProcSnapshot(opts: ProcReadOptions & { includeKernelThreads?: boolean }): ProcessEvent[] {
  return readSnapshotEvents(listPids(opts.procRoot ?? '/proc'), opts);
}

/**
 * One `snapshot` event (a new object each) per process of `pids` still there, ordered by start time
 * (parents before children). Parent names (to decide on SSH_CONNECTION) are read once per parent.
 */
export function readSnapshotEvents(
  pids: Iterable<number>,
  opts: ProcReadOptions & { includeKernelThreads?: boolean },
): ProcessEvent[] {
  const root = opts.procRoot ?? '/proc';
  const includeKernel = opts.includeKernelThreads ?? true;
  const names = new Map<number, string>();
  const nameOfPid = (ppid: number): string => {
    let n = names.get(ppid);
    if (n === undefined) {
      n = readProcessName(ppid, root);
      names.set(ppid, n);
    }
    return n;
  };
  const events: ProcessEvent[] = [];
  for (const pid of pids) {
    const e = newProcessEvent();
    if (!readProcessEvent(pid, e, opts, nameOfPid)) continue;
    if (!includeKernel && (e.pid === 2 || e.ppid === 2)) continue;
    events.push(e);
  }
  events.sort((a, b) => a.startTicks - b.startTicks || a.pid - b.pid);
  return events;
}

/** /proc/<pid>/stat of every process now (pid → parsed stat); processes that vanish are left out. */
export function readProcStats(procRoot = '/proc'): Map<number, ProcStat> {
  const out = new Map<number, ProcStat>();
  for (const pid of listPids(procRoot)) {
    const st = readStat(pid, procRoot);
    if (st !== null) out.set(pid, st);
  }
  return out;
}
