/**
 * ProcfsSource: the /proc polling EventSource, used when eBPF is unavailable (not root, no BTF, the
 * sensor failed to open). It is `degraded`: a process that starts and ends between two polls is
 * never seen, and an exec that keeps the same executable is not noticed.
 *
 * At start it scans /proc (one `snapshot` event per process, unless `snapshot: false`), then every
 * `intervalMs` it diffs /proc against what it knows, keyed by (pid, start time), and synthesizes:
 * - `fork` for a new process (time = its start), then `exec` with its image unless it still runs
 *   its parent's image (or is already a zombie, whose image /proc no longer shows);
 * - `exec` when a known process's executable changed;
 * - `setsid` / `setpgid` when its session / process group changed;
 * - `end` when it became a zombie (with the real exit status from /proc/<pid>/stat) or vanished
 *   (exit code then unknown: reported as 0, signal 0), and for the old holder of a reused pid.
 * New processes are reported in start order, so parents come before their children.
 */

import { listPids, readExecutable, readProcessEvent, readProcessName, readStat, scanProcSnapshot, decodeWaitStatus } from './procfs.js';
import type { ProcReadOptions, ProcStat } from './procfs.js';
import { newProcessEvent, resetProcessEvent } from './process-event.js';
import type { EventSource, ProcessEvent } from './process-event.js';

export const DEFAULT_POLL_INTERVAL_MS = 1000;
const TICKS_PER_SECOND = 100;

export interface ProcfsSourceOptions extends ProcReadOptions {
  /** Poll period. Default 1000 ms. */
  intervalMs?: number;
  /** Emit a `snapshot` event per existing process at start (default true); false: only learn them. */
  snapshot?: boolean;
}

/** What the source remembers of one process between polls. */
interface KnownProcess {
  startTicks: number;
  ppid: number;
  pgid: number;
  sid: number;
  comm: string;
  executable: string;
  /** argv joined with NUL: tells a forked child still running its parent's image. */
  argsKey: string;
  kernelThread: boolean;
  /** An `end` was already reported (zombie not yet reaped). */
  ended: boolean;
  /** Last poll generation it was seen in. */
  generation: number;
}

export class ProcfsSource implements EventSource {
  readonly name = 'procfs' as const;
  readonly degraded = true;
  readonly intervalMs: number;

  private readonly opts: ProcfsSourceOptions;
  private readonly known = new Map<number, KnownProcess>();
  private readonly event: ProcessEvent = newProcessEvent();
  private onEvent: ((e: ProcessEvent) => void) | null = null;
  private timer: NodeJS.Timeout | null = null;
  private generation = 0;

  constructor(opts: ProcfsSourceOptions) {
    this.opts = opts;
    this.intervalMs = Math.max(10, opts.intervalMs ?? DEFAULT_POLL_INTERVAL_MS);
  }

  async start(onEvent: (e: ProcessEvent) => void): Promise<void> {
    if (this.onEvent !== null) throw new Error('procfs source already started');
    this.onEvent = onEvent;
    this.generation++;
    for (const e of scanProcSnapshot(this.opts)) {
      this.remember(e, false);
      if (this.opts.snapshot ?? true) onEvent(e);
    }
    this.timer = setInterval(() => this.poll(), this.intervalMs);
  }

  async stop(): Promise<void> {
    if (this.timer !== null) clearInterval(this.timer);
    this.timer = null;
    this.onEvent = null;
  }

  /** Number of processes currently known (alive or zombie). */
  get knownCount(): number {
    return this.known.size;
  }

  /** One diff pass over /proc (the timer calls it; tests may too). Returns the events emitted. */
  poll(): number {
    const emit = this.onEvent;
    if (emit === null) return 0;
    const root = this.opts.procRoot ?? '/proc';
    const gen = ++this.generation;
    const now = Date.now();
    let count = 0;
    const fresh: ProcStat[] = [];

    for (const pid of listPids(root)) {
      const st = readStat(pid, root);
      if (st === null) continue;
      const k = this.known.get(pid);
      if (k === undefined || k.startTicks !== st.startTicks) {
        if (k !== undefined) {
          if (!k.ended) count += this.emitEnd(pid, k, -1, now);
          this.known.delete(pid);
        }
        fresh.push(st);
        continue;
      }
      k.generation = gen;
      if (k.ended) continue;
      if (st.state === 'Z') {
        count += this.emitEnd(pid, k, st.exitStatus, now);
        continue;
      }
      k.ppid = st.ppid;
      if (k.kernelThread) continue;
      const exe = readExecutable(pid, root);
      const execd = exe !== '' ? exe !== k.executable : st.comm !== k.comm;
      if (execd) {
        count += this.emitChange(pid, 'exec', now, k);
      } else if (st.sid !== k.sid && st.sid === pid) {
        count += this.emitChange(pid, 'setsid', now, k);
      } else if (st.pgid !== k.pgid) {
        count += this.emitChange(pid, 'setpgid', now, k);
      }
    }

    for (const [pid, k] of this.known) {
      if (k.generation === gen) continue;
      if (!k.ended) count += this.emitEnd(pid, k, -1, now);
      this.known.delete(pid);
    }

    fresh.sort((a, b) => a.startTicks - b.startTicks || a.pid - b.pid);
    for (const st of fresh) count += this.emitNew(st, gen, now);
    return count;
  }

