/**
 * UiStore: between the model and React. It counts activity as events arrive (O(1) each), and turns
 * the model into an immutable UiSnapshot
 *
 * - after model changes at most once per `publishIntervalMs` (100 ms: ~10 frames a second) — a
 *   person's own actions (typed lines, commands they entered) that fast, background churn as the
 *   measured cost of a frame allows (about 1 % of a core) — and every 2 s for the clock (idle
 *   times, durations, sparklines);
 * - at once after a key (selection, scrolling), reusing the lists built from the model.
 *
 * React subscribes with useSyncExternalStore and renders only the snapshot: it never reads the
 * live ProcessTable. The store keeps the view state (focus, selection by stable key, toggles,
 * prompts, search) and windows every list to the rows the terminal can show.
 */

import type { EntrySession, ProcessNode } from '../model/types.js';
import { oneLineMessage } from '../exit-error.js';
import { safeText } from '../text/terminal-text.js';
import { ActivityHistory } from './activity-history.js';
import { FrameScheduler } from './frame-scheduler.js';
import { detailLines } from './detail-fields.js';
import { helpLines } from './help-text.js';
import { commandForKey, splitKeys, type Command, type KeyInfo } from './key-bindings.js';
import type { FeedListener, HostModelView, ModelFeed } from './model-feed.js';
import { buildTree, unattachedRows, type TreeBuild } from './process-tree.js';
import { findMatches, type SearchMatch, type SearchQuery } from './process-search.js';
import { computeLayout } from './screen-layout.js';
import { groupsByHost, groupSessionsByHost, hostHeaderText, hostIsLost } from './host-groups.js';
import { buildSessionList, KERNEL_KEY, type SessionEntry } from './session-list.js';
import { sessionRowView, userLabel } from './session-row-view.js';
import { buildSnapshot } from './snapshot-builder.js';
import { TerminalScreen } from './terminal-screen.js';
import { initialViewState, type ViewState } from './view-state.js';
import {
  followPerson,
  reduceCommand,
  reduceOutcome,
  sessionRank,
  settleSessions,
  settleTree,
  type Reduced,
  type ReducerLists,
  type ViewEffect,
  type ViewOutcome,
} from './view-reducer.js';
import type { DetailLine, SessionRowView, TreeRowView, UiSnapshot } from './ui-snapshot.js';

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
/** Longest a big tree waits between rebuilds (its rebuild cost sets the interval below this). */
const MAX_TREE_INTERVAL_MS = 2000;

