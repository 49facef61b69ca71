/**
 * UiStore: between the model and React. It holds the view state and carries out what the pure
 * parts decide:
 *
 * - keys → commands (key-bindings.ts) → the next view state and its effects (view-reducer.ts,
 *   given the lists on screen read-only); the store runs the effects in order: rebuild a list,
 *   search the model, step or seek the replay, start or stop a recording, quit;
 * - the lists built from the model (model-lists.ts) after model changes, throttled by the frame
 *   scheduler (frame-scheduler.ts: a person's own actions within 100 ms, background churn as the
 *   measured cost of a frame allows, the clock every 2 s), and at once after a key;
 * - the immutable UiSnapshot of each frame (snapshot-builder.ts), published only when something
 *   on screen changed.
 *
 * It counts activity as events arrive (O(1) each). React subscribes with useSyncExternalStore and
 * renders only the snapshot: it never reads the live ProcessTable.
 */

import type { EntrySession, ProcessNode } from '../model/types.js';
import { oneLineMessage } from '../exit-error.js';
import { ActivityHistory } from './activity-history.js';
import { FrameScheduler } from './frame-scheduler.js';
import { helpLines } from './help-text.js';
import { commandForKey, splitKeys, type Command, type KeyInfo } from './key-bindings.js';
import type { FeedListener, ModelFeed } from './model-feed.js';
import { ModelLists, sessionSparkWidth } from './model-lists.js';
import { computeLayout } from './screen-layout.js';
import { buildSnapshot } from './snapshot-builder.js';
import { TerminalScreen } from './terminal-screen.js';
import { initialViewState, type ViewState } from './view-state.js';
import { reduceCommand, reduceOutcome, type Reduced, type ReducerLists, type ViewEffect, type ViewOutcome } from './view-reducer.js';
import type { UiSnapshot } from './ui-snapshot.js';

export interface UiStoreOptions {
  feed: ModelFeed;
  cols: number;
  rows: number;
  /** Minimum time between two model-driven snapshots (default 100 ms). */
  publishIntervalMs?: number;
  /** Clock refresh (default 2000 ms). */
  clockIntervalMs?: number;
  /** Called on `q` / Ctrl-C, and when the feed fails (exit status, one-line message). */
  onQuit?: (code: number, message: string) => void;
  /** Directory a recording started with `r` goes to (default: the current directory). */
  recordingDir?: string;
  /** Wall clock (tests). */
  wallClock?: () => number;
}

/** Refresh of what changes with time alone (idle times, running durations): like top, every 2 s. */
const CLOCK_INTERVAL_MS = 2000;

export class UiStore {
  readonly feed: ModelFeed;
  readonly feedListener: FeedListener;
  private readonly frames: FrameScheduler;
  private readonly onQuit: (code: number, message: string) => void;
  private readonly recordingDir: string;
  private readonly wall: () => number;

  private cols: number;
  private rows: number;
  private snap: UiSnapshot;
  private seq = 0;
  private readonly listeners = new Set<() => void>();
  private modelDirty = true;
  private readonly activity = new ActivityHistory<EntrySession>();
  private readonly sparkScratch: number[] = [];
  /** The lists built from the model, read by the reducer and the frame builder. */
  private readonly lists: ModelLists;
  private lastSignature = '';

  /** Focus, selection, toggles, prompts, search: replaced by what the reducer returns. */
  private view: ViewState = initialViewState();
  /** The terminal pane's emulator: fed while the pane is open, freed when it closes. */
  private readonly screen = new TerminalScreen(() => {
    if (this.view.overlay === 'terminal') this.frames.request();
  });

