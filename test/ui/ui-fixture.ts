/**
 * A scripted host for UI tests: it turns calls (fork, exec, typed, exit...) into ProcessEvents —
 * one reused event object, as the real sources do — applies them to a ProcessTable and tells the
 * store's feed listener, and serves the table through a ModelFeed the tests can steer.
 */

import { AUDIT_UNSET, FdType, newProcessEvent, resetProcessEvent } from '../../src/sensor/process-event.js';
import type { EventAction, ProcessEvent } from '../../src/sensor/process-event.js';
import { ProcessTable } from '../../src/model/process-table.js';
import { noTty, onTty, pts, TTY1 } from '../model/synthetic-host.js';
import type { HostInfo, ProcessNode } from '../../src/model/types.js';
import type { FeedHeader, FeedListener, HostModelView, LiveControls, ModelFeed, ReplayControls } from '../../src/ui/model-feed.js';
import type { NameLookup } from '../../src/text/user-names.js';

export const HOST: HostInfo = {
  name: 'web-1',
  bootId: '0f5b7c1e-1111-4222-8333-944455556666',
  pidNsIno: 4026531836,
  kernel: '6.8.0-test',
  bootTimeMs: Date.UTC(2024, 4, 1, 8, 0, 0),
};

export { pts, TTY1 };

export const NAMES: NameLookup = {
  user: (uid) => ({ 0: 'root', 1000: 'alice', 1001: 'bob' })[uid],
  group: (gid) => ({ 0: 'root', 1000: 'alice' })[gid],
};

interface Proc {
  pid: number;
  ppid: number;
  pgid: number;
  sid: number;
  startTicks: number;
  uid: number;
  loginUid: number;
  auditSessionId: number;
  tty: number;
  stdin: [number, number];
  stdout: [number, number];
  stderr: [number, number];
  comm: string;
  executable: string;
  args: string[];
  cwd: string;
  sshConnection: string;
}

export { onTty };

export class FixtureHost {
  readonly table = new ProcessTable({ host: HOST });
  readonly procs = new Map<number, Proc>();
  readonly event: ProcessEvent = newProcessEvent();
  listener: FeedListener | null = null;
  /** Told about every applied event (a test recorder writes its lines from here). */
  onApplied: ((e: ProcessEvent, node: ProcessNode | null) => void) | null = null;
  /** Wall time of the next event (ms); each event adds `step`. */
  time = Date.UTC(2024, 4, 1, 10, 0, 0);
  step = 1000;
  ticks = 100_000;

  define(p: Partial<Proc> & { pid: number }): Proc {
    const full: Proc = {
      ppid: 1,
      pgid: p.pid,
      sid: p.pid,
      startTicks: this.nextTicks(),
      uid: 0,
      loginUid: AUDIT_UNSET,
      auditSessionId: AUDIT_UNSET,
      ...noTty(),
      comm: (p.executable ?? 'proc').split('/').pop()!.slice(0, 15),
      executable: '/usr/bin/proc',
      args: [p.executable ?? '/usr/bin/proc'],
      cwd: '/',
      sshConnection: '',
      ...p,
    };
    this.procs.set(full.pid, full);
    return full;
  }

  private nextTicks(): number {
    // start ticks follow the event clock, so a process's start is the time it was forked
    this.ticks = Math.max(this.ticks + 1, Math.round((this.time - HOST.bootTimeMs) / 10));
    return this.ticks;
  }

  snapshot(pid: number): ProcessNode | null {
    return this.emit('snapshot', this.proc(pid));
  }

  finishBackfill(): ProcessNode[] {
    return this.table.finishBackfill();
  }

  proc(pid: number): Proc {
    const p = this.procs.get(pid);
    if (p === undefined) throw new Error(`no process ${pid}`);
    return p;
  }

  fork(ppid: number, pid: number, over: Partial<Proc> = {}): ProcessNode {
    const parent = this.proc(ppid);
    const child: Proc = { ...parent, args: [...parent.args], pid, ppid, startTicks: this.nextTicks(), ...over };
    this.procs.set(pid, child);
    return this.emit('fork', child) as ProcessNode;
  }

  exec(pid: number, executable: string, args: string[] = [executable], over: Partial<Proc> = {}): ProcessNode {
    const p = this.proc(pid);
    Object.assign(p, { executable, args, comm: executable.split('/').pop()!.slice(0, 15) }, over);
    return this.emit('exec', p) as ProcessNode;
  }

  setsid(pid: number, tty = 0): ProcessNode {
    const p = this.proc(pid);
    Object.assign(p, { sid: pid, pgid: pid, tty });
    if (tty !== 0) Object.assign(p, onTty(tty));
    return this.emit('setsid', p) as ProcessNode;
  }

