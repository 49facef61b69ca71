/**
 * The live feed of the UI: the host's ProcessTable fed by the model's LiveFeed (eBPF opened before
 * the /proc backfill; `/proc` polling, degraded, when eBPF cannot start under `auto`), every
 * applied event passed to the store and, while recording, to the recording.
 */

import { readHostInfo } from '../model/host-info.js';
import { LiveFeed, type SourceChoice } from '../model/live-feed.js';
import { ProcessTable } from '../model/process-table.js';
import type { HostInfo, ProcessNode } from '../model/types.js';
import { oneLineMessage } from '../exit-error.js';
import { loadHistory } from '../record/recording-history.js';
import { localNames, type NameLookup } from '../text/user-names.js';
import { BpfSource } from '../sensor/bpf-source.js';
import type { ProcessEvent } from '../sensor/process-event.js';
import { LiveRecorder } from '../record/live-recorder.js';
import type { SshSettings } from '../remote/ssh-command.js';
import type { FeedHeader, FeedListener, HostModelView, LiveControls, ModelFeed, SourceState } from './model-feed.js';

export interface LiveOptions {
  source: SourceChoice;
  /** Record every event to this file (created 0600; refused if it exists unless forceRecord). */
  record?: string;
  forceRecord?: boolean;
  /** Capture lines typed at interactive bash, zsh and dash. */
  typed: boolean;
  ringBytes?: number;
  argsMax?: number;
  typedMax?: number;
  /** Remote hosts watched over ssh besides (or instead of) this one. */
  ssh?: SshSettings;
  /** With `ssh`: watch the local host too (default true; `--no-local`). */
  local?: boolean;
  /** How long exited processes (history) stay, ms (the model's default when absent). */
  retentionMs?: number;
  /** Recordings to start from (e.g. the service's file): this boot's history before the sensor starts. */
  history?: string[];
  /** Capture terminal output (text_output events) with these per-process bounds. */
  ttyOutput?: boolean;
  ttyRate?: number;
  ttyMaxBytes?: number;
}

export class LiveModelFeed implements ModelFeed {
  readonly mode = 'live' as const;
  readonly host: HostInfo;
  readonly table: ProcessTable;
  readonly names: NameLookup;
  readonly live: LiveControls;
  readonly replay = null;
  private readonly views: HostModelView[];
  private feed: LiveFeed | null = null;
  private recording: LiveRecorder | null = null;
  private state: SourceState = 'starting';
  private sourceName = 'eBPF';
  private notices: string[] = [];
  private recordingNotice = '';
  private historyNotice = '';
  private listener: FeedListener | null = null;
  private closed = false;

  /** Reads the host and opens `--record` (so a refused file fails before the screen changes). */
  constructor(private readonly options: LiveOptions) {
    this.host = readHostInfo();
    this.table = new ProcessTable({ host: this.host, ...(options.retentionMs !== undefined ? { retentionMs: options.retentionMs } : {}) });
    this.names = localNames();
    if (options.history !== undefined && options.history.length > 0) {
      // before the screen changes: an unreadable file is one line and exit status 2
      const h = loadHistory(this.table, options.history);
      const other = h.otherHost > 0 ? `, ${h.otherHost} of other boots or hosts skipped` : '';
      const bad = h.badLines > 0 ? `, ${h.badLines} bad lines skipped` : '';
      this.historyNotice = `history: ${h.applied} events from ${options.history.length === 1 ? options.history[0] : `${options.history.length} recordings`}${other}${bad}`;
    }
    this.views = [{ host: this.host, table: this.table, names: this.names }];
    if (options.source === 'procfs') this.sourceName = '/proc polling';
    if (options.record !== undefined) this.recording = this.openRecorder(options.record, options.forceRecord ?? false);
    const feed = this;
    this.live = {
      get recording() {
        return feed.recording !== null;
      },
      startRecording(path: string): void {
        if (feed.recording !== null) return;
        const r = feed.openRecorder(path, false);
        feed.recording = r;
        r.writeLiveSnapshot(feed.table);
        feed.recordingNotice = '';
        feed.listener?.changed();
      },
      stopRecording(): { path: string; bytes: number } | null {
        const r = feed.recording;
        if (r === null) return null;
        feed.recording = null;
        feed.listener?.changed();
        return r.close();
      },
    };
  }

  /** The recorder for `path` (throws ExitError when the file is refused); a write failure stops the recording. */
  private openRecorder(path: string, force: boolean): LiveRecorder {
    const r: LiveRecorder = LiveRecorder.open({
      output: path,
      host: this.host,
      table: this.table,
      names: this.names,
      force,
      onFailure: (err) => this.failRecording(r, err),
    });
    return r;
  }

