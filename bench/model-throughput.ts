/**
 * Model update throughput: events/s through ProcessTable.apply for a synthetic fork/exec/end mix
 * (with setpgid and typed lines), as a decoder would deliver them: one reused ProcessEvent whose
 * fields are refilled per event. Target: decode + model above 1 M events/s.
 *
 *   npx tsc -p tsconfig.json && node --expose-gc dist/bench/model-throughput.js
 */

import { pathToFileURL } from 'node:url';
import { ProcessTable } from '../src/model/process-table.js';
import { BENCH_HOST, fillIdentity } from './synthetic-event.js';
import { FdType, makeDev, newProcessEvent } from '../src/sensor/process-event.js';
import type { EventAction, ProcessEvent } from '../src/sensor/process-event.js';

export interface ThroughputFigures {
  events: number;
  seconds: number;
  eventsPerSecond: number;
  nsPerEvent: number;
  tracked: number;
  live: number;
  exited: number;
  evicted: number;
}

const HOST = BENCH_HOST;
const PTS = makeDev(136, 0);
const SHELLS = 16;
const PIPE = makeDev(0, 13);
const COMMANDS: [string, string[]][] = [
  ['/usr/bin/ls', ['ls', '-la', '/var/log']],
  ['/usr/bin/grep', ['grep', '-r', 'error', '/etc']],
  ['/usr/bin/cat', ['cat', '/proc/cpuinfo']],
  ['/usr/bin/sleep', ['sleep', '0.01']],
  ['/usr/bin/git', ['git', 'status', '--short']],
];

/** Fills `e` with the header facts of a process of shell `shell`. */
function header(e: ProcessEvent, action: EventAction, time: number, pid: number, ppid: number, pgid: number, sid: number, ticks: number): void {
  fillIdentity(e, action, time, pid, ppid, pgid, sid, ticks);
  e.tty = PTS;
  e.stdinDev = PTS;
  e.stdinType = FdType.char;
  e.stdoutDev = PIPE;
  e.stdoutType = FdType.pipe;
  e.stderrDev = PTS;
  e.stderrType = FdType.char;
  e.comm = 'bash';
}

/** Sets up init, sshd and SHELLS login shells; returns the shell pids. */
function setup(table: ProcessTable, e: ProcessEvent): number[] {
  let t = HOST.bootTimeMs + 1000;
  header(e, 'snapshot', t, 1, 0, 1, 1, 1);
  e.executable = '/sbin/init';
  e.tty = 0;
  table.apply(e);
  header(e, 'snapshot', t, 500, 1, 500, 500, 100);
  e.executable = '/usr/sbin/sshd';
  e.tty = 0;
  table.apply(e);
  table.finishBackfill();
  const shells: number[] = [];
  for (let i = 0; i < SHELLS; i++) {
    const pid = 600 + i;
    header(e, 'fork', ++t, pid, 500, 500, 500, 200 + i);
    table.apply(e);
    header(e, 'setsid', ++t, pid, 500, pid, pid, 200 + i);
    table.apply(e);
    header(e, 'exec', ++t, pid, 500, pid, pid, 200 + i);
    e.executable = '/usr/bin/bash';
    e.args = ['-bash'];
    e.sshConnection = `192.0.2.${i} 5000 198.51.100.1 22`;
    table.apply(e);
    shells.push(pid);
  }
  return shells;
}

/** Runs `events` events of the mix through a fresh table. */
function drive(events: number): ThroughputFigures {
  const table = new ProcessTable({ host: HOST });
  const e = newProcessEvent();
  const shells = setup(table, e);
  let time = HOST.bootTimeMs + 10_000;
  let ticks = 1000;
  let nextPid = 1000;
  let n = 0;
  const start = process.hrtime.bigint();
  while (n < events) {
    const shell = shells[n % SHELLS] as number;
    const pid = nextPid;
    nextPid = nextPid >= 4_000_000 ? 1000 : nextPid + 1;
    const st = ++ticks;
    const [exe, args] = COMMANDS[pid % COMMANDS.length] as [string, string[]];
    // fork (in the shell's group), setpgid (job control), exec, [typed], end
    header(e, 'fork', ++time, pid, shell, shell, shell, st);
    table.apply(e);
    header(e, 'setpgid', ++time, pid, shell, pid, shell, st);
    e.targetPid = pid;
    e.targetPgid = pid;
    table.apply(e);
    header(e, 'exec', ++time, pid, shell, pid, shell, st);
    e.comm = exe.slice(exe.lastIndexOf('/') + 1);
    e.executable = exe;
    e.args = args;
    e.cwd = '/home/user';
    table.apply(e);
    n += 3;
    if ((pid & 15) === 0) {
      header(e, 'typed', ++time, shell, 500, shell, shell, 200 + (shell - 600));
      e.line = 'ls -la /var/log';
      table.apply(e);
      n++;
    }
    header(e, 'end', ++time, pid, shell, pid, shell, st);
    e.exitCode = pid & 1;
    table.apply(e);
    n++;
  }
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  const s = table.stats();
  return {
    events: n,
    seconds,
    eventsPerSecond: n / seconds,
    nsPerEvent: (seconds * 1e9) / n,
    tracked: s.tracked,
    live: s.live,
    exited: s.exited,
    evicted: s.evicted,
  };
}

export function run(events = 3_000_000): ThroughputFigures {
  drive(300_000); // warm-up (JIT)
  return drive(events);
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const f = run(Number(process.env.BENCH_EVENTS ?? 3_000_000));
  console.log('model-throughput: fork/setpgid/exec/typed/end mix through ProcessTable.apply');
  console.log(`  events:          ${f.events.toLocaleString('en-US')}`);
  console.log(`  time:            ${f.seconds.toFixed(3)} s`);
  console.log(`  throughput:      ${(f.eventsPerSecond / 1e6).toFixed(2)} M events/s (${f.nsPerEvent.toFixed(0)} ns/event)`);
  console.log(`  table at end:    ${f.tracked} tracked (${f.live} live, ${f.exited} exited), ${f.evicted.toLocaleString('en-US')} evicted`);
  console.log('  target:          > 1 M events/s for decode + model together: see dist/bench/pipeline-throughput.js');
}
