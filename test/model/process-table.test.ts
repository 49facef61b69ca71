import { describe, expect, it } from 'vitest';
import { FdType } from '../../src/sensor/process-event.js';
import { entityId } from '../../src/model/entity-id.js';
import { nameOf } from '../../src/model/process-table.js';
import { HOST, PIPE_DEV, SyntheticHost, onTty, pts } from './synthetic-host.js';

function booted(options = {}): SyntheticHost {
  const sim = new SyntheticHost(options);
  sim.boot();
  return sim;
}

describe('ProcessTable: lifecycle', () => {
  it('fork runs the parent image; exec replaces it and keeps the previous (bounded)', () => {
    const sim = booted({ maxPrevious: 2 });
    sim.sshLogin(602);
    const child = sim.fork(602, 700);
    expect(child.executable).toBe('/usr/bin/bash');
    expect(child.args).toEqual(['-bash']);
    expect(child.previous).toEqual([]);
    sim.exec(700, '/usr/bin/env', ['env', 'a']);
    sim.exec(700, '/usr/bin/python3', ['python3', 'x.py']);
    const n = sim.exec(700, '/usr/bin/sleep', ['sleep', '9']);
    expect(n.executable).toBe('/usr/bin/sleep');
    expect(n.name).toBe('sleep');
    expect(n.previous.map((p) => p.executable)).toEqual(['/usr/bin/env', '/usr/bin/python3']);
    expect(n.previous[1]!.args).toEqual(['python3', 'x.py']);
  });

  it('copies what it keeps: the reused event and its arrays can change afterwards', () => {
    const sim = booted();
    sim.sshLogin(602);
    sim.fork(602, 700);
    const args = ['cat', '/etc/hosts'];
    const n = sim.exec(700, '/usr/bin/cat', args);
    args[1] = '/etc/shadow';
    sim.event.args.push('more');
    sim.event.executable = '/bin/evil';
    sim.event.pid = 1;
    expect(n.args).toEqual(['cat', '/etc/hosts']);
    expect(n.executable).toBe('/usr/bin/cat');
    expect(n.pid).toBe(700);
  });

  it('end records exit code, signal, core dump and duration; the node is retained', () => {
    const sim = booted();
    sim.sshLogin(602);
    sim.fork(602, 700);
    const a = sim.exit(700, 3);
    expect([a.exited, a.exitCode, a.signal, a.exitCause]).toEqual([true, 3, 0, 'exited']);
    expect(a.end).toBeGreaterThan(a.start);
    sim.fork(602, 701);
    expect(sim.exit(701, 0, 9).exitCause).toBe('signaled');
    sim.fork(602, 702);
    const c = sim.exit(702, 0, 11, true);
    expect([c.signal, c.coreDumped, c.exitCause]).toEqual([11, true, 'coredumped']);
    expect(sim.table.get(700)).toBe(a);
    const st = sim.table.stats();
    expect(st.exited).toBe(3);
    expect(st.live).toBe(st.tracked - 3);
  });

  it('id_change updates credentials in place; lost events are counted', () => {
    const sim = booted();
    sim.sshLogin(602);
    sim.fork(602, 700);
    const n = sim.idChange(700, 1000);
    expect([n.uid, n.euid]).toEqual([1000, 1000]);
    expect(sim.lost(5)).toBeNull();
    sim.lost(2);
    expect(sim.table.stats().lost).toBe(7);
  });

  it('typed lines attach to the shell, bounded, and show in its entry session', () => {
    const sim = booted({ maxTypedLines: 3 });
    const bash = sim.sshLogin(602);
    for (const line of ['cd /tmp', 'export X=1', 'history -c', 'ls -la']) sim.typed(602, line);
    sim.typed(602, 'x'.repeat(10), true);
    expect(bash.typed.map((t) => t.line)).toEqual(['history -c', 'ls -la', 'x'.repeat(10)]);
    expect(bash.typed[2]!.truncated).toBe(true);
    expect(bash.entrySession?.lastTyped?.line).toBe('x'.repeat(10));
    expect(bash.entrySession?.lastTypedBy).toBe(bash);
    expect(bash.entrySession?.lastActivity).toBe(sim.time);
  });

  it('setpgid (by the shell, on a child) moves the target to the group', () => {
    const sim = booted();
    sim.sshLogin(602);
    const child = sim.fork(602, 700);
    expect(child.pgid).toBe(602);
    expect(child.groupLeader?.pid).toBe(602);
    const moved = sim.setpgid(700, 700, 602);
    expect(moved).toBe(child);
    expect(child.pgid).toBe(700);
    expect(child.groupLeader).toBe(child);
  });
});