  /** Opens the sensor, backfills from /proc and starts delivering. Failures go to listener.fatal. */
  async start(listener: FeedListener): Promise<void> {
    this.listener = listener;
    const o = this.options;
    try {
      this.feed = await LiveFeed.start(
        this.table,
        {
          source: o.source,
          host: this.host,
          bpf: {
            typed: o.typed,
            ...(o.ringBytes !== undefined ? { ringBytes: o.ringBytes } : {}),
            ...(o.argsMax !== undefined ? { argsMax: o.argsMax } : {}),
            ...(o.typedMax !== undefined ? { typedMax: o.typedMax } : {}),
            ...(o.ttyOutput === true ? { ttyOutput: true } : {}),
            ...(o.ttyRate !== undefined ? { ttyRate: o.ttyRate } : {}),
            ...(o.ttyMaxBytes !== undefined ? { ttyMaxBytes: o.ttyMaxBytes } : {}),
          },
          ...(o.argsMax !== undefined ? { argsMax: o.argsMax } : {}),
          // processes the history leaves alive that are gone now end at the first look at /proc
          reconcileAfterBackfill: this.historyNotice !== '',
        },
        {
          onBackfill: (nodes) => this.onBackfill(nodes),
          onEvent: (e, node) => this.onEvent(e, node),
        },
      );
    } catch (err) {
      this.state = 'stopped';
      listener.fatal(`cannot start the eBPF sensor: ${oneLineMessage(err)}`, 1);
      return;
    }
    if (this.closed) {
      await this.feed.stop();
      return;
    }
    const feed = this.feed;
    this.state = feed.degraded ? 'degraded' : 'live';
    this.sourceName = feed.degraded ? '/proc polling' : 'eBPF';
    if (feed.fallbackReason !== '') this.notices.push(degradedNotice(feed.fallbackReason));
    else if (feed.degraded) this.notices.push('watching /proc (--source procfs): short-lived processes can be missed');
    const src = feed.source;
    if (src instanceof BpfSource && o.typed) {
      const missing = (src.stats()?.probes ?? []).filter((p) => !p.attached);
      if (missing.length > 0) {
        const p = missing[0]!;
        this.notices.push(`typed lines not captured from ${p.path} (${p.probe}): ${p.error ?? 'probe not attached'}`);
      }
    }
    listener.changed();
  }

  private onBackfill(nodes: ProcessNode[]): void {
    this.recording?.handlers.onBackfill(nodes);
    this.listener?.changed();
  }

  private onEvent(e: ProcessEvent, node: ProcessNode | null): void {
    this.recording?.handlers.onEvent(e, node);
    this.listener?.event(node, e.time);
  }

  /** A write failed: the recording stops and the notice line says why. */
  private failRecording(r: LiveRecorder, err: unknown): void {
    if (this.recording !== r) return;
    this.recording = null;
    try {
      r.close();
    } catch {
      // the first error is the one to report
    }
    this.recordingNotice = `recording stopped: ${oneLineMessage(err)}`;
    this.listener?.changed();
  }

  hosts(): readonly HostModelView[] {
    return this.views;
  }

  now(): number {
    return Date.now();
  }

  header(): FeedHeader {
    this.recording?.failed(); // notices a background flush failure (which stops the recording)
    const rec = this.recording;
    const notice = [...this.notices, this.recordingNotice, this.historyNotice].filter((s) => s !== '').join(' · ');
    return {
      source: this.sourceName,
      state: this.state,
      notice,
      lost: Math.max(this.table.stats().lost, this.feed?.lost() ?? 0),
      recording: rec === null ? null : { path: rec.path, bytes: rec.bytes },
      badLines: 0,
      replay: null,
    };
  }

  /** Makes the recording durable now (flush + fsync), keeping it open. */
  syncRecording(): void {
    try {
      this.recording?.sync();
    } catch {
      // reported when it is closed
    }
  }

  /** Stops the sensor (it delivers what it still holds), then flushes, fsyncs and closes the recording. */
  async close(): Promise<string> {
    if (this.closed) return '';
    this.closed = true;
    let problem = '';
    try {
      await this.feed?.stop();
    } catch (err) {
      problem = `stopping the sensor: ${oneLineMessage(err)}`;
    }
    this.state = 'stopped';
    const r = this.recording;
    this.recording = null;
    if (r !== null) {
      try {
        r.close();
      } catch (err) {
        problem = `closing the recording: ${oneLineMessage(err)}`;
      }
    }
    return problem;
  }
}

/**
 * The one line about the /proc fallback, consequence first (a narrow terminal cuts the end of the
 * line, and the why is the part that can be cut): "short-lived processes can be missed — eBPF
 * unavailable: <reason>".
 */
export function degradedNotice(fallbackReason: string): string {
  const m = /^eBPF unavailable \((.*)\); watching \/proc instead: short-lived processes can be missed$/.exec(fallbackReason);
  if (m === null) return fallbackReason;
  return `watching /proc: short-lived processes can be missed — eBPF unavailable: ${m[1]}`;
}
