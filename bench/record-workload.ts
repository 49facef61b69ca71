/**
 * A deterministic synthetic host for the recording benches and tests: pid 1, kthreadd, a few
 * services, sshd with interactive login shells on ptys typing commands and pipelines (forks,
 * execs, setpgid, exits, typed lines), sudo (id_change), tmux (setsid), and cron jobs without a
 * tty. Events come out as ProcessEvents through one reused object, like a real source.
 */

import { ProcessTable } from '../src/model/process-table.js';
import type { HostInfo } from '../src/model/types.js';
import { EcsDocumentBuilder } from '../src/record/ecs-document.js';
import { RecordingWriter } from '../src/record/recording-writer.js';
import { FdType, makeDev, newProcessEvent, resetProcessEvent, type EventAction, type ProcessEvent } from '../src/sensor/process-event.js';

export const SYNTHETIC_HOST: HostInfo = {
  name: 'bench-host',
  bootId: '5b1f3c2e-8d4a-4f6b-9e0c-1a2b3c4d5e6f',
  pidNsIno: 4026531836,
  kernel: '6.1.0-bench',
  bootTimeMs: Date.UTC(2024, 4, 1, 0, 0, 0),
};

interface Proc {
  pid: number;
  ppid: number;
  pgid: number;
  sid: number;
  startTicks: number;
  start: number;
  uid: number;
  euid: number;
  gid: number;
  egid: number;
  loginUid: number;
  auditSessionId: number;
  tty: number;
  stdin: [number, FdType];
  stdout: [number, FdType];
  stderr: [number, FdType];
  comm: string;
  executable: string;
  args: string[];
  cwd: string;
  cgroup: string;
  ssh: string;
}

const COMMANDS: [string, string[]][] = [
  ['/usr/bin/ls', ['ls', '-la']],
  ['/usr/bin/cat', ['cat', '/etc/hosts']],
  ['/usr/bin/grep', ['grep', '-r', 'error', '/var/log/syslog']],
  ['/usr/bin/ps', ['ps', 'aux']],
  ['/usr/bin/vim', ['vim', 'notes.txt']],
  ['/usr/bin/git', ['git', 'status']],
  ['/usr/bin/curl', ['curl', '-s', 'https://example.com/health']],
  ['/usr/bin/tail', ['tail', '-n', '100', '/var/log/nginx/access.log']],
  ['/usr/bin/df', ['df', '-h']],
  ['/usr/bin/systemctl', ['systemctl', 'status', 'nginx']],
];
const PIPE_STAGES: [string, string[]][] = [
  ['/usr/bin/sort', ['sort']],
  ['/usr/bin/uniq', ['uniq', '-c']],
  ['/usr/bin/wc', ['wc', '-l']],
  ['/usr/bin/head', ['head', '-20']],
];