describe('ProcessTable: entity ids', () => {
  it('the same process gets the same entity id at backfill and in a later live event', () => {
    const sim = booted();
    sim.define({ pid: 4242, ppid: 1, executable: '/usr/bin/sleep' });
    const snap = sim.snapshot(4242);
    const ticks = snap.startTicks;
    sim.table.finishBackfill();
    const id = snap.entityId;
    const end = sim.exit(4242, 0);
    expect(end).toBe(snap);
    expect(end.entityId).toBe(id);
    expect(id).toBe(entityId(HOST.bootId, HOST.pidNsIno, 4242, ticks));
    // a fresh table (a restarted sessiontop, or a replay) computes the same id
    const other = new SyntheticHost();
    other.define({ pid: 4242, ppid: 1, startTicks: ticks, executable: '/usr/bin/sleep' });
    expect(other.snapshot(4242).entityId).toBe(id);
  });
});

describe('ProcessTable: PID reuse', () => {
  it('within the same session: a new start time is a new process; the old one is kept', () => {
    const sim = booted();
    const bash = sim.sshLogin(602);
    sim.fork(602, 700);
    const first = sim.exec(700, '/usr/bin/true');
    const firstId = first.entityId;
    sim.exit(700, 0);
    sim.fork(602, 700);
    const second = sim.exec(700, '/usr/bin/false');
    expect(second).not.toBe(first);
    expect(second.entityId).not.toBe(firstId);
    expect(first.exited).toBe(true);
    expect(second.exited).toBe(false);
    expect(sim.table.get(700)).toBe(second);
    expect(sim.table.find(700, first.startTicks)).toBe(first);
    expect(second.entryLeader).toBe(bash);
    expect(bash.entrySession?.members.has(first)).toBe(true);
    expect(bash.entrySession?.members.has(second)).toBe(true);
  });

  it('in a new session, with the first end never seen: the old holder is closed', () => {
    const sim = booted();
    const a = sim.sshLogin(602, { ptyN: 0 });
    const b = sim.sshLogin(603, { ptyN: 1 });
    sim.fork(602, 700);
    const old = sim.exec(700, '/usr/bin/vim');
    sim.procs.delete(700); // its end is lost
    sim.fork(603, 700);
    const fresh = sim.exec(700, '/usr/bin/top');
    expect(old.exited).toBe(true);
    expect(old.exitCause).toBe('unknown');
    expect(old.entryLeader).toBe(a);
    expect(fresh.entryLeader).toBe(b);
    expect(a.entrySession?.liveCount).toBe(1);
    expect(b.entrySession?.liveCount).toBe(2);
    // the late end of the old one still finds it (by start time) and fills its exit
    sim.define({ pid: 700, ppid: 602, startTicks: old.startTicks });
    const late = sim.exit(700, 1);
    expect(late).toBe(old);
    expect(old.exitCause).toBe('exited');
    expect(fresh.exited).toBe(false);
  });

  it('events of an older holder arriving after the newer one attach to a separate node', () => {
    const sim = booted();
    sim.sshLogin(602);
    sim.fork(602, 700);
    const newer = sim.table.get(700)!;
    sim.define({ pid: 700, ppid: 602, startTicks: newer.startTicks - 5, pgid: 602, sid: 602 });
    const older = sim.exit(700, 2);
    expect(older).not.toBe(newer);
    expect(older.startTicks).toBe(newer.startTicks - 5);
    expect(older.exitCode).toBe(2);
    expect(sim.table.get(700)).toBe(newer);
    expect(newer.exited).toBe(false);
  });
});

