/** Writes real recordings (src/record's writer and ECS builder) of a scripted host, for replay tests. */

import { EcsDocumentBuilder } from '../../src/record/ecs-document.js';
import { RecordingWriter } from '../../src/record/recording-writer.js';
import type { HostInfo } from '../../src/model/types.js';
import { buildScenario, FixtureHost, HOST, NAMES } from './ui-fixture.js';

/**
 * Records `script` run on a fresh FixtureHost: the backfill as snapshot lines (once resolved), then
 * every event. Returns the host (its table is the model the recording must replay into).
 */
export function recordFixture(path: string, script: (f: FixtureHost) => void = (f) => void buildScenario(f), host: HostInfo = HOST): FixtureHost {
  const f = new FixtureHost();
  const doc = new EcsDocumentBuilder({ host, names: NAMES });
  const w = RecordingWriter.open(path, { flushIntervalMs: 0 });
  let backfilled = false;
  const finish = f.finishBackfill.bind(f);
  f.finishBackfill = () => {
    const nodes = finish();
    for (const n of nodes) w.write(doc.snapshotLine(n, f.time));
    backfilled = true;
    return nodes;
  };
  f.onApplied = (e, node) => {
    if (e.action === 'snapshot') return;
    if (!backfilled) f.finishBackfill();
    w.write(doc.eventLine(e, node));
  };
  script(f);
  w.close();
  return f;
}
