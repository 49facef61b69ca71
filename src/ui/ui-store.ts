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
import { oneLineMessage } from '../exit-error.js';
import { ActivityHistory } from './activity-history.js';
import { FrameScheduler } from './frame-scheduler.js';
import { detailLines } from './detail-fields.js';
import { helpLines } from './help-text.js';
import { commandForKey, splitKeys, type Command, type KeyInfo } from './key-bindings.js';
import { moveCursor } from './list-window.js';
import type { FeedListener, HostModelView, ModelFeed } from './model-feed.js';
import { byteSize } from './number-format.js';
import { buildTree, processKey, typedKey, unattachedRows, type TreeBuild, type TreeEntry } from './process-tree.js';
import { findMatches, searchQuery, type SearchMatch, type SearchQuery } from './process-search.js';
import { parseSessionFilter } from './session-filter.js';
import { followTarget, nextSortKey, SESSION_SORT_LABELS } from './session-order.js';
import { computeLayout } from './screen-layout.js';
import { groupsByHost, groupSessionsByHost, hostHeaderText, hostIsLost } from './host-groups.js';
import { buildSessionList, KERNEL_KEY, sessionKey, type SessionEntry } from './session-list.js';
import { sessionRowView, userLabel } from './session-row-view.js';
import { isShellNoise } from './shell-noise.js';
import { safeText } from '../text/terminal-text.js';
import { defaultRecordingName } from './time-format.js';
import { buildSnapshot } from './snapshot-builder.js';
import { TerminalScreen } from './terminal-screen.js';
import { initialViewState, reduceView, type ViewState } from './view-state.js';
import type { DetailLine, SessionRowView, Tone, TreeRowView, UiSnapshot } from './ui-snapshot.js';

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


