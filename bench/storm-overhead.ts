/**
 * Storm overhead: wall time of N fork+exec of /bin/true with the eBPF sensor loaded and drained
 * (decode included) versus without it, in alternating runs; prints the median ratio and whether
 * every exec was seen. Needs root.
 *   node dist/bench/storm-overhead.js [N] [pairs]
 */
import { execFile, execFileSync } from 'node:child_process';
import { mkdtempSync, realpathSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { BpfSource } from '../src/sensor/bpf-source.js';
import { packageRoot } from '../src/sensor/native-addon.js';
import { isMain, median, printFigures } from './bench-util.js';

/** The sensor reports the file actually run (/usr/bin/true on merged-/usr systems). */
const TRUE_EXE = realpathSync('/bin/true');

const execFileAsync = promisify(execFile);

export function buildStormHelper(): string {
  const out = join(mkdtempSync(join(tmpdir(), 'sessiontop-bench-')), 'sensor-helper');
  execFileSync('cc', ['-O2', '-o', out, join(packageRoot(), 'test', 'support', 'sensor-helper.c')]);
  return out;
}

/** Runs a storm; `ms` is its wall time, `cpuMs` the CPU time of the storm and its children (BPF
 * programs run in those tasks' context, so their cost is in it). */
export async function timeStorm(helper: string, n: number): Promise<{ ms: number; cpuMs: number; pid: number }> {
  const t0 = process.hrtime.bigint();
  const { stdout } = await execFileAsync(helper, ['storm', String(n), '/bin/true']);
  const ms = Number(process.hrtime.bigint() - t0) / 1e6;
  const r = JSON.parse(stdout) as { pid: number; cpu_ms: number };
  return { ms, cpuMs: r.cpu_ms, pid: r.pid };
}

export interface StormFigures {
  /** median of (wall time with sensor / without), per alternating pair */
  ratio: number;
  /** median of (storm CPU time with sensor / without) */
  cpuRatio: number;
  baseMs: number;
  sensorMs: number;
  /** CPU time of the JS side (this process: drain + decode) per 1 000 execs, ms */
  drainCpuMsPer1000: number;
  seen: number;
  expected: number;
  lost: number;
}

export async function run(n = 3000, pairs = 5): Promise<StormFigures> {
  const helper = buildStormHelper();
  await timeStorm(helper, 300); // warm caches
  const base: number[] = [];
  const withSensor: number[] = [];
  const ratios: number[] = [];
  const cpuRatios: number[] = [];
  const drainCpu: number[] = [];
  let seen = 0;
  let lost = 0;
  for (let i = 0; i < pairs; i++) {
    const b = await timeStorm(helper, n);
    const source = new BpfSource({ typed: false });
    let stormPid = -1;
    let count = 0;
    await source.start((e) => {
      if (e.action === 'exec' && e.ppid === stormPid && e.executable === TRUE_EXE) count++;
      else if (e.action === 'exec' && e.executable === helper) stormPid = e.pid;
    });
    const cpu0 = process.cpuUsage();
    const s = await timeStorm(helper, n);
    await new Promise((r) => setTimeout(r, 100));
    source.drain();
    const cpu = process.cpuUsage(cpu0);
    drainCpu.push(((cpu.user + cpu.system) / 1e3 / n) * 1000);
    lost += source.stats()!.lost;
    await source.stop();
    seen += count;
    base.push(b.ms);
    withSensor.push(s.ms);
    ratios.push(s.ms / b.ms);
    cpuRatios.push(s.cpuMs / b.cpuMs);
  }
  return {
    ratio: median(ratios),
    cpuRatio: median(cpuRatios),
    baseMs: median(base),
    sensorMs: median(withSensor),
    drainCpuMsPer1000: median(drainCpu),
    seen,
    expected: n * pairs,
    lost,
  };
}

if (isMain(import.meta.url)) {
  const n = Number(process.argv[2] ?? 3000);
  const pairs = Number(process.argv[3] ?? 5);
  const r = await run(n, pairs);
  printFigures(`storm overhead (${n} fork+exec of /bin/true, ${pairs} alternating pairs, medians)`, {
    'without sensor (ms)': r.baseMs,
    'with sensor draining (ms)': r.sensorMs,
    'wall ratio (with / without)': r.ratio,
    'storm CPU ratio (with / without)': r.cpuRatio,
    'drain+decode CPU per 1000 execs (ms)': r.drainCpuMsPer1000,
    'execs seen / run': `${r.seen} / ${r.expected}`,
    'lost': r.lost,
  });
}
