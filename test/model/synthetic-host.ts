/**
 * A tiny simulated kernel for model tests: it keeps the raw facts of each process, turns each call
 * into a ProcessEvent — ONE event object, reused and mutated between calls as the real sources do —
 * and applies it to a ProcessTable.
 */

import { AUDIT_UNSET, FdType, makeDev, newProcessEvent, resetProcessEvent } from '../../src/sensor/process-event.js';
import type { EventAction, ProcessEvent } from '../../src/sensor/process-event.js';
import { ProcessTable } from '../../src/model/process-table.js';
import type { HostInfo, ProcessNode, ProcessTableOptions } from '../../src/model/types.js';

export const HOST: HostInfo = {
  name: 'test-host',
  bootId: '0f5b7c1e-1111-4222-8333-944455556666',
  pidNsIno: 4026531836,
  kernel: '6.8.0-test',
  bootTimeMs: 1_700_000_000_000,
};

export const pts = (n: number): number => makeDev(136, n);
export const TTY1 = makeDev(4, 1);
export const TTYS0 = makeDev(4, 64);
export const PIPE_DEV = makeDev(0, 13);
export const DEV_NULL = makeDev(1, 3);

/** Raw facts of one simulated process. */
export interface SimProcess {
  pid: number;
  ppid: number;
  pgid: number;
  sid: number;
  startTicks: number;
  uid: number;
  euid: number;
  loginUid: number;
  auditSessionId: number;
  tty: number;
  stdin: [number, number]; // [dev, FdType]
  stdout: [number, number];
  stderr: [number, number];
  comm: string;
  executable: string;
  args: string[];
  cwd: string;
  cgroup: string;
  sshConnection: string;
}

export const onTty = (tty: number): Pick<SimProcess, 'tty' | 'stdin' | 'stdout' | 'stderr'> => ({
  tty,
  stdin: [tty, FdType.char],
  stdout: [tty, FdType.char],
  stderr: [tty, FdType.char],
});

export const noTty = (): Pick<SimProcess, 'tty' | 'stdin' | 'stdout' | 'stderr'> => ({
  tty: 0,
  stdin: [DEV_NULL, FdType.char],
  stdout: [PIPE_DEV, FdType.pipe],
  stderr: [PIPE_DEV, FdType.pipe],
});

export class SyntheticHost {
  readonly table: ProcessTable;
  readonly procs = new Map<number, SimProcess>();
  /** The one event object every call reuses. */
  readonly event: ProcessEvent = newProcessEvent();
  time = HOST.bootTimeMs + 3_600_000;
  ticks = 10_000;

  constructor(options: Partial<ProcessTableOptions> = {}) {
    this.table = new ProcessTable({ host: HOST, ...options });
  }

  proc(pid: number): SimProcess {
    const p = this.procs.get(pid);
    if (p === undefined) throw new Error(`no simulated process ${pid}`);
    return p;
  }

  /** Declares a process without reporting it (for snapshots, or facts the model never saw). */
  define(p: Partial<SimProcess> & { pid: number }): SimProcess {
    const full: SimProcess = {
      ppid: 1,
      pgid: p.pid,
      sid: p.pid,
      startTicks: ++this.ticks,
      uid: 0,
      euid: 0,
      loginUid: AUDIT_UNSET,
      auditSessionId: AUDIT_UNSET,
      ...noTty(),
      comm: (p.executable ?? 'proc').split('/').pop()!.slice(0, 15),
      executable: '/usr/bin/proc',
      args: [p.executable ?? '/usr/bin/proc'],
      cwd: '/',
      cgroup: '',
      sshConnection: '',
      ...p,
    };
    this.procs.set(full.pid, full);
    return full;
  }

  snapshot(pid: number): ProcessNode {
    return this.emit('snapshot', this.proc(pid)) as ProcessNode;
  }

  /** fork: the child copies the parent's facts; `over` changes some (pid is the child's). */
  fork(ppid: number, pid: number, over: Partial<SimProcess> = {}): ProcessNode {
    const parent = this.proc(ppid);
    const child: SimProcess = {
      ...parent,
      args: [...parent.args],
      pid,
      ppid,
      startTicks: ++this.ticks,
      ...over,
    };
    this.procs.set(pid, child);
    return this.emit('fork', child) as ProcessNode;
  }

  exec(pid: number, executable: string, args: string[] = [executable], over: Partial<SimProcess> = {}): ProcessNode {
    const p = this.proc(pid);
    Object.assign(p, { executable, args, comm: executable.split('/').pop()!.slice(0, 15) }, over);
    return this.emit('exec', p) as ProcessNode;
  }

  /** fork + setsid + exec, the way a login service starts a session. */
  spawnSession(ppid: number, pid: number, executable: string, over: Partial<SimProcess> = {}): ProcessNode {
    this.fork(ppid, pid);
    this.setsid(pid, over.tty ?? 0);
    return this.exec(pid, executable, [executable], over);
  }

  setsid(pid: number, tty = 0): ProcessNode {
    const p = this.proc(pid);
    p.sid = pid;
    p.pgid = pid;
    p.tty = tty;
    return this.emit('setsid', p) as ProcessNode;
  }

