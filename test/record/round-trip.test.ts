import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { SyntheticHost } from '../../bench/record-workload.js';
import { ProcessTable } from '../../src/model/process-table.js';
import type { ProcessEvent } from '../../src/sensor/process-event.js';
import { EcsDocumentBuilder } from '../../src/record/ecs-document.js';
import { RecordingReplay } from '../../src/record/recording-replay.js';
import { RecordingWriter } from '../../src/record/recording-writer.js';
import { validateRecordLine } from '../../src/record/schema.js';
import { modelFingerprint, sessionFingerprint } from './model-fingerprint.js';

const dir = mkdtempSync(join(tmpdir(), 'sessiontop-rt-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Records a synthetic host: backfill as snapshot lines (after finishBackfill), then live events. */
function recordSynthetic(path: string, events: number, seed = 7): ProcessTable {
  const gen = new SyntheticHost({ seed });
  const table = new ProcessTable({ host: gen.host });
  const doc = new EcsDocumentBuilder({ host: gen.host });
  const w = RecordingWriter.open(path);
  let lastSnapshotTime = 0;
  gen.backfill((e: ProcessEvent) => {
    table.apply(e);
    lastSnapshotTime = e.time;
  });
  for (const n of table.finishBackfill()) w.write(doc.snapshotLine(n, lastSnapshotTime));
  gen.run(events, (e) => {
    const node = table.apply(e);
    w.write(doc.eventLine(e, node));
  });
  w.close();
  return table;
}

describe('round trip writer → reader → model (synthetic host)', () => {
  it('every line written is valid against the schema', () => {
    const path = join(dir, 'valid.ndjson');
    recordSynthetic(path, 3000);
    const lines = readFileSync(path, 'utf8').split('\n').filter((l) => l !== '');
    expect(lines.length).toBeGreaterThan(3000);
    for (const l of lines) {
      const v = validateRecordLine(JSON.parse(l));
      if (!v.ok) throw new Error(`${v.reason}: ${l}`);
    }
  });

  it('replay rebuilds the same model: nodes, leaders, entry sessions, user-entered, exit codes', () => {
    const path = join(dir, 'rt.ndjson');
    const live = recordSynthetic(path, 20_000);
    const replay = RecordingReplay.open([path]);
    replay.replayAll();
    expect(replay.stats().badLines).toBe(0);
    expect(replay.models.size).toBe(1);
    const model = [...replay.models.values()][0]!;
    const a = modelFingerprint(live);
    const b = modelFingerprint(model.table);
    expect(b.size).toBe(a.size);
    let userEntered = 0;
    let exitedNonZero = 0;
    for (const [id, fa] of a) {
      expect(b.get(id), id).toEqual(fa);
      if (fa.userEntered) userEntered++;
      if (fa.exited && fa.exitCode !== 0) exitedNonZero++;
    }
    expect(userEntered).toBeGreaterThan(10);
    expect(exitedNonZero).toBeGreaterThan(0);
    expect(sessionFingerprint(model.table)).toEqual(sessionFingerprint(live));
    expect(model.table.stats().lost).toBe(live.stats().lost);
    replay.close();
  });
});
