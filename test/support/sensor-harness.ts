/**
 * Shared pieces for tests that run the real eBPF sensor: whether this machine allows it (and why
 * not), the compiled C helper, and an event collector with waitFor().
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BpfSource, type BpfSourceOptions } from '../../src/sensor/bpf-source.js';
import type { ProcessEvent } from '../../src/sensor/process-event.js';
import { loadAddon } from '../../src/sensor/native-addon.js';

let reason: string | undefined | null = null;

/** Why the real sensor cannot run here, or undefined when it can. Printed once when it cannot. */
export function sensorSkipReason(): string | undefined {
  if (reason !== null) return reason;
  reason = probe();
  if (reason) console.warn(`[skip] real-kernel sensor tests: ${reason}`);
  return reason;
}

function probe(): string | undefined {
  if (process.getuid?.() !== 0) return 'not running as root (eBPF needs root or CAP_BPF+CAP_PERFMON)';
  if (!existsSync('/sys/kernel/btf/vmlinux')) return 'kernel has no BTF (/sys/kernel/btf/vmlinux missing)';
  try {
    const sensor = loadAddon().open({});
    sensor.close();
  } catch (err) {
    const e = err as { code?: string; message?: string };
    return `the kernel refused the sensor: ${e.code ?? ''} ${e.message ?? String(err)}`;
  }
  return undefined;
}

let helperPath: string | undefined;

/** Compiles test/support/sensor-helper.c once per test process and returns its path. */
export function sensorHelper(): string {
  if (helperPath) return helperPath;
  const dir = mkdtempSync(join(tmpdir(), 'sessiontop-helper-'));
  const out = join(dir, 'sensor-helper');
  execFileSync('cc', ['-O2', '-o', out, join(import.meta.dirname, 'sensor-helper.c')]);
  helperPath = out;
  return out;
}

/** Runs the helper and parses the JSON line it prints. */
export function runHelper(args: string[], options: { cwd?: string } = {}): Record<string, unknown> & { pid: number } {
  const out = execFileSync(sensorHelper(), args, { encoding: 'utf8', cwd: options.cwd });
  return JSON.parse(out.trim().split('\n').pop()!) as Record<string, unknown> & { pid: number };
}

export type Captured = Omit<ProcessEvent, 'args'> & { args: string[] };

/** A running BpfSource that keeps a copy of every event. */
export class Collector {
  readonly events: Captured[] = [];
  readonly source: BpfSource;

  constructor(options: BpfSourceOptions = {}) {
    this.source = new BpfSource({ typed: false, ...options });
  }

  async start(): Promise<this> {
    await this.source.start((e) => {
      this.events.push({ ...e, args: e.args.slice() });
    });
    return this;
  }

  /** Events matching `pred`, after draining what the kernel has now. */
  find(pred: (e: Captured) => boolean): Captured[] {
    this.source.drain();
    return this.events.filter(pred);
  }

  /** Waits until at least `count` events match. */
  async waitFor(pred: (e: Captured) => boolean, count = 1, timeoutMs = 5000): Promise<Captured[]> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const found = this.find(pred);
      if (found.length >= count) return found;
      if (Date.now() > deadline) {
        throw new Error(`timed out waiting for ${count} event(s); saw ${found.length}`);
      }
      await new Promise((r) => setTimeout(r, 20));
    }
  }

  clear(): void {
    this.events.length = 0;
  }

  async stop(): Promise<void> {
    await this.source.stop();
  }
}

/**
 * The parent of a daemonized (double-forked) process once its re-parenting has settled: the
 * intermediate child may still be exiting when the launcher returns. Waits up to 2 s for pid 1;
 * anything else then is a child subreaper that adopted the orphan.
 */
export async function settledParent(pid: number): Promise<number> {
  const ppid = (): number => Number(/^PPid:\s+(\d+)/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))![1]);
  let parent = ppid();
  for (let i = 0; i < 40 && parent !== 1; i++) {
    await new Promise((r) => setTimeout(r, 50));
    parent = ppid();
  }
  return parent;
}
