/**
 * FrameScheduler: when the view publishes a new frame. Model changes are drawn at most once per
 * `publishIntervalMs` when a person's own action is waiting (urgent), else as the measured cost of
 * a frame allows (RENDER_BUDGET of a core, at most MAX_FRAME_INTERVAL_MS apart); the clock (idle
 * times, durations, sparklines) every `clockIntervalMs`. It owns the timers and nothing else: the
 * store's `frame` callback builds and publishes.
 */

/** Share of a core model-driven frames may take (their spacing follows what they cost). */
const RENDER_BUDGET = 0.01;
/** Longest spacing of frames for background changes (a person's own actions are drawn at once). */
const MAX_FRAME_INTERVAL_MS = 1000;

export interface FrameSchedulerOptions {
  publishIntervalMs: number;
  clockIntervalMs: number;
  wall: () => number;
  /** Builds and publishes a frame (called by the timers and by publishNow). */
  frame: () => void;
  /** The clock ticked: what changes with time alone must be rebuilt. */
  clockTick: () => void;
}

export class FrameScheduler {
  readonly publishIntervalMs: number;
  private readonly clockIntervalMs: number;
  private readonly wall: () => number;
  private readonly frame: () => void;
  private readonly clockTick: () => void;
  private publishTimer: NodeJS.Timeout | null = null;
  private clockTimer: NodeJS.Timeout | null = null;
  private lastPublish = Number.NEGATIVE_INFINITY;
  /** When the scheduled frame is due (wall ms). */
  private dueAt = 0;
  /** A change a person made is waiting: publish at the minimum interval. */
  private urgentPending = false;
  /** Moving average of what one frame costs React and Ink (ms). */
  private frameCostMs = 0;
  stopped = false;

  constructor(o: FrameSchedulerOptions) {
    this.publishIntervalMs = o.publishIntervalMs;
    this.clockIntervalMs = o.clockIntervalMs;
    this.wall = o.wall;
    this.frame = o.frame;
    this.clockTick = o.clockTick;
  }

  /** Starts the clock. */
  start(): void {
    this.stopped = false;
    if (this.clockTimer === null) {
      this.clockTimer = setInterval(() => {
        this.clockTick();
        this.request();
      }, this.clockIntervalMs);
    }
  }

  stop(): void {
    this.stopped = true;
    if (this.clockTimer !== null) clearInterval(this.clockTimer);
    if (this.publishTimer !== null) clearTimeout(this.publishTimer);
    this.clockTimer = null;
    this.publishTimer = null;
  }

  /** True while a urgent frame is waiting. */
  get urgent(): boolean {
    return this.urgentPending;
  }

  /** A frame for a background change, when the budget allows (nothing if one is already due). */
  request(): void {
    if (this.publishTimer !== null || this.stopped) return;
    const interval = this.urgentPending ? this.publishIntervalMs : this.frameIntervalMs;
    this.dueAt = this.lastPublish + interval;
    const wait = Math.max(0, this.dueAt - this.wall());
    this.publishTimer = setTimeout(() => this.publishNow(), wait);
  }

  /** A frame for what a person just did: at the minimum interval, sooner than a background one already due. */
  requestUrgent(): void {
    if (!this.urgentPending) {
      this.urgentPending = true;
      if (this.publishTimer !== null && this.lastPublish + this.publishIntervalMs < this.dueAt) {
        clearTimeout(this.publishTimer);
        this.publishTimer = null;
      }
    }
    this.request();
  }

  /** A frame in `ms` (work left over that waits its turn), unless one is already due. */
  retryIn(ms: number): void {
    if (this.publishTimer === null && !this.stopped) this.publishTimer = setTimeout(() => this.publishNow(), Math.max(10, ms));
  }

  /** Builds and publishes a frame now. */
  publishNow(): void {
    if (this.publishTimer !== null) clearTimeout(this.publishTimer);
    this.publishTimer = null;
    this.lastPublish = this.wall();
    this.urgentPending = false;
    this.frame();
  }

  /**
   * What drawing one frame cost (ms): React's part is measured around the listeners, Ink's output
   * pass is reported by the renderer (its onRender). A moving average sets the frame spacing.
   */
  noteFrameCost(ms: number): void {
    this.frameCostMs = this.frameCostMs === 0 ? ms : this.frameCostMs * 0.8 + ms * 0.2;
  }

  /** Time between two model-driven frames: at least publishIntervalMs, more when frames are costly. */
  get frameIntervalMs(): number {
    return Math.max(this.publishIntervalMs, Math.min(MAX_FRAME_INTERVAL_MS, this.frameCostMs / RENDER_BUDGET));
  }
}
