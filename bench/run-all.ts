/**
 * `npm run bench`: runs every benchmark and prints one table of figures next to the performance
 * targets. Ratios come from alternating runs in this one process, so a noisy machine affects
 * both sides alike. Needs root for the eBPF figures (skipped, with the reason, otherwise).
 */
import * as decode from './decode-throughput.js';
import * as modelThroughput from './model-throughput.js';
import * as modelMemory from './model-memory.js';
import * as pipeline from './pipeline-throughput.js';
import * as recordThroughput from './record-throughput.js';
import * as recorderMemory from './recorder-memory.js';
import * as recordStorm from './record-storm.js';
import * as schemaCheck from './schema-check.js';
import * as seek from './seek.js';
import * as typedOverhead from './typed-overhead.js';
import * as ttyOverhead from './tty-output-overhead.js';
import * as uiCpu from './ui-cpu.js';
import * as uiFirstFrame from './ui-first-frame.js';
import * as uiScale from './ui-scale.js';

interface Row {
  figure: string;
  measured: string;
  target: string;
  met: boolean | null;
}

const rows: Row[] = [];
const fmt = (v: number, digits = 0): string => v.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits });
const add = (figure: string, measured: string, target: string, met: boolean | null): void => {
  rows.push({ figure, measured, target, met });
};
const step = (name: string): void => {
  process.stderr.write(`bench: ${name}…\n`);
};
const quiet = (): void => undefined;
const root = process.getuid?.() === 0;

step('storm under sessiontop record');
if (root) {
  const s = await recordStorm.run(3000, 5);
  add('storm wall time while recording, after a 3 000-exec warm-up (ratio)', fmt(s.ratio, 3), '≤ 1.05', s.ratio <= 1.05);
  add('storm CPU time while recording (ratio)', fmt(s.cpuRatio, 3), '≤ 1.05', s.cpuRatio <= 1.05);
  add('completeness: execs recorded / run', `${s.recorded} / ${s.run} (lost ${s.lost})`, 'all, 0 lost', s.recorded === s.run && s.lost === 0);
} else add('storm overhead, completeness', 'skipped: needs root', '', null);

step('decode and model throughput');
const d = decode.run();
const m = modelThroughput.run(2_000_000);
const p = pipeline.run(100_000, 5);
add('decode alone (events/s)', fmt(d.eventsPerSec), '—', null);
add('model update alone (events/s)', fmt(m.eventsPerSecond), '—', null);
add('decode + model, one pipeline (events/s)', fmt(p.eventsPerSec), '> 1 000 000', p.eventsPerSec > 1_000_000);

step('model memory');
const mem = modelMemory.run(100_000);
add('memory per tracked process (100 k)', `${fmt(mem.bytesPerProcessWithEntityIds)} B`, '< 2 048 B', mem.bytesPerProcessWithEntityIds < 2048);

step('recorder memory beside the model');
const rm = recorderMemory.run(300_000);
add('recorder line builder, heap per tracked process', `${fmt(rm.recorderBytesPerProcess)} B (model ${fmt(rm.modelBytesPerProcess)} B)`, '—', null);

step('recording write and replay (1 M events)');
const r = recordThroughput.run({ events: 1_000_000, log: quiet });
add('recording write (events/s)', fmt(r.writeEventsPerSec), '—', null);
add('single-threaded read + JSON.parse loop, same file (lines/s)', fmt(r.readParseLinesPerSec), '—', null);
add('replay on the main thread alone (events/s)', fmt(r.replaySingleThreadEventsPerSec), '—', null);
add(`replay with ${r.replayWorkers} parse workers: read + validate + model (events/s)`, fmt(r.replayEventsPerSec), '> 200 000', r.replayEventsPerSec > 200_000);
add('replay with workers / single-threaded JSON.parse loop, same file (ratio)', fmt(r.replayOverParse, 2), '≥ 1.5', r.replayOverParse >= 1.5);
add('bytes per event (plain NDJSON)', fmt(r.bytesPerEvent), '—', null);

