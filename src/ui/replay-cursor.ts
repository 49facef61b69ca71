/**
 * A position in one or several recordings for the replay view: the recording engine's
 * SeekableReplay (merged reader, one ProcessTable per recorded host, checkpoints taken while it
 * plays) with a one-event lookahead, so the player can tell what comes next (its time, whether it
 * is part of the opening snapshot) before applying it. Every event goes through
 * ProcessTable.apply: the model is rebuilt from the raw facts. Going backwards restores the
 * nearest checkpoint instead of re-reading from the start.
 */

import type { ProcessNode } from '../model/types.js';
import type { ReadOptions, ReadStats, RecordEntry } from '../record/recording-reader.js';
import { SeekableReplay } from '../record/recording-seek.js';
import type { HostModelView } from './model-feed.js';

export interface AppliedEvent {
  node: ProcessNode | null;
  time: number;
}

export class ReplayCursor {
  private viewList: HostModelView[] = [];
  private readonly out: AppliedEvent = { node: null, time: 0 };

  private constructor(private readonly seekable: SeekableReplay) {}

  /** Opens the files (throws RecordingError with a one-line message). */
  static open(files: readonly string[], options: ReadOptions, retentionMs?: number): ReplayCursor {
    return new ReplayCursor(new SeekableReplay(files, { read: options, ...(retentionMs !== undefined ? { table: { retentionMs } } : {}) }));
  }

  /** One view per recorded host seen so far (new tables after a rewind). */
  get views(): HostModelView[] {
    const models = this.seekable.replay.models;
    if (this.viewList.length !== models.size || this.viewList.some((v, i) => v.table !== [...models.values()][i]?.table)) {
      this.viewList = [...models.values()].map((m) => ({ host: m.host.info, table: m.table, names: m.host.names }));
    }
    return this.viewList;
  }

  /** Events applied. */
  get applied(): number {
    return this.seekable.replay.applied;
  }

  /** Time of the last event applied (NaN before any). */
  get lastTime(): number {
    return this.seekable.replay.lastTime;
  }

  /** The next event without applying it (null at the end). Valid until the next call. */
  peek(): RecordEntry | null {
    return this.seekable.replay.peek();
  }

  /** Applies the next event; null at the end. The returned object is reused. */
  apply(): AppliedEvent | null {
    const step = this.seekable.step();
    if (step === null) return null;
    const out = this.out;
    out.node = step.node;
    out.time = step.entry.event.time;
    return out;
  }

  /** Back to the last checkpoint before `target` (or the start); continue with apply(). */
  rewind(target: { time: number } | { count: number }): void {
    this.seekable.rewind(target);
  }

  get finished(): boolean {
    return this.peek() === null;
  }

  stats(): ReadStats {
    return this.seekable.replay.stats();
  }

  close(): void {
    this.seekable.close();
  }
}
