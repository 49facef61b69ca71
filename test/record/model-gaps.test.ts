/**
 * The recording carries what the model's two late additions need to replay the same:
 * - an end whose exit was not seen (lost, found gone from /proc): `sessiontop.exit_cause: "unknown"`
 *   and no `process.exit_code`, read back as an unknown end;
 * - a login remnant (a logged-out user's detached tmux found at backfill): its snapshot line
 *   carries SSH_CONNECTION, so the replay types it `sshd` as well;
 * - a reconciliation with /proc after losses (ends found gone, snapshots learned mid-stream).
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { reconcileWithProc } from '../../src/model/proc-reconcile.js';
import { EcsDocumentBuilder } from '../../src/record/ecs-document.js';
import { RecordingReplay } from '../../src/record/recording-replay.js';
import { RecordingWriter } from '../../src/record/recording-writer.js';
import { validateRecordLine } from '../../src/record/schema.js';
import { fakeOf, writeFakeProc } from '../model/fake-proc.js';
import { HOST, SyntheticHost, onTty, pts } from '../model/synthetic-host.js';

const dir = mkdtempSync(join(tmpdir(), 'sessiontop-gaps-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('recording: unknown ends and login remnants', () => {
  it('writes, validates and replays them the same', () => {
    const sim = new SyntheticHost();
    const doc = new EcsDocumentBuilder({ host: HOST });
    const path = join(dir, 'gaps.ndjson');
    const w = RecordingWriter.open(path);
    const user = { uid: 1001, euid: 1001, loginUid: 1001, auditSessionId: 77 };
    sim.define({ pid: 1, ppid: 0, executable: '/sbin/init' });
    sim.define({ pid: 900, ppid: 1, executable: '/usr/bin/tmux', ...user, sshConnection: '192.0.2.9 4000 192.0.2.1 22' });
    sim.define({ pid: 901, ppid: 900, executable: '/usr/bin/bash', args: ['-bash'], ...onTty(pts(2)), ...user });
    for (const pid of [1, 900, 901]) sim.snapshot(pid);
    for (const n of sim.table.finishBackfill()) w.write(doc.snapshotLine(n, sim.time));
    const write = (node: ReturnType<SyntheticHost['exec']> | null) => w.write(doc.eventLine(sim.event, node));
    write(sim.fork(901, 950, { pgid: 950 }));
    write(sim.exec(950, '/usr/bin/sleep', ['sleep', '9']));
    write(sim.fork(901, 951, { pgid: 951 }));
    write(sim.exec(951, '/usr/bin/false', ['false']));
    write(sim.exit(951, 1));
    // 950 is found gone: an end with unknown exit facts
    const gone = sim.emit('end', sim.proc(950), (e) => {
      e.exitUnknown = true;
    });
    write(gone);
    w.close();

    const server = sim.table.get(900)!;
    expect([server.entryType, server.entrySourceIp, server.entrySession!.loginRemnant]).toEqual(['sshd', '192.0.2.9', true]);
    expect(gone!.exitCause).toBe('unknown');

    const lines = readFileSync(path, 'utf8').split('\n').filter((l) => l !== '').map((l) => JSON.parse(l) as Record<string, any>);
    for (const l of lines) {
      const v = validateRecordLine(l);
      if (!v.ok) throw new Error(`${v.reason}: ${JSON.stringify(l)}`);
    }
    const ends = lines.filter((l) => l.event.action === 'end');
    expect(ends.map((l) => [l.process.pid, l.process.exit_code, l.sessiontop.exit_cause])).toEqual([
      [951, 1, 'exited'],
      [950, undefined, 'unknown'],
    ]);
    expect(ends[1]!.process.end).toBeDefined();
    const sleepExec = lines.find((l) => l.event.action === 'exec' && l.process.pid === 950)!;
    expect(sleepExec.process.entry_leader.pid).toBe(900);
    expect(sleepExec.process.entry_leader.entry_meta.type).toBe('sshd');

    const replay = RecordingReplay.open([path]);
    replay.replayAll();
    expect(replay.stats().badLines).toBe(0);
    const table = [...replay.models.values()][0]!.table;
    const r950 = table.get(950)!;
    expect([r950.exited, r950.exitCause, r950.exitCode]).toEqual([true, 'unknown', 0]);
    expect([table.get(951)!.exitCause, table.get(951)!.exitCode]).toEqual(['exited', 1]);
    const rServer = table.get(900)!;
    expect([rServer.entryType, rServer.entrySourceIp, rServer.entrySession!.loginRemnant]).toEqual(['sshd', '192.0.2.9', true]);
    expect(r950.entryLeader).toBe(rServer);
  });

  it('a reconciliation after losses is recorded and replays to the same live set', () => {
    const sim = new SyntheticHost();
    sim.boot();
    const doc = new EcsDocumentBuilder({ host: HOST });
    const path = join(dir, 'reconcile.ndjson');
    const w = RecordingWriter.open(path);
    for (const n of sim.table.processes()) w.write(doc.snapshotLine(n, sim.time));
    const write = (node: ReturnType<SyntheticHost['exec']> | null) => w.write(doc.eventLine(sim.event, node));
    sim.sshLogin(602); // (not recorded: the recording starts at its first live lines below)
    for (const n of [...sim.table.processes()].filter((x) => x.pid >= 500)) w.write(doc.snapshotLine(n, sim.time));
    write(sim.fork(602, 700));
    write(sim.exec(700, '/usr/bin/make'));
    write(sim.fork(700, 701));
    write(sim.exec(701, '/usr/bin/cc'));
    write(sim.lost(12));
    sim.procs.delete(701); // its end was lost
    const root = mkdtempSync(join(dir, 'proc-'));
    for (const p of sim.procs.values()) writeFakeProc(root, fakeOf(p));
    writeFakeProc(root, { pid: 702, ppid: 700, pgid: 700, sid: 602, comm: 'ld', startTicks: sim.ticks + 1 }); // fork lost
    const result = reconcileWithProc(sim.table, { bootTimeMs: HOST.bootTimeMs, procRoot: root }, (e, node) => {
      w.write(doc.eventLine(e, node));
    });
    expect([result.ended, result.learned]).toEqual([1, 1]);
    w.close();

    const replay = RecordingReplay.open([path]);
    replay.replayAll();
    expect(replay.stats().badLines).toBe(0);
    const table = [...replay.models.values()][0]!.table;
    const liveOf = (t: typeof sim.table) =>
      [...t.processes()].filter((n) => !n.exited).map((n) => `${n.pid}:${n.entryLeader?.pid ?? 0}`).sort();
    expect(liveOf(table)).toEqual(liveOf(sim.table));
    expect(table.get(701)!.exitCause).toBe('unknown');
    expect(table.get(702)!.parent?.pid).toBe(700);
    expect(table.get(702)!.entryLeader?.pid).toBe(602);
    expect(table.stats().lost).toBe(12);
  });
});
