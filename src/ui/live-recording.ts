/**
 * Recording from the live view (`--record FILE`, or `r`): every event the model applied becomes
 * one ECS NDJSON line, written with the recorder's safe writer (0600, never through a symlink,
 * never over an existing file unless forced). A recording started mid-run begins with one
 * `snapshot` line per live process, so it replays on its own.
 */

import type { ProcessTable } from '../model/process-table.js';
import type { HostInfo, ProcessNode } from '../model/types.js';
import { EcsDocumentBuilder } from '../record/ecs-document.js';
import { RecordingWriter } from '../record/recording-writer.js';
import type { NameLookup } from '../text/user-names.js';
import type { ProcessEvent } from '../sensor/process-event.js';

export class LiveRecording {
  private readonly doc: EcsDocumentBuilder;

  private constructor(
    private readonly writer: RecordingWriter,
    host: HostInfo,
    names: NameLookup,
  ) {
    this.doc = new EcsDocumentBuilder({ host, names });
  }

  /** Creates the file (throws ExitError with a one-line message). */
  static open(path: string, options: { force?: boolean; host: HostInfo; names: NameLookup }): LiveRecording {
    const writer = RecordingWriter.open(path, { force: options.force ?? false });
    return new LiveRecording(writer, options.host, options.names);
  }

  get path(): string {
    return this.writer.path;
  }

  /** Bytes written so far (buffered lines reach the file within a second). */
  get bytes(): number {
    return this.writer.stats().bytes;
  }

  /** A failure of the writer's background flush (disk full...), null when none. */
  get failure(): unknown {
    return this.writer.lastTimerError;
  }

  /** `snapshot` lines for these processes (backfill order, or every live process by start). */
  writeSnapshot(nodes: Iterable<ProcessNode>, time: number): void {
    for (const n of nodes) this.writer.write(this.doc.snapshotLine(n, time));
  }

  /** A snapshot of every live process of `table`, oldest first (a recording started mid-run). */
  writeLiveSnapshot(table: ProcessTable, time: number): void {
    const nodes: ProcessNode[] = [];
    for (const n of table.processes()) if (!n.exited) nodes.push(n);
    nodes.sort((a, b) => a.startTicks - b.startTicks || a.pid - b.pid);
    this.writeSnapshot(nodes, time);
  }

  /** The line of one applied event (setpgid lines describe the caller, as `sessiontop record` writes them). */
  writeEvent(e: ProcessEvent, node: ProcessNode | null, table: ProcessTable): void {
    let n = node;
    if (e.action === 'setpgid') n = (e.startTicks !== 0 ? table.find(e.pid, e.startTicks) : table.get(e.pid)) ?? node;
    this.writer.write(this.doc.eventLine(e, n));
  }

  /** Flush and fsync without closing (SIGHUP may be followed by SIGKILL). */
  sync(): void {
    this.writer.sync();
  }

  /** Flush, fsync, close. Returns the path and size. */
  close(): { path: string; bytes: number } {
    this.writer.close();
    return { path: this.writer.path, bytes: this.writer.stats().bytes };
  }
}
