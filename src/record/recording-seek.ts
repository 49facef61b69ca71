/**
 * Seeking in recordings.
 *
 * Two tools:
 *
 * - `findOffsetAtTime(file, time)`: the byte offset of the first line at or after `time`, by binary
 *   search over byte offsets on the @timestamp of line starts (no index, O(log size) short reads).
 *   Assumes the file is (nearly) in time order, as recordings are.
 *
 * - `SeekableReplay`: a RecordingReplay that can jump to any moment. While it plays forward it
 *   takes a checkpoint every `checkpointEvery` events: the resume position of every file and,
 *   per host, a frozen copy of the model (model/table-checkpoint.ts). `seek(time)` goes forward by
 *   replaying; going back it restores the last checkpoint before `time` and replays from there —
 *   so a seek costs a restore and at most `checkpointEvery` events of replay, wherever it lands.
 *
 *   A restored model is the model as it was, not rebuilt from facts: every derived field, exec
 *   history (`previous`), typed lines, links to evicted processes, list orders, counters and the
 *   sessions' terminal output are what a straight replay to that moment gives, and stay so as the
 *   replay goes on. Checkpoints share every node that did not change between them (most of a busy
 *   host's nodes are its sessions' history, which never changes), so each costs a copy of the
 *   nodes that changed and a bit per frozen node, not a copy of the model.
 */

import { closeSync, constants, fstatSync, openSync, readSync } from 'node:fs';
import type { ProcessRecord } from '../model/process-record.js';
import { CheckpointLog, freezeTable, thawTable, type TableCheckpoint } from '../model/table-checkpoint.js';
import { parseIsoMs } from './ecs-time.js';
import type { RecordingHost } from './line-to-event.js';
import type { ReadOptions, ResumePosition } from './recording-reader.js';
import { RecordingReplay, type HostModel, type ReplayStep, type TableOptionsWithoutHost } from './recording-replay.js';

// ---------------------------------------------------------------------------- binary search

const PROBE_BYTES = 4096;
const TIMESTAMP = /"@timestamp"\s*:\s*"([^"]{20,40})"/;

/**
 * Byte offset of the first line whose @timestamp is ≥ `time` (the file size when none is), found
 * by binary search on line starts. A line whose timestamp cannot be read counts as earlier.
 */
export function findOffsetAtTime(file: string, time: number): number {
  const fd = openSync(file, constants.O_RDONLY);
  try {
    const size = fstatSync(fd).size;
    const buf = Buffer.allocUnsafe(PROBE_BYTES);
    /** The first line start at or after `pos` (size when there is none). */
    const lineStart = (pos: number): number => {
      if (pos === 0) return 0;
      let at = pos - 1; // a line starts at pos iff the byte before it is a newline
      while (at < size) {
        const n = readSync(fd, buf, 0, PROBE_BYTES, at);
        if (n <= 0) break;
        const nl = buf.indexOf(0x0a);
        if (nl >= 0 && nl < n) return at + nl + 1;
        at += n;
      }
      return size;
    };
    const timeAt = (offset: number): number => {
      const n = readSync(fd, buf, 0, 256, offset);
      const m = TIMESTAMP.exec(buf.toString('utf8', 0, Math.max(0, n)));
      return m === null ? Number.NaN : parseIsoMs(m[1] as string);
    };
    let lo = 0;
    let hi = size; // line starts still to decide lie in [lo, hi)
    let answer = size;
    while (lo < hi) {
      const mid = lo + Math.floor((hi - lo) / 2);
      const start = lineStart(mid);
      if (start >= hi) {
        hi = mid; // no line starts in [mid, hi)
        continue;
      }
      if (timeAt(start) >= time) {
        answer = start;
        hi = mid; // `start` is the first line start ≥ mid: better answers lie before mid
      } else {
        lo = start + 1;
      }
    }
    return answer;
  } finally {
    closeSync(fd);
  }
}

// ---------------------------------------------------------------------------- checkpoints

export interface ReplayCheckpoint {
  /** Time of the last event applied before it. */
  time: number;
  applied: number;
  positions: (ResumePosition | null)[];
  hosts: {
    host: RecordingHost;
    lastTime: number;
    /** The host's model, frozen (model/table-checkpoint.ts). */
    table: TableCheckpoint;
  }[];
}

/** A checkpoint of `replay` (its position and every host's model), sharing unchanged nodes through `log`. */
export function takeCheckpoint(replay: RecordingReplay, log: CheckpointLog = new CheckpointLog()): ReplayCheckpoint {
  const hosts: ReplayCheckpoint['hosts'] = [];
  for (const m of replay.models.values()) hosts.push({ host: m.host, lastTime: m.lastTime, table: freezeTable(m.table, log) });
  return { time: replay.lastTime, applied: replay.applied, positions: replay.resumePositions(), hosts };
}

/**
 * A replay of `files` positioned at `cp`, its models restored exactly as they were. `spare`: node
 * objects of discarded models to remake into the restored ones (see thawTable); those left over
 * stay in it.
 */
export function restoreCheckpoint(
  files: readonly string[],
  cp: ReplayCheckpoint,
  readOptions: ReadOptions = {},
  tableOptions: TableOptionsWithoutHost = {},
  spare: ProcessRecord[] = [],
): RecordingReplay {
  const replay = RecordingReplay.open(files, readOptions, tableOptions);
  for (const h of cp.hosts) {
    const table = thawTable(h.table, { ...tableOptions, host: h.host.info }, spare);
    const model: HostModel = { host: h.host, table, lastTime: h.lastTime };
    replay.adoptModel(model);
  }
  replay.resumeAt(cp.positions);
  replay.firstTime = Number.NaN;
  replay.lastTime = cp.time;
  replay.applied = cp.applied;
  return replay;
}

