/**
 * Typed-line probe overhead: a non-interactive bash running 100 000 builtin loop iterations, timed
 * with the readline uretprobes attached (full sensor, typed capture on) and without any sensor, in
 * alternating runs; prints the median ratio. Needs root.
 *   node dist/bench/typed-overhead.js [iterations] [pairs]
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { BpfSource } from '../src/sensor/bpf-source.js';
import { isMain, median, printFigures } from './bench-util.js';

const execFileAsync = promisify(execFile);

async function timeLoop(iterations: number): Promise<number> {
  const t0 = process.hrtime.bigint();
  await execFileAsync('/bin/bash', ['-c', `for ((i=0;i<${iterations};i++)); do x=$i; cd . ; done`]);
  return Number(process.hrtime.bigint() - t0) / 1e6;
}

export async function run(iterations = 100_000, pairs = 5): Promise<{ ratio: number; withoutMs: number; withMs: number; probes: number }> {
  await timeLoop(10_000);
  const without: number[] = [];
  const withProbes: number[] = [];
  const ratios: number[] = [];
  let probes = 0;
  for (let i = 0; i < pairs; i++) {
    const a = await timeLoop(iterations);
    const source = new BpfSource({ typed: true });
    await source.start(() => undefined);
    probes = source.stats()!.probes.filter((p) => p.attached).length;
    const b = await timeLoop(iterations);
    await source.stop();
    without.push(a);
    withProbes.push(b);
    ratios.push(b / a);
  }
  return { ratio: median(ratios), withoutMs: median(without), withMs: median(withProbes), probes };
}

if (isMain(import.meta.url)) {
  const r = await run(Number(process.argv[2] ?? 100_000), Number(process.argv[3] ?? 5));
  printFigures('typed-line probe overhead (bash builtin loop, alternating pairs, medians)', {
    'without sensor (ms)': r.withoutMs,
    'with readline probes (ms)': r.withMs,
    'ratio (with / without)': r.ratio,
    'readline probes attached': r.probes,
  });
}
