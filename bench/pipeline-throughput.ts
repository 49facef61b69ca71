/**
 * Decode plus model update, in-process, as the live path runs them: packed sensor records (fork,
 * exec, exit of 100 000 processes under 1 000 shells) drained in 4 MiB batches, decoded into the
 * reused ProcessEvent and applied to a ProcessTable. Prints events/s (target > 1 M).
 *   node dist/bench/pipeline-throughput.js
 */
import { ProcessTable } from '../src/model/process-table.js';
import type { HostInfo } from '../src/model/types.js';
import { FdType, makeDev, newProcessEvent } from '../src/sensor/process-event.js';
import { RecordDecoder } from '../src/sensor/record-decoder.js';
import { argv, buildRecord, cwd, Kind } from '../test/support/record-builder.js';
import { isMain, median, printFigures } from './bench-util.js';

const HOST: HostInfo = { name: 'bench', bootId: 'bench-boot-id', pidNsIno: 4026531836, kernel: 'bench', bootTimeMs: 1.7e12 };
const BATCH = 4 << 20;

/** Batches of packed records: shells first, then fork+exec+exit of `processes` children. */
export function workload(processes: number, round: number): Uint8Array[] {
  const batches: Uint8Array[] = [];
  let parts: Buffer[] = [];
  let size = 0;
  const push = (b: Buffer): void => {
    if (size + b.length > BATCH) {
      batches.push(new Uint8Array(Buffer.concat(parts)));
      parts = [];
      size = 0;
    }
    parts.push(b);
    size += b.length;
  };
  const shells = 1000;
  const base = 100_000 + round * (processes + shells);
  let ns = BigInt(round) * 1_000_000_000_000n + 1_000_000_000n;
  for (let s = 0; s < shells; s++) {
    const pid = base + s;
    const pts = makeDev(136, s);
    const fds: [number, number][] = [[FdType.char, pts], [FdType.char, pts], [FdType.char, pts]];
    ns += 10_000_000n;
    push(buildRecord({ kind: Kind.exec, pid, ppid: 1000, pgid: pid, sid: pid, tty: pts, fds, comm: 'bash', tsNs: ns, startNs: ns, filename: Buffer.from('/usr/bin/bash'), exe: cwd('/usr/bin/bash'), args: argv('-bash'), cwd: cwd('/home/alice') }));
  }
  for (let i = 0; i < processes; i++) {
    const shell = base + (i % shells);
    const pid = base + shells + i;
    const pts = makeDev(136, i % shells);
    const fds: [number, number][] = [[FdType.char, pts], [FdType.char, pts], [FdType.char, pts]];
    ns += 1_000_000n;
    const common = { pid, ppid: shell, pgid: pid, sid: shell, tty: pts, fds, startNs: ns };
    push(buildRecord({ kind: Kind.fork, ...common, comm: 'bash', tsNs: ns }));
    push(buildRecord({
      kind: Kind.exec, ...common, comm: 'grep', tsNs: ns + 100_000n,
      filename: Buffer.from('/usr/bin/grep'), exe: cwd('/usr/bin/grep'),
      args: argv('grep', '-rn', '--color=auto', `pattern${i}`, 'src/'),
      cwd: cwd('/home/alice/projects/sessiontop'), cgroup: Buffer.from('session-4.scope'),
    }));
    push(buildRecord({ kind: Kind.exit, ...common, comm: 'grep', tsNs: ns + 500_000n, aux: [0] }));
  }
  batches.push(new Uint8Array(Buffer.concat(parts)));
  return batches;
}

export function run(processes = 100_000, rounds = 5): { eventsPerSec: number; events: number } {
  const rates: number[] = [];
  let events = 0;
  for (let round = 0; round < rounds + 1; round++) {
    const batches = workload(processes, round);
    const table = new ProcessTable({ host: HOST });
    const event = newProcessEvent();
    const apply = (e: typeof event): void => {
      table.apply(e);
    };
    const drainBuffer = new Uint8Array(BATCH);
    const decoder = new RecordDecoder(drainBuffer, HOST.bootTimeMs);
    let n = 0;
    (globalThis as { gc?: () => void }).gc?.(); // the workload's own garbage is not the pipeline's
    const t0 = process.hrtime.bigint();
    for (const b of batches) {
      drainBuffer.set(b); // what drain() does: copy into the reused buffer
      n += decoder.decode(b.length, event, apply);
    }
    const s = Number(process.hrtime.bigint() - t0) / 1e9;
    if (round > 0) rates.push(n / s); // round 0 warms the JIT
    events = n;
  }
  return { eventsPerSec: Math.round(median(rates)), events };
}

if (isMain(import.meta.url)) {
  const r = run();
  printFigures('decode + model update (fork/exec/exit of 100 000 processes, median of 5 rounds)', {
    'events per round': r.events,
    'events/s': r.eventsPerSec,
  });
}