interface TreeCache {
  key: string;
  session: EntrySession | null;
  lastActivity: number;
  members: number;
  live: number;
  verbose: boolean;
  builtAt: number;
  costMs: number;
}

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
  /** The entry session whose tree is on screen (null: a fold or nothing). */
  private watched: EntrySession | null = null;
  private modelDirty = true;

  // ---- lists built from the model (refreshModel), read by render()
  private hosts: readonly HostModelView[] = [];
  private entries: SessionEntry[] = [];
  private sessionViews: SessionRowView[] = [];
  private tree: TreeBuild = { entries: [], hidden: 0 };
  private treeViews: (TreeRowView | undefined)[] = [];
  private treeCache: TreeCache | null = null;
  private treeTitle = '';
  private treeEmpty = '';
  private details: DetailLine[] = [];
  private unattached: ProcessNode[][] = [];
  private unattachedAt = Number.NEGATIVE_INFINITY;
  private readonly activity = new ActivityHistory<EntrySession>();
  private readonly sparkScratch: number[] = [];
  private modelNow = 0;
  private lastSignature = '';

  // ---- view state (focus, selection, toggles, prompts, search): reduceView's for the commands it covers
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
          node.entrySession === store.watched &&
          (node.userEntered || node.typed[node.typed.length - 1]?.time === time)
        ) {
          store.frames.requestUrgent();
        } else {
          store.frames.request();
        }
      },
      reset(): void {
        store.activity.clear();
        store.treeCache = null;
        store.unattachedAt = Number.NEGATIVE_INFINITY;
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
    this.unattachedAt = Number.NEGATIVE_INFINITY;
    this.treeCache = null;
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

  // ------------------------------------------------------------------ model → lists

  private refreshModel(): void {
    this.hosts = this.feed.hosts();
    this.modelNow = this.feed.now();
    const wall = this.wall();
    if (wall - this.unattachedAt >= 1000) {
      this.unattachedAt = wall;
      this.unattached = this.hosts.map((h) => h.table.unattached({ includeExited: false }));
    }
    this.rebuildSessionList();
    if (this.view.follow) this.view = followPerson(this.view, this.entries);
    this.view = settleSessions(this.view, this.entries);
    this.refreshTree(false);
    this.refreshDetail();
  }

  private rebuildSessionList(): void {
    let unattached = 0;
    for (const u of this.unattached) unattached += u.length;
    this.entries = buildSessionList(this.hosts, { servicesExpanded: this.view.servicesExpanded, unattached, sort: this.view.sortKey, filter: this.view.filter });
    if (groupsByHost(this.hosts)) this.entries = groupSessionsByHost(this.entries, this.hosts);
    const now = this.modelNow;
    this.sessionViews = this.entries.map((e) =>
      sessionRowView(
        e,
        this.hosts,
        this.activity,
        now,
        this.sessionSparkWidth(),
        e.kind === 'services' ? this.view.servicesExpanded : this.view.kernelExpanded,
        this.sparkScratch,
      ),
    );
  }

  private sessionSparkWidth(): number {
    return this.cols >= 120 ? 12 : 8;
  }

  private selectedEntry(): SessionEntry | undefined {
    return this.entries[this.view.sessCursor];
  }

  /** Rebuilds the selected session's tree when it changed (big trees at a rate their cost allows). */
  private refreshTree(force: boolean): void {
    const e = this.selectedEntry();
    const wall = this.wall();
    if (e === undefined) {
      this.setTree({ entries: [], hidden: 0 }, null);
      this.treeTitle = 'no sessions';
      this.treeEmpty = 'nothing seen yet';
      return;
    }
    if (e.kind === 'services') {
      this.setTree({ entries: [], hidden: 0 }, null);
      this.treeTitle = `services (init): ${e.count} sessions, ${e.live} live processes`;
      this.treeEmpty = this.view.servicesExpanded
        ? 'service sessions are listed above; select one to see its processes (Enter folds them)'
        : 'service sessions are folded: press Enter on this line to list them';
      return;
    }
    if (e.kind === 'host') {
      const h = this.hosts[e.hostIndex];
      this.setTree({ entries: [], hidden: 0 }, null);
      this.treeTitle = h === undefined ? 'host' : hostHeaderText(h, e.count, this.wall());
      this.treeEmpty = hostIsLost(h)
        ? 'connection lost: its sessions stay listed (dimmed) as last seen, until it is back'
        : e.count === 0
          ? 'no login sessions on this host'
          : 'select one of its sessions below to see its processes';
      return;
    }
    if (e.kind === 'kernel') {
      const key = `${KERNEL_KEY}|${this.view.kernelExpanded}|${this.view.verbose}`;
      const c = this.treeCache;
      if (force || c === null || c.key !== key || wall - c.builtAt >= 1000) {
        if (this.view.kernelExpanded) {
          const rows = this.unattached.flatMap((nodes) => unattachedRows(nodes));
          this.setTree(buildTree(rows, true), { key, session: null, lastActivity: 0, members: 0, live: 0, verbose: this.view.verbose, builtAt: wall, costMs: 0 });
        } else {
          this.setTree({ entries: [], hidden: 0 }, { key, session: null, lastActivity: 0, members: 0, live: 0, verbose: this.view.verbose, builtAt: wall, costMs: 0 });
        }
      }
      this.treeTitle = `kernel threads and processes outside any session: ${e.count}`;
      this.treeEmpty = this.view.kernelExpanded ? 'none' : 'folded: press Enter on this line to list them here';
      this.view = settleTree(this.view, this.tree.entries);
      return;
    }
    const s = e.session as EntrySession;
    const c = this.treeCache;
    const same =
      c !== null &&
      c.key === e.key &&
      c.session === s &&
      c.verbose === this.view.verbose &&
      c.lastActivity === s.lastActivity &&
      c.members === s.members.size &&
      c.live === s.liveCount;
    const dueAt = c === null ? 0 : c.builtAt + Math.min(MAX_TREE_INTERVAL_MS, c.costMs * 10);
    if (!same && (force || c === null || c.key !== e.key || c.verbose !== this.view.verbose || wall >= dueAt)) {
      const host = this.hosts[e.hostIndex] as HostModelView;
      const t0 = performance.now();
      const built = buildTree(host.table.sessionTree(s), this.view.verbose);
      const cost = performance.now() - t0;
      this.setTree(built, {
        key: e.key,
        session: s,
        lastActivity: s.lastActivity,
        members: s.members.size,
        live: s.liveCount,
        verbose: this.view.verbose,
        builtAt: wall,
        costMs: cost,
      });
    } else if (!same) {
      this.modelDirty = true; // a big tree waits its turn: come back for it
      this.frames.retryIn(dueAt - wall);
    }
    const host = this.hosts[e.hostIndex] as HostModelView;
    const l = s.leader;
    this.treeTitle = `${s.type} session of ${userLabel(s.user, host.names)} · leader ${l.pid} ${safeText(l.name)} · ${s.liveCount} live of ${s.members.size}`;
    this.treeEmpty = 'no processes';
    this.view = settleTree(this.view, this.tree.entries);
  }

  private setTree(t: TreeBuild, cache: TreeCache | null): void {
    this.watched = cache?.session ?? null;
    this.tree = t;
    this.treeViews = new Array<TreeRowView | undefined>(t.entries.length);
    this.treeCache = cache;
  }

  private refreshDetail(): void {
    const t = this.view.detailTarget;
    if (this.view.overlay !== 'detail' || t === null) return;
    const host = this.hosts[t.hostIndex] ?? this.hosts[0];
    if (host === undefined) return;
    this.details = detailLines(t.node, host.names, this.view.paused ? this.view.pausedAt : this.modelNow);
  }

  // ------------------------------------------------------------------ commands (view-reducer.ts decides, the store carries out)

  /** What the reducer reads: the lists on screen and the feed's facts, read-only. */
  private reducerLists(): ReducerLists {
    const layout = computeLayout(this.cols, this.rows, this.entries.length, this.feed.header().notice !== '');
    const live = this.feed.live;
    return {
      entries: this.entries,
      tree: this.tree,
      details: this.details,
      pageRows: layout,
      helpRows: helpLines(this.feed.mode, this.cols).length,
      canRecord: live !== null,
      recording: live !== null && live.recording ? { path: this.feed.header().recording?.path ?? null } : null,
      replay: this.feed.replay !== null,
      modelNow: this.modelNow,
      recordingDir: this.recordingDir,
      hostOfNode: (n) => this.hostOfNode(n),
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
    if ((next.search?.query ?? null) !== (this.view.search?.query ?? null)) {
      this.treeViews = new Array<TreeRowView | undefined>(this.tree.entries.length);
    }
    this.view = next;
  }

  private run(e: ViewEffect): void {
    switch (e.kind) {
      case 'quit':
        this.onQuit(0, '');
        return;
      case 'rebuildSessions':
        this.rebuildSessionList();
        this.view = settleSessions(this.view, this.entries);
        return;
      case 'rebuildTree':
        this.refreshTree(true);
        return;
      case 'refreshModel':
        this.modelDirty = false;
        this.refreshModel();
        return;
      case 'refreshDetail':
        this.refreshDetail();
        return;
      case 'findMatches':
        this.report({ kind: 'matchesFound', query: e.query, matches: this.findMatches(e.query), use: e.use });
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
          this.report({ kind: 'seekFailed', message: oneLineMessage(err) });
        }
        return;
      case 'startRecording':
        try {
          this.feed.live?.startRecording(e.path);
        } catch (err) {
          this.report({ kind: 'recordingFailed', message: oneLineMessage(err) });
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

  private hostOfNode(n: ProcessNode): number {
    for (let h = 0; h < this.unattached.length; h++) if ((this.unattached[h] as ProcessNode[]).includes(n)) return h;
    return 0;
  }

  private findMatches(q: SearchQuery): SearchMatch[] {
    return findMatches(this.hosts, q, (h, s) => sessionRank(this.entries, h, s));
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
      hosts: this.hosts,
      modelNow: this.modelNow,
      activity: this.activity,
      sparkScratch: this.sparkScratch,
      lists: {
        entries: this.entries,
        sessionViews: this.sessionViews,
        tree: this.tree,
        treeViews: this.treeViews,
        treeTitle: this.treeTitle,
        treeEmpty: this.treeEmpty,
        details: this.details,
      },
      sessionSparkWidth: this.sessionSparkWidth(),
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
