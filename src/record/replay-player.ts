/**
 * ReplayPlayer: plays recordings into fresh ProcessTables (one per recorded host) through the same
 * ProcessEvent path as live, so a view shows exactly what the model rebuilds from the raw facts.
 * It owns the replay's clock (position × speed, advanced on a timer), play/pause, speeds, single
 * steps, start/end and seeking to a typed time. Going backwards restores the nearest checkpoint
 * of the SeekableReplay and replays from there. Long runs of events (seeks, the end) are applied
 * in slices of a few milliseconds so keys and the screen stay responsive. The UI's replay feed
 * (ui/replay-model-feed.ts) adapts it to the view; it knows nothing of the view.
 */

import type { ProcessTable } from '../model/process-table.js';
import type { HostInfo, ProcessNode } from '../model/types.js';
import { EXIT_BAD_INPUT, oneLineMessage, ExitError, exitCodeOf } from '../exit-error.js';
import type { NameLookup } from '../text/user-names.js';
import { parseSeekTime } from '../text/time-size-grammar.js';
import { recordingsEndTime } from './recording-end-time.js';
import type { BadLine, ReadOptions, RecordEntry } from './recording-reader.js';
import { SeekableReplay } from './recording-seek.js';
import { REPLAY_SPEEDS, checkReplaySpeed, nearestSpeedIndex } from './replay-speed.js';

/** One recorded host's model as the player rebuilds it. */
export interface ReplayHostView {
  readonly host: HostInfo;
  readonly table: ProcessTable;
  /** uid → name: the names the recording carried. */
  readonly names: NameLookup;
}

/** Told about every applied event, rewinds, other changes and fatal reading errors. */
export interface ReplayListener {
  /** One event was applied; `node` is what ProcessTable.apply returned. */
  event(node: ProcessNode | null, time: number): void;
  /** The models were replaced (rebuilt from a checkpoint to seek backwards). */
  reset(): void;
  /** The position, speed or play state changed without an event to count. */
  changed(): void;
  /** The replay cannot go on (a --strict bad line, an I/O error): exit status and one-line message. */
  fatal(message: string, exitCode: number): void;
}

/** Where the replay is. */
export interface ReplayState {
  /** Recording time shown (ms since the epoch). */
  position: number;
  /** First and last event times (NaN when unknown). */
  start: number;
  end: number;
  playing: boolean;
  speed: number;
  atEnd: boolean;
  /** Events applied so far. */
  applied: number;
  /** Work in progress ("seeking 45%"), '' when idle. */
  busy: string;
}

export interface ReplayOptions {
  /** Stop at the first bad line (exit status 2). */
  strict?: boolean;
  /** Initial speed (default 1: real time). */
  speed?: number;
  /** Start paused. */
  paused?: boolean;
  /** Wall clock (tests). */
  wallClock?: () => number;
}

const SPEEDS = REPLAY_SPEEDS;
const TICK_MS = 50;
/** Longest a slice of replay work holds the event loop. */
const SLICE_MS = 25;

type Target = { time: number } | { count: number };

interface Job {
  target: Target;
  /** Where the job started from (for its progress). */
  fromTime: number;
  fromCount: number;
}

export class ReplayPlayer {
  private readonly seekable: SeekableReplay;
  private viewList: ReplayHostView[] = [];
  private readonly readOptions: ReadOptions;
  private readonly wall: () => number;
  private listener: ReplayListener | null = null;
  /** Recording time shown (ms since the epoch). */
  position: number;
  readonly firstTime: number;
  private end: number;
  private playing: boolean;
  private speedIndex: number;
  private openingCount = 0;
  private atEnd = false;
  private job: Job | null = null;
  private jobTimer: NodeJS.Immediate | null = null;
  private playTimer: NodeJS.Timeout | null = null;
  private lastTick = 0;
  /** Lines of the recordings that could not be read (each counted once across rewinds). */
  badLines = 0;
  private readonly badSeen = new Map<string, number>();
  /** The last bad line (null: none). */
  lastBad: BadLine | null = null;
  /** The reader's last warning ('' when none). */
  warning = '';
  private failed = false;
  private closed = false;

  /** Opens the recordings and reads up to their first event (throws ExitError). */
  constructor(
    files: readonly string[],
    options: ReplayOptions = {},
  ) {
    this.wall = options.wallClock ?? Date.now;
    this.readOptions = {
      strict: options.strict ?? false,
      onBadLine: (b) => {
        // a rewind re-reads lines: count each bad line once
        const seen = this.badSeen.get(b.file) ?? 0;
        if (b.line <= seen) return;
        this.badSeen.set(b.file, b.line);
        this.badLines++;
        this.lastBad = b;
      },
      onWarning: (m) => {
        this.warning = m;
      },
    };
    const speed = options.speed ?? 1;
    this.speedIndex = nearestSpeedIndex(checkReplaySpeed(speed));
    this.playing = !(options.paused ?? false);
    this.seekable = new SeekableReplay(files, { read: this.readOptions });
    let first;
    try {
      first = this.peek();
    } catch (err) {
      this.seekable.close();
      throw err;
    }
    if (first === null) {
      this.seekable.close();
      throw new ExitError(`${files.join(', ')}: no events to replay`, EXIT_BAD_INPUT, 'EEMPTY');
    }
    this.firstTime = first.event.time;
    this.position = this.firstTime;
    const end = recordingsEndTime(files);
    this.end = Number.isFinite(end) ? Math.max(end, this.firstTime) : Number.NaN;
  }