  constructor(options: UiStoreOptions) {
    this.feed = options.feed;
    this.cols = options.cols;
    this.rows = options.rows;
    this.wall = options.wallClock ?? Date.now;
    this.frames = new FrameScheduler({
      publishIntervalMs: options.publishIntervalMs ?? 100,
      clockIntervalMs: options.clockIntervalMs ?? CLOCK_INTERVAL_MS,
      wall: this.wall,
      frame: () => this.publish(),
      clockTick: () => {
        this.modelDirty = true;
      },
    });
    this.onQuit = options.onQuit ?? (() => undefined);
    this.recordingDir = options.recordingDir ?? process.cwd();
    this.lists = new ModelLists({
      feed: this.feed,
      activity: this.activity,
      sparkScratch: this.sparkScratch,
      treeDeferred: (ms) => {
        this.modelDirty = true;
        this.frames.retryIn(ms);
      },
    });
    const store = this;
    this.feedListener = {
      event(node: ProcessNode | null, time: number): void {
        store.activity.note(node === null ? null : node.entrySession, time);
        store.modelDirty = true;
        // what a person just did in the session on screen (a typed line, a command they entered)
        // is drawn promptly; everything else waits for the next frame the render budget allows
        if (
          node !== null &&
          !store.frames.urgent &&
          node.entrySession === store.lists.watched &&
          (node.userEntered || node.typed[node.typed.length - 1]?.time === time)
        ) {
          store.frames.requestUrgent();
        } else {
          store.frames.request();
        }
      },
      reset(): void {
        store.activity.clear();
        store.lists.invalidate();
        store.modelDirty = true;
        store.frames.request();
      },
      changed(): void {
        store.modelDirty = true;
        store.frames.request();
      },
      fatal(message: string, exitCode: number): void {
        store.onQuit(exitCode, message);
      },
    };
    this.refreshModel();
    this.snap = this.render();
  }

  // ------------------------------------------------------------------ React side

  subscribe = (listener: () => void): (() => void) => {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  };

  getSnapshot = (): UiSnapshot => this.snap;

  /** Starts the clock; the first snapshot is published at once. */
  start(): void {
    this.frames.start();
    this.frames.publishNow();
  }

  stop(): void {
    this.frames.stop();
  }

  /** Minimum time between two model-driven snapshots. */
  get publishIntervalMs(): number {
    return this.frames.publishIntervalMs;
  }

  resize(cols: number, rows: number): void {
    if (cols === this.cols && rows === this.rows) return;
    this.cols = cols;
    this.rows = rows;
    this.emit();
  }

  handleKey(input: string, key: KeyInfo): void {
    const keys = splitKeys(input, key);
    let acted = false;
    for (const [i, k] of keys) {
      const cmd = commandForKey(i, k, { mode: this.feed.mode, prompting: this.view.prompt !== null });
      if (cmd === null) continue;
      this.apply(cmd);
      acted = true;
      if (cmd.kind === 'quit') break;
    }
    if (acted && !this.frames.stopped) this.emit();
  }

  /** Carries out one command and publishes the result at once. */
  execute(cmd: Command): void {
    this.apply(cmd);
    if (!this.frames.stopped) this.emit();
  }

  /** Publishes now, every list rebuilt from the model, whatever the throttles say (tests, first frame). */
  flush(): void {
    this.modelDirty = true;
    this.lists.invalidate();
    this.frames.publishNow();
  }

  // ------------------------------------------------------------------ publishing

  /** A frame (FrameScheduler decides when): the lists rebuilt from the model if it changed, then emitted. */
  private publish(): void {
    if (this.modelDirty && !this.view.paused) {
      this.modelDirty = false;
      this.refreshModel();
    }
    this.emit();
  }

  /**
   * Renders a snapshot and tells React — only when something on screen would change. React and
   * Ink render synchronously inside the listeners: their cost sets the spacing of model-driven
   * frames (FrameScheduler), so drawing never takes more than a few percent of a core.
   */
  private emit(): void {
    const next = this.render();
    const signature = visibleSignature(next);
    if (signature === this.lastSignature) return;
    this.lastSignature = signature;
    this.snap = next;
    const t0 = performance.now();
    for (const l of this.listeners) l();
    if (this.listeners.size > 0) this.noteFrameCost(performance.now() - t0);
  }

  /** What drawing one frame cost (ms), measured around React and reported by Ink's renderer. */
  noteFrameCost(ms: number): void {
    this.frames.noteFrameCost(ms);
  }

  /** Time between two model-driven frames: at least publishIntervalMs, more when frames are costly. */
  get frameIntervalMs(): number {
    return this.frames.frameIntervalMs;
  }

  // ------------------------------------------------------------------ model → lists (model-lists.ts)

  private refreshModel(): void {
    this.view = this.lists.refresh(this.view, this.wall(), this.cols);
  }

  // ------------------------------------------------------------------ commands (view-reducer.ts decides, the store carries out)

