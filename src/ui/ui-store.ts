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

import { resolve } from 'node:path';
import type { EntrySession, ProcessNode } from '../model/types.js';
import { oneLineMessage } from '../record/recording-error.js';
import { ActivityHistory } from './activity-history.js';
import { detailLines } from './detail-fields.js';
import { helpLines } from './help-text.js';
import { commandForKey, splitKeys, type Command, type KeyInfo } from './key-bindings.js';
import { moveCursor, windowStart } from './list-window.js';
import type { FeedListener, HostModelView, ModelFeed } from './model-feed.js';
import { byteSize } from './number-format.js';
import { buildTree, processKey, unattachedRows, type TreeBuild, type TreeEntry } from './process-tree.js';
import { findMatches, processMatches, searchQuery, type SearchMatch, type SearchQuery } from './process-search.js';
import { computeLayout } from './screen-layout.js';
import { buildSessionList, KERNEL_KEY, sessionKey, type SessionEntry } from './session-list.js';
import { sessionRowView, userLabel } from './session-row-view.js';
import { isShellNoise } from './shell-noise.js';
import { sparkline } from './sparkline.js';
import { terminalPaneView } from './terminal-pane-view.js';
import { TerminalScreen } from './terminal-screen.js';
import { safeText } from './terminal-text.js';
import { defaultRecordingName } from './time-format.js';
import { treeRowView } from './tree-row-view.js';
import type { DetailLine, HeaderView, SessionRowView, StatusView, Tone, TreeRowView, UiSnapshot } from './ui-snapshot.js';

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

type Pane = 'sessions' | 'tree';
type PromptKind = 'search' | 'seek' | 'record';

const PROMPT_LABELS: Record<PromptKind, string> = {
  search: '/',
  seek: 'seek to (12:03:04, +30s, -5m, 50%, ISO time): ',
  record: 'record to file: ',
};