step('line validation: compiled check vs Ajv');
const sc = schemaCheck.run(40_000, 7);
add('line validation, compiled check / Ajv (lines/s)', `${fmt(sc.ownLinesPerSec)} / ${fmt(sc.ajvLinesPerSec)}`, 'Ajv unless slower', null);

step('seek in a 1 M-event recording');
const sk = seek.run({ events: 1_000_000, log: quiet });
add('seek (avg / max ms)', `${fmt(sk.seekAvgMs)} / ${fmt(sk.seekMaxMs)}`, '< 1 000 ms', sk.seekMaxMs < 1000);

step('typed-line probe overhead');
if (root) {
  const t = await typedOverhead.run(100_000, 5);
  for (const row of t.rows) add(`${row.name}, typed probes on / off (ratio)`, fmt(row.ratio, 3), '≈ 1', null);
} else add('typed-line probe overhead', 'skipped: needs root', '', null);

step('terminal-output capture overhead');
if (root) {
  const t = await ttyOverhead.run(200_000, 5);
  add('16-byte writes in a pty, capture on / off (CPU ratio)', fmt(t.ptyRatio, 3), '≤ 1.05', t.ptyRatio <= 1.05);
  add('16-byte writes to /dev/null outside a terminal, capture on / off (CPU ratio)', fmt(t.devNullRatio, 3), '≈ 1.00', null);
} else add('terminal-output capture overhead', 'skipped: needs root', '', null);

step('TUI CPU (idle, then 1 000 execs/s)');
const u = await uiCpu.run(10, 10, 1000);
add(`TUI CPU idle (${u.source})`, `${fmt(u.idleCpuPercent, 2)} %`, '< 2 %', u.idleCpuPercent < 2);
add(`TUI CPU at ${fmt(u.loadAchievedRate)} execs/s`, `${fmt(u.loadCpuPercent, 1)} %`, '< 20 %', u.loadCpuPercent < 20);

step('TUI first frame');
const f = await uiFirstFrame.run(5);
add('first frame (median / max ms)', `${fmt(f.firstFrameMedianMs)} / ${fmt(f.firstFrameMaxMs)}`, '< 1 000 ms', f.firstFrameMaxMs < 1000);
add('first live data on screen (median ms)', fmt(f.liveMedianMs), '—', null);

step('the view at scale (1 000 sessions, 100 000 processes)');
const us = await uiScale.run(1000, 100_000, 5);
add('key → next frame at scale (median / p95 ms)', `${fmt(us.keyMedianMs)} / ${fmt(us.keyP95Ms)}`, '< 100 ms', us.keyP95Ms < 100);
add('search of 100 k processes + typed lines (ms)', fmt(us.searchMs), '—', null);
add(`view CPU at scale, ${fmt(us.loadExecsPerSecond)} execs/s`, `${fmt(us.viewCpuPercent, 1)} % (model ${fmt(us.modelCpuPercent, 1)} %)`, '< 20 %', us.viewCpuPercent < 20);

const w = [Math.max(...rows.map((x) => x.figure.length)), Math.max(...rows.map((x) => x.measured.length)), Math.max(...rows.map((x) => x.target.length))];
const line = (a: string, b: string, c: string, e: string): string => `| ${a.padEnd(w[0]!)} | ${b.padEnd(w[1]!)} | ${c.padEnd(w[2]!)} | ${e} |`;
console.log(line('figure', 'measured', 'target', 'met'));
console.log(`|${'-'.repeat(w[0]! + 2)}|${'-'.repeat(w[1]! + 2)}|${'-'.repeat(w[2]! + 2)}|-----|`);
for (const x of rows) console.log(line(x.figure, x.measured, x.target, x.met === null ? '' : x.met ? 'yes' : 'NO'));
