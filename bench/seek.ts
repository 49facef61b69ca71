/**
 * Seeking in a 1 M-event recording (synthetic host, as bench/record-throughput.ts).
 *
 *   npx tsc -p tsconfig.json && node --expose-gc dist/bench/seek.js [events]
 *
 * Figures:
 * - locate: byte offset of an arbitrary moment by binary search on line starts (no index);
 * - seek: model state at an arbitrary moment with SeekableReplay (its default checkpoints, every 10 000 events
 *   taken during one forward pass; a seek restores the nearest earlier checkpoint and replays the
 *   rest): average and worst over random moments, forward and backward;
 * - cold seek: the same without checkpoints (replay from the start), for comparison;
 * - the forward pass that takes the checkpoints, and what they cost in memory (heap used after
 *   it, less what the model alone takes: measured by a straight replay to the end);
 * - fidelity: processes whose fields differ from a straight replay after a restore (0: a restore
 *   is exact, exec and typed history included).
 */

import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { RecordingReplay } from '../src/record/recording-replay.js';
import { SeekableReplay, findOffsetAtTime } from '../src/record/recording-seek.js';
import { writeSyntheticRecording } from './record-workload.js';

export interface SeekFigures {
  events: number;
  fileBytes: number;
  locateAvgMs: number;
  locateMaxMs: number;
  forwardPassMs: number;
  checkpoints: number;
  /** Heap used after the forward pass: checkpoints + model. */
  checkpointHeapMiB: number;
  /** Heap used by the model alone (a straight replay to the end). */
  modelHeapMiB: number;
  seekAvgMs: number;
  seekMaxMs: number;
  coldSeekAvgMs: number;
  /** Live processes whose session-view fields differ after restore (should be 0). */
  liveViewMismatches: number;
  /** Tracked processes whose any derived field (incl. history) differs after restore. */
  anyFieldMismatches: number;
  trackedCompared: number;
}

function gc(): void {
  (globalThis as { gc?: () => void }).gc?.();
}

/** Deterministic pseudo-random moments. */
function moments(first: number, last: number, n: number, seed = 7): number[] {
  let a = seed;
  const out: number[] = [];
  for (let i = 0; i < n; i++) {
    a = (a * 1103515245 + 12345) >>> 0;
    out.push(first + ((last - first) * a) / 2 ** 32);
  }
  return out;
}

