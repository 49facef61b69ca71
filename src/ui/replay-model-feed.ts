/**
 * The replay feed: plays recordings into fresh ProcessTables (one per recorded host) through the
 * same ProcessEvent path as live, so the UI shows exactly what the model rebuilds from the raw
 * facts. Play/pause, speed, single steps, start/end and seeking to a typed time; going backwards
 * rebuilds the models from the start of the files. Long runs of events (seeks, the end) are applied
 * in slices of a few milliseconds so keys and the screen stay responsive.
 */

import type { BadLine, ReadOptions } from '../record/recording-reader.js';
import { EXIT_BAD_INPUT, oneLineMessage, ExitError, exitCodeOf } from '../exit-error.js';
import type { FeedHeader, FeedListener, HostModelView, ModelFeed, ReplayControls } from './model-feed.js';
import { recordingsEndTime } from '../record/recording-end-time.js';
import { ReplayCursor } from './replay-cursor.js';
import { parseSeekTime } from '../text/time-size-grammar.js';
import { REPLAY_SPEEDS, checkReplaySpeed, nearestSpeedIndex } from '../record/replay-speed.js';
import { safeText } from '../text/terminal-text.js';

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

export const SPEEDS = REPLAY_SPEEDS;
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

export class ReplayModelFeed implements ModelFeed {
  readonly mode = 'replay' as const;
  readonly live = null;
  readonly replay: ReplayControls;
  private cursor: ReplayCursor;
  private readonly readOptions: ReadOptions;
  private readonly wall: () => number;
  private listener: FeedListener | null = null;
  private position: number;
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
  private badLines = 0;
  private readonly badSeen = new Map<string, number>();
  private lastBad: BadLine | null = null;
  private warning = '';
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
    this.cursor = ReplayCursor.open(files, this.readOptions);
    let first;
    try {
      first = this.cursor.peek();
    } catch (err) {
      this.cursor.close();
      throw err;
    }
    if (first === null) {
      this.cursor.close();
      throw new ExitError(`${files.join(', ')}: no events to replay`, EXIT_BAD_INPUT, 'EEMPTY');
    }
    this.firstTime = first.event.time;
    this.position = this.firstTime;
    const end = recordingsEndTime(files);
    this.end = Number.isFinite(end) ? Math.max(end, this.firstTime) : Number.NaN;