const MESSAGE_MS = 5000;
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
    if (this.view.follow) this.followPerson();
    this.resolveSessionCursor();
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

  private resolveSessionCursor(): void {
    const entries = this.entries;
    const idx = this.view.selSession === null ? -1 : entries.findIndex((e) => e.key === this.view.selSession);
    if (idx >= 0) this.view.sessCursor = idx;
    else this.view.sessCursor = moveCursor(this.view.sessCursor, 0, entries.length);
    const prev = this.view.selSession;
    this.view.selSession = entries[this.view.sessCursor]?.key ?? null;
    if (prev !== this.view.selSession && !this.view.follow) {
      this.view.selTree = null;
      this.view.treeCursor = 0;
      this.view.treeOffset = 0;
    }
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
      this.resolveTreeCursor();
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
    if (this.view.follow || this.view.revealNewest) {
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
        this.view.treeCursor = best;
        this.view.selTree = (list[best] as TreeEntry).key;
        this.view.centerTree = true;
        return;
      }
    }
    const idx = this.view.selTree === null ? -1 : list.findIndex((t) => t.key === this.view.selTree);
    if (idx >= 0) this.view.treeCursor = idx;
    else this.view.treeCursor = moveCursor(this.view.treeCursor, 0, list.length);
    this.view.selTree = list[this.view.treeCursor]?.key ?? null;
  }

  private refreshDetail(): void {
    const t = this.view.detailTarget;
    if (this.view.overlay !== 'detail' || t === null) return;
    const host = this.hosts[t.hostIndex] ?? this.hosts[0];
    if (host === undefined) return;
    this.details = detailLines(t.node, host.names, this.view.paused ? this.view.pausedAt : this.modelNow);
  }

  /** Follow: the session where a person acted last (typed a line, entered a command). */
  private followPerson(): void {
    const best = followTarget(
      (function* (entries: SessionEntry[]) {
        for (const e of entries) if (e.kind === 'session' && e.session !== null && !e.service) yield { s: e.session, e };
      })(this.entries),
    );
    if (best !== null && best.e.key !== this.view.selSession) {
      this.view.selSession = best.e.key;
      this.view.centerSessions = true;
    }
  }

  // ------------------------------------------------------------------ commands

  private apply(cmd: Command): void {
    const armed = this.view.quitArmed;
    this.view.quitArmed = false;
    const next = reduceView(this.view, cmd);
    if (next !== null) {
      this.view = next;
      return;
    }
    switch (cmd.kind) {
      case 'quit':
        this.quit(cmd.force ?? false, armed);
        return;
      case 'sort':
        this.view.sortKey = nextSortKey(this.view.sortKey);
        this.rebuildSessionList();
        this.resolveSessionCursor();
        this.view.centerSessions = true;
        this.say(`sessions sorted by ${this.view.sortKey}: ${SESSION_SORT_LABELS[this.view.sortKey]} (o / F6 for the next order)`);
        return;
      case 'results':
        this.openResults();
        return;
      case 'stepSession':
        this.stepSession(cmd.dir);
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
      case 'open':
        this.open();
        return;
      case 'back':
        this.back();
        return;
      case 'next':
      case 'prev':
        this.nextMatch(cmd.kind === 'next' ? 1 : -1);
        return;
      case 'follow':
        this.view.follow = !this.view.follow;
        if (this.view.follow) {
          this.refreshModel();
          this.view.centerSessions = true;
        }
        this.say(this.view.follow ? 'following the session where a person typed or ran a command last (any move stops it)' : 'follow off');
        return;
      case 'verbose':
        this.view.verbose = !this.view.verbose;
        this.refreshTree(true);
        this.say(this.view.verbose ? 'verbose: shell noise shown' : 'shell noise hidden');
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
        this.view.prompt = { kind: 'seek', text: '' };
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
    if (this.view.overlay !== 'none') return layout.overlay;
    return this.view.focus === 'sessions' ? layout.sessions : layout.tree;
  }

  private move(delta: number): void {
    if (this.view.overlay === 'detail') {
      this.view.detailOffset = clampStep(this.view.detailOffset, delta, this.details.length);
      return;
    }
    if (this.view.overlay === 'help') {
      this.view.helpOffset = clampStep(this.view.helpOffset, delta, helpLines(this.feed.mode, this.cols).length);
      return;
    }
    if (this.view.overlay === 'results') {
      this.view.resultsCursor = clampStep(this.view.resultsCursor, delta, this.view.search?.matches.length ?? 0);
      return;
    }
    this.view.follow = false;
    this.view.revealNewest = false;
    if (this.view.focus === 'sessions') {
      // moving through the sessions by hand: the search is done with
      if (this.view.search !== null) this.clearSearch();
      const n = this.entries.length;
      this.view.sessCursor = clampStep(this.view.sessCursor, delta, n);
      const key = this.entries[this.view.sessCursor]?.key ?? null;
      if (key !== this.view.selSession) {
        this.view.selSession = key;
        this.view.selTree = null;
        this.view.treeCursor = 0;
        this.view.treeOffset = 0;
        this.refreshTree(true);
      }
    } else {
      const list = this.tree.entries;
      this.view.treeCursor = clampStep(this.view.treeCursor, delta, list.length);
      this.view.selTree = list[this.view.treeCursor]?.key ?? null;
    }
  }

  private open(): void {
    if (this.view.overlay === 'help') {
      this.view.overlay = 'none';
      return;
    }
    if (this.view.overlay === 'results') {
      const s = this.view.search;
      if (s !== null && s.matches[this.view.resultsCursor] !== undefined) this.jumpTo(this.view.resultsCursor);
      return;
    }
    if (this.view.overlay === 'detail') return;
    const e = this.selectedEntry();
    if (this.view.focus === 'sessions') {
      if (e === undefined) return;
      if (e.kind === 'services') {
        this.view.servicesExpanded = !this.view.servicesExpanded;
        this.rebuildSessionList();
        this.resolveSessionCursor();
        this.refreshTree(true);
        return;
      }
      if (e.kind === 'kernel') {
        this.view.kernelExpanded = !this.view.kernelExpanded;
        this.rebuildSessionList();
        this.refreshTree(true);
        return;
      }
      if (e.kind === 'host') return;
      this.openDetail((e.session as EntrySession).leader, e.hostIndex);
      return;
    }
    const t = this.tree.entries[this.view.treeCursor];
    if (t === undefined) return;
    this.openDetail(t.node, e !== undefined && e.hostIndex >= 0 ? e.hostIndex : this.hostOfNode(t.node));
  }

  private hostOfNode(n: ProcessNode): number {
    for (let h = 0; h < this.unattached.length; h++) if ((this.unattached[h] as ProcessNode[]).includes(n)) return h;
    return 0;
  }

  private openDetail(node: ProcessNode, hostIndex: number): void {
    this.view.detailTarget = { node, hostIndex };
    this.view.detailOffset = 0;
    this.view.overlay = 'detail';
    this.refreshDetail();
  }

  private back(): void {
    if (this.view.overlay !== 'none') {
      this.view.overlay = 'none';
      this.view.detailTarget = null;
      return;
    }
    if (this.view.search !== null) {
      this.clearSearch();
      return;
    }
    if (this.view.focus === 'tree') {
      this.view.focus = 'sessions';
      return;
    }
    if (this.view.follow) {
      this.view.follow = false;
      this.say('follow off');
    }
  }

  /**
   * `q` / F10: closes what is open (detail, help, result list) first; quits from the main view —
   * while recording only when asked twice (the recording is then stopped and closed). Ctrl-C quits
   * at once.
   */
  private quit(force: boolean, armed: boolean): void {
    if (force) {
      this.onQuit(0, '');
      return;
    }
    if (this.view.overlay !== 'none') {
      this.back();
      return;
    }
    const live = this.feed.live;
    if (live !== null && live.recording && !armed) {
      this.view.quitArmed = true;
      const rec = this.feed.header().recording;
      this.say(`recording${rec === null ? '' : ` to ${safeText(rec.path)}`}: press q again to stop it and quit (any other key goes on)`, 'warn');
      return;
    }
    this.onQuit(0, '');
  }

  private openResults(): void {
    const s = this.view.search;
    if (s === null || s.matches.length === 0) {
      this.say('no search results: press / to search typed lines, arguments and directories, then w lists the matches', 'warn');
      return;
    }
    s.matches = this.findMatches(s.query);
    this.view.resultsCursor = Math.max(0, Math.min(s.index, s.matches.length - 1));
    this.view.resultsOffset = 0;
    this.view.overlay = 'results';
  }

  /** Replay: to the next / previous typed line or person-entered command of the selected session. */
  private stepSession(dir: 1 | -1): void {
    const r = this.feed.replay;
    if (r === null) return;
    const e = this.selectedEntry();
    if (e === undefined || e.session === null) {
      this.say('select a session first: [ and ] step through its typed lines and commands', 'warn');
      return;
    }
    this.view.follow = false;
    this.view.revealNewest = true;
    this.view.focus = 'tree';
    const why = r.stepInSession(e.session.id, dir);
    if (why !== '') this.say(why, 'warn');
    this.modelDirty = false;
    this.refreshModel();
  }

  private togglePause(): void {
    this.view.paused = !this.view.paused;
    if (this.view.paused) {
      this.view.pausedAt = this.modelNow;
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
    this.view.prompt = { kind: 'record', text: defaultRecordingName(this.wall()) };
  }

  private submitPrompt(): void {
    const p = this.view.prompt;
    this.view.prompt = null;
    if (p === null) return;
    const text = p.text.trim();
    if (p.kind === 'search') {
      this.startSearch(text);
      return;
    }
    if (p.kind === 'filter') {
      try {
        this.view.filter = text === '' ? null : parseSessionFilter(text);
      } catch (err) {
        this.say(safeText(oneLineMessage(err)), 'bad');
        return;
      }
      this.rebuildSessionList();
      this.resolveSessionCursor();
      this.refreshTree(true);
      this.view.centerSessions = true;
      const f = this.view.filter;
      this.say(f === null ? 'filter cleared: every session listed' : `${this.entries.filter((e) => e.kind === 'session').length} sessions match "${safeText(f.text)}" (\\ or F4 changes it)`);
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

  private clearSearch(): void {
    this.view.search = null;
    this.treeViews = new Array<TreeRowView | undefined>(this.tree.entries.length);
  }

  private startSearch(text: string): void {
    if (text === '') {
      this.clearSearch();
      return;
    }
    const query = searchQuery(text);
    const matches = this.findMatches(query);
    this.view.search = { query, matches, index: -1 };
    this.treeViews = new Array<TreeRowView | undefined>(this.tree.entries.length);
    if (matches.length === 0) {
      this.say(`nothing typed or run matches "${safeText(text)}"`, 'warn');
      return;
    }
    if (matches.length > 1) this.say(`${matches.length} matches: n / N step through them, w lists them (who typed it, where)`);
    // the first match from the selected session on
    const here = this.view.sessCursor;
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
    const s = this.view.search;
    if (s === null) {
      this.say('no search yet: press / to search typed lines, arguments and working directories', 'warn');
      return;
    }
    const current = s.matches[s.index];
    s.matches = this.findMatches(s.query);
    if (s.matches.length === 0) {
      this.say(`nothing typed or run matches "${safeText(s.query.text)}"`, 'warn');
      return;
    }
    let idx = current === undefined ? -1 : s.matches.findIndex((m) => m.node === current.node && m.lineIndex === current.lineIndex);
    if (idx < 0) idx = dir > 0 ? -1 : 0;
    this.jumpTo((idx + dir + s.matches.length) % s.matches.length);
  }

  private jumpTo(index: number): void {
    const s = this.view.search;
    if (s === null) return;
    const m = s.matches[index];
    if (m === undefined) return;
    s.index = index;
    this.view.follow = false;
    if (m.session.service && !this.view.servicesExpanded) this.view.servicesExpanded = true;
    if (!this.view.verbose && m.line === null && hiddenAsNoise(m.node, m.session)) {
      this.view.verbose = true;
      this.say('verbose on: that match is shell noise');
    }
    this.view.selSession = sessionKey(m.hostIndex, m.session);
    this.rebuildSessionList();
    let idx = this.entries.findIndex((e) => e.key === this.view.selSession);
    if (idx < 0 && this.view.filter !== null) {
      this.view.filter = null; // the match is in a session the filter hides
      this.say('filter cleared: the match is in a session it hid');
      this.rebuildSessionList();
      idx = this.entries.findIndex((e) => e.key === this.view.selSession);
    }
    if (idx >= 0) this.view.sessCursor = idx;
    this.refreshTree(true);
    const key = m.line !== null ? typedKey(m.node, m.line, m.lineIndex) : processKey(m.node);
    this.view.selTree = this.tree.folded?.get(key) ?? key;
    this.resolveTreeCursor();
    this.view.focus = 'tree';
    this.view.overlay = 'none';
    this.view.centerSessions = true;
    this.view.centerTree = true;
  }

  // ------------------------------------------------------------------ snapshot

  private say(text: string, tone: Tone = 'normal'): void {
    this.view.message = { text, tone, until: this.wall() + MESSAGE_MS };
  }

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