export function run(options: { events?: number; seeks?: number; checkpointEvery?: number; log?: (s: string) => void } = {}): SeekFigures {
  const events = options.events ?? 1_000_000;
  const log = options.log ?? ((s: string) => console.log(s));
  const dir = mkdtempSync(join(tmpdir(), 'sessiontop-seek-'));
  const file = join(dir, 'seek-1m.ndjson');
  try {
    let firstTime = Number.NaN;
    let lastTime = Number.NaN;
    writeSyntheticRecording(file, events, {
      seed: 2,
      onLine: (line) => {
        const t = Date.parse(line.slice(15, 42));
        if (Number.isNaN(firstTime)) firstTime = t;
        lastTime = t;
      },
    });
    const fileBytes = statSync(file).size;

    // ---- locate by binary search
    const targets = moments(firstTime, lastTime, options.seeks ?? 12);
    let locateTotal = 0;
    let locateMax = 0;
    for (const t of moments(firstTime, lastTime, 50, 3)) {
      const a = performance.now();
      findOffsetAtTime(file, t);
      const d = performance.now() - a;
      locateTotal += d;
      locateMax = Math.max(locateMax, d);
    }

    // ---- forward pass with checkpoints
    gc();
    const heapBefore = process.memoryUsage().heapUsed;
    const seekable = new SeekableReplay([file], options.checkpointEvery !== undefined ? { checkpointEvery: options.checkpointEvery } : {});
    const f0 = performance.now();
    seekable.forwardTo(Infinity);
    const forwardPassMs = performance.now() - f0;
    gc();
    const checkpointHeapMiB = (process.memoryUsage().heapUsed - heapBefore) / 1048576;

    // ---- seeks (random order: backward and forward)
    let seekTotal = 0;
    let seekMax = 0;
    for (const t of targets) {
      const a = performance.now();
      seekable.seek(t);
      const d = performance.now() - a;
      seekTotal += d;
      seekMax = Math.max(seekMax, d);
    }

    // ---- fidelity and cold seeks at a few moments
    let liveViewMismatches = 0;
    let anyFieldMismatches = 0;
    let trackedCompared = 0;
    let coldTotal = 0;
    const coldTargets = targets.slice(0, 3);
    for (const t of coldTargets) {
      seekable.seek(t);
      const a = performance.now();
      const straight = RecordingReplay.open([file]);
      straight.replayUntil(t);
      coldTotal += performance.now() - a;
      const restored = [...seekable.replay.models.values()][0]?.table;
      const reference = [...straight.models.values()][0]?.table;
      if (restored !== undefined && reference !== undefined) {
        for (const n of reference.processes()) {
          trackedCompared++;
          const m = restored.find(n.pid, n.startTicks);
          const same =
            m !== undefined &&
            m.exited === n.exited &&
            m.parent?.entityId === n.parent?.entityId &&
            m.sessionLeader?.entityId === n.sessionLeader?.entityId &&
            m.groupLeader?.entityId === n.groupLeader?.entityId &&
            m.entryLeader?.entityId === n.entryLeader?.entityId &&
            m.entryType === n.entryType &&
            m.interactive === n.interactive &&
            m.exitCode === n.exitCode;
          const history =
            m !== undefined &&
            m.userEntered === n.userEntered &&
            m.personEntered === n.personEntered &&
            m.lastUserEntered?.entityId === n.lastUserEntered?.entityId &&
            JSON.stringify(m.previous) === JSON.stringify(n.previous) &&
            JSON.stringify(m.typed) === JSON.stringify(n.typed);
          if (!same && !n.exited) liveViewMismatches++;
          if (!same || !history) anyFieldMismatches++;
        }
      }
      straight.close();
    }
    seekable.close();

    // ---- the model alone, for what the checkpoints cost
    gc();
    const modelBefore = process.memoryUsage().heapUsed;
    const whole = RecordingReplay.open([file]);
    whole.replayUntil(Infinity);
    gc();
    const modelHeapMiB = (process.memoryUsage().heapUsed - modelBefore) / 1048576;
    whole.close();

    const figures: SeekFigures = {
      events,
      fileBytes,
      locateAvgMs: locateTotal / 50,
      locateMaxMs: locateMax,
      forwardPassMs,
      checkpoints: seekable.checkpointCount,
      checkpointHeapMiB,
      modelHeapMiB,
      seekAvgMs: seekTotal / targets.length,
      seekMaxMs: seekMax,
      coldSeekAvgMs: coldTotal / coldTargets.length,
      liveViewMismatches,
      anyFieldMismatches,
      trackedCompared,
    };
    log(`seek: ${events.toLocaleString('en-US')}-event recording, ${(fileBytes / 1048576).toFixed(0)} MiB`);
    log(`  locate a moment (binary search, no index)   avg ${figures.locateAvgMs.toFixed(2)} ms, max ${figures.locateMaxMs.toFixed(2)} ms`);
    log(`  seek with model state (checkpoints)         avg ${figures.seekAvgMs.toFixed(0)} ms, max ${figures.seekMaxMs.toFixed(0)} ms   (target < 1000 ms)`);
    log(`  cold seek (replay from the start)           avg ${figures.coldSeekAvgMs.toFixed(0)} ms`);
    log(`  forward pass taking ${figures.checkpoints} checkpoints        ${(figures.forwardPassMs / 1000).toFixed(1)} s, checkpoints + model ≈ ${figures.checkpointHeapMiB.toFixed(0)} MiB heap (model alone ${figures.modelHeapMiB.toFixed(0)} MiB: checkpoints ≈ ${(figures.checkpointHeapMiB - figures.modelHeapMiB).toFixed(0)} MiB)`);
    log(`  after restore vs straight replay: ${figures.liveViewMismatches} live processes differ in leaders/entry/interactive/exit; ${figures.anyFieldMismatches} of ${figures.trackedCompared} tracked differ in any field (incl. previous, typed, user-entered)`);
    return figures;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const n = process.argv[2] !== undefined ? Number(process.argv[2]) : undefined;
  run(n !== undefined && Number.isFinite(n) ? { events: n } : {});
}
