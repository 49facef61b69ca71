import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { ProcReconciler, reconcileWithProc } from '../../src/model/proc-reconcile.js';
import type { ProcessNode } from '../../src/model/types.js';
import type { EventAction, ProcessEvent } from '../../src/sensor/process-event.js';
import { fakeOf, writeFakeProc } from './fake-proc.js';
import { HOST, SyntheticHost } from './synthetic-host.js';

interface Applied {
  action: EventAction;
  pid: number;
  exitUnknown: boolean;
  node: ProcessNode | null;
  entryLeaderPid: number;
}

describe('reconciliation with /proc after losses', () => {
  let root = '';
  beforeEach(() => {
    root = mkdtempSync(join(tmpdir(), 'st-fake-proc-'));
  });
  afterEach(() => {
    rmSync(root, { recursive: true, force: true });
    vi.useRealTimers();
  });

  /** A login with children; some of their events lost; /proc written as the truth afterwards. */
  function scenario() {
    const sim = new SyntheticHost();
    sim.boot();
    const bash = sim.sshLogin(602);
    sim.fork(602, 700);
    const vim = sim.exec(700, '/usr/bin/vim'); // alive
    sim.fork(602, 701);
    const sleep = sim.exec(701, '/usr/bin/sleep'); // exits; its end is lost
    sim.fork(602, 702);
    const cat = sim.exec(702, '/usr/bin/cat'); // exits, end lost, and its pid is reused
    sim.fork(602, 703);
    const make = sim.exec(703, '/usr/bin/make'); // exits with 2, end lost, not reaped yet (zombie)
    sim.lost(7);
    for (const p of sim.procs.values()) if (p.pid !== 701 && p.pid !== 702 && p.pid !== 703) writeFakeProc(root, fakeOf(p));
    writeFakeProc(root, { ...fakeOf(sim.proc(703)), state: 'Z', exitStatus: 2 << 8 });
    const ticks = sim.ticks;
    // unknown to the model (forks lost): 702 reused by a daemon; 704 a child of the login shell, 705 its child
    writeFakeProc(root, { pid: 702, ppid: 1, comm: 'python3', startTicks: ticks + 1, args: ['python3', 'srv.py'] });
    writeFakeProc(root, { pid: 705, ppid: 704, pgid: 704, sid: 602, comm: 'grep', startTicks: ticks + 3 });
    writeFakeProc(root, { pid: 704, ppid: 602, pgid: 704, sid: 602, comm: 'find', startTicks: ticks + 2 });
    return { sim, bash, vim, sleep, cat, make };
  }

  it('ends live nodes gone from /proc (end unknown), ends zombies with their status, learns unknown processes', () => {
    const { sim, bash, vim, sleep, cat, make } = scenario();
    const t = sim.table;
    const liveBefore = t.stats().live;
    const applied: Applied[] = [];
    const result = reconcileWithProc(t, { bootTimeMs: HOST.bootTimeMs, procRoot: root }, (e: ProcessEvent, node) => {
      applied.push({ action: e.action, pid: e.pid, exitUnknown: e.exitUnknown, node, entryLeaderPid: node?.entryLeader?.pid ?? 0 });
    });
    expect({ ended: result.ended, endedZombies: result.endedZombies, learned: result.learned }).toEqual({ ended: 2, endedZombies: 1, learned: 3 });

    // end lost, process gone: ended, but nothing invented about how
    for (const gone of [sleep, cat]) {
      expect(gone.exited).toBe(true);
      expect(gone.exitCause).toBe('unknown');
      expect([gone.exitCode, gone.signal, gone.coreDumped]).toEqual([0, 0, false]);
      expect(gone.end).toBe(result.time);
    }
    // a zombie: its exit status is in /proc
    expect([make.exited, make.exitCode, make.exitCause]).toEqual([true, 2, 'exited']);
    expect(vim.exited).toBe(false);
    expect(bash.exited).toBe(false);

    // the reused pid is a new process, learned; the old node is kept (retained) behind it
    const daemon = t.get(702)!;
    expect(daemon).not.toBe(cat);
    expect(daemon.exited).toBe(false);
    expect(daemon.fromSnapshot).toBe(true);
    expect(daemon.name).toBe('python3');
    expect(daemon.args).toEqual(['python3', 'srv.py']);
    expect(t.find(702, cat.startTicks)).toBe(cat);
    // learned children resolve like a backfill: links, leaders, entry session
    const find = t.get(704)!;
    const grep = t.get(705)!;
    expect(find.parent).toBe(bash);
    expect(grep.parent).toBe(find);
    expect(grep.groupLeader).toBe(find);
    expect(grep.sessionLeader).toBe(bash);
    expect(find.entryLeader).toBe(bash);
    expect(grep.entryLeader).toBe(bash);
    expect(bash.entrySession!.members.has(grep)).toBe(true);

    // the handler saw every applied event, ends first, snapshots resolved and parents first
    expect(applied.map((a) => [a.action, a.pid, a.exitUnknown])).toEqual([
      ['end', 701, true],
      ['end', 702, true],
      ['end', 703, false],
      ['snapshot', 702, false],
      ['snapshot', 704, false],
      ['snapshot', 705, false],
    ]);
    expect(applied[0]!.node).toBe(sleep);
    expect(applied[1]!.node).toBe(cat);
    expect(applied[4]!.entryLeaderPid).toBe(602);
    expect(applied[5]!.entryLeaderPid).toBe(602);

    // the model's live set is now /proc's (zombie excluded)
    const st = t.stats();
    expect(st.live).toBe(liveBefore - 3 + 3);
    const live = [...t.processes()].filter((n) => !n.exited).map((n) => n.pid).sort((a, b) => a - b);
    expect(live).toEqual([1, 2, 500, 602, 700, 702, 704, 705, 6021, 6022]);

    // again: nothing left to do
    expect(reconcileWithProc(t, { bootTimeMs: HOST.bootTimeMs, procRoot: root })).toMatchObject({ ended: 0, endedZombies: 0, learned: 0 });
  });

  it('a late real end after an unknown one fills in the exit facts', () => {
    const { sim, sleep } = scenario();
    reconcileWithProc(sim.table, { bootTimeMs: HOST.bootTimeMs, procRoot: root });
    expect(sleep.exitCause).toBe('unknown');
    const liveBefore = sim.table.stats().live;
    const late = sim.exit(701, 5); // the real end was still in the ring
    expect(late).toBe(sleep);
    expect([sleep.exitCode, sleep.exitCause]).toEqual([5, 'exited']);
    expect(sim.table.stats().live).toBe(liveBefore);
    // but a real end is never downgraded by a later unknown one
    sim.define({ pid: 701, ppid: 602, startTicks: sleep.startTicks });
    sim.emit('end', sim.proc(701), (e) => {
      e.exitUnknown = true;
    });
    expect([sleep.exitCode, sleep.exitCause]).toEqual([5, 'exited']);
  });

  it('an unreadable /proc ends nothing', () => {
    const { sim } = scenario();
    const live = sim.table.stats().live;
    const r = reconcileWithProc(sim.table, { bootTimeMs: HOST.bootTimeMs, procRoot: join(root, 'missing') });
    expect([r.ended, r.learned, sim.table.stats().live]).toEqual([0, 0, live]);
  });

  it('ProcReconciler: runs after a loss at once, then at most once per interval while losses continue', () => {
    vi.useFakeTimers();
    const { sim } = scenario();
    let drains = 0;
    const done: number[] = [];
    const r: ProcReconciler = new ProcReconciler(sim.table, {
      read: { bootTimeMs: HOST.bootTimeMs, procRoot: root },
      intervalMs: 1000,
      beforeRun: () => {
        drains++;
        r.lost(); // a loss reported by the drain before the scan: covered by this run
      },
      onReconciled: (res) => done.push(res.ended + res.endedZombies + res.learned),
    });
    expect(r.pending).toBe(false);
    r.lost();
    r.lost();
    expect(r.pending).toBe(true);
    vi.advanceTimersByTime(0);
    expect([r.runs, drains, r.pending]).toEqual([1, 1, false]);
    expect(done).toEqual([6]);
    expect(sim.table.get(701)!.exitCause).toBe('unknown');
    // losses go on: the next run waits for the interval
    vi.advanceTimersByTime(300);
    r.lost();
    r.lost();
    vi.advanceTimersByTime(699);
    expect(r.runs).toBe(1);
    vi.advanceTimersByTime(1);
    expect(r.runs).toBe(2);
    expect(done).toEqual([6, 0]);
    // after a quiet interval, the next loss runs at once again
    vi.advanceTimersByTime(5000);
    r.lost();
    vi.advanceTimersByTime(0);
    expect(r.runs).toBe(3);
    // stop cancels what is scheduled
    r.lost();
    r.stop();
    vi.advanceTimersByTime(5000);
    expect(r.runs).toBe(3);
    r.lost();
    expect(r.pending).toBe(false);
  });
});