  setpgid(pid: number, pgid: number, callerPid = pid): ProcessNode {
    this.proc(pid).pgid = pgid;
    const caller = this.proc(callerPid);
    return this.emit('setpgid', caller, (e) => {
      e.targetPid = pid;
      e.targetPgid = pgid;
    }) as ProcessNode;
  }

  exit(pid: number, exitCode = 0, signal = 0, coreDumped = false): ProcessNode {
    const p = this.proc(pid);
    const node = this.emit('end', p, (e) => {
      e.exitCode = exitCode;
      e.signal = signal;
      e.coreDumped = coreDumped;
    }) as ProcessNode;
    this.procs.delete(pid);
    return node;
  }

  typed(pid: number, line: string, truncated = false): ProcessNode {
    return this.emit('typed', this.proc(pid), (e) => {
      e.line = line;
      e.lineTruncated = truncated;
    }) as ProcessNode;
  }

  idChange(pid: number, uid: number): ProcessNode {
    const p = this.proc(pid);
    p.uid = uid;
    p.euid = uid;
    return this.emit('id_change', p) as ProcessNode;
  }

  lost(n: number): null {
    resetProcessEvent(this.event);
    this.event.action = 'lost';
    this.event.time = ++this.time;
    this.event.lost = n;
    return this.table.apply(this.event) as null;
  }

  /** Fills the shared event from `p` and applies it. */
  emit(action: EventAction, p: SimProcess, extra?: (e: ProcessEvent) => void): ProcessNode | null {
    const e = resetProcessEvent(this.event);
    e.action = action;
    e.time = ++this.time;
    e.pid = p.pid;
    e.ppid = p.ppid;
    e.pgid = p.pgid;
    e.sid = p.sid;
    e.startTicks = p.startTicks;
    e.start = HOST.bootTimeMs + p.startTicks * 10;
    e.uid = e.suid = p.uid;
    e.euid = p.euid;
    e.gid = e.egid = e.sgid = p.uid;
    e.loginUid = p.loginUid;
    e.auditSessionId = p.auditSessionId;
    e.tty = p.tty;
    e.stdinDev = p.stdin[0];
    e.stdinType = p.stdin[1] as FdType;
    e.stdoutDev = p.stdout[0];
    e.stdoutType = p.stdout[1] as FdType;
    e.stderrDev = p.stderr[0];
    e.stderrType = p.stderr[1] as FdType;
    e.comm = p.comm;
    if (action === 'exec' || action === 'snapshot') {
      e.executable = p.executable;
      e.args = p.args; // the source's own array: the model must copy it
      e.cwd = p.cwd;
      e.cgroup = p.cgroup;
      e.sshConnection = p.sshConnection;
    }
    extra?.(e);
    return this.table.apply(e);
  }

  /** pid 1 (systemd) and kthreadd, as a fresh boot's backfill reports them. */
  boot(): void {
    this.define({ pid: 1, ppid: 0, pgid: 1, sid: 1, executable: '/usr/lib/systemd/systemd', comm: 'systemd' });
    this.define({ pid: 2, ppid: 0, pgid: 0, sid: 0, executable: '', args: [], comm: 'kthreadd' });
    this.snapshot(1);
    this.snapshot(2);
    this.table.finishBackfill();
  }

  /** sshd listener (pid 500, a service) and a login: sshd → sshd → sshd → bash (pid `shell`). */
  sshLogin(shell: number, opts: { client?: string; audit?: number; loginUid?: number; ptyN?: number } = {}): ProcessNode {
    if (!this.procs.has(500)) this.spawnSession(1, 500, '/usr/sbin/sshd', { args: ['sshd', '-D'] });
    const base = shell * 10;
    this.fork(500, base + 1);
    this.setsid(base + 1);
    this.exec(base + 1, '/usr/sbin/sshd', ['sshd: root [priv]']);
    const audit = { auditSessionId: opts.audit ?? AUDIT_UNSET, loginUid: opts.loginUid ?? AUDIT_UNSET };
    Object.assign(this.proc(base + 1), audit);
    this.fork(base + 1, base + 2, audit);
    this.fork(base + 2, shell, audit);
    this.setsid(shell, pts(opts.ptyN ?? 0));
    return this.exec(shell, '/usr/bin/bash', ['-bash'], {
      ...onTty(pts(opts.ptyN ?? 0)),
      sshConnection: `${opts.client ?? '192.0.2.10'} 51234 198.51.100.5 22`,
      cwd: '/root',
    });
  }

  /** The shell `shell` runs a pipeline: each member forked, put in the first one's group, exec'd. */
  pipeline(shell: number, pids: number[], commands: string[]): ProcessNode[] {
    const sh = this.proc(shell);
    const leader = pids[0] as number;
    const nodes: ProcessNode[] = [];
    pids.forEach((pid, i) => {
      const last = i === pids.length - 1;
      const first = i === 0;
      this.fork(shell, pid, { pgid: sh.pgid });
      this.setpgid(pid, leader);
      nodes.push(
        this.exec(pid, commands[i] as string, [commands[i] as string], {
          stdin: first ? [sh.tty, FdType.char] : [PIPE_DEV, FdType.pipe],
          stdout: last ? [sh.tty, FdType.char] : [PIPE_DEV, FdType.pipe],
        }),
      );
    });
    return nodes;
  }
}
