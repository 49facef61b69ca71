/**
 * Model memory: heap bytes per tracked process with 100 k live processes, each forked and exec'd
 * (so it holds its args and one `previous` entry), its strings freshly decoded from bytes as a
 * decoder would produce them. Measured with global.gc() and process.memoryUsage().heapUsed, with
 * and without the entity ids materialized (they are computed lazily, on first read).
 * Target: under 2 KiB per tracked process.
 *
 *   npx tsc -p tsconfig.json && node --expose-gc dist/bench/model-memory.js
 */

import { pathToFileURL } from 'node:url';
import { ProcessTable } from '../src/model/process-table.js';
import { BENCH_HOST, fillIdentity } from './synthetic-event.js';
import { FdType, makeDev, newProcessEvent } from '../src/sensor/process-event.js';
import type { EventAction, ProcessEvent } from '../src/sensor/process-event.js';

export interface MemoryFigures {
  processes: number;
  entrySessions: number;
  /** Heap bytes per tracked process, entity ids not yet computed. */
  bytesPerProcess: number;
  /** Heap bytes per tracked process once every entity id was read. */
  bytesPerProcessWithEntityIds: number;
  heapUsedMiB: number;
}

const HOST = BENCH_HOST;
const SESSIONS = 1000;

function gc(): void {
  const g = (globalThis as { gc?: () => void }).gc;
  if (g === undefined) throw new Error('run with node --expose-gc');
  for (let i = 0; i < 3; i++) g();
}

/** A fresh string, as a decoder reading it from a ring-buffer record would make. */
const fresh = (s: string): string => Buffer.from(s, 'latin1').toString('latin1');

function header(e: ProcessEvent, action: EventAction, time: number, pid: number, ppid: number, pgid: number, sid: number, ticks: number, tty: number): void {
  fillIdentity(e, action, time, pid, ppid, pgid, sid, ticks);
  e.tty = tty;
  e.stdinDev = e.stdoutDev = e.stderrDev = tty;
  e.stdinType = e.stdoutType = e.stderrType = tty === 0 ? FdType.none : FdType.char;
  e.comm = fresh(action === 'exec' ? 'sleep' : 'bash');
}

export function run(processes = 100_000): MemoryFigures {
  gc();
  const before = process.memoryUsage().heapUsed;
  const table = new ProcessTable({ host: HOST, maxProcesses: processes * 2 });
  const e = newProcessEvent();
  let t = HOST.bootTimeMs + 1000;
  let ticks = 100;
  header(e, 'snapshot', t, 1, 0, 1, 1, 1, 0);
  e.executable = fresh('/sbin/init');
  table.apply(e);
  header(e, 'snapshot', t, 500, 1, 500, 500, 50, 0);
  e.executable = fresh('/usr/sbin/sshd');
  table.apply(e);
  table.finishBackfill();
  const perSession = Math.ceil(processes / SESSIONS);
  let pid = 1000;
  let count = 2;
  for (let s = 0; s < SESSIONS && count < processes; s++) {
    const shell = pid++;
    const tty = makeDev(136, s);
    const shellTicks = ++ticks;
    header(e, 'fork', ++t, shell, 500, 500, 500, shellTicks, 0);
    table.apply(e);
    header(e, 'exec', ++t, shell, 500, shell, shell, shellTicks, tty);
    e.comm = fresh('bash');
    e.executable = fresh('/usr/bin/bash');
    e.args = [fresh('-bash')];
    e.cwd = fresh('/home/user');
    e.sshConnection = fresh(`192.0.2.${s & 255} ${40000 + s} 198.51.100.1 22`);
    table.apply(e);
    count++;
    for (let i = 1; i < perSession && count < processes; i++) {
      const child = pid++;
      const st = ++ticks;
      header(e, 'fork', ++t, child, shell, shell, shell, st, tty);
      table.apply(e);
      header(e, 'exec', ++t, child, shell, child, shell, st, tty);
      e.executable = fresh('/usr/bin/sleep');
      e.args = [fresh('sleep'), fresh(String(1000 + child))];
      e.cwd = fresh('/home/user/project');
      table.apply(e);
      count++;
    }
  }
  gc();
  const after = process.memoryUsage().heapUsed;
  const stats = table.stats();
  let idChars = 0;
  for (const n of table.processes()) idChars += n.entityId.length;
  gc();
  const withIds = process.memoryUsage().heapUsed;
  const figures: MemoryFigures = {
    processes: stats.tracked,
    entrySessions: stats.entrySessions,
    bytesPerProcess: (after - before) / stats.tracked,
    bytesPerProcessWithEntityIds: (withIds - before) / stats.tracked,
    heapUsedMiB: withIds / 1024 / 1024,
  };
  if (idChars === 0 || table.stats().live !== stats.tracked) throw new Error('unexpected table state');
  return figures;
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const f = run(Number(process.env.BENCH_PROCESSES ?? 100_000));
  console.log('model-memory: heap per tracked process (forked + exec\'d, live)');
  console.log(`  processes:            ${f.processes.toLocaleString('en-US')} in ${f.entrySessions} entry sessions`);
  console.log(`  per process:          ${f.bytesPerProcess.toFixed(0)} B`);
  console.log(`  with entity ids read: ${f.bytesPerProcessWithEntityIds.toFixed(0)} B`);
  console.log(`  heap used:            ${f.heapUsedMiB.toFixed(1)} MiB`);
  console.log(`  target:               < 2048 B per process — ${f.bytesPerProcessWithEntityIds < 2048 ? 'met' : 'NOT met'}`);
}
