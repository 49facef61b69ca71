/**
 * What a recording line repeats and what it carries only where needed: once-per-host facts on
 * snapshot lines only, real/saved ids only when they differ from the effective ones, argv and cwd
 * only on the lines that start an image (or of a process the model does not know); a replay
 * rebuilds the same facts from such lines.
 */
import { describe, expect, it } from 'vitest';
import { ProcessTable } from '../../src/model/process-table.js';
import type { HostInfo } from '../../src/model/types.js';
import { EcsDocumentBuilder } from '../../src/record/ecs-document.js';
import { newProcessEvent, type ProcessEvent } from '../../src/sensor/process-event.js';

const host: HostInfo = { name: 'h', bootId: 'b-1', pidNsIno: 4026531836, kernel: '6.1.0', bootTimeMs: 1_700_000_000_000 };
type Doc = { host: Record<string, unknown>; process: Record<string, unknown> };

function ev(fields: Partial<ProcessEvent>): ProcessEvent {
  return Object.assign(newProcessEvent(), { ppid: 1, pgid: 700, sid: 700, startTicks: 5000, start: host.bootTimeMs + 50_000, uid: 1000, euid: 1000, suid: 1000, gid: 1000, egid: 1000, sgid: 1000, executable: '/usr/bin/bash', comm: 'bash', args: ['bash', '-l'], cwd: '/home/u' }, fields);
}

describe('recording line content', () => {
  const table = new ProcessTable({ host });
  const doc = new EcsDocumentBuilder({ host });
  const t = host.bootTimeMs + 100_000;
  table.apply(ev({ action: 'snapshot', time: t, pid: 700 }));
  const [node] = table.finishBackfill();
  const snapshot = JSON.parse(doc.snapshotLine(node!, t)) as Doc;
  const line = (e: ProcessEvent): Doc => JSON.parse(doc.eventLine(e, table.apply(e))) as Doc;
  const exec = line(ev({ action: 'exec', time: t + 1, pid: 700, executable: '/usr/bin/vim', comm: 'vim', args: ['vim', 'x'] }));
  const idChange = line(ev({ action: 'id_change', time: t + 2, pid: 700, comm: 'vim', euid: 0, suid: 0 }));
  const end = line(ev({ action: 'end', time: t + 3, pid: 700, comm: 'vim', euid: 0, suid: 0 }));
  // an event written without a node (a caller that has none): its own facts are all there is
  const unknownEnd = JSON.parse(doc.eventLine(ev({ action: 'end', time: t + 4, pid: 9999, ppid: 700, comm: 'ghost', executable: '', args: ['ghost'], cwd: '/tmp' }), null)) as Doc;

  it('host.pid_ns_ino and host.os.kernel on snapshot lines only; name and boot id on every line', () => {
    expect(snapshot.host).toEqual({ name: 'h', boot: { id: 'b-1' }, pid_ns_ino: '4026531836', os: { kernel: '6.1.0' } });
    for (const d of [exec, idChange, end]) expect(d.host).toEqual({ name: 'h', boot: { id: 'b-1' } });
  });

  it('real and saved ids only when they differ from the effective ones', () => {
    expect(Object.keys(exec.process).filter((k) => /real_|saved_/.test(k))).toEqual([]);
    expect(idChange.process.user).toEqual({ id: '0' });
    expect(idChange.process.real_user).toEqual({ id: '1000' });
    expect(idChange.process.saved_user).toBeUndefined(); // saved = effective = 0
    expect(idChange.process.real_group).toBeUndefined();
  });

  it('argv and cwd on image lines, on end lines (Session View may page in only the end), and on lines of processes the model does not know', () => {
    expect(snapshot.process.args).toEqual(['bash', '-l']);
    expect(exec.process.args).toEqual(['vim', 'x']);
    expect(exec.process.working_directory).toBe('/home/u');
    expect(end.process.args).toEqual(['vim', 'x']);
    expect(end.process.working_directory).toBe('/home/u');
    for (const d of [idChange]) {
      expect(d.process.args).toBeUndefined();
      expect(d.process.command_line).toBeUndefined();
      expect(d.process.working_directory).toBeUndefined();
      expect(d.process.executable).toBe('/usr/bin/vim'); // still named on every line
      expect(d.process.entity_id).toBe(exec.process.entity_id);
    }
    expect(unknownEnd.process.args).toEqual(['ghost']);
    expect(unknownEnd.process.working_directory).toBe('/tmp');
  });
});

describe('a process named after its end line', () => {
  it('is named as before by the lines of a child that outlives it (the builder drops an ended process’s fragments and rebuilds them)', () => {
    const table = new ProcessTable({ host });
    const doc = new EcsDocumentBuilder({ host });
    const t = host.bootTimeMs + 200_000;
    const line = (e: ProcessEvent): Doc & { process: { parent: unknown; group_leader: unknown } } => JSON.parse(doc.eventLine(e, table.apply(e)));
    line(ev({ action: 'fork', time: t, pid: 800, ppid: 700, startTicks: 6000 }));
    line(ev({ action: 'exec', time: t + 1, pid: 800, ppid: 700, startTicks: 6000, pgid: 800, executable: '/usr/bin/daemonize', comm: 'daemonize', args: ['daemonize', 'job'] }));
    line(ev({ action: 'fork', time: t + 2, pid: 801, ppid: 800, startTicks: 6001, pgid: 800 }));
    const before = line(ev({ action: 'exec', time: t + 3, pid: 801, ppid: 800, startTicks: 6001, pgid: 800, executable: '/usr/bin/job', comm: 'job', args: ['job'] }));
    const parentEnd = line(ev({ action: 'end', time: t + 4, pid: 800, ppid: 700, startTicks: 6000, pgid: 800, comm: 'daemonize' }));
    expect(parentEnd.process.args).toEqual(['daemonize', 'job']);
    const after = line(ev({ action: 'setsid', time: t + 5, pid: 801, ppid: 800, startTicks: 6001, pgid: 800, comm: 'job' }));
    expect(after.process.parent).toEqual(before.process.parent);
    expect(after.process.group_leader).toEqual(before.process.group_leader);
    expect((before.process.parent as { name: string }).name).toBe('daemonize');
    // and the ended process's own late line (as a reader may see after a reordering) is complete
    const late = line(ev({ action: 'end', time: t + 6, pid: 800, ppid: 700, startTicks: 6000, pgid: 800, comm: 'daemonize' }));
    expect(late.process.args).toEqual(['daemonize', 'job']);
    expect(late.process.user).toEqual(parentEnd.process.user);
  });
});