const MESSAGE_MS = 5000;
/** Events/s sparkline: one cell per second. */
const RATE_SPARK_WIDTH = 20;
/** Refresh of what changes with time alone (idle times, running durations): like top, every 2 s. */
const CLOCK_INTERVAL_MS = 2000;
/** Share of a core model-driven frames may take (their spacing follows what they cost). */
const RENDER_BUDGET = 0.01;
/** Longest spacing of frames for background changes (a person's own actions are drawn at once). */
const MAX_FRAME_INTERVAL_MS = 1000;
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
  readonly publishIntervalMs: number;
  private readonly clockIntervalMs: number;
  private readonly onQuit: (code: number, message: string) => void;
  private readonly recordingDir: string;
  private readonly wall: () => number;

  private cols: number;
  private rows: number;
  private snap: UiSnapshot;
  private seq = 0;
  private readonly listeners = new Set<() => void>();
  private publishTimer: NodeJS.Timeout | null = null;
  private clockTimer: NodeJS.Timeout | null = null;
  private lastPublish = Number.NEGATIVE_INFINITY;
  /** When the scheduled publish is due (wall ms). */
  private dueAt = 0;
  /** A change a person made is waiting: publish at the minimum interval. */
  private urgent = false;
  /** The entry session whose tree is on screen (null: a fold or nothing). */
  private watched: EntrySession | null = null;
  private modelDirty = true;
  private stopped = false;

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
  /** Moving average of what one frame costs React and Ink (ms). */
  private frameCostMs = 0;

  // ---- view state
  private focus: Pane = 'sessions';
  private overlay: 'none' | 'detail' | 'help' | 'terminal' = 'none';
  /** The terminal pane's emulator (fed only while the pane is open). */
  private readonly screen = new TerminalScreen(() => {
    if (this.overlay === 'terminal' && !this.stopped) this.emit();
  });
  private selSession: string | null = null;
  private sessCursor = 0;
  private sessOffset = 0;
  private selTree: string | null = null;
  private treeCursor = 0;
  private treeOffset = 0;
  private detailTarget: { node: ProcessNode; hostIndex: number } | null = null;
  private detailOffset = 0;
  private helpOffset = 0;
  private servicesExpanded = false;
  private kernelExpanded = false;
  private timestamps = false;
  private verbose = false;
  private follow = false;
  private paused = false;
  private pausedAt = 0;
  private prompt: { kind: PromptKind; text: string } | null = null;
  private search: { query: SearchQuery; matches: SearchMatch[]; index: number } | null = null;
  private message: { text: string; tone: Tone; until: number } | null = null;
  private centerSessions = false;
  private centerTree = false;

  constructor(options: UiStoreOptions) {
    this.feed = options.feed;
    this.cols = options.cols;
    this.rows = options.rows;
    this.publishIntervalMs = options.publishIntervalMs ?? 100;
    this.clockIntervalMs = options.clockIntervalMs ?? CLOCK_INTERVAL_MS;
    this.onQuit = options.onQuit ?? (() => undefined);
    this.recordingDir = options.recordingDir ?? process.cwd();
    this.wall = options.wallClock ?? Date.now;
    const store = this;
    this.feedListener = {
      event(node: ProcessNode | null, time: number): void {
        store.activity.note(node === null ? null : node.entrySession, time);
        store.modelDirty = true;
        // what a person just did in the session on screen (a typed line, a command they entered)
        // is drawn promptly; everything else waits for the next frame the render budget allows
        if (
          node !== null &&
          !store.urgent &&
          node.entrySession === store.watched &&
          (node.userEntered || node.typed[node.typed.length - 1]?.time === time)
        ) {
          store.urgent = true;
          if (store.publishTimer !== null && store.lastPublish + store.publishIntervalMs < store.dueAt) {
            clearTimeout(store.publishTimer);
            store.publishTimer = null;
          }
        }
        if (store.publishTimer === null) store.schedule();
      },
      reset(): void {
        store.activity.clear();
        store.treeCache = null;
        store.unattachedAt = Number.NEGATIVE_INFINITY;
        store.modelDirty = true;
        store.schedule();
      },
      changed(): void {
        store.modelDirty = true;
        if (store.publishTimer === null) store.schedule();
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
    this.stopped = false;
    if (this.clockTimer === null) {
      this.clockTimer = setInterval(() => {
        this.modelDirty = true;
        this.schedule();
      }, this.clockIntervalMs);
    }
    this.publish();
  }

  stop(): void {
    this.stopped = true;
    if (this.clockTimer !== null) clearInterval(this.clockTimer);
    if (this.publishTimer !== null) clearTimeout(this.publishTimer);
    this.clockTimer = null;
    this.publishTimer = null;
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
      const cmd = commandForKey(i, k, { mode: this.feed.mode, prompting: this.prompt !== null });
      if (cmd === null) continue;
      this.apply(cmd);
      acted = true;
      if (cmd.kind === 'quit') break;
    }
    if (acted && !this.stopped) this.emit();
  }

  /** Carries out one command and publishes the result at once. */
  execute(cmd: Command): void {
    this.apply(cmd);
    if (!this.stopped) this.emit();
  }

  /** Publishes now, every list rebuilt from the model, whatever the throttles say (tests, first frame). */
  flush(): void {
    this.modelDirty = true;
    this.unattachedAt = Number.NEGATIVE_INFINITY;
    this.treeCache = null;
    this.publish();
  }

  // ------------------------------------------------------------------ publishing

  private schedule(): void {
    if (this.publishTimer !== null || this.stopped) return;
    const interval = this.urgent ? this.publishIntervalMs : this.frameIntervalMs;
    this.dueAt = this.lastPublish + interval;
    const wait = Math.max(0, this.dueAt - this.wall());
    this.publishTimer = setTimeout(() => this.publish(), wait);
  }

  private publish(): void {
    if (this.publishTimer !== null) clearTimeout(this.publishTimer);
    this.publishTimer = null;
    this.lastPublish = this.wall();
    this.urgent = false;
    if (this.modelDirty && !this.paused) {
      this.modelDirty = false;
      this.refreshModel();
    }
    this.emit();
  }

  /**
   * Renders a snapshot and tells React — only when something on screen would change. React and
   * Ink render synchronously inside the listeners: their cost sets the spacing of model-driven
   * frames (RENDER_BUDGET), so drawing never takes more than a few percent of a core.
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
    if (this.follow) this.followMostActive();
    this.resolveSessionCursor();
    this.refreshTree(false);
    this.refreshDetail();
  }

  private rebuildSessionList(): void {
    let unattached = 0;
    for (const u of this.unattached) unattached += u.length;
    this.entries = buildSessionList(this.hosts, { servicesExpanded: this.servicesExpanded, unattached });
    const now = this.modelNow;
    this.sessionViews = this.entries.map((e) =>
      sessionRowView(
        e,
        this.hosts,
        this.activity,
        now,
        this.sessionSparkWidth(),
        e.kind === 'services' ? this.servicesExpanded : this.kernelExpanded,
        this.sparkScratch,
      ),
    );
  }

  private sessionSparkWidth(): number {
    return this.cols >= 120 ? 12 : 8;
  }

  private resolveSessionCursor(): void {
    const entries = this.entries;
    const idx = this.selSession === null ? -1 : entries.findIndex((e) => e.key === this.selSession);
    if (idx >= 0) this.sessCursor = idx;
    else this.sessCursor = moveCursor(this.sessCursor, 0, entries.length);
    const prev = this.selSession;
    this.selSession = entries[this.sessCursor]?.key ?? null;
    if (prev !== this.selSession && !this.follow) {
      this.selTree = null;
      this.treeCursor = 0;
      this.treeOffset = 0;
    }
  }

  private selectedEntry(): SessionEntry | undefined {
    return this.entries[this.sessCursor];
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
      this.treeEmpty = this.servicesExpanded
        ? 'service sessions are listed above; select one to see its processes (Enter folds them)'
        : 'service sessions are folded: press Enter on this line to list them';
      return;
    }
    if (e.kind === 'kernel') {
      const key = `${KERNEL_KEY}|${this.kernelExpanded}|${this.verbose}`;
      const c = this.treeCache;
      if (force || c === null || c.key !== key || wall - c.builtAt >= 1000) {
        if (this.kernelExpanded) {
          const rows = this.unattached.flatMap((nodes) => unattachedRows(nodes));
          this.setTree(buildTree(rows, true), { key, session: null, lastActivity: 0, members: 0, live: 0, verbose: this.verbose, builtAt: wall, costMs: 0 });
        } else {
          this.setTree({ entries: [], hidden: 0 }, { key, session: null, lastActivity: 0, members: 0, live: 0, verbose: this.verbose, builtAt: wall, costMs: 0 });
        }
      }
      this.treeTitle = `kernel threads and processes outside any session: ${e.count}`;
      this.treeEmpty = this.kernelExpanded ? 'none' : 'folded: press Enter on this line to list them here';
      this.resolveTreeCursor();
      return;
    }
    const s = e.session as EntrySession;
    const c = this.treeCache;
    const same =
      c !== null &&
      c.key === e.key &&
      c.session === s &&
      c.verbose === this.verbose &&
      c.lastActivity === s.lastActivity &&
      c.members === s.members.size &&
      c.live === s.liveCount;
    const dueAt = c === null ? 0 : c.builtAt + Math.min(MAX_TREE_INTERVAL_MS, c.costMs * 10);
    if (!same && (force || c === null || c.key !== e.key || c.verbose !== this.verbose || wall >= dueAt)) {
      const host = this.hosts[e.hostIndex] as HostModelView;
      const t0 = performance.now();
      const built = buildTree(host.table.sessionTree(s), this.verbose);
      const cost = performance.now() - t0;
      this.setTree(built, {
        key: e.key,
        session: s,
        lastActivity: s.lastActivity,
        members: s.members.size,
        live: s.liveCount,
        verbose: this.verbose,
        builtAt: wall,
        costMs: cost,
      });
    } else if (!same) {
      this.modelDirty = true; // a big tree waits its turn: come back for it
      if (this.publishTimer === null && !this.stopped) this.publishTimer = setTimeout(() => this.publish(), Math.max(10, dueAt - wall));
    }
    const host = this.hosts[e.hostIndex] as HostModelView;
    const l = s.leader;
    this.treeTitle = `${s.type} session of ${userLabel(s.user, host.names)} · leader ${l.pid} ${safeText(l.name)} · ${s.liveCount} live of ${s.members.size}`;
    this.treeEmpty = 'no processes';
    this.resolveTreeCursor();
  }

  private setTree(t: TreeBuild, cache: TreeCache | null): void {
    this.watched = cache?.session ?? null;
    this.tree = t;
    this.treeViews = new Array<TreeRowView | undefined>(t.entries.length);
    this.treeCache = cache;
  }

  private resolveTreeCursor(): void {
    const list = this.tree.entries;
    if (this.follow) {
      let best = -1;
      let bestStart = Number.NEGATIVE_INFINITY;
      for (let i = 0; i < list.length; i++) {
        const t = list[i] as TreeEntry;
        const at = t.kind === 'typed' ? (t.line as NonNullable<TreeEntry['line']>).time : t.node.start;
        if (t.kind !== 'subhead' && at >= bestStart) {
          best = i;
          bestStart = at;
        }
      }
      if (best >= 0) {
        this.treeCursor = best;
        this.selTree = (list[best] as TreeEntry).key;
        this.centerTree = true;
        return;
      }
    }
    const idx = this.selTree === null ? -1 : list.findIndex((t) => t.key === this.selTree);
    if (idx >= 0) this.treeCursor = idx;
    else this.treeCursor = moveCursor(this.treeCursor, 0, list.length);
    this.selTree = list[this.treeCursor]?.key ?? null;
  }

  private refreshDetail(): void {
    const t = this.detailTarget;
    if (this.overlay !== 'detail' || t === null) return;
    const host = this.hosts[t.hostIndex] ?? this.hosts[0];
    if (host === undefined) return;
    this.details = detailLines(t.node, host.names, this.paused ? this.pausedAt : this.modelNow);
  }

  private followMostActive(): void {
    let best: SessionEntry | null = null;
    let bestRecent = 0;
    let bestLast = Number.NEGATIVE_INFINITY;
    for (const e of this.entries) {
      if (e.kind !== 'session' || e.service) continue;
      const s = e.session as EntrySession;
      const recent = this.activity.of(s)?.recent(this.modelNow, 2) ?? 0;
      if (recent > bestRecent || (recent === bestRecent && s.lastActivity > bestLast)) {
        best = e;
        bestRecent = recent;
        bestLast = s.lastActivity;
      }
    }
    if (best !== null && best.key !== this.selSession) {
      this.selSession = best.key;
      this.centerSessions = true;
    }
  }

  // ------------------------------------------------------------------ commands

  private apply(cmd: Command): void {
    switch (cmd.kind) {
      case 'quit':
        this.onQuit(0, '');
        return;
      case 'promptInput':
        if (this.prompt !== null) this.prompt.text += cmd.text;
        return;
      case 'promptBackspace':
        if (this.prompt !== null) this.prompt.text = [...this.prompt.text].slice(0, -1).join('');
        return;
      case 'promptClear':
        if (this.prompt !== null) this.prompt.text = '';
        return;
      case 'promptCancel':
        this.prompt = null;
        return;
      case 'promptSubmit':
        this.submitPrompt();
        return;
      case 'move':
        this.move(cmd.delta);
        return;
      case 'page':
        this.move(cmd.delta * Math.max(1, this.pageSize() - 1));
        return;
      case 'home':
        this.move(Number.NEGATIVE_INFINITY);
        return;
      case 'end':
        this.move(Number.POSITIVE_INFINITY);
        return;
      case 'switchPane':
        if (this.overlay !== 'none') return;
        this.focus = this.focus === 'sessions' ? 'tree' : 'sessions';
        return;
      case 'focus':
        if (this.overlay !== 'none') return;
        this.focus = cmd.pane;
        return;
      case 'open':
        this.open();
        return;
      case 'back':
        this.back();
        return;
      case 'help':
        this.overlay = this.overlay === 'help' ? 'none' : 'help';
        this.helpOffset = 0;
        return;
      case 'terminal':
        this.overlay = this.overlay === 'terminal' ? 'none' : 'terminal';
        if (this.overlay !== 'terminal') this.screen.dispose();
        return;
      case 'search':
        this.prompt = { kind: 'search', text: '' };
        return;
      case 'next':
      case 'prev':
        this.nextMatch(cmd.kind === 'next' ? 1 : -1);
        return;
      case 'follow':
        this.follow = !this.follow;
        if (this.follow) {
          this.refreshModel();
          this.centerSessions = true;
        }
        this.say(this.follow ? 'following the most active session (any move stops it)' : 'follow off');
        return;
      case 'timestamps':
        this.timestamps = !this.timestamps;
        return;
      case 'verbose':
        this.verbose = !this.verbose;
        this.refreshTree(true);
        this.say(this.verbose ? 'verbose: shell noise shown' : 'shell noise hidden');
        return;
      case 'pause':
        this.togglePause();
        return;
      case 'record':
        this.record();
        return;
      default:
        this.replayCommand(cmd);
    }
  }

  private replayCommand(cmd: Command): void {
    const r = this.feed.replay;
    if (r === null) return;
    switch (cmd.kind) {
      case 'playPause':
        r.togglePlay();
        break;
      case 'faster':
        r.faster();
        break;
      case 'slower':
        r.slower();
        break;
      case 'stepForward':
        r.stepForward();
        break;
      case 'stepBack':
        r.stepBack();
        break;
      case 'toStart':
        r.toStart();
        break;
      case 'toEnd':
        r.toEnd();
        break;
      case 'seek':
        this.prompt = { kind: 'seek', text: '' };
        return;
      default:
        return;
    }
    // Steps change the model synchronously: show the result with this key.
    this.modelDirty = false;
    this.refreshModel();
  }

  private pageSize(): number {
    const layout = computeLayout(this.cols, this.rows, this.entries.length, this.feed.header().notice !== '');
    if (this.overlay !== 'none') return layout.overlay;
    return this.focus === 'sessions' ? layout.sessions : layout.tree;
  }

  private move(delta: number): void {
    if (this.overlay === 'detail') {
      this.detailOffset = clampStep(this.detailOffset, delta, this.details.length);
      return;
    }
    if (this.overlay === 'help') {
      this.helpOffset = clampStep(this.helpOffset, delta, helpLines(this.feed.mode, this.cols).length);
      return;
    }
    this.follow = false;
    if (this.focus === 'sessions') {
      const n = this.entries.length;
      this.sessCursor = clampStep(this.sessCursor, delta, n);
      const key = this.entries[this.sessCursor]?.key ?? null;
      if (key !== this.selSession) {
        this.selSession = key;
        this.selTree = null;
        this.treeCursor = 0;
        this.treeOffset = 0;
        this.refreshTree(true);
      }
    } else {
      const list = this.tree.entries;
      this.treeCursor = clampStep(this.treeCursor, delta, list.length);
      this.selTree = list[this.treeCursor]?.key ?? null;
    }
  }

  private open(): void {
    if (this.overlay === 'help') {
      this.overlay = 'none';
      return;
    }
    if (this.overlay === 'detail') return;
    const e = this.selectedEntry();
    if (this.focus === 'sessions') {
      if (e === undefined) return;
      if (e.kind === 'services') {
        this.servicesExpanded = !this.servicesExpanded;
        this.rebuildSessionList();
        this.resolveSessionCursor();
        this.refreshTree(true);
        return;
      }
      if (e.kind === 'kernel') {
        this.kernelExpanded = !this.kernelExpanded;
        this.rebuildSessionList();
        this.refreshTree(true);
        return;
      }
      this.openDetail((e.session as EntrySession).leader, e.hostIndex);
      return;
    }
    const t = this.tree.entries[this.treeCursor];
    if (t === undefined) return;
    this.openDetail(t.node, e !== undefined && e.hostIndex >= 0 ? e.hostIndex : this.hostOfNode(t.node));
  }

  private hostOfNode(n: ProcessNode): number {
    for (let h = 0; h < this.unattached.length; h++) if ((this.unattached[h] as ProcessNode[]).includes(n)) return h;
    return 0;
  }

  private openDetail(node: ProcessNode, hostIndex: number): void {
    this.detailTarget = { node, hostIndex };
    this.detailOffset = 0;
    this.overlay = 'detail';
    this.refreshDetail();
  }

  private back(): void {
    if (this.overlay !== 'none') {
      if (this.overlay === 'terminal') this.screen.dispose();
      this.overlay = 'none';
      this.detailTarget = null;
      return;
    }
    if (this.search !== null) {
      this.search = null;
      this.treeViews = new Array<TreeRowView | undefined>(this.tree.entries.length);
      return;
    }
    if (this.focus === 'tree') {
      this.focus = 'sessions';
      return;
    }
    if (this.follow) {
      this.follow = false;
      this.say('follow off');
    }
  }

  private togglePause(): void {
    this.paused = !this.paused;
    if (this.paused) {
      this.pausedAt = this.modelNow;
      this.say('view paused: capture continues (p resumes)');
    } else {
      this.refreshModel();
      this.say('view resumed');
    }
  }

  private record(): void {
    const live = this.feed.live;
    if (live === null) {
      this.say('recording is for the live view (sessiontop --record FILE, or r there)', 'warn');
      return;
    }
    if (live.recording) {
      const done = live.stopRecording();
      if (done !== null) this.say(`recording stopped: ${safeText(done.path)} (${byteSize(done.bytes)})`, 'good');
      return;
    }
    this.prompt = { kind: 'record', text: defaultRecordingName(this.wall()) };
  }

  private submitPrompt(): void {
    const p = this.prompt;
    this.prompt = null;
    if (p === null) return;
    const text = p.text.trim();
    if (p.kind === 'search') {
      this.startSearch(text);
      return;
    }
    if (text === '') return;
    if (p.kind === 'seek') {
      try {
        this.feed.replay?.seekTo(text);
        this.modelDirty = false;
        this.refreshModel();
      } catch (err) {
        this.say(oneLineMessage(err), 'bad');
      }
      return;
    }
    const path = resolve(this.recordingDir, text);
    try {
      this.feed.live?.startRecording(path);
      this.say(`recording to ${safeText(path)}`, 'good');
    } catch (err) {
      this.say(`cannot record: ${safeText(oneLineMessage(err))}`, 'bad');
    }
  }

  // ------------------------------------------------------------------ search

  private startSearch(text: string): void {
    if (text === '') {
      this.search = null;
      this.treeViews = new Array<TreeRowView | undefined>(this.tree.entries.length);
      return;
    }
    const query = searchQuery(text);
    const matches = this.findMatches(query);
    this.search = { query, matches, index: -1 };
    this.treeViews = new Array<TreeRowView | undefined>(this.tree.entries.length);
    if (matches.length === 0) {
      this.say(`no process matches "${safeText(text)}"`, 'warn');
      return;
    }
    // the first match from the selected session on
    const here = this.sessCursor;
    let idx = matches.findIndex((m) => this.rankOf(m.hostIndex, m.session) >= here);
    if (idx < 0) idx = 0;
    this.jumpTo(idx);
  }

  private rankOf(hostIndex: number, s: EntrySession): number {
    const key = sessionKey(hostIndex, s);
    const i = this.entries.findIndex((e) => e.key === key);
    return i >= 0 ? i : this.entries.length + (s.service ? 1 : 0);
  }

  private findMatches(q: SearchQuery): SearchMatch[] {
    return findMatches(this.hosts, q, (h, s) => this.rankOf(h, s));
  }

  private nextMatch(dir: 1 | -1): void {
    const s = this.search;
    if (s === null) {
      this.say('no search yet: press / to search arguments and working directories', 'warn');
      return;
    }
    const current = s.matches[s.index];
    s.matches = this.findMatches(s.query);
    if (s.matches.length === 0) {
      this.say(`no process matches "${safeText(s.query.text)}"`, 'warn');
      return;
    }
    let idx = current === undefined ? -1 : s.matches.findIndex((m) => m.node === current.node);
    if (idx < 0) idx = dir > 0 ? -1 : 0;
    this.jumpTo((idx + dir + s.matches.length) % s.matches.length);
  }

  private jumpTo(index: number): void {
    const s = this.search;
    if (s === null) return;
    const m = s.matches[index];
    if (m === undefined) return;
    s.index = index;
    this.follow = false;
    if (m.session.service && !this.servicesExpanded) this.servicesExpanded = true;
    if (!this.verbose && hiddenAsNoise(m.node, m.session)) {
      this.verbose = true;
      this.say('verbose on: that match is shell noise');
    }
    this.selSession = sessionKey(m.hostIndex, m.session);
    this.rebuildSessionList();
    const idx = this.entries.findIndex((e) => e.key === this.selSession);
    if (idx >= 0) this.sessCursor = idx;
    this.selTree = processKey(m.node);
    this.refreshTree(true);
    this.focus = 'tree';
    this.overlay = 'none';
    this.centerSessions = true;
    this.centerTree = true;
  }

  // ------------------------------------------------------------------ snapshot

  private say(text: string, tone: Tone = 'normal'): void {
    this.message = { text, tone, until: this.wall() + MESSAGE_MS };
  }

  private render(): UiSnapshot {
    const header = this.headerView();
    const fh = this.feed.header();
    const notice = fh.notice === '' ? '' : safeText(fh.notice);
    const layout = computeLayout(this.cols, this.rows, this.entries.length, notice !== '');
    // whole seconds: idle times and running durations change once a second, not every frame
    const now = Math.floor((this.paused ? this.pausedAt : this.modelNow) / 1000) * 1000;

    // sessions
    const sFirst = windowStart(this.entries.length, layout.sessions, this.sessCursor, this.sessOffset, this.centerSessions);
    this.sessOffset = sFirst;
    this.centerSessions = false;
    const sessionRows = this.sessionViews.slice(sFirst, sFirst + layout.sessions);

    // tree
    const list = this.tree.entries;
    const tFirst = windowStart(list.length, layout.tree, this.treeCursor, this.treeOffset, this.centerTree);
    this.treeOffset = tFirst;
    this.centerTree = false;
    const treeRows: TreeRowView[] = [];
    const e = this.selectedEntry();
    const names = (this.hosts[e !== undefined && e.hostIndex >= 0 ? e.hostIndex : 0] ?? this.hosts[0])?.names;
    const q = this.search?.query ?? null;
    for (let i = tFirst; i < Math.min(list.length, tFirst + layout.tree); i++) {
      let v = this.treeViews[i];
      if (v === undefined) {
        const t = list[i] as TreeEntry;
        v = treeRowView(t, names ?? { user: () => undefined, group: () => undefined }, q !== null && t.kind === 'process' && processMatches(t.node, q));
        this.treeViews[i] = v;
      }
      treeRows.push(v);
    }
    let treeTitle = this.treeTitle;
    if (this.tree.hidden > 0) treeTitle += ` · ${this.tree.hidden} shell-noise hidden (v)`;

    const detail =
      this.overlay === 'detail'
        ? (() => {
            const first = Math.max(0, Math.min(this.detailOffset, Math.max(0, this.details.length - layout.overlay)));
            this.detailOffset = first;
            const t = this.detailTarget;
            return {
              title: t === null ? 'details' : `details of ${t.node.pid} ${safeText(t.node.name)} (Esc closes)`,
              rows: this.details.slice(first, first + layout.overlay),
              first,
              total: this.details.length,
              height: layout.overlay,
              cursor: -1,
              focused: true,
            };
          })()
        : null;
    const help =
      this.overlay === 'help'
        ? (() => {
            const lines = helpLines(this.feed.mode, this.cols);
            const first = Math.max(0, Math.min(this.helpOffset, Math.max(0, lines.length - layout.overlay)));
            this.helpOffset = first;
            return { title: 'help (? or Esc closes)', rows: lines.slice(first, first + layout.overlay), first, total: lines.length, height: layout.overlay, cursor: -1, focused: true };
          })()
        : null;

    let terminal = null;
    if (this.overlay === 'terminal') {
      const session = e !== undefined && e.kind === 'session' ? (e.session as EntrySession) : null;
      terminal = terminalPaneView(this.screen, session, names, layout.overlay, this.feed.mode);
    }

    return {
      seq: ++this.seq,
      layout,
      now,
      header,
      notice,
      overlay: this.overlay,
      sessions: {
        title: 'sessions',
        rows: sessionRows,
        first: sFirst,
        total: this.entries.length,
        height: layout.sessions,
        cursor: this.entries.length === 0 ? -1 : this.sessCursor,
        focused: this.focus === 'sessions',
      },
      tree: {
        title: treeTitle,
        rows: treeRows,
        first: tFirst,
        total: list.length,
        height: layout.tree,
        cursor: list.length === 0 ? -1 : this.treeCursor,
        focused: this.focus === 'tree',
        hidden: this.tree.hidden,
        empty: this.treeEmpty,
      },
      detail,
      help,
      terminal,
      status: this.statusView(),
      timestamps: this.timestamps,
      verbose: this.verbose,
      sessionSparkWidth: this.sessionSparkWidth(),
    };
  }

  private headerView(): HeaderView {
    const fh = this.feed.header();
    const hosts = this.hosts;
    let live = 0;
    let exited = 0;
    for (const h of hosts) {
      const st = h.table.stats();
      live += st.live;
      exited += st.exited;
    }
    let sessions = 0;
    let services = 0;
    for (const e of this.entries) {
      if (e.kind === 'session' && !e.service) sessions++;
      if (e.kind === 'services') services = e.count;
    }
    const now = this.feed.now();
    const lastFull = now - 1000;
    const first = hosts[0];
    return {
      mode: this.feed.mode,
      host: hosts.length > 1 ? `${hosts.length} hosts` : first === undefined ? '-' : safeText(first.host.name),
      kernel: hosts.length === 1 && first !== undefined ? safeText(first.host.kernel) : '',
      source: fh.source,
      state: fh.state,
      rate: this.activity.events.recent(lastFull, 1),
      spark: sparkline(this.activity.events.series(lastFull, this.sparkScratch), RATE_SPARK_WIDTH),
      lost: fh.lost,
      recording: fh.recording === null ? null : { path: safeText(fh.recording.path), bytes: fh.recording.bytes },
      badLines: fh.badLines,
      replay: fh.replay,
      paused: this.paused,
      follow: this.follow,
      sessions,
      services,
      live,
      exited,
    };
  }

  private statusView(): StatusView {
    const p = this.prompt;
    const msg = this.message !== null && this.message.until > this.wall() ? this.message : null;
    if (msg === null) this.message = null;
    let search = '';
    const s = this.search;
    if (s !== null) search = `/${safeText(s.query.text)} ${s.matches.length === 0 ? 'no match' : `${s.index + 1}/${s.matches.length}`}`;
    const hints =
      this.feed.mode === 'live'
        ? '? help  q quit  Tab pane  Enter detail  / search  f follow  p pause  r rec  t time  v verbose'
        : '? help  q quit  Space play  +/- speed  ←/→ step  g/G start/end  s seek  / search';
    return {
      prompt: p === null ? null : { label: PROMPT_LABELS[p.kind], text: safeText(p.text) },
      message: msg === null ? null : { text: msg.text, tone: msg.tone },
      search,
      hints,
    };
  }
}

/** Everything of a snapshot that reaches the screen (all but its sequence number). */
function visibleSignature(s: UiSnapshot): string {
  return JSON.stringify(s, (key, value: unknown) => (key === 'seq' ? undefined : value));
}

function clampStep(cursor: number, delta: number, total: number): number {
  if (delta === Number.NEGATIVE_INFINITY) return 0;
  if (delta === Number.POSITIVE_INFINITY) return Math.max(0, total - 1);
  return moveCursor(cursor, delta, total);
}

/** Hidden when verbose is off: it, or an ancestor within its session, is shell noise. */
function hiddenAsNoise(n: ProcessNode, s: EntrySession): boolean {
  let x: ProcessNode | null = n;
  for (let i = 0; x !== null && i < 256 && s.members.has(x); i++, x = x.parent) if (isShellNoise(x)) return true;
  return false;
}

