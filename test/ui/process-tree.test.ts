import { describe, expect, it } from 'vitest';
import { buildTree, unattachedRows } from '../../src/ui/process-tree.js';
import { isInteractiveShell, isShellNoise } from '../../src/ui/shell-noise.js';
import { subSessionKind } from '../../src/ui/tree-row-view.js';
import { buildScenario, FixtureHost } from './ui-fixture.js';

function scenario() {
  const f = new FixtureHost();
  const pids = buildScenario(f);
  const table = f.table;
  const ssh = table.entrySessions().find((s) => s.type === 'sshd')!;
  return { f, pids, table, ssh };
}

const describeEntry = (e: ReturnType<typeof buildTree>['entries'][number]) =>
  e.kind === 'typed' ? `${e.prefix}» ${e.line!.line}` : e.kind === 'subhead' ? `${e.prefix}[${subSessionKind(e.node)}]` : `${e.prefix}${e.node.pid} ${e.node.args.join(' ')}`;

describe('process tree rows', () => {
  it('puts typed lines inline before the processes they start, with connectors', () => {
    const { table, ssh } = scenario();
    const t = buildTree(table.sessionTree(ssh), false);
    expect(t.entries.map(describeEntry)).toEqual([
      '1001 -bash',
      '├─» ls -la /etc',
      '├─1003 ls -la /etc',
      '├─» cd /tmp',
      '├─» make build',
      '├─1004 make build',
      '│ └─1005 cc -c main.c',
      '├─» sleep 600',
      '├─1006 sleep 600',
      '├─» tmux',
      '└─1010 tmux',
      '  ┆ [tmux server]',
      '  └─1011 tmux new-session -d',
      '    ┆ [tmux pane]',
      '    └─1012 -bash',
      '      ├─» vim notes.txt',
      '      └─1013 vim notes.txt',
    ]);
  });

  it('hides shell noise unless verbose, and counts what it hides', () => {
    const { table, ssh } = scenario();
    const quiet = buildTree(table.sessionTree(ssh), false);
    expect(quiet.hidden).toBe(1);
    expect(quiet.entries.some((e) => e.node.pid === 1002)).toBe(false);
    const verbose = buildTree(table.sessionTree(ssh), true);
    expect(verbose.hidden).toBe(0);
    const noise = verbose.entries.find((e) => e.node.pid === 1002)!;
    expect(noise.kind).toBe('process');
    expect(noise.noise).toBe(true);
    expect(verbose.entries.indexOf(noise)).toBe(1); // dircolors ran first, before anything was typed
  });

  it('tells shell noise from jobs and interactive shells from scripts', () => {
    const { table, pids } = scenario();
    expect(isShellNoise(table.get(1002)!)).toBe(true);
    expect(isShellNoise(table.get(pids.cc)!)).toBe(false); // run by make, not by the shell
    expect(isShellNoise(table.get(pids.make)!)).toBe(false); // a job: user-entered
    expect(isInteractiveShell(table.get(pids.sshLeader)!)).toBe(true);
    expect(table.get(pids.make)!.userEntered).toBe(true);
  });

  it('names sub-sessions after what started them', () => {
    const { table, pids } = scenario();
    expect(subSessionKind(table.get(pids.tmuxPane)!)).toBe('tmux pane');
    expect(subSessionKind(table.get(1011)!)).toBe('tmux server');
  });

  it('lists kernel threads under kthreadd', () => {
    const { table } = scenario();
    const rows = unattachedRows(table.unattached({ includeExited: false }));
    const t = buildTree(rows, true);
    expect(t.entries.map(describeEntry)).toEqual(['1 /sbin/init', '2 ', '├─3 ', '└─4 ']);
  });

  it('builds a 5000-deep chain without recursion limits', () => {
    const f = new FixtureHost();
    f.define({ pid: 1, ppid: 0 });
    f.define({ pid: 100, ppid: 1, executable: '/usr/sbin/sshd' });
    f.snapshot(1);
    f.snapshot(100);
    f.finishBackfill();
    f.fork(100, 101);
    f.setsid(101);
    f.exec(101, '/bin/sh', ['sh']);
    for (let pid = 102; pid < 5102; pid++) f.fork(pid - 1, pid);
    const s = f.table.entrySessions({ includeServices: true }).find((x) => x.leader.pid === 101)!;
    const t = buildTree(f.table.sessionTree(s), true);
    expect(t.entries.length).toBe(5001);
    expect(t.entries[5000]!.depth).toBe(5000);
  });
});