describe('ProcessTable: user-entered and interactive', () => {
  it('a pipeline: every member user-entered, one group, their children point at them', () => {
    const sim = booted();
    const bash = sim.sshLogin(602);
    const [cat, grep, wc] = sim.pipeline(602, [700, 701, 702], ['/usr/bin/cat', '/usr/bin/grep', '/usr/bin/wc']);
    for (const n of [cat!, grep!, wc!]) {
      expect(n.userEntered).toBe(true);
      expect(n.groupLeader).toBe(cat);
      expect(n.lastUserEntered).toBeNull(); // bash itself is not user-entered (sshd's stdin is no tty)
      expect(n.sessionLeader).toBe(bash);
    }
    expect(bash.userEntered).toBe(false);
    expect(bash.interactive).toBe(true);
    expect(cat!.interactive).toBe(true); // stdin and stderr on the tty (stdout is the pipe)
    expect(grep!.interactive).toBe(false); // stdin is a pipe
    expect(wc!.interactive).toBe(false);
    // grep runs a helper in its own group: not user-entered, its last user-entered is grep
    const helper = sim.fork(701, 703);
    sim.exec(703, '/usr/bin/gzip', ['gzip', '-dc']);
    expect(helper.userEntered).toBe(false);
    expect(helper.lastUserEntered).toBe(grep);
    const grandchild = sim.fork(703, 704);
    expect(grandchild.lastUserEntered).toBe(grep);
    expect(bash.entrySession?.lastUserEntered).toBe(wc);
  });

  it('a process is never its own last user-entered; nested shells', () => {
    const sim = booted();
    sim.sshLogin(602);
    const inner = sim.pipeline(602, [700], ['/usr/bin/bash'])[0]!;
    expect(inner.userEntered).toBe(true);
    expect(inner.lastUserEntered).toBeNull();
    const ls = sim.pipeline(700, [710], ['/usr/bin/ls'])[0]!;
    expect(ls.userEntered).toBe(true);
    expect(ls.lastUserEntered).toBe(inner);
  });

  it('a completion helper in the shell own process group is not user-entered', () => {
    const sim = booted();
    sim.sshLogin(602);
    const helper = sim.fork(602, 720); // stays in bash's group
    const n = sim.exec(720, '/usr/share/bash-completion/helpers/git', ['git', 'for-each-ref'], {
      stdout: [PIPE_DEV, FdType.pipe],
    });
    expect(n).toBe(helper);
    expect(n.pgid).toBe(602);
    expect(n.userEntered).toBe(false);
    expect(n.interactive).toBe(true);
  });

  it('a command started with no tty (a service) is neither interactive nor user-entered', () => {
    const sim = booted();
    sim.spawnSession(1, 400, '/usr/sbin/cron');
    sim.fork(400, 401);
    sim.setpgid(401, 401);
    const n = sim.exec(401, '/bin/bash', ['bash', '-c', 'sleep 1']);
    expect(n.interactive).toBe(false);
    expect(n.userEntered).toBe(false);
  });

  it('setsid: the child is a new session leader (sub-session) under the same entry leader', () => {
    const sim = booted();
    const bash = sim.sshLogin(602);
    sim.pipeline(602, [700], ['/usr/bin/setsid']);
    sim.setsid(700);
    const n = sim.exec(700, '/usr/bin/sleep', ['sleep', '5']);
    expect(n.sessionLeader).toBe(n);
    expect(n.entryLeader).toBe(bash);
    expect(n.interactive).toBe(false); // no controlling tty after setsid
    expect(sim.table.subSessions(bash.entrySession!).map((s) => [s.sid, s.leader?.pid])).toEqual([
      [602, 602],
      [700, 700],
    ]);
  });
});

