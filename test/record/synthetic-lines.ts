/**
 * The lines the recorder writes for a synthetic host (bench/record-workload.ts): its backfill as
 * snapshot lines, then `events` live events as the model enriched them, each line ending with \n.
 * A host given for another boot starts an hour after the synthetic host's boot.
 */
import { SYNTHETIC_HOST, SyntheticHost } from '../../bench/record-workload.js';
import { ProcessTable } from '../../src/model/process-table.js';
import type { HostInfo } from '../../src/model/types.js';
import { EcsDocumentBuilder } from '../../src/record/ecs-document.js';

export function syntheticLines(seed: number, events: number, host?: HostInfo): string[] {
  const gen = new SyntheticHost({ seed, ...(host !== undefined ? { host, startTime: SYNTHETIC_HOST.bootTimeMs + 3_600_000 } : {}) });
  const table = new ProcessTable({ host: gen.host });
  const doc = new EcsDocumentBuilder({ host: gen.host });
  const lines: string[] = [];
  let last = 0;
  gen.backfill((e) => {
    table.apply(e);
    last = e.time;
  });
  for (const n of table.finishBackfill()) lines.push(doc.snapshotLine(n, last));
  gen.run(events, (e) => lines.push(doc.eventLine(e, table.apply(e))));
  return lines.map((l) => (l.endsWith('\n') ? l : `${l}\n`));
}
