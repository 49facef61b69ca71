/**
 * RecordingReplay: feeds recordings into one ProcessTable per host (host.name + host.boot.id), in
 * time order, so the model recomputes every derived field from the raw facts exactly as it did
 * live. Used by `snapshot --from` and by the replay UI (step / replay to a time).
 */

import type { ProcessEvent } from '../sensor/process-event.js';
import { ProcessTable } from '../model/process-table.js';
import type { ProcessNode, ProcessTableOptions } from '../model/types.js';
import type { RecordingHost } from './line-to-event.js';
import { MergedRecordingReader, type ReadOptions, type ReadStats, type RecordEntry, type ResumePosition } from './recording-reader.js';

/** One host's model. */
export interface HostModel {
  readonly host: RecordingHost;
  readonly table: ProcessTable;
  /** Time of the last event applied to this host. */
  lastTime: number;
}

export type TableOptionsWithoutHost = Omit<ProcessTableOptions, 'host'>;

export interface ReplayStep {
  entry: RecordEntry;
  model: HostModel;
  /** What ProcessTable.apply returned. */
  node: ProcessNode | null;
}

export class RecordingReplay {
  readonly reader: MergedRecordingReader;
  /** Host models in order of first appearance. */
  readonly models = new Map<string, HostModel>();
  private readonly tableOptions: TableOptionsWithoutHost;
  private held: RecordEntry | null = null;
  private lastApplied: RecordEntry | null = null;
  private done = false;
  private readonly step_: ReplayStep = { entry: null as unknown as RecordEntry, model: null as unknown as HostModel, node: null };
  /** Time of the first and of the last event applied (NaN before any). */
  firstTime = Number.NaN;
  lastTime = Number.NaN;
  applied = 0;

  constructor(reader: MergedRecordingReader, tableOptions: TableOptionsWithoutHost = {}) {
    this.reader = reader;
    this.tableOptions = tableOptions;
  }

  static open(files: readonly string[], readOptions: ReadOptions = {}, tableOptions: TableOptionsWithoutHost = {}): RecordingReplay {
    return new RecordingReplay(MergedRecordingReader.open(files, readOptions), tableOptions);
  }

  /** Applies the next event; null at the end. The returned object is reused. */
  step(): ReplayStep | null {
    const entry = this.take();
    if (entry === null) return null;
    return this.applyEntry(entry);
  }

  /** Applies every event with time ≤ `time`; returns how many. */
  replayUntil(time: number): number {
    let n = 0;
    for (;;) {
      const entry = this.take();
      if (entry === null) break;
      if (entry.event.time > time) {
        this.held = entry;
        break;
      }
      this.applyEntry(entry);
      n++;
    }
    return n;
  }

  /** Applies everything; returns how many events. */
  replayAll(): number {
    return this.replayUntil(Infinity);
  }

  /** The next event to apply (null at the end), without applying it. Valid until the next call. */
  peek(): RecordEntry | null {
    const entry = this.take();
    if (entry !== null) this.held = entry;
    return entry;
  }

  /** Time of the next event to apply (NaN at the end). Does not consume it. */
  peekTime(): number {
    const entry = this.take();
    if (entry === null) return Number.NaN;
    this.held = entry;
    return entry.event.time;
  }

  get finished(): boolean {
    return this.done && this.held === null;
  }

  stats(): ReadStats {
    return this.reader.stats();
  }

  /** Where each file resumes so that exactly the events applied so far count as read. */
  resumePositions(): (ResumePosition | null)[] {
    const held = this.held;
    const positions = this.reader.positions(held ?? this.lastApplied);
    if (held !== null) positions[held.fileIndex] = { offset: held.offset, lineNo: held.lineNo - 1 };
    return positions;
  }

  /** Continues from positions taken by resumePositions() on a replay of the same files. */
  resumeAt(positions: readonly (ResumePosition | null)[]): void {
    this.reader.resume(positions);
    this.held = null;
    this.lastApplied = null;
    this.done = false;
  }

  /** Installs a model (a restored checkpoint) for a host. */
  adoptModel(model: HostModel): void {
    this.models.set(model.host.key, model);
    this.reader.hosts.adopt(model.host);
  }

  close(): void {
    this.reader.close();
  }

  /** The model of a host (created on first event). */
  modelOf(host: RecordingHost): HostModel {
    let m = this.models.get(host.key);
    if (m === undefined) {
      m = { host, table: new ProcessTable({ ...this.tableOptions, host: host.info }), lastTime: Number.NaN };
      this.models.set(host.key, m);
    }
    return m;
  }

  private take(): RecordEntry | null {
    const held = this.held;
    if (held !== null) {
      this.held = null;
      return held;
    }
    if (this.done) return null;
    const entry = this.reader.next();
    if (entry === null) this.done = true;
    return entry;
  }

  private applyEntry(entry: RecordEntry): ReplayStep {
    const model = this.modelOf(entry.host);
    const e: ProcessEvent = entry.event;
    const node = model.table.apply(e);
    model.lastTime = e.time;
    this.lastApplied = entry;
    if (Number.isNaN(this.firstTime)) this.firstTime = e.time;
    this.lastTime = e.time;
    this.applied++;
    const s = this.step_;
    s.entry = entry;
    s.model = model;
    s.node = node;
    return s;
  }
}
