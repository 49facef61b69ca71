/**
 * A storm under `sessiontop record`: N fork+exec of /bin/true, timed while the real binary records
 * (eBPF) versus with nothing running, in alternating pairs; reports the median wall-time ratio and
 * completeness (execs in the recording / execs run). Once recording, a warm-up storm of WARMUP
 * execs (not timed, not counted) and a second to settle come before the timed storm: a recorder on a
 * server has been running for a while, and its hot paths are compiled by the JIT during its first
 * several thousand events (WARMUP=0 times a recorder started just before the storm). Needs root.
 *   node dist/bench/record-storm.js [N] [pairs] [WARMUP=3000]
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, realpathSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { packageRoot } from '../src/sensor/native-addon.js';
import { isMain, median, printFigures, recorderNodeOptions } from './bench-util.js';

/** The sensor reports the file actually run (/usr/bin/true on merged-/usr systems). */
const TRUE_EXE = realpathSync('/bin/true');
import { buildStormHelper, timeStorm } from './storm-overhead.js';

export interface RecordStormFigures {
  ratio: number;
  cpuRatio: number;
  baseMs: number;
  recordingMs: number;
  recorded: number;
  run: number;
  lost: number;
}

async function waitFor(pred: () => boolean, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!pred()) {
    if (Date.now() > deadline) throw new Error('sessiontop record did not start writing in time');
    await new Promise((r) => setTimeout(r, 25));
  }
}

export async function run(n = 3000, pairs = 5, warmup = 3000): Promise<RecordStormFigures> {
  const helper = buildStormHelper();
  const bin = join(packageRoot(), 'bin', 'sessiontop.js');
  const dir = mkdtempSync(join(tmpdir(), 'sessiontop-recstorm-'));
  await timeStorm(helper, 300);
  const base: number[] = [];
  const rec: number[] = [];
  const ratios: number[] = [];
  const cpuRatios: number[] = [];
  let recorded = 0;
  let lost = 0;
  try {
    for (let i = 0; i < pairs; i++) {
      const b = await timeStorm(helper, n);
      const file = join(dir, `storm-${i}.ndjson`);
      const child = spawn(process.execPath, [...recorderNodeOptions(), bin, 'record', '-o', file, '--source', 'bpf', '--no-typed'], { stdio: ['ignore', 'ignore', 'pipe'] });
      let stderr = '';
      child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
      // live once the backfill's snapshot lines are out
      await waitFor(() => {
        try {
          return statSync(file).size > 0;
        } catch {
          return false;
        }
      }, 15_000);
      if (warmup > 0) await timeStorm(helper, warmup);
      await new Promise((r) => setTimeout(r, warmup > 0 ? 1000 : 200));
      const s = await timeStorm(helper, n);
      await new Promise((r) => setTimeout(r, 300));
      child.kill('SIGINT');
      const code = await new Promise<number | null>((r) => child.on('exit', r));
      if (code !== 0) throw new Error(`sessiontop record exited ${code}: ${stderr.trim()}`);
      let count = 0;
      for (const line of readFileSync(file, 'utf8').split('\n')) {
        if (!line) continue;
        const doc = JSON.parse(line) as {
          event: { action: string };
          process?: { executable?: string; parent?: { pid?: number } };
          sessiontop?: { lost?: number };
        };
        if (doc.event.action === 'exec' && doc.process?.parent?.pid === s.pid && doc.process.executable === TRUE_EXE) count++;
        if (doc.event.action === 'lost') lost += doc.sessiontop?.lost ?? 0;
      }
      rmSync(file, { force: true });
      recorded += count;
      base.push(b.ms);
      rec.push(s.ms);
      ratios.push(s.ms / b.ms);
      cpuRatios.push(s.cpuMs / b.cpuMs);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  return { ratio: median(ratios), cpuRatio: median(cpuRatios), baseMs: median(base), recordingMs: median(rec), recorded, run: n * pairs, lost };
}

if (isMain(import.meta.url)) {
  const n = Number(process.argv[2] ?? 3000);
  const pairs = Number(process.argv[3] ?? 5);
  const warmup = Number(process.argv[4] ?? 3000);
  const r = await run(n, pairs, warmup);
  printFigures(`storm under sessiontop record (${n} fork+exec of /bin/true, ${pairs} alternating pairs, after a ${warmup}-exec warm-up, medians)`, {
    'without (ms)': r.baseMs,
    'while recording (ms)': r.recordingMs,
    'wall ratio (recording / without)': r.ratio,
    'storm CPU ratio': r.cpuRatio,
    'execs recorded / run': `${r.recorded} / ${r.run}`,
    'lost': r.lost,
  });
}
