/**
 * Recording throughput on a generated 1 M-event recording (synthetic host: ssh sessions typing
 * commands and pipelines, cron jobs, sudo, tmux; fork/exec/end/setpgid/typed mix).
 *
 *   npx tsc -p tsconfig.json && node --expose-gc dist/bench/record-throughput.js [events]
 *
 * Figures:
 * - write: events/s of serializing enriched nodes to ECS lines and writing them through
 *   RecordingWriter (the recorder's own cost; the model's apply is timed separately);
 * - bytes per event;
 * - replay: events/s of read + JSON.parse + schema validation + ProcessTable.apply (the whole
 *   replay path), with the parse workers (the default for a file this size) and on the main thread
 *   alone, beside a single-threaded read + JSON.parse loop over the same file (the ratio target is
 *   the workers' replay over that loop), with the cost of each stage on the same file for context.
 *   The three are run in alternation, ROUNDS times, and the medians reported (the machine may be
 *   shared).
 */

import { mkdtempSync, openSync, closeSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { ProcessTable } from '../src/model/process-table.js';
import { EcsDocumentBuilder } from '../src/record/ecs-document.js';
import { LineReader } from '../src/record/line-reader.js';
import { RecordingReplay } from '../src/record/recording-replay.js';
import { parseWorkerPool, terminateParseWorkers } from '../src/record/parse-worker-pool.js';
import { RecordingWriter } from '../src/record/recording-writer.js';
import { validateRecordLine } from '../src/record/schema.js';
import { SyntheticHost } from './record-workload.js';

export interface RecordThroughputFigures {
  events: number;
  lines: number;
  bytes: number;
  bytesPerEvent: number;
  /** Serialize + write, events/s (excluding model apply and event generation). */
  writeEventsPerSec: number;
  /** Serialize only, events/s. */
  serializeEventsPerSec: number;
  /** Generation + model apply + serialize + write, events/s (the whole recorder loop here). */
  recordLoopEventsPerSec: number;
  /** Replay: read + parse + validate + model apply, events/s (parse workers, the default). */
  replayEventsPerSec: number;
  /** The same replay with every line parsed on the main thread, events/s. */
  replaySingleThreadEventsPerSec: number;
  /** Parse workers used by the replay. */
  replayWorkers: number;
  /** Stages of replay measured alone on the same file, lines/s. */
  readLinesPerSec: number;
  readParseLinesPerSec: number;
  readParseValidateLinesPerSec: number;
  replayBadLines: number;
  /** Replay events/s over a single-threaded read + JSON.parse loop's lines/s on the same file (target ≥ 1.5). */
  replayOverParse: number;
  /**
   * CPU time per event of the replay with workers (medians): on the main thread, and on every
   * other thread of the process (the parse workers, and V8's helper threads: GC, compiler). Unlike
   * events/s, these hardly change when the machine is shared.
   */
  replayMainCpuUsPerEvent: number;
  replayOtherCpuUsPerEvent: number;
  file: string;
}

const ROUNDS = 3;

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)] as number;
}

/** CPU time (ms) of each thread of this process, by thread id (Linux /proc). */
function threadCpuMs(): Map<string, number> {
  const out = new Map<string, number>();
  for (const tid of readdirSync('/proc/self/task')) {
    try {
      const stat = readFileSync(`/proc/self/task/${tid}/stat`, 'utf8');
      const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      out.set(tid, ((Number(f[11]) + Number(f[12])) * 1000) / 100); // utime + stime, in clock ticks (USER_HZ 100)
    } catch {
      // the thread ended meanwhile
    }
  }
  return out;
}

function gc(): void {
  (globalThis as { gc?: () => void }).gc?.();
}

