/**
 * A forward-only position in one or several recordings: the merged reader of src/record plus one
 * ProcessTable per recorded host (host name + boot id), with a one-event lookahead so the player
 * can tell what comes next (its time, whether it is part of the opening snapshot) before applying
 * it. Every event goes through ProcessTable.apply: the model is rebuilt from the raw facts.
 */

import { ProcessTable } from '../model/process-table.js';
import type { ProcessNode } from '../model/types.js';
import type { RecordingHost } from '../record/line-to-event.js';
import { MergedRecordingReader, type ReadOptions, type ReadStats, type RecordEntry } from '../record/recording-reader.js';
import type { HostModelView } from './model-feed.js';

export interface AppliedEvent {
  node: ProcessNode | null;
  time: number;
}

export class ReplayCursor {
  readonly views: HostModelView[] = [];
  private readonly tables = new Map<string, ProcessTable>();
  private held: RecordEntry | null = null;
  private done = false;
  private readonly out: AppliedEvent = { node: null, time: 0 };
  /** Events applied. */
  applied = 0;
  /** Time of the last event applied (NaN before any). */
  lastTime = Number.NaN;

  private constructor(private readonly reader: MergedRecordingReader) {}

  /** Opens the files (throws RecordingError with a one-line message). */
  static open(files: readonly string[], options: ReadOptions): ReplayCursor {
    return new ReplayCursor(MergedRecordingReader.open(files, options));
  }

  /** The next event without applying it (null at the end). Valid until the next call. */
  peek(): RecordEntry | null {
    if (this.held !== null) return this.held;
    if (this.done) return null;
    const e = this.reader.next();
    if (e === null) this.done = true;
    this.held = e;
    return e;
  }

  /** Applies the next event; null at the end. The returned object is reused. */
  apply(): AppliedEvent | null {
    const entry = this.peek();
    if (entry === null) return null;
    this.held = null;
    const table = this.tableOf(entry.host);
    const e = entry.event;
    const out = this.out;
    out.node = table.apply(e);
    out.time = e.time;
    this.lastTime = e.time;
    this.applied++;
    return out;
  }

  get finished(): boolean {
    return this.peek() === null;
  }

  stats(): ReadStats {
    return this.reader.stats();
  }

  close(): void {
    this.reader.close();
  }

  private tableOf(host: RecordingHost): ProcessTable {
    let t = this.tables.get(host.key);
    if (t === undefined) {
      // host.info is shared with the reader, which fills in the boot time once it learns it
      t = new ProcessTable({ host: host.info });
      this.tables.set(host.key, t);
      this.views.push({ host: host.info, table: t, names: host.names });
    }
    return t;
  }
}