describe('ProcessTable: backfill', () => {
  it('snapshots in any order resolve to the same links as in start order', () => {
    const build = (order: number[]) => {
      const sim = new SyntheticHost();
      sim.define({ pid: 1, ppid: 0, executable: '/sbin/init' });
      sim.define({ pid: 500, ppid: 1, executable: '/usr/sbin/sshd' });
      sim.define({ pid: 501, ppid: 500, executable: '/usr/sbin/sshd' });
      sim.define({ pid: 502, ppid: 501, pgid: 501, sid: 501, executable: '/usr/sbin/sshd' });
      sim.define({ pid: 600, ppid: 502, executable: '/bin/bash', ...onTty(pts(0)), sshConnection: '10.9.8.7 1 2 3' });
      sim.define({ pid: 610, ppid: 600, pgid: 610, sid: 600, executable: '/usr/bin/sleep', ...onTty(pts(0)) });
      sim.define({ pid: 611, ppid: 600, pgid: 610, sid: 600, executable: '/usr/bin/wc', ...onTty(pts(0)), stdin: [PIPE_DEV, FdType.pipe] });
      sim.define({ pid: 620, ppid: 610, pgid: 610, sid: 600, executable: '/usr/bin/child' });
      for (const pid of order) sim.snapshot(pid);
      const resolved = sim.table.finishBackfill();
      return { sim, resolved };
    };
    const forward = build([1, 500, 501, 502, 600, 610, 611, 620]);
    const backward = build([620, 611, 610, 600, 502, 501, 500, 1]);
    for (const { sim, resolved } of [forward, backward]) {
      expect(resolved.map((n) => n.pid)).toEqual([1, 500, 501, 502, 600, 610, 611, 620]);
      const bash = sim.table.get(600)!;
      expect(bash.entryType).toBe('sshd');
      expect(bash.entrySourceIp).toBe('10.9.8.7');
      expect(sim.table.get(610)!.userEntered).toBe(true);
      expect(sim.table.get(611)!.userEntered).toBe(true);
      expect(sim.table.get(611)!.groupLeader).toBe(sim.table.get(610));
      expect(sim.table.get(620)!.lastUserEntered).toBe(sim.table.get(610));
      expect(sim.table.get(620)!.entryLeader).toBe(bash);
      expect(sim.table.get(501)!.entryLeader?.pid).toBe(500);
      expect(sim.table.get(620)!.fromSnapshot).toBe(true);
    }
    const ids = (s: SyntheticHost) => [...s.table.processes()].map((n) => n.entityId).sort();
    expect(ids(forward.sim)).toEqual(ids(backward.sim));
  });

  it('resolves pending snapshots by itself before the first live event and for queries', () => {
    const sim = new SyntheticHost();
    sim.define({ pid: 1, ppid: 0, executable: '/sbin/init' });
    sim.define({ pid: 300, ppid: 1, executable: '/usr/sbin/cron' });
    const cron = sim.snapshot(300);
    sim.snapshot(1);
    expect(cron.entryLeader).toBeNull(); // pending
    expect(cron.parent).toBeNull();
    expect(sim.table.entrySessions({ includeServices: true }).map((s) => s.leader.pid)).toEqual([300]);
    expect(cron.parent?.pid).toBe(1);
    sim.define({ pid: 350, ppid: 1, executable: '/usr/sbin/rsyslogd' });
    const rsyslog = sim.snapshot(350);
    expect(rsyslog.entryLeader).toBeNull();
    expect(sim.table.get(350)).toBe(rsyslog); // a lookup resolves it too
    expect(rsyslog.entryType).toBe('init');
    sim.define({ pid: 400, ppid: 1, executable: '/usr/sbin/atd' });
    sim.snapshot(400);
    const child = sim.fork(400, 401); // finishes the backfill first
    expect(sim.table.get(400)!.entryType).toBe('init');
    expect(child.entryLeader?.pid).toBe(400);
  });

  it('merges a process seen by the /proc scan and by live events (no duplicate)', () => {
    const sim = booted();
    sim.sshLogin(602);
    // live fork+exec first, then the scan sees the same pid+start
    sim.fork(602, 700);
    const live = sim.exec(700, '/usr/bin/sleep', ['sleep', '30']);
    const tracked = sim.table.stats().tracked;
    const snap = sim.snapshot(700);
    sim.table.finishBackfill();
    expect(snap).toBe(live);
    expect(sim.table.stats().tracked).toBe(tracked);
    expect(live.previous.map((p) => p.executable)).toEqual(['/usr/bin/bash']);
    expect(live.entryLeader?.pid).toBe(602);

    // scan first, then the ring buffer delivers the (older) fork and exec of the same process
    sim.define({ pid: 800, ppid: 602, pgid: 800, sid: 602, executable: '/usr/bin/make', args: ['make', '-j2'], ...onTty(pts(0)) });
    const t0 = sim.time;
    const scanned = sim.snapshot(800);
    sim.table.finishBackfill();
    const before = sim.table.stats().tracked;
    sim.time = t0 - 50; // the live events happened before the scan read /proc
    const p = sim.proc(800);
    const forked = sim.emit('fork', { ...p, executable: '/usr/bin/bash', args: ['-bash'] });
    const execd = sim.emit('exec', p);
    expect(forked).toBe(scanned);
    expect(execd).toBe(scanned);
    expect(sim.table.stats().tracked).toBe(before);
    expect(scanned.executable).toBe('/usr/bin/make');
    expect(scanned.args).toEqual(['make', '-j2']);
    expect(scanned.previous).toEqual([]);
    expect(scanned.userEntered).toBe(true);
    // a duplicate end is ignored
    sim.time = t0 + 10;
    sim.exit(800, 4);
    sim.define({ pid: 800, ppid: 602, startTicks: scanned.startTicks });
    sim.exit(800, 99);
    expect(scanned.exitCode).toBe(4);
    expect(sim.table.stats().exited).toBe(1);
  });
});

