import { describe, expect, it } from 'vitest';
import { SyntheticHost, onTty, pts } from './synthetic-host.js';

function scene(): SyntheticHost {
  const sim = new SyntheticHost();
  sim.boot();
  sim.spawnSession(1, 400, '/usr/sbin/cron'); // a service
  sim.sshLogin(602, { ptyN: 0, client: '192.0.2.1' });
  sim.sshLogin(603, { ptyN: 1, client: '192.0.2.2' });
  // in 602: tmux client, tmux server (setsid) with a pane shell (setsid) running top
  sim.pipeline(602, [700], ['/usr/bin/tmux']);
  sim.fork(700, 701);
  sim.setsid(701);
  sim.exec(701, '/usr/bin/tmux', ['tmux', 'new']);
  sim.fork(701, 702);
  sim.setsid(702, pts(5));
  sim.exec(702, '/usr/bin/bash', ['bash'], onTty(pts(5)));
  sim.typed(702, 'top');
  sim.pipeline(702, [703], ['/usr/bin/top']);
  // in 603: a finished command
  sim.typed(603, 'ls');
  sim.pipeline(603, [800], ['/usr/bin/ls']);
  sim.exit(800, 0);
  return sim;
}

describe('session view', () => {
  it('lists entry sessions by last activity, services folded unless asked', () => {
    const sim = scene();
    const list = sim.table.entrySessions();
    expect(list.map((s) => s.leader.pid)).toEqual([603, 602]);
    expect(list.map((s) => s.type)).toEqual(['sshd', 'sshd']);
    expect(list.map((s) => s.sourceIp)).toEqual(['192.0.2.2', '192.0.2.1']);
    expect(list[1]!.tty).toBe(pts(0));
    expect(list[1]!.liveCount).toBe(5); // 602, 700, 701, 702, 703
    expect(list[1]!.lastTyped?.line).toBe('top');
    expect(list[1]!.lastUserEntered?.pid).toBe(703);
    expect(list[0]!.liveCount).toBe(1);
    expect(list[0]!.lastUserEntered?.pid).toBe(800);
    expect(list[0]!.id).toBe(sim.table.get(603)!.entityId);
    const all = sim.table.entrySessions({ includeServices: true });
    expect(all.map((s) => s.leader.pid).sort()).toEqual([400, 500, 602, 603]);
    expect(all.find((s) => s.leader.pid === 400)!.service).toBe(true);
    expect(sim.table.entrySession(sim.table.get(602)!.entityId)?.leader.pid).toBe(602);
  });

  it('drops sessions with no live member when asked', () => {
    const sim = scene();
    sim.exit(603);
    expect(sim.table.entrySessions().map((s) => s.leader.pid)).toEqual([603, 602]);
    expect(sim.table.entrySessions({ includeExited: false }).map((s) => s.leader.pid)).toEqual([602]);
  });

  it('groups an entry session into sub-sessions (tmux server, pane)', () => {
    const sim = scene();
    const s = sim.table.get(602)!.entrySession!;
    const subs = sim.table.subSessions(s);
    expect(subs.map((x) => [x.sid, x.leader?.pid, x.processes.map((p) => p.pid)])).toEqual([
      [602, 602, [602, 700]],
      [701, 701, [701]],
      [702, 702, [702, 703]],
    ]);
  });

  it('flattens the process tree depth-first, marking sub-session starts', () => {
    const sim = scene();
    const rows = sim.table.sessionTree(sim.table.get(602)!.entrySession!);
    expect(rows.map((r) => [r.node.pid, r.depth, r.subSessionStart])).toEqual([
      [602, 0, false],
      [700, 1, false],
      [701, 2, true],
      [702, 3, true],
      [703, 4, false],
    ]);
    // exited processes can be hidden; their children hang under the nearest shown ancestor
    sim.exit(700);
    const live = sim.table.sessionTree(sim.table.get(602)!.entrySession!, { includeExited: false });
    expect(live.map((r) => [r.node.pid, r.depth])).toEqual([
      [602, 0],
      [701, 1],
      [702, 2],
      [703, 3],
    ]);
  });

  it('unattached holds pid 1 and kernel threads', () => {
    const sim = scene();
    expect(sim.table.unattached().map((n) => n.pid)).toEqual([1, 2]);
  });
});
