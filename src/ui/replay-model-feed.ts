/**
 * The replay feed: plays recordings into fresh ProcessTables (one per recorded host) through the
 * same ProcessEvent path as live, so the UI shows exactly what the model rebuilds from the raw
 * facts. Play/pause, speed, single steps, start/end and seeking to a typed time; going backwards
 * rebuilds the models from the start of the files. Long runs of events (seeks, the end) are applied
 * in slices of a few milliseconds so keys and the screen stay responsive.
 */

import type { BadLine, ReadOptions } from '../record/recording-reader.js';
import { EXIT_BAD_INPUT, oneLineMessage, RecordingError, exitCodeOf } from '../record/recording-error.js';
import type { FeedHeader, FeedListener, HostModelView, ModelFeed, ReplayControls } from './model-feed.js';
import { recordingsEndTime } from './recording-end-time.js';
import { ReplayCursor } from './replay-cursor.js';
import { parseSeekTime } from './seek-time.js';
import { safeText } from './terminal-text.js';

export interface ReplayOptions {
  /** Stop at the first bad line (exit status 2). */
  strict?: boolean;
  /** Initial speed (default 1: real time). */
  speed?: number;
  /** Start paused. */
  paused?: boolean;
  /** How long exited processes stay in the models, ms (the model's default when absent). */
  retentionMs?: number;
  /** Wall clock (tests). */
  wallClock?: () => number;
}

export const SPEEDS: readonly number[] = [0.125, 0.25, 0.5, 1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 1024];
const TICK_MS = 50;
/** Longest a slice of replay work holds the event loop. */
const SLICE_MS = 25;

/** Apply events up to a time, up to a count, or until one about a session's person (`session`). */
type Target = { time: number } | { count: number } | { session: string };

interface Job {
  target: Target;
  /** A session search to start once this job is done (stepping back: rewind, then search forward). */
  then?: string;
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
  /** Where the last session step stopped: the command it stopped at (its exec), to step back past it. */
  private lastMatch: { entityId: string; applied: number } | null = null;

  /** Opens the recordings and reads up to their first event (throws RecordingError). */
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
    if (!Number.isFinite(speed) || speed <= 0) throw new RecordingError('--speed must be a positive number (1 = real time)', EXIT_BAD_INPUT, 'EUSAGE');
    this.speedIndex = nearestSpeed(speed);
    this.playing = !(options.paused ?? false);
    this.cursor = ReplayCursor.open(files, this.readOptions, options.retentionMs);
    let first;
    try {
      first = this.cursor.peek();
    } catch (err) {
      this.cursor.close();
      throw err;
    }
    if (first === null) {
      this.cursor.close();
      throw new RecordingError(`${files.join(', ')}: no events to replay`, EXIT_BAD_INPUT, 'EEMPTY');
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
      stepInSession: (sessionId: string, dir: 1 | -1) => feed.stepInSession(sessionId, dir),
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

  /**
   * Next: applies events until one is a typed line or a person-entered command of the session.
   * Previous: the latest such moment before the position, read from the model (typed line times,
   * command starts), rewinds to just before it and searches forward from there.
   */
  private stepInSession(sessionId: string, dir: 1 | -1): string {
    if (this.job !== null) return '';
    this.playing = false;
    this.stopPlayTimer();
    if (dir > 0) {
      if (this.cursor.peek() === null) return 'at the end of the recording';
      this.startJob({ session: sessionId });
      return '';
    }
    const at = this.cursor.lastTime;
    // stopped at a command's exec: its start (the fork) is before the position but is this moment
    const here = this.lastMatch !== null && this.lastMatch.applied === this.cursor.applied ? this.lastMatch.entityId : '';
    let best = Number.NEGATIVE_INFINITY;
    for (const v of this.cursor.views) {
      for (const s of v.table.entrySessions({ includeServices: true })) {
        if (s.id !== sessionId) continue;
        for (const n of s.members) {
          for (const t of n.typed) if (t.time < at && t.time > best) best = t.time;
          if (n.personEntered && n.start < at && n.start > best && n.entityId !== here) best = n.start;
        }
      }
    }
    if (!Number.isFinite(best)) return 'no earlier typed line or command of this session in the replayed history';
    this.startJob({ time: best - 1 }, sessionId);
    return '';
  }

  // ------------------------------------------------------------------ jobs (seek, start, end)

  private startJob(target: Target, then?: string): void {
    if (this.failed) return;
    if (this.jobTimer !== null) clearImmediate(this.jobTimer);
    this.jobTimer = null;
    const behind = 'count' in target ? target.count < this.cursor.applied : 'time' in target ? target.time < this.cursor.lastTime : false;
    if (behind) {
      // back to the nearest checkpoint before the target (or the start), then forward in slices
      this.cursor.rewind(target as { time: number } | { count: number });
      this.atEnd = false;
      this.listener?.reset();
    }
    this.job = { target, fromTime: Number.isFinite(this.cursor.lastTime) ? this.cursor.lastTime : this.firstTime, fromCount: this.cursor.applied };
    if (then !== undefined) this.job.then = then;
    this.runJob();
  }

  private runJob(): void {
    this.jobTimer = null;
    const job = this.job;
    if (job === null || this.closed) return;
    let done = false;
    this.guard(() => {
      const until = this.wall() + SLICE_MS;
      let t = job.target;
      const limit = 'time' in t ? t.time : 0;
      done = 'count' in t ? this.advanceCount(t.count, until) : 'session' in t ? this.advanceToSession(t.session, until) : this.advance((time) => time <= limit, until);
      if (done && job.then !== undefined && !this.atEnd) {
        // stepping back: rewound to just before the moment, now find it going forward
        t = { session: job.then };
        this.job = { target: t, fromTime: job.fromTime, fromCount: this.cursor.applied };
        done = this.advanceToSession(job.then, until);
      }
      if (done) {
        this.job = null;
        if ('count' in t || 'session' in t) this.position = Number.isFinite(this.cursor.lastTime) ? this.cursor.lastTime : this.firstTime;
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
    if ('session' in t) {
      return 'searching the session';
    } else if ('count' in t) {
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

  /** Applies events until one is a typed line or a person-entered command of session `id`. */
  private advanceToSession(id: string, until: number): boolean {
    for (let n = 1; ; n++) {
      const next = this.cursor.peek();
      if (next === null) {
        this.atEnd = true;
        return true;
      }
      const action = next.event.action;
      const a = this.cursor.apply();
      if (a !== null) {
        this.listener?.event(a.node, a.time);
        const node = a.node;
        if (node !== null && node.entrySession !== null && node.entrySession.id === id && (action === 'typed' || (action === 'exec' && node.personEntered))) {
          this.atEnd = this.cursor.peek() === null;
          this.lastMatch = { entityId: action === 'exec' ? node.entityId : '', applied: this.cursor.applied };
          return true;
        }
      }
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

function nearestSpeed(speed: number): number {
  let best = 0;
  for (let i = 1; i < SPEEDS.length; i++) if (Math.abs(Math.log(SPEEDS[i] as number) - Math.log(speed)) < Math.abs(Math.log(SPEEDS[best] as number) - Math.log(speed))) best = i;
  return best;
}
