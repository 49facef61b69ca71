/**
 * The recorder's own memory beside the model's: heap per tracked process of a `ProcessTable` fed a
 * synthetic host's events (ssh sessions, pipelines, cron, sudo, tmux), alone and with every event
 * also written as an ECS line by `EcsDocumentBuilder`, whose per-process JSON fragments are what
 * `sessiontop record` keeps beyond the model. Measured with global.gc() and heapUsed.
 *
 *   npx tsc -p tsconfig.json && node --expose-gc dist/bench/recorder-memory.js [EVENTS=300000]
 */

import { ProcessTable } from '../src/model/process-table.js';
import { EcsDocumentBuilder } from '../src/record/ecs-document.js';
import { isMain, printFigures } from './bench-util.js';
import { SyntheticHost } from './record-workload.js';

export interface RecorderMemoryFigures {
  events: number;
  tracked: number;
  /** Heap bytes per tracked process: the model alone. */
  modelBytesPerProcess: number;
  /** Heap bytes per tracked process the line builder adds on top. */
  recorderBytesPerProcess: number;
}

function gc(): void {
  const g = (globalThis as { gc?: () => void }).gc;
  if (g === undefined) throw new Error('run with node --expose-gc');
  for (let i = 0; i < 3; i++) g();
}

function heapAfter(events: number, write: boolean): { bytes: number; tracked: number } {
  gc();
  const before = process.memoryUsage().heapUsed;
  const gen = new SyntheticHost({ seed: 1 });
  const table = new ProcessTable({ host: gen.host });
  const doc = new EcsDocumentBuilder({ host: gen.host });
  gen.backfill((e) => table.apply(e));
  for (const n of table.finishBackfill()) if (write) doc.snapshotLine(n, n.start);
  let chars = 0;
  gen.run(events, (e) => {
    const n = table.apply(e);
    if (write) chars += doc.eventLine(e, n).length;
  });
  gc();
  const bytes = process.memoryUsage().heapUsed - before;
  let tracked = 0;
  for (const _ of table.processes()) tracked++;
  // keep both alive until measured
  if (chars < 0 || doc.host !== gen.host) throw new Error('unreachable');
  return { bytes, tracked };
}

export function run(events = 300_000): RecorderMemoryFigures {
  const model = heapAfter(events, false);
  const both = heapAfter(events, true);
  return {
    events,
    tracked: both.tracked,
    modelBytesPerProcess: model.bytes / model.tracked,
    recorderBytesPerProcess: (both.bytes - model.bytes) / both.tracked,
  };
}

if (isMain(import.meta.url)) {
  const f = run(Number(process.argv[2] ?? 300_000));
  printFigures('recorder memory (heap per tracked process)', {
    events: f.events,
    'tracked processes': f.tracked,
    'model (B/process)': Math.round(f.modelBytesPerProcess),
    'line builder on top (B/process)': Math.round(f.recorderBytesPerProcess),
  });
}
