/**
 * LiveRecorder: the one sink that turns what a live feed hands over into recording lines — the
 * resolved backfill as `snapshot` lines, then every applied event — through a RecordingWriter.
 * `sessiontop record` passes `recorder.handlers` to LiveFeed.start; the live view's `--record FILE`
 * and `r` call the same handlers from its own. A recording started mid-run (`writeLiveSnapshot`)
 * and every rotated file begin with a snapshot of every live process, so each replays on its own.
 *
 * `record --ssh` adds the remote hosts (`addHost`): their lines go to the same file, each with its
 * own `host.*`, and rotation headers snapshot every host.
 *
 * A write failure (disk full, a closed pipe), whether in a write or in the writer's background
 * flush, does not throw into the feed: the recorder stops writing, keeps the first error
 * (`failure`) and calls `onFailure` once (a background flush failure when it is next noticed).
 */

import type { ProcessTable } from '../model/process-table.js';
import type { HostInfo, ProcessNode } from '../model/types.js';
import type { ProcessEvent } from '../sensor/process-event.js';
import { EcsDocumentBuilder } from './ecs-document.js';
import { EXIT_BAD_INPUT, ExitError } from '../exit-error.js';
import { RecordingWriter, type RecordingWriterOptions } from './recording-writer.js';
import type { RotateSpec } from './rotate-spec.js';
import { RotatedGzip } from './rotated-gzip.js';
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
  /** gzip rotated files (`--compress`; needs `rotate` with KEEP > 0 to have an effect). */
  compress?: boolean;
  /** A rotated file could not be compressed (it stays plain; nothing is lost). */
  onCompressError?: (err: unknown) => void;
  names?: NameLookup;
  flushIntervalMs?: number;
  onFailure?: (err: unknown) => void;
  /** One line about a rotation that did not go as planned (the recording goes on). */
  onWarning?: (message: string) => void;
}

/** A rotated file must hold at least this many snapshots of the live processes besides events. */
export const MIN_SNAPSHOTS_PER_FILE = 3;

export interface RecorderHandlers {
  onBackfill(nodes: ProcessNode[]): void;
  onEvent(e: ProcessEvent, node: ProcessNode | null): void;
}

export class LiveRecorder {
  readonly writer: RecordingWriter;
  readonly handlers: RecorderHandlers;
  /** Compression of rotated files (`--compress`), or null. */
  gzip: RotatedGzip | null = null;
  /** Lines written (snapshot lines included, those starting rotated files too). */
  lines = 0;
  /** Events the kernel reported lost. */
  lost = 0;
  private writeFailure: unknown = null;
  private lastTime = 0;
  private readonly fail: (err: unknown) => void;
  /** Every host written to this file (the local one first): rotation headers snapshot them all. */
  readonly hosts: { doc: EcsDocumentBuilder; table: ProcessTable }[] = [];

  private constructor(
    writer: RecordingWriter,
    table: ProcessTable,
    private readonly doc: EcsDocumentBuilder,
    private readonly rotate: RotateSpec | null,
    onFailure?: (err: unknown) => void,
  ) {
    this.writer = writer;
    this.fail = (err: unknown): void => {
      if (this.writeFailure !== null) return;
      this.writeFailure = err;
      onFailure?.(err);
    };
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
    const rotate = this.rotate;
    return {
      onBackfill: (nodes) => {
        if (this.failed()) return;
        try {
          const lines: string[] = [];
          let bytes = 0;
          for (const n of nodes) {
            if (n.lastActivity > this.lastTime) this.lastTime = n.lastActivity;
            const line = doc.snapshotLine(n, n.lastActivity);
            lines.push(line);
            bytes += Buffer.byteLength(line);
          }
          if (rotate !== null && bytes * MIN_SNAPSHOTS_PER_FILE > rotate.maxBytes) {
            // every rotated file starts with such a snapshot: a smaller SIZE would hold no events
            writer.discard();
            throw new ExitError(
              `--rotate SIZE ${kib(rotate.maxBytes)} is too small for this host: each file starts with a snapshot of the live processes (${kib(bytes)}); use --rotate ${kib(bytes * MIN_SNAPSHOTS_PER_FILE * 2)} or more`,
              EXIT_BAD_INPUT,
              'EUSAGE',
            );
          }
          for (const line of lines) {
            writer.write(line);
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
    let gzip: RotatedGzip | null = null;
    const writerOptions: RecordingWriterOptions = {
      force: options.force ?? false,
      append: options.append ?? false,
      rotate: options.rotate ?? null,
      handoff: options.compress ? (dir, name) => (gzip = new RotatedGzip(dir, name, options.rotate!.keep, options.onCompressError)) : null,
      onNewFile: () => {
        // every host's live processes (a recording of several hosts), counted as lines written
        const time = recorder?.lastTime || Date.now();
        let out = '';
        for (const h of recorder?.hosts ?? [{ doc, table }]) {
          const nodes = liveNodes(h.table);
          if (recorder !== null) recorder.lines += nodes.length;
          out += snapshotLinesOf(nodes, h.doc, time);
        }
        return out;
      },
      ...(options.onWarning ? { onWarning: options.onWarning } : {}),
      ...(options.flushIntervalMs !== undefined ? { flushIntervalMs: options.flushIntervalMs } : {}),
    };
    let failed: (err: unknown) => void = () => undefined;
    writerOptions.onBackgroundFailure = (err) => failed(err);
    const writer = RecordingWriter.open(options.output, writerOptions);
    const r = (recorder = new LiveRecorder(writer, table, doc, options.rotate ?? null, options.onFailure));
    failed = (err) => r.failWith(err);
    r.gzip = gzip;
    return recorder;
  }

  /** Stops writing with this failure (the first one counts) and tells the owner once. */
  failWith(err: unknown): void {
    this.fail(err);
  }

  /** The first failure, of a write or of the writer's background flush (writing stopped there); null when none. */
  get failure(): unknown {
    this.failed();
    return this.writeFailure;
  }

  /** Resolves once every rotated file is compressed (at once without `--compress`). */
  async compressed(): Promise<void> {
    await this.gzip?.idle();
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

/** `snapshot` lines of `nodes` (a rotated file's header). */
function snapshotLinesOf(nodes: readonly ProcessNode[], doc: EcsDocumentBuilder, time: number): string {
  let out = '';
  for (const n of nodes) out += doc.snapshotLine(n, time);
  return out;
}

/** The node of the process that called setpgid (apply() returns the target's). */
function callerOf(table: ProcessTable, e: ProcessEvent): ProcessNode | null {
  const n = e.startTicks !== 0 ? table.find(e.pid, e.startTicks) : table.get(e.pid);
  return n ?? null;
}

/** Bytes as the --rotate option writes them (K, rounded up). */
function kib(bytes: number): string {
  return bytes >= 1024 * 1024 ? `${Math.ceil(bytes / (1024 * 1024))}M` : `${Math.ceil(bytes / 1024)}K`;
}
