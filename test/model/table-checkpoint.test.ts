/**
 * Table checkpoints restore exactly the table they were taken of (every field, link, list order,
 * counter, exec history, typed line and terminal chunk), never anything that came after, and a
 * restored table goes on exactly as the original did.
 */
import { describe, expect, it } from 'vitest';
import { SyntheticHost } from '../../bench/record-workload.js';
import { EntrySessionRecord } from '../../src/model/entry-session.js';
import { ProcessRecord } from '../../src/model/process-record.js';
import { ProcessTable } from '../../src/model/process-table.js';
import {
  CHECKPOINTED_NODE_FIELDS,
  CHECKPOINTED_SESSION_FIELDS,
  CheckpointLog,
  freezeTable,
  thawTable,
  type TableCheckpoint,
} from '../../src/model/table-checkpoint.js';
import type { ProcessTableOptions } from '../../src/model/types.js';
import type { ProcessEvent } from '../../src/sensor/process-event.js';
import { dumpTable } from './table-dump.js';
import { HOST, SyntheticHost as Sim } from './synthetic-host.js';

/** A synthetic host's events (copies), with terminal output now and then. */
function events(count: number, seed: number): { backfill: ProcessEvent[]; live: ProcessEvent[] } {
  const gen = new SyntheticHost({ seed, sessions: 6 });
  const backfill: ProcessEvent[] = [];
  gen.backfill((e) => backfill.push({ ...e, args: e.args.slice() }));
  const live: ProcessEvent[] = [];
  let i = 0;
  gen.run(count, (e) => {
    live.push({ ...e, args: e.args.slice() });
    if (++i % 7 === 0 && e.action === 'exec' && e.tty !== 0) {
      live.push({ ...e, args: [], action: 'text_output', text: `out ${i}\r\n`, ioBytes: 8, ioSkipped: 0, ioSkips: [], ioCapped: false, ttyRows: 24, ttyColumns: 80 });
    }
  });
  return { backfill, live };
}

// small bounds, so eviction (noise, per-session history, the process cap, retention) runs often
const OPTIONS: ProcessTableOptions = { host: new SyntheticHost().host, maxExited: 150, maxHistoryPerSession: 60, maxProcesses: 900, maxTypedLines: 5, maxPrevious: 2, retentionMs: 120_000, maxTerminalChars: 400 };

