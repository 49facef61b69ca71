import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { SyntheticHost } from '../../bench/record-workload.js';
import { ProcessTable } from '../../src/model/process-table.js';
import type { HostInfo } from '../../src/model/types.js';
import { EcsDocumentBuilder } from '../../src/record/ecs-document.js';
import { RecordingReplay } from '../../src/record/recording-replay.js';
import { SeekableReplay, findOffsetAtTime } from '../../src/record/recording-seek.js';
import { RecordingWriter } from '../../src/record/recording-writer.js';
import { modelFingerprint, type NodeFingerprint } from './model-fingerprint.js';
import { dumpTable } from '../model/table-dump.js';

const dir = mkdtempSync(join(tmpdir(), 'sessiontop-seek-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function writeSynthetic(path: string, events: number, seed: number, host?: HostInfo): void {
  const gen = new SyntheticHost({ seed, ...(host ? { host } : {}) });
  const table = new ProcessTable({ host: gen.host });
  const doc = new EcsDocumentBuilder({ host: gen.host });
  const w = RecordingWriter.open(path);
  let last = 0;
  gen.backfill((e) => {
    table.apply(e);
    last = e.time;
  });
  for (const n of table.finishBackfill()) w.write(doc.snapshotLine(n, last));
  gen.run(events, (e) => w.write(doc.eventLine(e, table.apply(e))));
  w.close();
}

const file = join(dir, 'seek.ndjson');
writeSynthetic(file, 30_000, 5);
const text = readFileSync(file);
/** [offset, time] of every line. */
const lineTimes: [number, number][] = [];
for (let off = 0; off < text.length; ) {
  const nl = text.indexOf(0x0a, off);
  lineTimes.push([off, Date.parse(JSON.parse(text.toString('utf8', off, nl))['@timestamp'])]);
  off = nl + 1;
}

/** What the session view shows of live processes: must be equal after a checkpoint restore. */
function liveView(table: ProcessTable): Map<string, Partial<NodeFingerprint>> {
  const out = new Map<string, Partial<NodeFingerprint>>();
  for (const [id, f] of modelFingerprint(table)) {
    if (f.exited) continue;
    const { previous: _p, typed: _t, userEntered: _u, lastUserEntered: _l, ...rest } = f;
    out.set(id, rest);
  }
  return out;
}

describe('findOffsetAtTime (binary search on line starts)', () => {
  it('finds the first line at or after any moment', () => {
    const first = lineTimes[0]![1];
    const last = lineTimes[lineTimes.length - 1]![1];
    for (let i = 0; i <= 40; i++) {
      const t = first - 5 + ((last - first + 10) * i) / 40;
      const want = lineTimes.find(([, time]) => time >= Math.floor(t)) ?? [text.length, 0];
      // line times here are ms-truncated by Date.parse; compare on the same footing
      const got = findOffsetAtTime(file, Math.floor(t));
      expect(got).toBe(want[0]);
    }
    expect(findOffsetAtTime(file, last + 1000)).toBe(text.length);
    expect(findOffsetAtTime(file, 0)).toBe(0);
  });
});

describe('SeekableReplay', () => {
  it('seeking back restores a checkpoint and equals a straight replay to the same moment (live processes)', () => {
    const seekable = new SeekableReplay([file], { checkpointEvery: 2000 });
    seekable.forwardTo(Infinity);
    expect(seekable.checkpointCount).toBeGreaterThanOrEqual(10);
    const first = lineTimes[0]![1];
    const last = lineTimes[lineTimes.length - 1]![1];
    for (const frac of [0.9, 0.15, 0.5, 0.51, 0.05, 0.75]) {
      const t = first + (last - first) * frac;
      seekable.seek(t);
      const straight = RecordingReplay.open([file]);
      straight.replayUntil(t);
      expect(seekable.replay.applied).toBe(straight.applied);
      const a = [...seekable.replay.models.values()][0]!.table;
      const b = [...straight.models.values()][0]!.table;
      expect(liveView(a)).toEqual(liveView(b));
      const sessions = (tb: ProcessTable) =>
        tb
          .entrySessions({ includeServices: true, includeExited: false })
          .filter((s) => s.liveCount > 0)
          .map((s) => [s.id, s.type, s.liveCount, s.sourceIp])
          .sort();
      expect(sessions(a)).toEqual(sessions(b));
      straight.close();
    }
    seekable.close();
  });

  it('a seek lands on exactly the model a straight replay gives (every field of every node: exec and typed history too; list orders, sessions, counters), and stays so going on', () => {
    const seekable = new SeekableReplay([file], { checkpointEvery: 1500 });
    seekable.forwardTo(Infinity);
    const first = lineTimes[0]![1];
    const last = lineTimes[lineTimes.length - 1]![1];
    let previousShown = 0;
    let typedShown = 0;
    for (const frac of [0.8, 0.2, 0.65, 0.35, 0.95, 0.03]) {
      const t = first + (last - first) * frac;
      seekable.seek(t);
      const straight = RecordingReplay.open([file]);
      straight.replayUntil(t);
      const a = [...seekable.replay.models.values()][0]!.table;
      const b = [...straight.models.values()][0]!.table;
      const want = dumpTable(b);
      expect(dumpTable(a)).toEqual(want);
      for (const n of b.processes()) {
        if (n.previous.length > 0) previousShown++;
        if (n.typed.length > 0) typedShown++;
      }
      // the restored model goes on as the straight one does
      for (let i = 0; i < 800; i++) {
        seekable.step();
        straight.step();
      }
      expect(dumpTable([...seekable.replay.models.values()][0]!.table)).toEqual(dumpTable(b));
      straight.close();
    }
    expect(previousShown).toBeGreaterThan(100);
    expect(typedShown).toBeGreaterThan(10);
    seekable.close();
  });

  it('steps continue correctly after a seek (positions are exact)', () => {
    const seekable = new SeekableReplay([file], { checkpointEvery: 1000 });
    seekable.forwardTo(Infinity);
    const mid = lineTimes[Math.floor(lineTimes.length / 2)]![1];
    seekable.seek(mid);
    const straight = RecordingReplay.open([file]);
    straight.replayUntil(mid);
    for (let i = 0; i < 500; i++) {
      const a = seekable.step();
      const b = straight.step();
      expect(a?.entry.lineNo).toBe(b?.entry.lineNo);
      expect(a?.entry.event.time).toBe(b?.entry.event.time);
    }
    straight.close();
    seekable.close();
  });

  it('works across several files (merged) too', () => {
    const other = join(dir, 'seek-b.ndjson');
    writeSynthetic(other, 10_000, 9, { ...new SyntheticHost().host, name: 'other-host' });
    const seekable = new SeekableReplay([file, other], { checkpointEvery: 1500 });
    seekable.forwardTo(Infinity);
    const t = lineTimes[Math.floor(lineTimes.length / 3)]![1];
    seekable.seek(t);
    const straight = RecordingReplay.open([file, other]);
    straight.replayUntil(t);
    expect(seekable.replay.applied).toBe(straight.applied);
    for (const [key, m] of straight.models) expect(liveView(seekable.replay.models.get(key)!.table)).toEqual(liveView(m.table));
    for (let i = 0; i < 300; i++) expect(seekable.step()?.entry.event.time).toBe(straight.step()?.entry.event.time);
    straight.close();
    seekable.close();
  });
});
