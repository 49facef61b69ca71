/**
 * Typed-line probe overhead, side by side: each workload is timed with the sensor loaded and typed
 * capture off (`--no-typed`: no typed-line program at all) and with it on (readline/rl_newline,
 * zleentry/acceptline uprobes, the read(2) tracepoint), in alternating runs; prints the median ratio
 * (on / off) per workload. Needs root.
 *
 * Workloads: a bash builtin loop, a zsh builtin loop (non-interactive: the probes are not on their
 * path, the ratio shows what merely having them attached costs), a dash loop whose `read` reads fd 0
 * (every read(2) exit runs the tracepoint program), and `dd` reading 4 KiB blocks on fd 0 (the
 * program's longest path for a process that is not a shell: fd, size and executable checked).
 *   node dist/bench/typed-overhead.js [scale] [pairs]
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { BpfSource } from '../src/sensor/bpf-source.js';
import { isMain, median, printFigures } from './bench-util.js';

const execFileAsync = promisify(execFile);

export interface Workload {
  name: string;
  file: string;
  args: (scale: number) => string[];
}

export const WORKLOADS: Workload[] = [
  { name: 'bash builtin loop', file: '/bin/bash', args: (n) => ['-c', `for ((i=0;i<${n};i++)); do x=$i; cd . ; done`] },
  { name: 'zsh builtin loop', file: '/bin/zsh', args: (n) => ['-f', '-c', `for ((i=0;i<${n};i++)); do x=$i; cd . ; done`] },
  // `read x < file` reads its line a byte at a time on fd 0: several read(2) exits per iteration
  { name: 'dash loop reading fd 0', file: '/bin/dash', args: (n) => ['-c', `i=0; while [ $i -lt ${n / 4} ]; do read x < /etc/hostname; i=$((i+1)); done`] },
  { name: 'dd: 4 KiB reads on fd 0', file: '/bin/sh', args: (n) => ['-c', `dd bs=4096 count=${n * 4} status=none < /dev/zero > /dev/null`] },
];

async function timeRun(w: Workload, scale: number): Promise<number> {
  const t0 = process.hrtime.bigint();
  await execFileAsync(w.file, w.args(scale));
  return Number(process.hrtime.bigint() - t0) / 1e6;
}

export interface OverheadRow {
  name: string;
  offMs: number;
  onMs: number;
  ratio: number;
}

export async function run(scale = 100_000, pairs = 5): Promise<{ rows: OverheadRow[]; probes: number }> {
  const samples = WORKLOADS.map(() => ({ off: [] as number[], on: [] as number[], ratios: [] as number[] }));
  let probes = 0;
  for (const w of WORKLOADS) await timeRun(w, scale / 10); // warm caches
  for (let i = 0; i < pairs; i++) {
    for (const typed of i % 2 === 0 ? [false, true] : [true, false]) {
      const source = new BpfSource({ typed });
      await source.start(() => undefined);
      if (typed) probes = source.stats()!.probes.filter((p) => p.attached).length;
      for (const [k, w] of WORKLOADS.entries()) samples[k]![typed ? 'on' : 'off'].push(await timeRun(w, scale));
      await source.stop();
    }
    for (const s of samples) s.ratios.push(s.on[i]! / s.off[i]!);
  }
  const rows = WORKLOADS.map((w, k) => ({
    name: w.name,
    offMs: median(samples[k]!.off),
    onMs: median(samples[k]!.on),
    ratio: median(samples[k]!.ratios),
  }));
  return { rows, probes };
}

if (isMain(import.meta.url)) {
  const r = await run(Number(process.argv[2] ?? 100_000), Number(process.argv[3] ?? 5));
  const figures: Record<string, number | string> = {};
  for (const row of r.rows) figures[`${row.name}: typed off / on (ms), ratio`] = `${row.offMs.toFixed(0)} / ${row.onMs.toFixed(0)}, ${row.ratio.toFixed(3)}`;
  figures['typed-line probes attached'] = r.probes;
  printFigures('typed-line probe overhead (sensor loaded with typed capture off vs on, alternating pairs, medians)', figures);
}
