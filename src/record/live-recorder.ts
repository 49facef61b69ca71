/**
 * LiveRecorder: the one sink that turns what a live feed hands over into recording lines — the
 * resolved backfill as `snapshot` lines, then every applied event — through a RecordingWriter.
 * `sessiontop record` passes `recorder.handlers` to LiveFeed.start; the live view's `--record FILE`
 * and `r` call the same handlers from its own. A recording started mid-run (`writeLiveSnapshot`)
 * and every rotated file begin with a snapshot of every live process, so each replays on its own.
 *
 * A write failure (disk full, a closed pipe), whether in a write or in the writer's background
 * flush, does not throw into the feed: the recorder stops writing, keeps the first error
 * (`failure`) and calls `onFailure` once (a background flush failure when it is next noticed).
 */

import type { ProcessTable } from '../model/process-table.js';
import type { HostInfo, ProcessNode } from '../model/types.js';
import type { ProcessEvent } from '../sensor/process-event.js';
import { EcsDocumentBuilder } from './ecs-document.js';
import { RecordingWriter, type RecordingWriterOptions } from './recording-writer.js';
import type { RotateSpec } from './rotate-spec.js';
import { localNames, type NameLookup } from '../text/user-names.js';

export interface LiveRecorderOptions {
  /** FILE or `-`. */
  output: string;
  host: HostInfo;
  /** The model the feed applies events to (rotation headers are a snapshot of it). */
  table: ProcessTable;
  force?: boolean;
  append?: boolean;
  rotate?: RotateSpec | null;
  names?: NameLookup;
  flushIntervalMs?: number;
  onFailure?: (err: unknown) => void;
}

export interface RecorderHandlers {
  onBackfill(nodes: ProcessNode[]): void;
  onEvent(e: ProcessEvent, node: ProcessNode | null): void;
}

export class LiveRecorder {
  readonly writer: RecordingWriter;
  readonly handlers: RecorderHandlers;
  /** Lines written (snapshot lines included). */
  lines = 0;
  /** Events the kernel reported lost. */
  lost = 0;
  private writeFailure: unknown = null;
  private lastTime = 0;
  private readonly fail: (err: unknown) => void;

  private constructor(
    writer: RecordingWriter,
    table: ProcessTable,
    private readonly doc: EcsDocumentBuilder,
    onFailure?: (err: unknown) => void,
  ) {
    this.writer = writer;
    const fail = (this.fail = (err: unknown): void => {
      if (this.writeFailure !== null) return;
      this.writeFailure = err;
      onFailure?.(err);
    });
    this.handlers = {
      onBackfill: (nodes) => {
        if (this.failed()) return;
        try {
          for (const n of nodes) {
            if (n.lastActivity > this.lastTime) this.lastTime = n.lastActivity;
            writer.write(doc.snapshotLine(n, n.lastActivity));
            this.lines++;
          }
        } catch (err) {
          fail(err);
        }
      },
      onEvent: (e, applied) => {
        if (this.failed()) return;
        try {
          if (e.time > this.lastTime) this.lastTime = e.time;
          // setpgid: apply() returns the target; the line describes the caller
          const node = e.action === 'setpgid' ? (callerOf(table, e) ?? applied) : applied;
          if (e.action === 'lost') this.lost += e.lost;
          writer.write(doc.eventLine(e, node));
          this.lines++;
        } catch (err) {
          fail(err);
        }
      },
    };
  }

  /** Opens the output safely (ExitError on refusal) and returns the recorder. */
  static open(options: LiveRecorderOptions): LiveRecorder {
    const { table } = options;
    const doc = new EcsDocumentBuilder({ host: options.host, names: options.names ?? localNames() });
    let recorder: LiveRecorder | null = null;
    const writerOptions: RecordingWriterOptions = {
      force: options.force ?? false,
      append: options.append ?? false,
      rotate: options.rotate ?? null,
      onNewFile: () => liveSnapshotLines(table, doc, recorder?.lastTime || Date.now()),
      ...(options.flushIntervalMs !== undefined ? { flushIntervalMs: options.flushIntervalMs } : {}),
    };
    const writer = RecordingWriter.open(options.output, writerOptions);
    recorder = new LiveRecorder(writer, table, doc, options.onFailure);
    return recorder;
  }

  /** The first failure, of a write or of the writer's background flush (writing stopped there); null when none. */
  get failure(): unknown {
    this.failed();
    return this.writeFailure;
  }

  /** True once writing failed (a background flush failure is noticed here and reported once). */
  failed(): boolean {
    if (this.writeFailure === null && this.writer.lastTimerError !== null) this.fail(this.writer.lastTimerError);
    return this.writeFailure !== null;
  }

  /** FILE, or `-`. */
  get path(): string {
    return this.writer.path;
  }

  /** Bytes written so far (buffered lines reach the file within a second). */
  get bytes(): number {
    return this.writer.stats().bytes;
  }

  /** A `snapshot` line for every live process of `table`, oldest first (a recording started mid-run). */
  writeLiveSnapshot(table: ProcessTable, time = Date.now()): void {
    if (this.failed()) return;
    try {
      for (const n of liveNodes(table)) {
        this.writer.write(this.doc.snapshotLine(n, time));
        this.lines++;
      }
    } catch (err) {
      this.fail(err);
    }
  }

  /** Flush and fsync without closing (SIGHUP may be followed by SIGKILL). */
  sync(): void {
    this.writer.sync();
  }

  /** Writes what is buffered, fsyncs and closes (throws ExitError on an I/O failure); returns the path and size. */
  close(): { path: string; bytes: number } {
    this.writer.close();
    return { path: this.writer.path, bytes: this.writer.stats().bytes };
  }
}

/** Every live process of `table`, oldest first (parents before children). */
function liveNodes(table: ProcessTable): ProcessNode[] {
  const nodes: ProcessNode[] = [];
  for (const n of table.processes()) if (!n.exited) nodes.push(n);
  nodes.sort((a, b) => a.startTicks - b.startTicks || a.pid - b.pid);
  return nodes;
}

/** `snapshot` lines of every live process of `table` (a rotated file's header). */
function liveSnapshotLines(table: ProcessTable, doc: EcsDocumentBuilder, time: number): string {
  let out = '';
  for (const n of liveNodes(table)) out += doc.snapshotLine(n, time);
  return out;
}

/** The node of the process that called setpgid (apply() returns the target's). */
function callerOf(table: ProcessTable, e: ProcessEvent): ProcessNode | null {
  const n = e.startTicks !== 0 ? table.find(e.pid, e.startTicks) : table.get(e.pid);
  return n ?? null;
}