/** Deterministic PRNG (mulberry32). */
export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export class SyntheticHost {
  readonly host: HostInfo;
  private readonly e = newProcessEvent();
  private readonly procs = new Map<number, Proc>();
  private readonly shells: Proc[] = [];
  private readonly random: () => number;
  private nextPid = 1000;
  /** Wall clock of the next event (ms). */
  time: number;
  private readonly stepMs: number;
  private sessionsOpened = 0;
  private sshd!: Proc;
  private cron!: Proc;

  constructor(options: { seed?: number; host?: HostInfo; startTime?: number; stepMs?: number; sessions?: number } = {}) {
    this.host = options.host ?? SYNTHETIC_HOST;
    this.random = rng(options.seed ?? 42);
    this.time = options.startTime ?? this.host.bootTimeMs + 3_600_000;
    this.stepMs = options.stepMs ?? 0.05;
    this.setupBaseSystem(options.sessions ?? 8);
  }

  /** Emits one `snapshot` event per existing process (parents first). */
  backfill(emit: (e: ProcessEvent) => void): number {
    let n = 0;
    for (const p of [...this.procs.values()].sort((a, b) => a.startTicks - b.startTicks || a.pid - b.pid)) {
      this.fill('snapshot', p);
      emit(this.e);
      n++;
    }
    return n;
  }

  /** Emits about `count` live events (a whole scenario step may overshoot by a few). */
  run(count: number, emit: (e: ProcessEvent) => void): number {
    let n = 0;
    const out = (e: ProcessEvent): void => {
      n++;
      emit(e);
    };
    while (n < count) this.scenario(out);
    return n;
  }

  // ------------------------------------------------------------------ scenarios

  private scenario(emit: (e: ProcessEvent) => void): void {
    const r = this.random();
    if (this.shells.length < 3 || r < 0.01) this.openSession(emit);
    else if (r < 0.02 && this.shells.length > 6) this.closeSession(emit);
    else if (r < 0.12) this.cronJob(emit);
    else if (r < 0.13) this.sudo(emit);
    else if (r < 0.135) this.tmux(emit);
    else if (r < 0.14) this.lost(emit);
    else this.typedCommand(emit);
  }

  private openSession(emit: (e: ProcessEvent) => void): void {
    const n = this.sessionsOpened++;
    const conn = this.child(this.sshd, emit);
    this.exec(conn, '/usr/sbin/sshd', ['sshd: alice [priv]'], emit);
    const uid = 1000 + (n % 5);
    const tty = makeDev(136, n % 64);
    const shell = this.child(conn, emit);
    shell.sid = shell.pid;
    shell.pgid = shell.pid;
    this.event('setsid', shell, emit);
    shell.uid = shell.euid = uid;
    shell.gid = shell.egid = uid;
    shell.loginUid = uid;
    shell.auditSessionId = 100 + n;
    shell.tty = tty;
    shell.stdin = [tty, FdType.char];
    shell.stdout = [tty, FdType.char];
    shell.stderr = [tty, FdType.char];
    shell.ssh = `10.0.${(n >> 8) & 255}.${n & 255} ${50000 + (n % 10000)} 10.0.0.1 22`;
    shell.cwd = `/home/u${uid}`;
    this.event('id_change', shell, emit);
    this.exec(shell, '/usr/bin/bash', ['-bash'], emit);
    this.shells.push(shell);
  }

  private closeSession(emit: (e: ProcessEvent) => void): void {
    const shell = this.shells.shift() as Proc;
    this.typed(shell, 'exit', emit);
    this.end(shell, 0, 0, emit);
    const conn = this.procs.get(shell.ppid);
    if (conn !== undefined) this.end(conn, 0, 0, emit);
  }

  private typedCommand(emit: (e: ProcessEvent) => void): void {
    const shell = this.shells[Math.floor(this.random() * this.shells.length)] as Proc;
    const [exe, args] = COMMANDS[Math.floor(this.random() * COMMANDS.length)] as [string, string[]];
    const pipeline = this.random() < 0.3;
    const stages: [string, string[]][] = [[exe, args]];
    if (pipeline) stages.push(PIPE_STAGES[Math.floor(this.random() * PIPE_STAGES.length)] as [string, string[]]);
    this.typed(shell, stages.map(([, a]) => a.join(' ')).join(' | '), emit);
    const kids: Proc[] = [];
    let pgid = 0;
    for (let i = 0; i < stages.length; i++) {
      const kid = this.child(shell, emit);
      if (i === 0) pgid = kid.pid;
      kid.pgid = pgid;
      this.setpgid(shell, kid, emit);
      if (pipeline) {
        if (i < stages.length - 1) kid.stdout = [makeDev(0, 13), FdType.pipe];
        if (i > 0) kid.stdin = [makeDev(0, 13), FdType.pipe];
      }
      const [x, a] = stages[i] as [string, string[]];
      this.exec(kid, x, a, emit);
      kids.push(kid);
    }
    for (const kid of kids) {
      const code = this.random() < 0.1 ? 1 : 0;
      const signal = this.random() < 0.02 ? 13 : 0;
      this.end(kid, signal === 0 ? code : 0, signal, emit);
    }
  }

  private cronJob(emit: (e: ProcessEvent) => void): void {
    const job = this.child(this.cron, emit);
    job.sid = job.pid;
    job.pgid = job.pid;
    this.event('setsid', job, emit);
    this.exec(job, '/bin/sh', ['/bin/sh', '-c', 'run-parts /etc/cron.hourly'], emit);
    const step = this.child(job, emit);
    this.exec(step, '/usr/bin/run-parts', ['run-parts', '/etc/cron.hourly'], emit);
    this.end(step, 0, 0, emit);
    this.end(job, 0, 0, emit);
  }

  private sudo(emit: (e: ProcessEvent) => void): void {
    const shell = this.shells[Math.floor(this.random() * this.shells.length)] as Proc;
    this.typed(shell, 'sudo systemctl restart nginx', emit);
    const s = this.child(shell, emit);
    s.pgid = s.pid;
    this.setpgid(shell, s, emit);
    this.exec(s, '/usr/bin/sudo', ['sudo', 'systemctl', 'restart', 'nginx'], emit);
    s.euid = 0;
    s.egid = 0;
    this.event('id_change', s, emit);
    const c = this.child(s, emit);
    this.exec(c, '/usr/bin/systemctl', ['systemctl', 'restart', 'nginx'], emit);
    this.end(c, 0, 0, emit);
    this.end(s, 0, 0, emit);
  }

  private tmux(emit: (e: ProcessEvent) => void): void {
    const shell = this.shells[Math.floor(this.random() * this.shells.length)] as Proc;
    this.typed(shell, 'tmux new -d', emit);
    const t = this.child(shell, emit);
    t.pgid = t.pid;
    this.setpgid(shell, t, emit);
    this.exec(t, '/usr/bin/tmux', ['tmux', 'new', '-d'], emit);
    const server = this.child(t, emit);
    server.sid = server.pid;
    server.pgid = server.pid;
    this.event('setsid', server, emit);
    this.end(t, 0, 0, emit);
    const pane = this.child(server, emit);
    pane.sid = pane.pid;
    pane.pgid = pane.pid;
    this.event('setsid', pane, emit);
    this.exec(pane, '/usr/bin/bash', ['-bash'], emit);
    this.end(pane, 0, 0, emit);
    this.end(server, 0, 0, emit);
  }

  private lost(emit: (e: ProcessEvent) => void): void {
    resetProcessEvent(this.e);
    this.e.action = 'lost';
    this.e.time = this.tick();
    this.e.lost = 1 + Math.floor(this.random() * 10);
    emit(this.e);
  }

  // ------------------------------------------------------------------ primitives

  private setupBaseSystem(sessions: number): void {
    const base = (pid: number, ppid: number, exe: string, args: string[], comm?: string): Proc => {
      const p = this.newProc(pid, ppid, pid, pid);
      p.executable = exe;
      p.args = args;
      p.comm = comm ?? exe.slice(exe.lastIndexOf('/') + 1).slice(0, 15);
      p.startTicks = pid; // booted early
      p.start = this.host.bootTimeMs + pid * 10;
      return p;
    };
    base(1, 0, '/usr/lib/systemd/systemd', ['/sbin/init'], 'systemd');
    const kthreadd = base(2, 0, '', [], 'kthreadd');
    kthreadd.executable = '';
    base(300, 1, '/usr/lib/systemd/systemd-journald', ['/usr/lib/systemd/systemd-journald']);
    this.cron = base(600, 1, '/usr/sbin/cron', ['/usr/sbin/cron', '-f']);
    this.sshd = base(700, 1, '/usr/sbin/sshd', ['sshd: /usr/sbin/sshd -D [listener] 0 of 10-100 startups']);
    base(800, 1, '/usr/sbin/nginx', ['nginx: master process /usr/sbin/nginx']);
    this.time = Math.max(this.time, this.host.bootTimeMs + 10_000);
    const sink = (): void => undefined;
    for (let i = 0; i < sessions; i++) this.openSession(sink);
  }

  private newProc(pid: number, ppid: number, pgid: number, sid: number): Proc {
    const p: Proc = {
      pid,
      ppid,
      pgid,
      sid,
      startTicks: 0,
      start: 0,
      uid: 0,
      euid: 0,
      gid: 0,
      egid: 0,
      loginUid: 0xffffffff,
      auditSessionId: 0xffffffff,
      tty: 0,
      stdin: [makeDev(0, 5), FdType.char],
      stdout: [makeDev(0, 5), FdType.char],
      stderr: [makeDev(0, 5), FdType.char],
      comm: '',
      executable: '',
      args: [],
      cwd: '/',
      cgroup: 'init.scope',
      ssh: '',
    };
    this.procs.set(pid, p);
    return p;
  }

  private tick(): number {
    this.time += this.stepMs * (0.5 + this.random());
    return this.time;
  }

  private allocPid(): number {
    do {
      this.nextPid = this.nextPid >= 4_000_000 ? 1000 : this.nextPid + 1;
    } while (this.procs.has(this.nextPid));
    return this.nextPid;
  }

  private child(parent: Proc, emit: (e: ProcessEvent) => void): Proc {
    const pid = this.allocPid();
    const c: Proc = { ...parent, pid, ppid: parent.pid };
    const t = this.tick();
    c.startTicks = Math.floor((t - this.host.bootTimeMs) / 10);
    c.start = this.host.bootTimeMs + c.startTicks * 10;
    this.procs.set(pid, c);
    this.fill('fork', c, t);
    emit(this.e);
    return c;
  }

  private exec(p: Proc, exe: string, args: string[], emit: (e: ProcessEvent) => void): void {
    p.executable = exe;
    p.args = args;
    p.comm = exe.slice(exe.lastIndexOf('/') + 1).slice(0, 15);
    this.fill('exec', p);
    emit(this.e);
  }

  private setpgid(caller: Proc, target: Proc, emit: (e: ProcessEvent) => void): void {
    this.fill('setpgid', caller);
    this.e.targetPid = target.pid;
    this.e.targetPgid = target.pgid;
    emit(this.e);
  }

  private typed(shell: Proc, line: string, emit: (e: ProcessEvent) => void): void {
    this.fill('typed', shell);
    this.e.line = line;
    emit(this.e);
  }

  private event(action: EventAction, p: Proc, emit: (e: ProcessEvent) => void): void {
    this.fill(action, p);
    emit(this.e);
  }

  private end(p: Proc, code: number, signal: number, emit: (e: ProcessEvent) => void): void {
    this.fill('end', p);
    this.e.exitCode = code;
    this.e.signal = signal;
    emit(this.e);
    this.procs.delete(p.pid);
    const i = this.shells.indexOf(p);
    if (i >= 0) this.shells.splice(i, 1);
  }

  private fill(action: EventAction, p: Proc, time?: number): void {
    const e = resetProcessEvent(this.e);
    e.action = action;
    e.time = time ?? this.tick();
    e.pid = p.pid;
    e.ppid = p.ppid;
    e.pgid = p.pgid;
    e.sid = p.sid;
    e.startTicks = p.startTicks;
    e.start = p.start;
    e.uid = p.uid;
    e.euid = p.euid;
    e.suid = p.euid;
    e.gid = p.gid;
    e.egid = p.egid;
    e.sgid = p.egid;
    e.loginUid = p.loginUid;
    e.auditSessionId = p.auditSessionId;
    e.tty = p.tty;
    e.stdinDev = p.stdin[0];
    e.stdinType = p.stdin[1];
    e.stdoutDev = p.stdout[0];
    e.stdoutType = p.stdout[1];
    e.stderrDev = p.stderr[0];
    e.stderrType = p.stderr[1];
    e.comm = p.comm;
    if (action === 'exec' || action === 'snapshot') {
      e.executable = p.executable;
      e.args = p.args;
      e.cwd = p.cwd;
      e.cgroup = p.cgroup;
      e.sshConnection = p.ssh;
    }
  }
}

/**
 * Writes a recording of a synthetic host: the backfill as `snapshot` lines (once the model linked
 * them), then `events` live events, each serialized from the model's enriched node.
 * Returns the live model (for comparisons) and the number of lines.
 */
export function writeSyntheticRecording(
  path: string,
  events: number,
  options: { seed?: number; host?: HostInfo; onLine?: (line: string) => void } = {},
): { lines: number; table: ProcessTable } {
  const gen = new SyntheticHost({ seed: options.seed ?? 1, ...(options.host ? { host: options.host } : {}) });
  const table = new ProcessTable({ host: gen.host });
  const doc = new EcsDocumentBuilder({ host: gen.host });
  const writer = RecordingWriter.open(path, { force: true });
  let lines = 0;
  const write = (line: string): void => {
    writer.write(line);
    options.onLine?.(line);
    lines++;
  };
  let last = 0;
  gen.backfill((e) => {
    table.apply(e);
    last = e.time;
  });
  for (const n of table.finishBackfill()) write(doc.snapshotLine(n, last));
  gen.run(events, (e) => write(doc.eventLine(e, table.apply(e))));
  writer.close();
  return { lines, table };
}