  setpgid(pid: number, pgid: number): ProcessNode {
    this.proc(pid).pgid = pgid;
    return this.emit('setpgid', this.proc(pid), (e) => {
      e.targetPid = pid;
      e.targetPgid = pgid;
    }) as ProcessNode;
  }

  /** A job typed at shell `shellPid`: fork, own process group, exec. */
  job(shellPid: number, pid: number, executable: string, args: string[]): ProcessNode {
    this.fork(shellPid, pid, { pgid: pid });
    return this.exec(pid, executable, args);
  }

  exit(pid: number, exitCode = 0, signal = 0, coreDumped = false): ProcessNode {
    const p = this.proc(pid);
    const n = this.emit('end', p, (e) => {
      e.exitCode = exitCode;
      e.signal = signal;
      e.coreDumped = coreDumped;
    }) as ProcessNode;
    this.procs.delete(pid);
    return n;
  }

  typed(pid: number, line: string): ProcessNode {
    return this.emit('typed', this.proc(pid), (e) => {
      e.line = line;
    }) as ProcessNode;
  }

  /** What process `pid` wrote to its terminal (a text_output event). */
  output(pid: number, text: string, rows = 24, columns = 80, io: { skipped?: number; capped?: boolean } = {}): ProcessNode {
    return this.emit('text_output', this.proc(pid), (e) => {
      e.text = text;
      e.ioBytes = Buffer.byteLength(text);
      e.ioSkipped = io.skipped ?? 0;
      e.ioCapped = io.capped ?? false;
      e.ttyRows = rows;
      e.ttyColumns = columns;
    }) as ProcessNode;
  }

  lost(n: number): void {
    const e = resetProcessEvent(this.event);
    e.action = 'lost';
    e.time = this.time;
    e.lost = n;
    this.table.apply(e);
    this.onApplied?.(e, null);
    this.listener?.event(null, e.time);
  }

  emit(action: EventAction, p: Proc, extra?: (e: ProcessEvent) => void): ProcessNode | null {
    const e = resetProcessEvent(this.event);
    e.action = action;
    e.time = this.time;
    this.time += this.step;
    e.pid = p.pid;
    e.ppid = p.ppid;
    e.pgid = p.pgid;
    e.sid = p.sid;
    e.startTicks = p.startTicks;
    e.start = HOST.bootTimeMs + p.startTicks * 10;
    e.uid = e.euid = e.suid = p.uid;
    e.gid = e.egid = e.sgid = p.uid;
    e.loginUid = p.loginUid;
    e.auditSessionId = p.auditSessionId;
    e.tty = p.tty;
    [e.stdinDev, e.stdinType] = p.stdin as [number, FdType];
    [e.stdoutDev, e.stdoutType] = p.stdout as [number, FdType];
    [e.stderrDev, e.stderrType] = p.stderr as [number, FdType];
    e.comm = p.comm;
    if (action === 'exec' || action === 'snapshot') {
      e.executable = p.executable;
      e.args = p.args;
      e.cwd = p.cwd;
      e.sshConnection = p.sshConnection;
    }
    extra?.(e);
    const node = this.table.apply(e);
    this.onApplied?.(e, node);
    this.listener?.event(node, e.time);
    return node;
  }
}

/** A ModelFeed over one FixtureHost, with controls that record what they were asked. */
export class FixtureFeed implements ModelFeed {
  readonly calls: string[] = [];
  headerValue: FeedHeader = { source: 'eBPF', state: 'live', notice: '', lost: 0, recording: null, badLines: 0, replay: null };
  recordingPath: string | null = null;
  failRecording: Error | null = null;
  seekError: Error | null = null;
  readonly live: LiveControls | null;
  readonly replay: ReplayControls | null;

  constructor(
    readonly fixture: FixtureHost,
    readonly mode: 'live' | 'replay' = 'live',
  ) {
    const feed = this;
    this.live =
      mode === 'live'
        ? {
            get recording() {
              return feed.recordingPath !== null;
            },
            startRecording(path: string) {
              if (feed.failRecording !== null) throw feed.failRecording;
              feed.calls.push(`record ${path}`);
              feed.recordingPath = path;
              feed.headerValue = { ...feed.headerValue, recording: { path, bytes: 2048 } };
            },
            stopRecording() {
              const path = feed.recordingPath;
              feed.calls.push('stop recording');
              feed.recordingPath = null;
              feed.headerValue = { ...feed.headerValue, recording: null };
              return path === null ? null : { path, bytes: 4096 };
            },
          }
        : null;
    const call = (name: string) => () => {
      feed.calls.push(name);
    };
    this.replay =
      mode === 'replay'
        ? {
            togglePlay: call('togglePlay'),
            faster: call('faster'),
            slower: call('slower'),
            stepForward: call('stepForward'),
            stepBack: call('stepBack'),
            toStart: call('toStart'),
            toEnd: call('toEnd'),
            stepInSession(id: string, dir: 1 | -1) {
              feed.calls.push(`session ${dir > 0 ? 'next' : 'prev'} ${id}`);
              return '';
            },
            seekTo(text: string) {
              if (feed.seekError !== null) throw feed.seekError;
              feed.calls.push(`seek ${text}`);
            },
          }
        : null;
  }

