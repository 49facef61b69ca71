/**
 * Helpers for tests against real processes on this kernel (no eBPF): a shell in a real
 * pseudo-terminal, waiting for processes to show up in /proc, and a backfilled ProcessTable.
 */

import { readFileSync } from 'node:fs';
import pty from 'node-pty';
import type { IPty } from 'node-pty';
import { readHostInfo } from '../../src/model/host-info.js';
import { ProcessTable } from '../../src/model/process-table.js';
import type { ProcessTableOptions } from '../../src/model/types.js';
import { listPids, scanProcSnapshot } from '../../src/sensor/procfs.js';

export const isRoot = process.getuid?.() === 0;

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** A marker number unlikely to collide with another test run: e.g. "61.48213". */
export const marker = (base: number): string => `${base}.${Math.floor(Math.random() * 90000) + 10000}`;

/** Polls `probe` until it returns a value (not undefined), or throws after `timeoutMs`. */
export async function waitFor<T>(what: string, probe: () => T | undefined, timeoutMs = 10_000): Promise<T> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const v = probe();
    if (v !== undefined) return v;
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await sleep(25);
  }
}

/** argv of a live process, or null. */
export function argvOf(pid: number): string[] | null {
  try {
    const raw = readFileSync(`/proc/${pid}/cmdline`, 'utf8');
    return raw === '' ? null : raw.replace(/\0$/, '').split('\0');
  } catch {
    return null;
  }
}

/** Start time (clock ticks) of a live process, or null. */
function startTicksOf(pid: number): number | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19]);
  } catch {
    return null;
  }
}

/** Processes the tests found or started: killed by killTracked() (pid and start time must match). */
const tracked = new Map<number, number>();

export function track(pid: number): void {
  const ticks = startTicksOf(pid);
  if (ticks !== null) tracked.set(pid, ticks);
}

/** SIGKILLs every tracked process still alive (orphans a failed test would otherwise leave). */
export function killTracked(): void {
  for (const [pid, ticks] of tracked) {
    if (startTicksOf(pid) !== ticks) continue;
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // gone
    }
  }
  tracked.clear();
}

/** The pid of the (single) process whose argv is exactly `argv` (tracked for killTracked). */
export function findProcess(argv: string[]): number | undefined {
  const want = argv.join('\0');
  for (const pid of listPids()) {
    if (argvOf(pid)?.join('\0') === want) {
      track(pid);
      return pid;
    }
  }
  return undefined;
}

/** A fresh ProcessTable fed from a /proc scan of this machine, backfill finished. */
export function backfilledTable(options: Partial<ProcessTableOptions> = {}): ProcessTable {
  const host = readHostInfo();
  const table = new ProcessTable({ host, ...options });
  for (const e of scanProcSnapshot({ bootTimeMs: host.bootTimeMs })) table.apply(e);
  table.finishBackfill();
  return table;
}

/** An interactive bash (no rc files) in a real pseudo-terminal. */
export class PtyShell {
  readonly pty: IPty;
  output = '';

  constructor() {
    this.pty = pty.spawn('/bin/bash', ['--norc', '--noprofile', '-i'], {
      name: 'xterm',
      cols: 120,
      rows: 30,
      cwd: '/tmp',
      env: { PATH: process.env.PATH ?? '/usr/bin:/bin', PS1: '$ ', TERM: 'xterm', HOME: '/tmp' },
    });
    this.pty.onData((d) => {
      this.output += d;
    });
  }

  get pid(): number {
    return this.pty.pid;
  }

  run(line: string): void {
    this.pty.write(`${line}\r`);
  }

  kill(): void {
    try {
      this.pty.kill('SIGKILL');
    } catch {
      // already gone
    }
  }
}
