/**
 * LiveRecorder: the sink that turns what a live feed hands over into recording lines — the
 * resolved backfill as `snapshot` lines, then every applied event — through a RecordingWriter.
 * `sessiontop record` uses it, and the live TUI's `--record FILE` can pass `recorder.handlers` to
 * LiveFeed.start (or call them from its own handlers).
 *
 * A write failure (disk full, a closed pipe) does not throw into the feed: the recorder stops
 * writing, keeps the error (`failure`) and calls `onFailure` once.
 */

import type { ProcessTable } from '../model/process-table.js';
import type { HostInfo, ProcessNode } from '../model/types.js';
import type { ProcessEvent } from '../sensor/process-event.js';
import { EcsDocumentBuilder } from './ecs-document.js';
import { RecordingWriter, type RecordingWriterOptions } from './recording-writer.js';
import type { RotateSpec } from './rotate-spec.js';
import { localNames, type NameLookup } from './user-names.js';

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
  /** The first write failure, if any (writing stopped there). */
  failure: unknown = null;
  private lastTime = 0;
  /** Every host written to this file (the local one first): rotation headers snapshot them all. */
  readonly hosts: { doc: EcsDocumentBuilder; table: ProcessTable }[] = [];
  private readonly fail: (err: unknown) => void;

  private constructor(writer: RecordingWriter, table: ProcessTable, doc: EcsDocumentBuilder, onFailure?: (err: unknown) => void) {
    this.writer = writer;
    const fail = (err: unknown): void => {
      if (this.failure !== null) return;
      this.failure = err;
      onFailure?.(err);
    };
    this.fail = fail;
    this.hosts.push({ doc, table });
    this.handlers = this.handlersFor(doc, table);
  }

  /**
   * Handlers that write another host's events to the same file (a remote host of `record --ssh`):
   * its lines carry that host's `host.*` and the ssh destination it came through.
   */
  addHost(host: HostInfo, names: NameLookup, table: ProcessTable): RecorderHandlers {
    const doc = new EcsDocumentBuilder({ host, names });
    // a host seen again through the same destination (it rebooted: a new model) replaces its old entry
    const old = host.via === undefined ? -1 : this.hosts.findIndex((h) => h.doc.host.via === host.via);
    if (old > 0) this.hosts.splice(old, 1);
    this.hosts.push({ doc, table });
    return this.handlersFor(doc, table);
  }

  private handlersFor(doc: EcsDocumentBuilder, table: ProcessTable): RecorderHandlers {
    const writer = this.writer;
    const fail = this.fail;
    return {
      onBackfill: (nodes) => {
        if (this.failure !== null) return;
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
        if (this.failure !== null) return;
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

  /** Opens the output safely (RecordingError on refusal) and returns the recorder. */
  static open(options: LiveRecorderOptions): LiveRecorder {
    const { table } = options;
    const doc = new EcsDocumentBuilder({ host: options.host, names: options.names ?? localNames() });
    let recorder: LiveRecorder | null = null;
    /** A rotated file starts with a snapshot of every live process, so it replays on its own. */
    const header = (): string => {
      const time = recorder?.lastTime || Date.now();
      let out = '';
      for (const h of recorder?.hosts ?? [{ doc, table }]) {
        const nodes: ProcessNode[] = [];
        for (const n of h.table.processes()) if (!n.exited) nodes.push(n);
        nodes.sort((a, b) => a.startTicks - b.startTicks || a.pid - b.pid);
        for (const n of nodes) out += h.doc.snapshotLine(n, time);
      }
      return out;
    };
    const writerOptions: RecordingWriterOptions = {
      force: options.force ?? false,
      append: options.append ?? false,
      rotate: options.rotate ?? null,
      onNewFile: header,
      ...(options.flushIntervalMs !== undefined ? { flushIntervalMs: options.flushIntervalMs } : {}),
    };
    const writer = RecordingWriter.open(options.output, writerOptions);
    recorder = new LiveRecorder(writer, table, doc, options.onFailure);
    return recorder;
  }

  /** Writes what is buffered, fsyncs and closes (throws RecordingError on an I/O failure). */
  close(): void {
    this.writer.close();
  }
}

/** The node of the process that called setpgid (apply() returns the target's). */
function callerOf(table: ProcessTable, e: ProcessEvent): ProcessNode | null {
  const n = e.startTicks !== 0 ? table.find(e.pid, e.startTicks) : table.get(e.pid);
  return n ?? null;
}