  faster(): void {
    this.setSpeed(this.speedIndex + 1);
  }

  slower(): void {
    this.setSpeed(this.speedIndex - 1);
  }

  toStart(): void {
    this.startJob({ count: this.openingCount });
  }

  toEnd(): void {
    this.startJob({ time: Number.POSITIVE_INFINITY });
  }

  /** Seeks to a time the user typed; throws an Error with a one-line message when it cannot read it. */
  seekTo(text: string): void {
    const t = parseSeekTime(text, { position: this.position, start: this.firstTime, end: this.knownEnd() });
    this.startJob({ time: Math.max(this.firstTime, t) });
  }

  /** Applies the opening snapshot (the state the recording starts from) and starts playing. */
  async start(listener: ReplayListener): Promise<void> {
    this.listener = listener;
    this.guard(() => {
      let n = 0;
      for (let next = this.peek(); next !== null && next.event.action === 'snapshot'; next = this.peek()) {
        this.applyOne();
        n++;
      }
      if (n === 0) this.applyOne();
      this.openingCount = this.applied;
      this.position = this.lastTime;
      this.atEnd = this.peek() === null;
      if (this.atEnd) this.playing = false;
    });
    if (this.playing) this.startPlayTimer();
    listener.changed();
  }

  /** One view per recorded host seen so far (new tables after a rewind). */
  get views(): readonly ReplayHostView[] {
    const models = this.seekable.replay.models;
    if (this.viewList.length !== models.size || this.viewList.some((v, i) => v.table !== [...models.values()][i]?.table)) {
      this.viewList = [...models.values()].map((m) => ({ host: m.host.info, table: m.table, names: m.host.names }));
    }
    return this.viewList;
  }

  /** Events the recorded kernels reported lost, over every host. */
  lost(): number {
    let lost = 0;
    for (const v of this.views) lost += v.table.stats().lost;
    return lost;
  }

  state(): ReplayState {
    return {
      position: this.position,
      start: this.firstTime,
      end: this.knownEnd(),
      playing: this.playing && this.job === null,
      speed: SPEEDS[this.speedIndex] as number,
      atEnd: this.atEnd && this.job === null,
      applied: this.applied,
      busy: this.busyText(),
    };
  }

  close(): void {
    this.closed = true;
    this.stopPlayTimer();
    if (this.jobTimer !== null) clearImmediate(this.jobTimer);
    this.jobTimer = null;
    this.seekable.close();
  }

  // ------------------------------------------------------------------ the recordings

  /** Events applied. */
  private get applied(): number {
    return this.seekable.replay.applied;
  }

  /** Time of the last event applied (NaN before any). */
  private get lastTime(): number {
    return this.seekable.replay.lastTime;
  }

  /** The next event without applying it (null at the end). Valid until the next call. */
  private peek(): RecordEntry | null {
    return this.seekable.replay.peek();
  }

  // ------------------------------------------------------------------ playing

  private knownEnd(): number {
    const last = this.lastTime;
    if (!Number.isFinite(this.end)) return this.atEnd ? last : Number.NaN;
    return Number.isFinite(last) ? Math.max(this.end, last) : this.end;
  }

  togglePlay(): void {
    if (this.atEnd && !this.playing) {
      this.playing = true;
      this.startJob({ count: this.openingCount });
      return;
    }
    this.playing = !this.playing;
    if (this.playing) this.startPlayTimer();
    else this.stopPlayTimer();
    this.listener?.changed();
  }

  private setSpeed(index: number): void {
    this.speedIndex = Math.max(0, Math.min(SPEEDS.length - 1, index));
    this.listener?.changed();
  }

  private startPlayTimer(): void {
    if (this.playTimer !== null || this.closed) return;
    this.lastTick = this.wall();
    this.playTimer = setInterval(() => this.tick(), TICK_MS);
  }

  private stopPlayTimer(): void {
    if (this.playTimer !== null) clearInterval(this.playTimer);
    this.playTimer = null;
  }