export function run(options: { events?: number; dir?: string; keep?: boolean; log?: (s: string) => void } = {}): RecordThroughputFigures {
  const events = options.events ?? 1_000_000;
  const log = options.log ?? ((s: string) => console.log(s));
  const dir = options.dir ?? mkdtempSync(join(tmpdir(), 'sessiontop-bench-'));
  const file = join(dir, 'bench-1m.ndjson');
  rmSync(file, { force: true });

  // ---- record
  gc();
  const gen = new SyntheticHost({ seed: 1 });
  const table = new ProcessTable({ host: gen.host });
  const doc = new EcsDocumentBuilder({ host: gen.host });
  const writer = RecordingWriter.open(file);
  let lastSnapshot = 0;
  gen.backfill((e) => {
    table.apply(e);
    lastSnapshot = e.time;
  });
  for (const n of table.finishBackfill()) writer.write(doc.snapshotLine(n, lastSnapshot));
  let serializeMs = 0;
  let writeMs = 0;
  const t0 = performance.now();
  const written = gen.run(events, (e) => {
    const node = table.apply(e);
    const a = performance.now();
    const line = doc.eventLine(e, node);
    const b = performance.now();
    writer.write(line);
    const c = performance.now();
    serializeMs += b - a;
    writeMs += c - b;
  });
  writer.close();
  const loopMs = performance.now() - t0;
  const wstats = writer.stats();
  const bytes = statSync(file).size;

  // ---- replay stages
  gc();
  const stage = (parse: boolean, validate: boolean): { lines: number; ms: number } => {
    const fd = openSync(file, 'r');
    const lr = new LineReader(fd);
    let lines = 0;
    const t = performance.now();
    while (lr.next()) {
      lines++;
      if (!parse) continue;
      const v = JSON.parse(lr.line) as unknown;
      if (validate && !validateRecordLine(v).ok) throw new Error(`invalid line ${lr.lineNo}`);
    }
    const ms = performance.now() - t;
    closeSync(fd);
    return { lines, ms };
  };
  const read = stage(false, false);
  gc();
  const validated = stage(true, true);
  gc();

  // ---- full replay, with and without the parse workers, beside the JSON.parse loop
  let workerShare = 0;
  let localChunkShare = 0;
  let scannedShare = 0;
  const mainCpu: number[] = [];
  const otherCpu: number[] = [];
  const replayOnce = (workers: boolean): { events: number; ms: number; badLines: number } => {
    terminateParseWorkers(); // worker start-up is part of every timed replay
    gc();
    const before = threadCpuMs();
    const replay = RecordingReplay.open([file], workers ? {} : { parallelMinBytes: Infinity });
    const t = performance.now();
    const applied = replay.replayAll();
    const ms = performance.now() - t;
    if (workers) {
      // the workers are still running (idle): their threads are counted
      let main = 0;
      let other = 0;
      for (const [tid, cpu] of threadCpuMs()) {
        const used = cpu - (before.get(tid) ?? 0);
        if (tid === String(process.pid)) main += used;
        else other += used;
      }
      mainCpu.push((main * 1000) / applied);
      otherCpu.push((other * 1000) / applied);
    }
    const parallel = replay.reader.readers[0]?.parallelEvents ?? 0;
    if (workers) {
      if (parallel === 0) throw new Error('replay with workers parsed nothing in workers');
      workerShare = parallel / applied;
      const chunks = replay.reader.readers[0]?.parallelChunks ?? { workers: 0, local: 0, scannedLines: 0 };
      localChunkShare = chunks.local / Math.max(1, chunks.workers + chunks.local);
      scannedShare = chunks.scannedLines / Math.max(1, parallel);
    }
    const badLines = replay.stats().badLines;
    replay.close();
    return { events: applied, ms, badLines };
  };
  const parseRates: number[] = [];
  const singleRates: number[] = [];
  const workerRates: number[] = [];
  let parsed = { lines: 0, ms: 1 };
  let replayBadLines = 0;
  for (let round = 0; round < ROUNDS; round++) {
    gc();
    parsed = stage(true, false);
    parseRates.push(parsed.lines / (parsed.ms / 1000));
    const single = replayOnce(false);
    singleRates.push(single.events / (single.ms / 1000));
    const withWorkers = replayOnce(true);
    workerRates.push(withWorkers.events / (withWorkers.ms / 1000));
    replayBadLines += single.badLines + withWorkers.badLines;
  }
  terminateParseWorkers();
  const parseRate = median(parseRates);
  const workerRate = median(workerRates);

  const figures: RecordThroughputFigures = {
    events: written,
    lines: wstats.lines,
    bytes,
    bytesPerEvent: bytes / wstats.lines,
    writeEventsPerSec: written / ((serializeMs + writeMs) / 1000),
    serializeEventsPerSec: written / (serializeMs / 1000),
    recordLoopEventsPerSec: written / (loopMs / 1000),
    replayEventsPerSec: workerRate,
    replaySingleThreadEventsPerSec: median(singleRates),
    replayWorkers: parseWorkerPool()?.size ?? 0,
    readLinesPerSec: read.lines / (read.ms / 1000),
    readParseLinesPerSec: parseRate,
    readParseValidateLinesPerSec: validated.lines / (validated.ms / 1000),
    replayBadLines,
    replayOverParse: workerRate / parseRate,
    replayMainCpuUsPerEvent: median(mainCpu),
    replayOtherCpuUsPerEvent: median(otherCpu),
    file,
  };

  const k = (n: number): string => `${Math.round(n / 1000).toLocaleString('en-US')} k`;
  log(`record-throughput: ${written.toLocaleString('en-US')} live events (+ ${wstats.lines - written} snapshot lines), ${(bytes / 1048576).toFixed(1)} MiB`);
  log(`  write (serialize + RecordingWriter)   ${k(figures.writeEventsPerSec)} events/s`);
  log(`    serialize alone                      ${k(figures.serializeEventsPerSec)} events/s`);
  log(`  recorder loop (gen + model + write)   ${k(figures.recordLoopEventsPerSec)} events/s`);
  log(`  bytes per event                       ${figures.bytesPerEvent.toFixed(0)} B`);
  log(`  replay, side by side (medians of ${ROUNDS} alternating rounds):`);
  log(`    read + JSON.parse loop, one thread   ${k(figures.readParseLinesPerSec)} lines/s`);
  log(`    replay on the main thread alone      ${k(figures.replaySingleThreadEventsPerSec)} events/s`);
  log(`    replay with ${figures.replayWorkers} parse workers         ${k(figures.replayEventsPerSec)} events/s   (target > 200 k)`);
  log(`    replay with workers / JSON.parse loop ${figures.replayOverParse.toFixed(2)}   (target ≥ 1.5)`);
  log(`    (workers started inside each timed replay; ${(100 * workerShare).toFixed(1)}% of its events read in chunks, ${(100 * localChunkShare).toFixed(0)}% of the chunks decoded by the main thread: all of them until the workers were ready, then whenever the next one was not back; ${(100 * scannedShare).toFixed(1)}% of the lines read by the native line scanner, the rest by JSON.parse)`);
  log(`    CPU per event of that replay: main thread ${figures.replayMainCpuUsPerEvent.toFixed(2)} µs, other threads (workers, GC, compiler) ${figures.replayOtherCpuUsPerEvent.toFixed(2)} µs`);
  log(`  replay stages alone (context)`);
  log(`    read lines alone                     ${k(figures.readLinesPerSec)} lines/s`);
  log(`    read + JSON.parse + validate         ${k(figures.readParseValidateLinesPerSec)} lines/s`);
  log(`  replay bad lines                      ${figures.replayBadLines}`);

  if (!options.keep && options.dir === undefined) rmSync(dir, { recursive: true, force: true });
  return figures;
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const n = process.argv[2] !== undefined ? Number(process.argv[2]) : undefined;
  run(n !== undefined && Number.isFinite(n) ? { events: n } : {});
}