  /** What the reducer reads: the lists on screen and the feed's facts, read-only. */
  private reducerLists(): ReducerLists {
    const l = this.lists;
    const layout = computeLayout(this.cols, this.rows, l.entries.length, this.feed.header().notice !== '');
    const live = this.feed.live;
    return {
      entries: l.entries,
      tree: l.tree,
      details: l.details,
      pageRows: layout,
      helpRows: helpLines(this.feed.mode, this.cols).length,
      canRecord: live !== null,
      recording: live !== null && live.recording ? { path: this.feed.header().recording?.path ?? null } : null,
      replay: this.feed.replay !== null,
      modelNow: l.modelNow,
      recordingDir: this.recordingDir,
      hostOfNode: (n: ProcessNode) => l.hostOfNode(n),
    };
  }

  private apply(cmd: Command): void {
    this.carryOut(reduceCommand(this.view, cmd, this.reducerLists(), this.wall()));
  }

  private report(outcome: ViewOutcome): void {
    this.carryOut(reduceOutcome(this.view, outcome, this.reducerLists(), this.wall()));
  }

  /** Takes the reducer's state, then runs its effects in order (each sees what the ones before rebuilt). */
  private carryOut(r: Reduced): void {
    this.setView(r.view);
    for (const e of r.effects) this.run(e);
  }

  private setView(next: ViewState): void {
    // the tree rows' cache holds their search highlight: a new query draws them again
    if ((next.search?.query ?? null) !== (this.view.search?.query ?? null)) this.lists.clearTreeViews();
    this.view = next;
  }

  private run(e: ViewEffect): void {
    switch (e.kind) {
      case 'quit':
        this.onQuit(0, '');
        return;
      case 'rebuildSessions':
        this.view = this.lists.rebuildSessions(this.view, this.cols);
        return;
      case 'rebuildTree':
        this.view = this.lists.refreshTree(this.view, true, this.wall());
        return;
      case 'refreshModel':
        this.modelDirty = false;
        this.refreshModel();
        return;
      case 'refreshDetail':
        this.lists.refreshDetail(this.view);
        return;
      case 'findMatches':
        this.report({ kind: 'matchesFound', query: e.query, matches: this.lists.findMatches(e.query), use: e.use });
        return;
      case 'replay':
        this.feed.replay?.[e.action]();
        return;
      case 'stepInSession': {
        const why = this.feed.replay?.stepInSession(e.sessionId, e.dir) ?? '';
        if (why !== '') this.report({ kind: 'stepRefused', why });
        return;
      }
      case 'seek':
        try {
          this.feed.replay?.seekTo(e.text);
        } catch (err) {
          this.report({ kind: 'seekFailed', message: oneLineMessage(err), text: e.text });
        }
        return;
      case 'startRecording':
        try {
          this.feed.live?.startRecording(e.path);
        } catch (err) {
          this.report({ kind: 'recordingFailed', message: oneLineMessage(err), text: e.text });
          return;
        }
        this.report({ kind: 'recordingStarted', path: e.path });
        return;
      case 'stopRecording': {
        const stopped = this.feed.live?.stopRecording() ?? null;
        if (stopped !== null) this.report({ kind: 'recordingStopped', path: stopped.path, bytes: stopped.bytes });
        return;
      }
      case 'then':
        this.report(e.outcome);
        return;
    }
  }

  // ------------------------------------------------------------------ snapshot

  /** The snapshot of this frame, built from the lists and the view state (snapshot-builder.ts). */
  private render(): UiSnapshot {
    const { snapshot, view } = buildSnapshot({
      seq: ++this.seq,
      cols: this.cols,
      rows: this.rows,
      wall: this.wall(),
      feed: this.feed,
      hosts: this.lists.hosts,
      modelNow: this.lists.modelNow,
      activity: this.activity,
      sparkScratch: this.sparkScratch,
      lists: this.lists.viewLists(),
      sessionSparkWidth: sessionSparkWidth(this.cols),
      view: this.view,
      screen: this.screen,
    });
    this.view = view;
    if (view.overlay !== 'terminal') this.screen.dispose();
    return snapshot;
  }
}

/** Everything of a snapshot that reaches the screen (all but its sequence number). */
function visibleSignature(s: UiSnapshot): string {
  return JSON.stringify(s, (key, value: unknown) => (key === 'seq' ? undefined : value));
}
