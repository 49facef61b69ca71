import { describe, expect, it } from 'vitest';
import { SyntheticHost } from './synthetic-host.js';

describe('history retention: a storm elsewhere never evicts a login\'s history', () => {
  it('keeps typed commands of a login through another session\'s fork storm; noise goes first', () => {
    const sim = new SyntheticHost({ maxExited: 100, retentionMs: 600_000 });
    sim.boot();
    sim.sshLogin(602, { ptyN: 0 });
    sim.sshLogin(603, { ptyN: 1 });
    const kept: number[] = [];
    for (const [i, cmd] of ['/usr/bin/ls', '/usr/bin/grep', '/usr/bin/less'].entries()) {
      sim.typed(602, cmd.split('/').pop()!);
      sim.pipeline(602, [700 + i], [cmd]);
      sim.exit(700 + i);
      kept.push(700 + i);
    }
    // a helper of the login's shell (same group): noise
    sim.fork(602, 710);
    sim.exec(710, '/usr/bin/dircolors');
    sim.exit(710);
    // the other login's fork loop: 20 000 short processes (children of a typed loop's subshell)
    sim.typed(603, 'while :; do /bin/true; done');
    sim.fork(603, 800, { pgid: 800 });
    sim.setpgid(800, 800);
    for (let i = 0; i < 20_000; i++) {
      const pid = 1000 + (i % 3000);
      sim.fork(800, pid);
      sim.exec(pid, '/bin/true');
      sim.exit(pid);
    }
    for (const pid of kept) expect(sim.table.get(pid)?.exited).toBe(true);
    expect(sim.table.get(710)).toBeUndefined(); // noise of the quiet session went with the storm
    const st = sim.table.stats();
    expect(st.exited - st.history).toBe(100); // noise cap
    expect(st.history).toBe(3);
    expect(sim.table.get(602)!.entrySession!.historyCount).toBe(3);
  });

  it('history stays for the retention window, then goes; --retention sets the window', () => {
    const sim = new SyntheticHost({ retentionMs: 10_000 });
    sim.boot();
    sim.sshLogin(602, { ptyN: 0 });
    sim.typed(602, 'ls');
    sim.pipeline(602, [700], ['/usr/bin/ls']);
    sim.exit(700);
    sim.time += 9_000;
    sim.typed(602, 'pwd');
    expect(sim.table.get(700)).toBeDefined();
    sim.time += 2_000;
    sim.typed(602, 'pwd');
    expect(sim.table.get(700)).toBeUndefined();
    expect(sim.table.stats().history).toBe(0);
  });

  it('a session\'s own history is bounded by its cap (its oldest go first), others untouched', () => {
    const sim = new SyntheticHost({ maxHistoryPerSession: 50 });
    sim.boot();
    sim.sshLogin(602, { ptyN: 0 });
    sim.sshLogin(603, { ptyN: 1 });
    sim.typed(603, 'ls');
    sim.pipeline(603, [900], ['/usr/bin/ls']);
    sim.exit(900);
    sim.typed(602, 'for i in $(seq 500); do /bin/true; done');
    for (let i = 0; i < 500; i++) {
      sim.pipeline(602, [1000 + i], ['/bin/true']);
      sim.exit(1000 + i);
    }
    expect(sim.table.get(602)!.entrySession!.historyCount).toBe(50);
    expect(sim.table.get(1000)).toBeUndefined();
    expect(sim.table.get(1499)?.exited).toBe(true);
    expect(sim.table.get(900)?.exited).toBe(true);
  });

  it('services and automation are never history', () => {
    const sim = new SyntheticHost({ maxExited: 5 });
    sim.boot();
    sim.spawnSession(1, 400, '/usr/sbin/cron');
    for (let i = 0; i < 20; i++) {
      sim.fork(400, 500 + i);
      sim.setsid(500 + i);
      sim.exec(500 + i, '/usr/bin/job');
      sim.exit(500 + i);
    }
    expect(sim.table.stats().history).toBe(0);
    expect(sim.table.stats().exited).toBe(5);
  });

  it('the process cap takes history from the session holding the most', () => {
    const sim = new SyntheticHost({ maxProcesses: 300, maxHistoryPerSession: 10_000, maxExited: 10 });
    sim.boot();
    sim.sshLogin(602, { ptyN: 0 });
    sim.sshLogin(603, { ptyN: 1 });
    sim.typed(603, 'ls');
    sim.pipeline(603, [900], ['/usr/bin/ls']);
    sim.exit(900);
    sim.typed(602, 'loop');
    for (let i = 0; i < 1000; i++) {
      sim.pipeline(602, [1000 + i], ['/bin/true']);
      sim.exit(1000 + i);
    }
    expect(sim.table.stats().tracked).toBeLessThanOrEqual(300);
    expect(sim.table.get(900)?.exited).toBe(true);
    expect(sim.table.get(1999)?.exited).toBe(true);
  });
});