  hosts(): readonly HostModelView[] {
    return [{ host: HOST, table: this.fixture.table, names: NAMES }];
  }

  now(): number {
    return this.fixture.time;
  }

  header(): FeedHeader {
    return this.headerValue;
  }
}

/**
 * A small host: init and kernel threads, two services, an ssh session of alice with typed lines,
 * user-entered jobs (one failing, one killed), shell noise, a tmux pane; a console session of bob.
 * Returns the pids of interest.
 */
export function buildScenario(f: FixtureHost) {
  f.define({ pid: 1, ppid: 0, executable: '/usr/lib/systemd/systemd', args: ['/sbin/init'] });
  f.define({ pid: 2, ppid: 0, comm: 'kthreadd', executable: '', args: [] });
  f.define({ pid: 3, ppid: 2, comm: 'rcu_gp', executable: '', args: [] });
  f.define({ pid: 4, ppid: 2, comm: 'kworker/0:0', executable: '', args: [] });
  f.define({ pid: 400, ppid: 1, executable: '/usr/sbin/cron', args: ['/usr/sbin/cron', '-f'] });
  f.define({ pid: 500, ppid: 1, executable: '/usr/sbin/sshd', args: ['sshd: /usr/sbin/sshd -D [listener]'] });
  for (const pid of [1, 2, 3, 4, 400, 500]) f.snapshot(pid);
  f.finishBackfill();

  // console login of bob on tty1 (the first login: listed first)
  f.fork(1, 2000);
  f.setsid(2000, TTY1);
  f.exec(2000, '/bin/login', ['/bin/login', '--']);
  f.fork(2000, 2001, { uid: 1001, loginUid: 1001, auditSessionId: 9 });
  f.exec(2001, '/bin/bash', ['-bash'], { cwd: '/home/bob' });
  f.typed(2001, 'top');
  f.job(2001, 2002, '/usr/bin/top', ['top']);

  // ssh login of alice from 203.0.113.7
  f.fork(500, 1000);
  f.exec(1000, '/usr/sbin/sshd', ['sshd: alice [priv]']);
  f.fork(1000, 1001, { uid: 1000, loginUid: 1000, auditSessionId: 7 });
  f.setsid(1001, pts(3));
  f.exec(1001, '/bin/bash', ['-bash'], { sshConnection: '203.0.113.7 51234 10.0.0.5 22', cwd: '/home/alice' });
  // .bashrc noise: a command substitution in the shell's own process group
  f.fork(1001, 1002);
  f.exec(1002, '/usr/bin/dircolors', ['dircolors', '-b']);
  f.exit(1002);
  f.typed(1001, 'ls -la /etc');
  f.job(1001, 1003, '/usr/bin/ls', ['ls', '-la', '/etc']);
  f.exit(1003, 0);
  f.typed(1001, 'cd /tmp');
  f.typed(1001, 'make build');
  f.job(1001, 1004, '/usr/bin/make', ['make', 'build']);
  f.fork(1004, 1005);
  f.exec(1005, '/usr/bin/cc', ['cc', '-c', 'main.c']);
  f.exit(1005, 1);
  f.exit(1004, 2);
  f.typed(1001, 'sleep 600');
  f.job(1001, 1006, '/usr/bin/sleep', ['sleep', '600']);
  f.exit(1006, 0, 2);
  // tmux: the client typed at the login shell, the server daemonized, a pane
  f.typed(1001, 'tmux');
  f.job(1001, 1010, '/usr/bin/tmux', ['tmux']);
  f.fork(1010, 1011);
  f.setsid(1011);
  f.exec(1011, '/usr/bin/tmux', ['tmux', 'new-session', '-d']);
  f.fork(1011, 1012);
  f.setsid(1012, pts(4));
  f.exec(1012, '/bin/bash', ['-bash'], { cwd: '/home/alice/src' });
  f.typed(1012, 'vim notes.txt');
  f.job(1012, 1013, '/usr/bin/vim', ['vim', 'notes.txt']);

  return { sshLeader: 1001, sshd: 1000, tmuxPane: 1012, vim: 1013, make: 1004, cc: 1005, sleep: 1006, console: 2000, bobShell: 2001, top: 2002 };
}
