/**
 * Seeking keeps the terminal pane exact: a replay restored from a checkpoint holds the same
 * terminal output per entry session as a straight replay to the same moment (checkpoints carry
 * the sessions' terminal logs).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { SyntheticHost } from '../../bench/record-workload.js';
import { ProcessTable } from '../../src/model/process-table.js';
import { EcsDocumentBuilder } from '../../src/record/ecs-document.js';
import { RecordingReplay } from '../../src/record/recording-replay.js';
import { SeekableReplay } from '../../src/record/recording-seek.js';
import { RecordingWriter } from '../../src/record/recording-writer.js';
import type { ProcessEvent } from '../../src/sensor/process-event.js';

const dir = mkdtempSync(join(tmpdir(), 'sessiontop-terminal-seek-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** A synthetic host's recording where every tenth event's process also writes a line to its terminal. */
function writeWithOutput(path: string, events: number): { first: number; last: number } {
  const gen = new SyntheticHost({ seed: 11 });
  const table = new ProcessTable({ host: gen.host });
  const doc = new EcsDocumentBuilder({ host: gen.host });
  const w = RecordingWriter.open(path);
  let first = 0;
  let last = 0;
  gen.backfill((e) => {
    table.apply(e);
    last = e.time;
  });
  for (const n of table.finishBackfill()) w.write(doc.snapshotLine(n, last));
  let i = 0;
  gen.run(events, (e) => {
    const node = table.apply(e);
    w.write(doc.eventLine(e, node));
    if (first === 0) first = e.time;
    last = e.time;
    if (++i % 10 === 0 && node !== null && !node.exited && e.action !== 'lost' && e.action !== 'end') {
      const out: ProcessEvent = { ...e, action: 'text_output', text: `\u001b[1mline ${i}\u001b[0m of ${node.pid}\r\n`, ioBytes: 0, ioSkipped: 0, ioSkips: [], ioCapped: false, ttyRows: 30, ttyColumns: 100 };
      w.write(doc.eventLine(out, table.apply(out)));
    }
  });
  w.close();
  return { first, last };
}

/** Every entry session's terminal text, by session id. */
function terminals(replay: RecordingReplay): Map<string, string> {
  const out = new Map<string, string>();
  for (const m of replay.models.values()) {
    for (const s of m.table.entrySessions({ includeServices: true })) {
      if (s.terminal !== null) out.set(s.id, `${s.terminal.appended}:${s.terminal.chunks.map((c) => c.text).join('')}`);
    }
  }
  return out;
}

describe('seeking with terminal output', () => {
  it('a restored checkpoint holds the same terminal output as a straight replay', () => {
    const file = join(dir, 'out.ndjson');
    const { first, last } = writeWithOutput(file, 12_000);
    const seekable = new SeekableReplay([file], { checkpointEvery: 1000 });
    seekable.forwardTo(last); // lay the checkpoints
    expect(seekable.checkpointCount).toBeGreaterThan(3);
    for (const f of [0.9, 0.2, 0.55, 0.1, 0.75]) {
      const t = first + (last - first) * f;
      seekable.seek(t);
      const straight = RecordingReplay.open([file]);
      straight.replayUntil(t);
      const want = terminals(straight);
      expect(want.size).toBeGreaterThan(0);
      expect(terminals(seekable.replay)).toEqual(want);
      straight.close();
    }
    seekable.close();
  });
});