    const feed = this;
    this.replay = {
      togglePlay: () => feed.togglePlay(),
      faster: () => feed.setSpeed(feed.speedIndex + 1),
      slower: () => feed.setSpeed(feed.speedIndex - 1),
      stepForward: () => feed.stepForward(),
      stepBack: () => feed.stepBack(),
      toStart: () => feed.startJob({ count: feed.openingCount }),
      toEnd: () => feed.startJob({ time: Number.POSITIVE_INFINITY }),
      seekTo: (text: string) => {
        const t = parseSeekTime(text, { position: feed.position, start: feed.firstTime, end: feed.knownEnd() });
        feed.startJob({ time: Math.max(feed.firstTime, t) });
      },
    };
  }

  /** Applies the opening snapshot (the state the recording starts from) and starts playing. */
  async start(listener: FeedListener): Promise<void> {
    this.listener = listener;
    this.guard(() => {
      let n = 0;
      for (let next = this.cursor.peek(); next !== null && next.event.action === 'snapshot'; next = this.cursor.peek()) {
        this.applyOne();
        n++;
      }
      if (n === 0) this.applyOne();
      this.openingCount = this.cursor.applied;
      this.position = this.cursor.lastTime;
      this.atEnd = this.cursor.peek() === null;
      if (this.atEnd) this.playing = false;
    });
    if (this.playing) this.startPlayTimer();
    listener.changed();
  }

  hosts(): readonly HostModelView[] {
    return this.cursor.views;
  }

  now(): number {
    return this.position;
  }

  header(): FeedHeader {
    let lost = 0;
    for (const v of this.cursor.views) lost += v.table.stats().lost;
    let notice = '';
    if (this.lastBad !== null) {
      const b = this.lastBad;
      notice = `${this.badLines} bad line${this.badLines === 1 ? '' : 's'} skipped; last: ${safeText(b.file)}:${b.line}: ${safeText(b.reason)}`;
    } else if (this.warning !== '') {
      notice = safeText(this.warning);
    }
    return {
      source: 'replay',
      state: 'replay',
      notice,
      lost,
      recording: null,
      badLines: this.badLines,
      replay: {
        position: this.position,
        start: this.firstTime,
        end: this.knownEnd(),
        playing: this.playing && this.job === null,
        speed: SPEEDS[this.speedIndex] as number,
        atEnd: this.atEnd && this.job === null,
        applied: this.cursor.applied,
        busy: this.busyText(),
      },
    };
  }

  close(): void {
    this.closed = true;
    this.stopPlayTimer();
    if (this.jobTimer !== null) clearImmediate(this.jobTimer);
    this.jobTimer = null;
    this.cursor.close();
  }

  // ------------------------------------------------------------------ playing

  private knownEnd(): number {
    const last = this.cursor.lastTime;
    if (!Number.isFinite(this.end)) return this.atEnd ? last : Number.NaN;
    return Number.isFinite(last) ? Math.max(this.end, last) : this.end;
  }

  private togglePlay(): void {
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
        this.position = Math.max(this.position, this.cursor.lastTime);
      } else {
        // behind (too many events for one slice): show where the model really is
        this.position = reached ? target : this.cursor.lastTime;
      }
    });
    this.listener?.changed();
  }

  private stepForward(): void {
    if (this.job !== null) return;
    this.playing = false;
    this.stopPlayTimer();
    this.guard(() => {
      if (this.cursor.peek() === null) {
        this.atEnd = true;
        return;
      }
      this.applyOne();
      this.position = this.cursor.lastTime;
      this.atEnd = this.cursor.peek() === null;
    });
    this.listener?.changed();
  }

  private stepBack(): void {
    if (this.job !== null) return;
    this.playing = false;
    this.stopPlayTimer();
    const target = Math.max(this.openingCount, this.cursor.applied - 1);
    if (target === this.cursor.applied) return;
    this.startJob({ count: target });
  }

  // ------------------------------------------------------------------ jobs (seek, start, end)

  private startJob(target: Target): void {
    if (this.failed) return;
    if (this.jobTimer !== null) clearImmediate(this.jobTimer);
    this.jobTimer = null;
    const behind = 'count' in target ? target.count < this.cursor.applied : target.time < this.cursor.lastTime;
    if (behind) {
      // back to the nearest checkpoint before the target (or the start), then forward in slices
      this.cursor.rewind(target);
      this.atEnd = false;
      this.listener?.reset();
    }
    this.job = { target, fromTime: Number.isFinite(this.cursor.lastTime) ? this.cursor.lastTime : this.firstTime, fromCount: this.cursor.applied };
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
        if ('count' in t) this.position = Number.isFinite(this.cursor.lastTime) ? this.cursor.lastTime : this.firstTime;
        else this.position = Number.isFinite(t.time) ? Math.max(t.time, Number.isFinite(this.cursor.lastTime) ? this.cursor.lastTime : this.firstTime) : this.cursor.lastTime;
        if (this.atEnd) {
          this.playing = false;
          this.stopPlayTimer();
          this.position = Math.min(this.position, this.cursor.lastTime);
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
      share = t.count <= job.fromCount ? 1 : (this.cursor.applied - job.fromCount) / (t.count - job.fromCount);
    } else {
      const to = Number.isFinite(t.time) ? t.time : this.knownEnd();
      const from = job.fromTime;
      share = Number.isFinite(to) && to > from ? ((Number.isFinite(this.cursor.lastTime) ? this.cursor.lastTime : from) - from) / (to - from) : 0;
    }
    return `seeking ${Math.max(0, Math.min(99, Math.floor(share * 100)))}%`;
  }

  // ------------------------------------------------------------------ applying

  /** Applies events while `accept(time)`; true when it stopped because of the condition or the end. */
  private advance(accept: (time: number) => boolean, until: number): boolean {
    for (let n = 1; ; n++) {
      const next = this.cursor.peek();
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
    for (let n = 1; this.cursor.applied < count; n++) {
      if (this.cursor.peek() === null) {
        this.atEnd = true;
        return true;
      }
      this.applyOne();
      if ((n & 255) === 0 && this.wall() >= until) return false;
    }
    this.atEnd = this.cursor.peek() === null;
    return true;
  }

  private applyOne(): void {
    const a = this.cursor.apply();
    if (a !== null) this.listener?.event(a.node, a.time);
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