  // ---------------------------------------------------------------- synthesis

  private emitNew(st: ProcStat, gen: number, now: number): number {
    const emit = this.onEvent;
    const e = this.event;
    if (emit === null || !readProcessEvent(st.pid, e, this.opts, (ppid) => this.parentName(ppid))) return 0;
    const k = this.remember(e, false);
    k.generation = gen;
    const parent = this.known.get(e.ppid);
    const runsParentImage =
      parent !== undefined && parent.executable === k.executable && parent.argsKey === k.argsKey;
    const executable = e.executable;
    const args = e.args;
    const argsTruncated = e.argsTruncated;
    const cwd = e.cwd;
    const cgroup = e.cgroup;
    const ssh = e.sshConnection;

    let count = 0;
    e.action = 'fork';
    e.time = Math.min(e.start, now);
    e.executable = '';
    e.args = [];
    e.argsTruncated = false;
    e.cwd = '';
    e.cgroup = '';
    e.sshConnection = '';
    emit(e);
    count++;
    // A zombie's image is gone from /proc: report its fork and end only.
    if (!runsParentImage && !k.kernelThread && st.state !== 'Z') {
      e.action = 'exec';
      e.executable = executable;
      e.args = args;
      e.argsTruncated = argsTruncated;
      e.cwd = cwd;
      e.cgroup = cgroup;
      e.sshConnection = ssh;
      emit(e);
      count++;
    }
    // Already a zombie when this poll listed it: its exit status is known.
    if (st.state === 'Z') count += this.emitEnd(st.pid, k, st.exitStatus, now);
    return count;
  }

  /** exec / setsid / setpgid of a known process: its current facts, the action, now. */
  private emitChange(pid: number, action: 'exec' | 'setsid' | 'setpgid', now: number, k: KnownProcess): number {
    const emit = this.onEvent;
    const e = this.event;
    if (emit === null || !readProcessEvent(pid, e, this.opts, (ppid) => this.parentName(ppid))) return 0;
    if (e.startTicks !== k.startTicks) return 0; // replaced meanwhile: the next poll sees it as new
    e.action = action;
    e.time = now;
    if (action === 'setpgid') {
      e.targetPid = pid;
      e.targetPgid = e.pgid;
    }
    if (action !== 'exec') {
      // Only exec and snapshot carry the image.
      const keep = this.remember(e, false);
      keep.generation = this.generation;
      e.executable = '';
      e.args = [];
      e.argsTruncated = false;
      e.cwd = '';
      e.cgroup = '';
      e.sshConnection = '';
    } else {
      this.remember(e, false).generation = this.generation;
    }
    emit(e);
    return 1;
  }

  /** `end` of a known process; `status` is the wait(2) status, or −1 when unknown. */
  private emitEnd(pid: number, k: KnownProcess, status: number, now: number): number {
    const emit = this.onEvent;
    if (emit === null) return 0;
    k.ended = true;
    const e = resetProcessEvent(this.event);
    e.action = 'end';
    e.time = now;
    e.pid = pid;
    e.ppid = k.ppid;
    e.pgid = k.pgid;
    e.sid = k.sid;
    e.startTicks = k.startTicks;
    e.start = this.opts.bootTimeMs + (k.startTicks * 1000) / TICKS_PER_SECOND;
    e.comm = k.comm;
    if (status >= 0) decodeWaitStatus(status, e);
    else e.exitUnknown = true; // gone and reaped between two polls: how it ended is not known
    emit(e);
    return 1;
  }

  private remember(e: ProcessEvent, ended: boolean): KnownProcess {
    let k = this.known.get(e.pid);
    const argsKey = e.args.join('\0');
    if (k === undefined || k.startTicks !== e.startTicks) {
      k = {
        startTicks: e.startTicks,
        ppid: e.ppid,
        pgid: e.pgid,
        sid: e.sid,
        comm: e.comm,
        executable: e.executable,
        argsKey,
        kernelThread: e.pid === 2 || e.ppid === 2,
        ended,
        generation: this.generation,
      };
      this.known.set(e.pid, k);
    } else {
      k.ppid = e.ppid;
      k.pgid = e.pgid;
      k.sid = e.sid;
      k.comm = e.comm;
      k.executable = e.executable;
      k.argsKey = argsKey;
    }
    return k;
  }

  private parentName(ppid: number): string {
    const k = this.known.get(ppid);
    if (k !== undefined && k.executable !== '') return k.executable.slice(k.executable.lastIndexOf('/') + 1);
    return readProcessName(ppid, this.opts.procRoot);
  }
}