describe('ProcessTable: retention and bounds', () => {
  it('evicts exited processes after the retention window', () => {
    const sim = booted({ retentionMs: 1000 });
    sim.sshLogin(602);
    sim.fork(602, 700);
    const gone = sim.exit(700, 0);
    sim.time += 999;
    sim.typed(602, 'still here');
    expect(sim.table.get(700)).toBe(gone);
    sim.time += 10;
    sim.typed(602, 'later');
    expect(sim.table.get(700)).toBeUndefined();
    expect(sim.table.stats().evicted).toBe(1);
    // sweep() does it without events
    sim.fork(602, 701);
    sim.exit(701, 0);
    expect(sim.table.sweep(sim.time + 500)).toBe(0);
    expect(sim.table.sweep(sim.time + 2000)).toBe(1);
    expect(sim.table.get(701)).toBeUndefined();
  });

  it('keeps at most maxExited exited processes, evicting the oldest', () => {
    const sim = booted({ maxExited: 10 });
    sim.sshLogin(602);
    for (let i = 0; i < 50; i++) {
      sim.fork(602, 1000 + i);
      sim.exit(1000 + i, i);
    }
    const st = sim.table.stats();
    expect(st.exited).toBe(10);
    expect(st.evicted).toBe(40);
    expect(sim.table.get(1039)).toBeUndefined();
    expect(sim.table.get(1040)?.exitCode).toBe(40);
    expect(sim.table.get(602)!.entrySession!.members.size).toBe(11);
  });

  it('caps tracked processes even when ends are lost, and entry sessions go with their members', () => {
    const sim = booted({ maxProcesses: 200 });
    sim.spawnSession(1, 400, '/usr/sbin/cron');
    for (let i = 0; i < 2000; i++) {
      sim.fork(400, 10_000 + i);
      sim.setsid(10_000 + i);
      sim.exec(10_000 + i, '/usr/bin/job', ['job', String(i)]);
      sim.procs.delete(10_000 + i); // the end is lost
    }
    const st = sim.table.stats();
    // session leaders are kept over the cap, up to twice it (the hard bound on memory)
    expect(st.tracked).toBeLessThanOrEqual(400);
    expect(st.droppedLive).toBeGreaterThan(1500);
    expect(st.live).toBe(st.tracked - st.exited);
    expect(sim.table.get(1)).toBeDefined(); // never evicts init / kernel threads
    expect(sim.table.get(11_999)?.executable).toBe('/usr/bin/job');
    expect(sim.table.entrySessions({ includeServices: true }).length).toBeLessThanOrEqual(400);
  });

  it('over the cap, never evicts a leader or an ancestor of a kept process: sessions keep their shape', () => {
    const sim = booted({ maxProcesses: 300 });
    const shell = sim.sshLogin(602);
    // a deep chain under the login shell, then many leaves (a recording claiming too many processes)
    let parent = 602;
    for (let i = 0; i < 20; i++) {
      sim.fork(parent, 5000 + i);
      parent = 5000 + i;
    }
    for (let i = 0; i < 3000; i++) sim.fork(parent, 20_000 + i);
    const st = sim.table.stats();
    expect(st.tracked).toBeLessThanOrEqual(600);
    expect(st.droppedLive).toBeGreaterThan(2000);
    expect(sim.table.get(1)).toBeDefined();
    expect(sim.table.get(shell.pid)?.exited).toBe(false);
    for (let p = sim.table.get(5019) ?? null; p !== null; p = p.parent) expect(p.exited).toBe(false);
    const login = sim.table.entrySessions().find((s) => s.type === 'sshd');
    expect(login?.leader.pid).toBe(sim.table.get(602)!.entryLeader!.pid);
  });

  it('stays bounded under fork/exec/exit churn with pid reuse', () => {
    const sim = booted({ maxExited: 100, retentionMs: 60_000 });
    sim.sshLogin(602);
    for (let i = 0; i < 20_000; i++) {
      const pid = 3000 + (i % 500);
      sim.fork(602, pid);
      sim.exec(pid, '/usr/bin/true');
      sim.exit(pid, 0);
    }
    const st = sim.table.stats();
    expect(st.exited).toBe(100);
    expect(st.tracked).toBeLessThan(120);
    expect([...sim.table.processes()].length).toBe(st.tracked);
    expect(sim.table.get(602)!.entrySession!.members.size).toBe(101);
  });
});

describe('nameOf', () => {
  it('is the basename, without " (deleted)", else comm', () => {
    expect(nameOf('/usr/sbin/sshd', 'x')).toBe('sshd');
    expect(nameOf('/usr/sbin/sshd (deleted)', 'x')).toBe('sshd');
    expect(nameOf('', 'kworker/0:1')).toBe('kworker/0:1');
    expect(nameOf('sshd', 'x')).toBe('sshd');
  });
});