  /** Advances the position by the wall time elapsed × speed, applying the events it passes. */
  tick(): void {
    const now = this.wall();
    const dt = now - this.lastTick;
    this.lastTick = now;
    if (this.job !== null || !this.playing || this.failed) return;
    const target = this.position + dt * (SPEEDS[this.speedIndex] as number);
    this.guard(() => {
      const reached = this.advance((t) => t <= target, this.wall() + SLICE_MS);
      if (this.atEnd) {
        this.playing = false;
        this.stopPlayTimer();
        this.position = Math.max(this.position, this.lastTime);
      } else {
        // behind (too many events for one slice): show where the model really is
        this.position = reached ? target : this.lastTime;
      }
    });
    this.listener?.changed();
  }

  stepForward(): void {
    if (this.job !== null) return;
    this.playing = false;
    this.stopPlayTimer();
    this.guard(() => {
      if (this.peek() === null) {
        this.atEnd = true;
        return;
      }
      this.applyOne();
      this.position = this.lastTime;
      this.atEnd = this.peek() === null;
    });
    this.listener?.changed();
  }

  stepBack(): void {
    if (this.job !== null) return;
    this.playing = false;
    this.stopPlayTimer();
    const target = Math.max(this.openingCount, this.applied - 1);
    if (target === this.applied) return;
    this.startJob({ count: target });
  }

  // ------------------------------------------------------------------ jobs (seek, start, end)

  private startJob(target: Target): void {
    if (this.failed) return;
    if (this.jobTimer !== null) clearImmediate(this.jobTimer);
    this.jobTimer = null;
    const behind = 'count' in target ? target.count < this.applied : target.time < this.lastTime;
    if (behind) {
      // back to the nearest checkpoint before the target (or the start), then forward in slices
      this.seekable.rewind(target);
      this.atEnd = false;
      this.listener?.reset();
    }
    this.job = { target, fromTime: Number.isFinite(this.lastTime) ? this.lastTime : this.firstTime, fromCount: this.applied };
    this.runJob();
  }

  private runJob(): void {
    this.jobTimer = null;
    const job = this.job;
    if (job === null || this.closed) return;
    const t = job.target;
    let done = false;
    this.guard(() => {
      const until = this.wall() + SLICE_MS;
      done = 'count' in t ? this.advanceCount(t.count, until) : this.advance((time) => time <= t.time, until);
      if (done) {
        this.job = null;
        if ('count' in t) this.position = Number.isFinite(this.lastTime) ? this.lastTime : this.firstTime;
        else this.position = Number.isFinite(t.time) ? Math.max(t.time, Number.isFinite(this.lastTime) ? this.lastTime : this.firstTime) : this.lastTime;
        if (this.atEnd) {
          this.playing = false;
          this.stopPlayTimer();
          this.position = Math.min(this.position, this.lastTime);
        } else if (this.playing) {
          this.startPlayTimer();
          this.lastTick = this.wall();
        }
      }
    });
    if (this.failed) return;
    if (!done) this.jobTimer = setImmediate(() => this.runJob());
    this.listener?.changed();
  }

  private busyText(): string {
    const job = this.job;
    if (job === null) return '';
    const t = job.target;
    let share: number;
    if ('count' in t) {
      share = t.count <= job.fromCount ? 1 : (this.applied - job.fromCount) / (t.count - job.fromCount);
    } else {
      const to = Number.isFinite(t.time) ? t.time : this.knownEnd();
      const from = job.fromTime;
      share = Number.isFinite(to) && to > from ? ((Number.isFinite(this.lastTime) ? this.lastTime : from) - from) / (to - from) : 0;
    }
    return `seeking ${Math.max(0, Math.min(99, Math.floor(share * 100)))}%`;
  }

  // ------------------------------------------------------------------ applying

  /** Applies events while `accept(time)`; true when it stopped because of the condition or the end. */
  private advance(accept: (time: number) => boolean, until: number): boolean {
    for (let n = 1; ; n++) {
      const next = this.peek();
      if (next === null) {
        this.atEnd = true;
        return true;
      }
      if (!accept(next.event.time)) return true;
      this.applyOne();
      if ((n & 255) === 0 && this.wall() >= until) return false;
    }
  }

  private advanceCount(count: number, until: number): boolean {
    for (let n = 1; this.applied < count; n++) {
      if (this.peek() === null) {
        this.atEnd = true;
        return true;
      }
      this.applyOne();
      if ((n & 255) === 0 && this.wall() >= until) return false;
    }
    this.atEnd = this.peek() === null;
    return true;
  }

  private applyOne(): void {
    const step = this.seekable.step();
    if (step !== null) this.listener?.event(step.node, step.entry.event.time);
  }

  /** Runs replay work; a reading failure (--strict bad line, I/O) ends the replay with its status. */
  private guard(work: () => void): void {
    try {
      work();
    } catch (err) {
      this.failed = true;
      this.playing = false;
      this.job = null;
      this.stopPlayTimer();
      this.listener?.fatal(oneLineMessage(err), exitCodeOf(err));
    }
  }
}
