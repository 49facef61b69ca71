/**
 * LiveFeed: connects a live source to a ProcessTable in the order that loses nothing.
 *
 *   1. open the eBPF sensor (records start accumulating in the ring buffer at once);
 *   2. scan /proc: every existing process becomes a `snapshot` event, applied, then resolved;
 *   3. start draining: events that happened during the scan arrive now; the table merges a process
 *      seen by both (same pid and start time) instead of duplicating it.
 *
 * After the kernel drops events (a `lost` event), a reconciliation against /proc is scheduled
 * (proc-reconcile.ts: at most once per `reconcileIntervalMs` while losses continue): processes whose
 * end was lost are ended (end unknown), processes whose fork/exec was lost are learned as
 * snapshots; those events reach the handlers like any other.
 *
 * With `auto`, a sensor that cannot open (not root, no BTF, refused) gives way to /proc polling,
 * marked degraded, and `fallbackReason` says why in one line. Sources → model only: nothing here
 * knows about recording or the UI; callers get each applied event through the handlers.
 */
import { BpfSource, type BpfSourceOptions } from '../sensor/bpf-source.js';
import { SensorError } from '../sensor/native-addon.js';
import type { EventSource, ProcessEvent } from '../sensor/process-event.js';
import { scanProcSnapshot } from '../sensor/procfs.js';
import { ProcfsSource } from '../sensor/procfs-source.js';
import { ProcReconciler, reconcileWithProc, type ReconcileResult } from './proc-reconcile.js';
import type { ProcessTable } from './process-table.js';
import type { HostInfo, ProcessNode } from './types.js';

export type SourceChoice = 'auto' | 'bpf' | 'procfs';

export interface LiveFeedOptions {
  source: SourceChoice;
  host: HostInfo;
  bpf?: BpfSourceOptions;
  /** /proc polling period when degraded (default 1000 ms). */
  pollIntervalMs?: number;
  /** argv bytes kept by the /proc reader (default: the sensor's bound). */
  argsMax?: number;
  /**
   * Reconcile with /proc once right after the backfill: the table held processes before the sensor
   * started (history from a recording), and those gone since must end.
   */
  reconcileAfterBackfill?: boolean;
  /** Minimum time between two /proc reconciliations while losses continue (default 1000 ms). */
  reconcileIntervalMs?: number;
}

export interface LiveFeedHandlers {
  /** The backfilled processes, resolved, oldest first (a recorder writes its snapshot lines here). */
  onBackfill?(nodes: ProcessNode[]): void;
  /**
   * Every live event, after the table applied it (`node` is null for `lost`); also the `end` and
   * `snapshot` events a reconciliation with /proc applies after losses.
   */
  onEvent?(e: ProcessEvent, node: ProcessNode | null): void;
  /** After each reconciliation with /proc (after losses). */
  onReconcile?(result: ReconcileResult): void;
}

export class LiveFeed {
  private constructor(
    readonly source: EventSource,
    /** Why `auto` fell back to /proc ('' when it did not). */
    readonly fallbackReason: string,
    /** Reconciliation with /proc after losses (eBPF only: /proc polling loses nothing this way). */
    readonly reconciler: ProcReconciler | null,
  ) {}

  get degraded(): boolean {
    return this.source.degraded;
  }

  /** Kernel-side losses so far (0 for /proc). */
  lost(): number {
    return this.source instanceof BpfSource ? (this.source.stats()?.lost ?? 0) : 0;
  }

  static async start(table: ProcessTable, options: LiveFeedOptions, handlers: LiveFeedHandlers = {}): Promise<LiveFeed> {
    const argsMax = options.argsMax ?? options.bpf?.argsMax;
    const readOpts = { bootTimeMs: options.host.bootTimeMs, ...(argsMax !== undefined ? { argsMax } : {}) };
    let source: BpfSource | undefined;
    let fallbackReason = '';
    if (options.source !== 'procfs') {
      const bpf = new BpfSource(options.bpf);
      try {
        await bpf.openAsync();
        source = bpf;
      } catch (err) {
        if (options.source === 'bpf') throw err;
        const e = err as SensorError;
        fallbackReason = `eBPF unavailable (${e instanceof SensorError ? e.message : String(err)}); watching /proc instead: short-lived processes can be missed`;
      }
    }
    const onEvent = (e: ProcessEvent): void => {
      const node = table.apply(e);
      handlers.onEvent?.(e, node);
    };
    if (source) {
      const bpf = source;
      const reconciler = new ProcReconciler(table, {
        read: readOpts,
        ...(options.reconcileIntervalMs !== undefined ? { intervalMs: options.reconcileIntervalMs } : {}),
        beforeRun: () => bpf.drain(), // the table as up to date as the ring allows
        onApplied: (e, n) => handlers.onEvent?.(e, n),
        onReconciled: (r) => handlers.onReconcile?.(r),
      });
      for (const e of scanProcSnapshot(readOpts)) table.apply(e);
      handlers.onBackfill?.(table.finishBackfill());
      if (options.reconcileAfterBackfill) reconcileWithProc(table, readOpts, handlers.onEvent);
      await source.start((e) => {
        onEvent(e);
        if (e.action === 'lost') reconciler.lost();
      });
      return new LiveFeed(source, fallbackReason, reconciler);
    }
    // /proc polling: its first scan is the backfill, delivered as snapshot events.
    const procfs = new ProcfsSource({ ...readOpts, intervalMs: options.pollIntervalMs ?? 1000 });
    let backfilling = true;
    await procfs.start((e) => {
      if (backfilling && e.action === 'snapshot') {
        table.apply(e);
        return;
      }
      onEvent(e);
    });
    backfilling = false;
    handlers.onBackfill?.(table.finishBackfill());
    if (options.reconcileAfterBackfill) reconcileWithProc(table, readOpts, handlers.onEvent);
    return new LiveFeed(procfs, fallbackReason, null);
  }

  /** Reconciliations with /proc run so far (after losses). */
  get reconciliations(): number {
    return this.reconciler?.runs ?? 0;
  }

  async stop(): Promise<void> {
    this.reconciler?.stop();
    await this.source.stop();
  }
}
