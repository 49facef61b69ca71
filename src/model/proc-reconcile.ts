/**
 * Reconciliation of the model with /proc after kernel-side losses.
 *
 * When the ring buffer overflows (a `lost` event), some forks, execs and ends never reach the
 * model: processes whose `end` was lost would stay live forever, and processes whose fork/exec was
 * lost would be missing. A reconciliation compares the table's live nodes with /proc and applies,
 * through the table like any other event (so a recorder writes them and a replay rebuilds them):
 *
 * - an `end` for every live node whose pid is absent from /proc or held by a process with another
 *   start time, with `exitUnknown` set (the model marks it `exitCause: 'unknown'`; no exit code is
 *   invented; its `end` time is when it was found gone); a zombie whose end was lost gets a real
 *   `end` from its /proc exit status;
 * - a `snapshot` for every live process /proc shows that the table does not know (resolved like a
 *   backfill, parents first).
 *
 * `ProcReconciler` schedules it: after a `lost` event, debounced (at most once per `intervalMs`
 * while losses continue). It runs on a timer, off the event hot path.
 */

import { newProcessEvent } from '../sensor/process-event.js';
import type { ProcessEvent } from '../sensor/process-event.js';
import { decodeWaitStatus, readProcStats, readSnapshotEvents } from '../sensor/procfs.js';
import type { ProcReadOptions, ProcStat } from '../sensor/procfs.js';
import { nodeHeaderToEvent } from './node-facts.js';
import type { ProcessTable } from './process-table.js';
import type { ProcessNode } from './types.js';

/** Default minimum time between two reconciliations while losses continue, ms. */
export const DEFAULT_RECONCILE_INTERVAL_MS = 1000;

/** What one reconciliation changed. */
export interface ReconcileResult {
  /** When it ran (ms since the epoch). */
  time: number;
  /** Live nodes ended because /proc no longer has them (end unknown). */
  ended: number;
  /** Live nodes ended from their zombie's exit status (end lost, not yet reaped). */
  endedZombies: number;
  /** Processes /proc has that the model did not know, applied as snapshots. */
  learned: number;
}

/** Called with each event the reconciliation applied and the node the table returned. */
export type AppliedHandler = (e: ProcessEvent, node: ProcessNode | null) => void;

/**
 * One reconciliation of `table` against /proc (opts.procRoot), now. Every event it applies is
 * handed to `onApplied` after the table applied it (snapshots once resolved, parents first).
 */
export function reconcileWithProc(table: ProcessTable, opts: ProcReadOptions, onApplied?: AppliedHandler): ReconcileResult {
  const procStats = readProcStats(opts.procRoot ?? '/proc');
  const time = Date.now();
  const result: ReconcileResult = { time, ended: 0, endedZombies: 0, learned: 0 };
  if (procStats.size === 0) return result; // /proc unreadable: no evidence that anything is gone

  // 1. Live nodes that are gone (or zombies). Collected first: applying ends changes the table.
  const gone: ProcessNode[] = [];
  const zombies: ProcessNode[] = [];
  for (const n of table.processes()) {
    if (n.exited) continue;
    const st = procStats.get(n.pid);
    if (st === undefined || (n.startTicks !== 0 && st.startTicks !== n.startTicks)) gone.push(n);
    else if (st.state === 'Z') zombies.push(n);
  }
  const e = newProcessEvent();
  for (const n of gone) {
    nodeHeaderToEvent(n, 'end', time, e);
    e.exitUnknown = true;
    const node = table.apply(e);
    onApplied?.(e, node);
    result.ended++;
  }
  for (const n of zombies) {
    nodeHeaderToEvent(n, 'end', time, e);
    decodeWaitStatus((procStats.get(n.pid) as ProcStat).exitStatus, e);
    const node = table.apply(e);
    onApplied?.(e, node);
    result.endedZombies++;
  }

  // 2. Live processes the model does not know: their fork/exec was lost.
  const unknown: number[] = [];
  for (const st of procStats.values()) {
    if (st.state !== 'Z' && table.find(st.pid, st.startTicks) === undefined) unknown.push(st.pid);
  }
  if (unknown.length !== 0) {
    const snapshots = readSnapshotEvents(unknown, opts);
    const nodes: (ProcessNode | null)[] = [];
    for (const s of snapshots) nodes.push(table.apply(s));
    table.finishBackfill();
    for (let i = 0; i < snapshots.length; i++) onApplied?.(snapshots[i] as ProcessEvent, nodes[i] ?? null);
    result.learned = snapshots.length;
  }
  return result;
}

export interface ProcReconcilerOptions {
  /** Where and how to read /proc (bootTimeMs, argsMax, procRoot). */
  read: ProcReadOptions;
  /** Minimum time between two reconciliations, ms (default 1000). */
  intervalMs?: number;
  /** Run just before each reconciliation (e.g. drain the sensor, so the table is up to date). */
  beforeRun?: () => void;
  /** Each event a reconciliation applied (for recorders and the UI). */
  onApplied?: AppliedHandler;
  /** After each reconciliation. */
  onReconciled?: (result: ReconcileResult) => void;
}

/** Schedules reconciliations after losses: `lost()` at each `lost` event; `stop()` at the end. */
export class ProcReconciler {
  readonly intervalMs: number;
  /** Reconciliations run so far. */
  runs = 0;
  /** The latest result (null before the first). */
  last: ReconcileResult | null = null;
  private timer: NodeJS.Timeout | undefined;
  private lastRun = Number.NEGATIVE_INFINITY;
  private running = false;
  private stopped = false;

  constructor(
    private readonly table: ProcessTable,
    private readonly options: ProcReconcilerOptions,
  ) {
    this.intervalMs = Math.max(0, options.intervalMs ?? DEFAULT_RECONCILE_INTERVAL_MS);
  }

  /** True while a reconciliation is scheduled and has not run yet. */
  get pending(): boolean {
    return this.timer !== undefined;
  }

  /**
   * Events were lost: schedule a reconciliation, at once if none ran in the last `intervalMs`,
   * else when that interval is over. Losses reported while one runs (by its own drain) happened
   * before its /proc scan: they need no other.
   */
  lost(): void {
    if (this.stopped || this.running || this.timer !== undefined) return;
    const wait = Math.max(0, this.lastRun + this.intervalMs - Date.now());
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.run();
    }, wait);
    this.timer.unref();
  }

  /** Reconciles now (also cancels a scheduled run). */
  run(): ReconcileResult {
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = undefined;
    this.running = true;
    try {
      this.options.beforeRun?.();
      this.lastRun = Date.now();
      const result = reconcileWithProc(this.table, this.options.read, this.options.onApplied);
      this.runs++;
      this.last = result;
      this.options.onReconciled?.(result);
      return result;
    } finally {
      this.running = false;
    }
  }

  stop(): void {
    this.stopped = true;
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = undefined;
  }
}