export interface SeekableReplayOptions {
  read?: ReadOptions;
  table?: TableOptionsWithoutHost;
  /** Events between checkpoints (default 10 000): the most a seek replays. */
  checkpointEvery?: number;
  /**
   * Most checkpoints kept (default 128). Beyond it every other one is dropped and the spacing
   * doubles, so memory stays bounded on any length of recording (a checkpoint holds a frozen copy
   * of every tracked process, shared with the other checkpoints while it does not change).
   */
  maxCheckpoints?: number;
}

/**
 * A replay that can go to any moment; see the module comment. Going back replaces the models: the
 * nodes and sessions of the models before are not to be read after (their objects are reused for
 * the restored ones); `replay.models` are the models now.
 */
export class SeekableReplay {
  readonly files: readonly string[];
  private current: RecordingReplay;
  private readonly checkpoints: ReplayCheckpoint[] = [];
  /** Where the checkpoints' frozen nodes go (they share the unchanged ones). */
  private readonly log = new CheckpointLog();
  /**
   * Node objects of replaced models, for restores to remake (a restore allocates next to nothing);
   * at most the largest model seen, less the current one.
   */
  private readonly spare: ProcessRecord[] = [];
  private every: number;
  private readonly maxCheckpoints: number;
  private readonly options: SeekableReplayOptions;
  /** Events applied since the last checkpoint. */
  private sinceCheckpoint = 0;

  constructor(files: readonly string[], options: SeekableReplayOptions = {}) {
    this.files = files;
    this.options = options;
    this.every = Math.max(1000, options.checkpointEvery ?? 10_000);
    this.maxCheckpoints = Math.max(2, options.maxCheckpoints ?? 128);
    this.current = RecordingReplay.open(files, options.read ?? {}, options.table ?? {});
  }

  /** The replay at the current position (its models are what the UI shows). */
  get replay(): RecordingReplay {
    return this.current;
  }

  get time(): number {
    return this.current.lastTime;
  }

  get checkpointCount(): number {
    return this.checkpoints.length;
  }

  /** Applies the next event (taking checkpoints as it goes). */
  step(): ReplayStep | null {
    const s = this.current.step();
    if (s !== null) this.afterApply(s.entry.event.action === 'snapshot');
    return s;
  }

  /** Replays forward up to `time` (inclusive). */
  forwardTo(time: number): number {
    let n = 0;
    for (;;) {
      const next = this.current.peekTime();
      if (!(next <= time)) break;
      const s = this.current.step();
      this.afterApply(s?.entry.event.action === 'snapshot');
      n++;
    }
    return n;
  }

  /**
   * Moves to `time`, from whichever is closer before it: the current position (replaying
   * forward) or the last checkpoint at or before `time` (restored), else the start.
   */
  seek(time: number): void {
    const now = this.current.lastTime;
    let cp: ReplayCheckpoint | null = null;
    for (let i = this.checkpoints.length - 1; i >= 0; i--) {
      const c = this.checkpoints[i] as ReplayCheckpoint;
      if (c.time <= time) {
        cp = c;
        break;
      }
    }
    const forwardIsCloser = !Number.isNaN(now) && time >= now && (cp === null || cp.applied <= this.current.applied);
    if (forwardIsCloser || (Number.isNaN(now) && cp === null)) {
      this.forwardTo(time);
      return;
    }
    this.restore(cp);
    this.forwardTo(time);
  }

  /**
   * Goes back to the last checkpoint strictly before `target` (a time, or a number of events
   * applied), or to the start, without replaying forward: the caller continues with step(). Use it
   * to go backwards in slices (a UI keeping its frames coming).
   */
  rewind(target: { time: number } | { count: number }): void {
    let cp: ReplayCheckpoint | null = null;
    for (let i = this.checkpoints.length - 1; i >= 0; i--) {
      const c = this.checkpoints[i] as ReplayCheckpoint;
      if ('time' in target ? c.time < target.time : c.applied <= target.count) {
        cp = c;
        break;
      }
    }
    this.restore(cp);
  }

  /** Replaces the current replay (its models' nodes are reused: see the class comment). */
  private restore(cp: ReplayCheckpoint | null): void {
    const old = this.current;
    old.close();
    const unlinked = this.spare.length;
    for (const m of old.models.values()) m.table.surrenderNodes(this.spare);
    this.current =
      cp === null
        ? RecordingReplay.open(this.files, this.options.read ?? {}, this.options.table ?? {})
        : restoreCheckpoint(this.files, cp, this.options.read ?? {}, this.options.table ?? {}, this.spare);
    // the restore took what it needed off the end; those left of the old models drop their links
    for (let i = unlinked; i < this.spare.length; i++) (this.spare[i] as ProcessRecord).unlinkSpare();
    this.sinceCheckpoint = 0;
  }

  close(): void {
    this.current.close();
  }

  /**
   * Counts an applied event and takes a checkpoint when due — never inside a run of snapshot
   * lines (a recording's opening state can be millions of them: a checkpoint there would copy a
   * half-built model again and again); the first other event after it takes the due checkpoint.
   */
  private afterApply(snapshot = false): void {
    if (++this.sinceCheckpoint < this.every || snapshot) return;
    this.sinceCheckpoint = 0;
    const last = this.checkpoints[this.checkpoints.length - 1];
    // only new ground: after a backward seek, replaying old stretches adds nothing
    if (last !== undefined && this.current.applied <= last.applied) return;
    this.checkpoints.push(takeCheckpoint(this.current, this.log));
    if (this.checkpoints.length > this.maxCheckpoints) {
      // thin out: keep every other one, take them half as often from now on
      for (let i = this.checkpoints.length - 2; i >= 0; i -= 2) this.checkpoints.splice(i, 1);
      this.every *= 2;
    }
  }
}