describe('table checkpoints', () => {
  it('know every field of a node and of a session (a new field must be handled by freeze and thaw)', () => {
    const r = new ProcessRecord(HOST, 1, 1);
    expect(Object.keys(r).sort()).toEqual([...CHECKPOINTED_NODE_FIELDS].sort());
    const s = new EntrySessionRecord(r, 'sshd', '');
    expect(Object.keys(s).sort()).toEqual([...CHECKPOINTED_SESSION_FIELDS].sort());
  });

  it('restore exactly the table they were taken of, never what came after, and the restored table goes on the same', () => {
    const { backfill, live } = events(12_000, 3);
    const table = new ProcessTable(OPTIONS);
    for (const e of backfill) table.apply(e);
    const log = new CheckpointLog();
    const taken: { at: number; cp: TableCheckpoint; dump: Record<string, unknown> }[] = [];
    let logged = 0;
    live.forEach((e, i) => {
      table.apply(e);
      if (i % 1500 === 700 || i % 1500 === 730) {
        const before = log.length;
        taken.push({ at: i, cp: freezeTable(table, log), dump: dumpTable(table) });
        // 30 events after the one before, a checkpoint shares the nodes that did not change
        if (i % 1500 === 730) logged = Math.max(logged, (log.length - before) / (taken[taken.length - 1] as { cp: TableCheckpoint }).cp.nodes);
      }
    });
    const final = dumpTable(table);
    expect(table.stats().evicted).toBeGreaterThan(1000);
    expect(taken.length).toBeGreaterThanOrEqual(14);
    expect(logged).toBeGreaterThan(0);
    expect(logged).toBeLessThan(0.25);
    let typedSeen = 0;
    for (const { at, cp, dump } of [...taken].reverse()) {
      const restored = thawTable(cp, OPTIONS);
      const got = dumpTable(restored);
      expect(got).toEqual(dump);
      typedSeen += (got.nodes as { typed: unknown[] }[]).filter((n) => n.typed.length > 0).length;
      for (let i = at + 1; i < live.length; i++) restored.apply(live[i] as ProcessEvent);
      expect(dumpTable(restored)).toEqual(final);
    }
    expect(typedSeen).toBeGreaterThan(0);
  });

  it('a restore made of a discarded table\'s node objects equals one made of new ones', () => {
    const { backfill, live } = events(6000, 5);
    const table = new ProcessTable(OPTIONS);
    for (const e of backfill) table.apply(e);
    for (const e of live.slice(0, 4000)) table.apply(e);
    const log = new CheckpointLog();
    const cp = freezeTable(table, log);
    const want = dumpTable(table);
    // spare nodes with junk in every field: a field the restore does not set shows
    const spare: ProcessRecord[] = [];
    for (let i = 0; i < 2000; i++) {
      const junk = new ProcessRecord({ ...HOST, name: 'junk' }, 99_999, 7);
      for (const k of Object.keys(junk)) (junk as unknown as Record<string, unknown>)[k] = k === 'host' ? junk.host : typeof (junk as unknown as Record<string, unknown>)[k] === 'number' ? 31_337 : typeof (junk as unknown as Record<string, unknown>)[k] === 'string' ? 'junk' : null;
      junk.previous = [{ time: 1, executable: '/junk', args: ['junk'], argsTruncated: true }];
      junk.typed = [{ time: 1, line: 'junk', truncated: true, cwd: '/junk', shell: 'junk' }];
      junk.args = ['junk'];
      spare.push(junk);
    }
    const restored = thawTable(cp, OPTIONS, spare);
    expect(spare.length).toBeLessThan(2000);
    expect(dumpTable(restored)).toEqual(want);
    // and it goes on the same as the original
    for (const e of live.slice(4000)) {
      table.apply(e);
      restored.apply(e);
    }
    expect(dumpTable(restored)).toEqual(dumpTable(table));
  });

  it('a shared node keeps its typed lines, exec history and session history as they were when taken', () => {
    const sim = new Sim({ maxHistoryPerSession: 3 });
    sim.boot();
    sim.sshLogin(800, { audit: 5, loginUid: 1000 });
    const shellNode = sim.table.get(800)!;
    const run = (pid: number, line: string): void => {
      sim.typed(800, line);
      sim.fork(800, pid);
      sim.setpgid(pid, pid);
      sim.exec(pid, `/usr/bin/${line}`, [line]);
      sim.exit(pid, 0);
    };
    run(900, 'ls');
    run(901, 'id');
    const log = new CheckpointLog();
    const first = freezeTable(sim.table, log);
    const firstDump = dumpTable(sim.table);
    const history = (t: ProcessTable): number[] => {
      const s = t.get(800)!.entrySession as EntrySessionRecord;
      const out: number[] = [];
      for (let h = s.historyHead as ProcessRecord | null; h !== null; h = h.exitedNext) out.push(h.pid);
      return out;
    };
    expect(history(sim.table)).toEqual([900, 901]);
    // later: more lines typed at the same shell, an exec of it, the session's history moving on
    run(902, 'df');
    run(903, 'ps');
    sim.exec(800, '/usr/bin/zsh', ['zsh']);
    const second = freezeTable(sim.table, log);
    expect(shellNode.typed.map((t) => t.line)).toEqual(['ls', 'id', 'df', 'ps']);
    expect(shellNode.previous.map((p) => p.executable)).toContain('/usr/bin/bash');
    expect(history(sim.table)).toEqual([901, 902, 903]);

    const back = thawTable(first, { host: sim.table.host, maxHistoryPerSession: 3 });
    const s = back.get(800)!;
    expect(s.typed.map((t) => t.line)).toEqual(['ls', 'id']);
    expect(s.previous.map((p) => p.executable)).not.toContain('/usr/bin/bash');
    expect(s.executable).toBe('/usr/bin/bash');
    expect(s.entrySession!.lastTyped?.line).toBe('id');
    expect(history(back)).toEqual([900, 901]);
    expect(dumpTable(back)).toEqual(firstDump);
    // a restored node's exec and typed history are its own: changing them leaves the checkpoint alone
    (sim as unknown as { table: ProcessTable }).table = back;
    run(904, 'w');
    sim.exec(800, '/usr/bin/fish', ['fish']);
    expect(back.get(800)!.typed.map((t) => t.line)).toEqual(['ls', 'id', 'w']);
    expect(dumpTable(thawTable(first, { host: back.host, maxHistoryPerSession: 3 }))).toEqual(firstDump);
    const later = thawTable(second, { host: back.host, maxHistoryPerSession: 3 });
    expect(later.get(800)!.typed.map((t) => t.line)).toEqual(['ls', 'id', 'df', 'ps']);
    expect(history(later)).toEqual([901, 902, 903]);
  });
});
