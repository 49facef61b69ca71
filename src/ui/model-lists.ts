/**
 * ModelLists: the lists the view shows, built from the model — the sessions list and its row views,
 * the selected session's tree (a big tree at a rate its build cost allows), the detail lines, the
 * processes in no entry session — and the search over the model. UiStore rebuilds them on a frame
 * after model changes, or as a command's effect; the reducer (view-reducer.ts) and the frame
 * builder (snapshot-builder.ts) only read them. Each rebuild takes the view state (what is
 * selected, folded, filtered, sorted) and returns it with the selection settled on its stable key.
 */

import type { EntrySession, ProcessNode } from '../model/types.js';
import { safeText } from '../text/terminal-text.js';
import type { ActivityHistory } from './activity-history.js';
import { detailLines } from './detail-fields.js';
import { groupsByHost, groupSessionsByHost, hostHeaderText, hostIsLost } from './host-groups.js';
import type { HostModelView, ModelFeed } from './model-feed.js';
import { buildTree, unattachedRows, type TreeBuild } from './process-tree.js';
import { findMatches, type SearchMatch, type SearchQuery } from './process-search.js';
import { buildSessionList, KERNEL_KEY, type SessionEntry } from './session-list.js';
import { sessionRowView, userLabel } from './session-row-view.js';
import type { ViewLists } from './snapshot-builder.js';
import type { DetailLine, SessionRowView, TreeRowView } from './ui-snapshot.js';
import { followPerson, sessionRank, settleSessions, settleTree } from './view-reducer.js';
import type { ViewState } from './view-state.js';

/** Longest a big tree waits between rebuilds (its rebuild cost sets the interval below this). */
const MAX_TREE_INTERVAL_MS = 2000;
/** The processes in no entry session are listed again at most this often (ms). */
const UNATTACHED_INTERVAL_MS = 1000;

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

function emptyTree(): TreeBuild {
  return { entries: [], hidden: 0 };
}

export interface ModelListsOptions {
  feed: ModelFeed;
  /** Events per session (the sessions' sparklines). */
  activity: ActivityHistory<EntrySession>;
  /** Scratch for the sparklines (shared with the frame builder: no allocation per row). */
  sparkScratch: number[];
  /** A big tree's rebuild waits its turn: refresh again in `ms`. */
  treeDeferred: (ms: number) => void;
}

export class ModelLists {
  hosts: readonly HostModelView[] = [];
  /** The feed's present when the lists were built. */
  modelNow = 0;
  entries: SessionEntry[] = [];
  sessionViews: SessionRowView[] = [];
  tree: TreeBuild = emptyTree();
  /** Tree-row views by index, filled by the frame builder as rows come into view. */
  treeViews: (TreeRowView | undefined)[] = [];
  treeTitle = '';
  treeEmpty = '';
  details: DetailLine[] = [];
  /** The entry session whose tree is on screen (null: a fold or nothing). */
  watched: EntrySession | null = null;

  private readonly feed: ModelFeed;
  private readonly activity: ActivityHistory<EntrySession>;
  private readonly sparkScratch: number[];
  private readonly treeDeferred: (ms: number) => void;
  private treeCache: TreeCache | null = null;
  private unattached: ProcessNode[][] = [];
  private unattachedAt = Number.NEGATIVE_INFINITY;

  constructor(o: ModelListsOptions) {
    this.feed = o.feed;
    this.activity = o.activity;
    this.sparkScratch = o.sparkScratch;
    this.treeDeferred = o.treeDeferred;
  }

  /** The lists as the frame builder takes them. */
  viewLists(): ViewLists {
    return {
      entries: this.entries,
      sessionViews: this.sessionViews,
      tree: this.tree,
      treeViews: this.treeViews,
      treeTitle: this.treeTitle,
      treeEmpty: this.treeEmpty,
      details: this.details,
    };
  }

  /** Forgets the caches: the next refresh builds every list anew (a model reset, a flush). */
  invalidate(): void {
    this.treeCache = null;
    this.unattachedAt = Number.NEGATIVE_INFINITY;
  }

  /** The tree rows are drawn again (their search highlight changed). */
  clearTreeViews(): void {
    this.treeViews = new Array<TreeRowView | undefined>(this.tree.entries.length);
  }

  /** Every list from the model; following, the person's session is selected. */
  refresh(view: Readonly<ViewState>, wall: number, cols: number): ViewState {
    this.hosts = this.feed.hosts();
    this.modelNow = this.feed.now();
    if (wall - this.unattachedAt >= UNATTACHED_INTERVAL_MS) {
      this.unattachedAt = wall;
      this.unattached = this.hosts.map((h) => h.table.unattached({ includeExited: false }));
    }
    let v = this.rebuildSessions(view, cols, false);
    if (v.follow) v = followPerson(v, this.entries);
    v = settleSessions(v, this.entries);
    v = this.refreshTree(v, false, wall);
    this.refreshDetail(v);
    return v;
  }

  /** The sessions list again (order, filter, folds, a new model); `settle`: the cursor back on its key. */
  rebuildSessions(view: Readonly<ViewState>, cols: number, settle = true): ViewState {
    let unattached = 0;
    for (const u of this.unattached) unattached += u.length;
    this.entries = buildSessionList(this.hosts, { servicesExpanded: view.servicesExpanded, unattached, sort: view.sortKey, filter: view.filter });
    if (groupsByHost(this.hosts)) this.entries = groupSessionsByHost(this.entries, this.hosts);
    const now = this.modelNow;
    const width = sessionSparkWidth(cols);
    this.sessionViews = this.entries.map((e) =>
      sessionRowView(e, this.hosts, this.activity, now, width, e.kind === 'services' ? view.servicesExpanded : view.kernelExpanded, this.sparkScratch),
    );
    return settle ? settleSessions(view, this.entries) : { ...view };
  }

  /** Rebuilds the selected session's tree when it changed (big trees at a rate their cost allows; `force`: now). */
  refreshTree(view: Readonly<ViewState>, force: boolean, wall: number): ViewState {
    const e = this.entries[view.sessCursor];
    if (e === undefined) {
      this.setTree(emptyTree(), null);
      this.treeTitle = 'no sessions';
      this.treeEmpty = 'nothing seen yet';
      return { ...view };
    }
    if (e.kind === 'services') {
      this.setTree(emptyTree(), null);
      this.treeTitle = `services (init): ${e.count} sessions, ${e.live} live processes`;
      this.treeEmpty = view.servicesExpanded
        ? 'service sessions are listed above; select one to see its processes (Enter folds them)'
        : 'service sessions are folded: press Enter on this line to list them';
      return { ...view };
    }
    if (e.kind === 'host') {
      const h = this.hosts[e.hostIndex];
      this.setTree(emptyTree(), null);
      this.treeTitle = h === undefined ? 'host' : hostHeaderText(h, e.count, wall);
      this.treeEmpty = hostIsLost(h)
        ? 'connection lost: its sessions stay listed (dimmed) as last seen, until it is back'
        : e.count === 0
          ? 'no login sessions on this host'
          : 'select one of its sessions below to see its processes';
      return { ...view };
    }
    if (e.kind === 'kernel') {
      const key = `${KERNEL_KEY}|${view.kernelExpanded}|${view.verbose}`;
      const c = this.treeCache;
      if (force || c === null || c.key !== key || wall - c.builtAt >= UNATTACHED_INTERVAL_MS) {
        const cache = { key, session: null, lastActivity: 0, members: 0, live: 0, verbose: view.verbose, builtAt: wall, costMs: 0 };
        this.setTree(view.kernelExpanded ? buildTree(this.unattached.flatMap((nodes) => unattachedRows(nodes)), true) : emptyTree(), cache);
      }
      this.treeTitle = `kernel threads and processes outside any session: ${e.count}`;
      this.treeEmpty = view.kernelExpanded ? 'none' : 'folded: press Enter on this line to list them here';
      return settleTree(view, this.tree.entries);
    }
    const s = e.session as EntrySession;
    const c = this.treeCache;
    const same =
      c !== null &&
      c.key === e.key &&
      c.session === s &&
      c.verbose === view.verbose &&
      c.lastActivity === s.lastActivity &&
      c.members === s.members.size &&
      c.live === s.liveCount;
    const dueAt = c === null ? 0 : c.builtAt + Math.min(MAX_TREE_INTERVAL_MS, c.costMs * 10);
    if (!same && (force || c === null || c.key !== e.key || c.verbose !== view.verbose || wall >= dueAt)) {
      const host = this.hosts[e.hostIndex] as HostModelView;
      const t0 = performance.now();
      const built = buildTree(host.table.sessionTree(s), view.verbose);
      const cost = performance.now() - t0;
      this.setTree(built, {
        key: e.key,
        session: s,
        lastActivity: s.lastActivity,
        members: s.members.size,
        live: s.liveCount,
        verbose: view.verbose,
        builtAt: wall,
        costMs: cost,
      });
    } else if (!same) {
      this.treeDeferred(dueAt - wall); // a big tree waits its turn: come back for it
    }
    const host = this.hosts[e.hostIndex] as HostModelView;
    const l = s.leader;
    this.treeTitle = `${s.type} session of ${userLabel(s.user, host.names)} · leader ${l.pid} ${safeText(l.name)} · ${s.liveCount} live of ${s.members.size}`;
    this.treeEmpty = 'no processes';
    return settleTree(view, this.tree.entries);
  }

  /** The detail lines of the detail target (while the detail overlay is open). */
  refreshDetail(view: Readonly<ViewState>): void {
    const t = view.detailTarget;
    if (view.overlay !== 'detail' || t === null) return;
    const host = this.hosts[t.hostIndex] ?? this.hosts[0];
    if (host === undefined) return;
    this.details = detailLines(t.node, host.names, view.paused ? view.pausedAt : this.modelNow);
  }

  /** Every match of the query over the model, ranked as the sessions list shows the sessions. */
  findMatches(q: SearchQuery): SearchMatch[] {
    return findMatches(this.hosts, q, (h, s) => sessionRank(this.entries, h, s));
  }

  /** The host a process of the kernel fold belongs to. */
  hostOfNode(n: ProcessNode): number {
    for (let h = 0; h < this.unattached.length; h++) if ((this.unattached[h] as ProcessNode[]).includes(n)) return h;
    return 0;
  }

  private setTree(t: TreeBuild, cache: TreeCache | null): void {
    this.watched = cache?.session ?? null;
    this.tree = t;
    this.treeViews = new Array<TreeRowView | undefined>(t.entries.length);
    this.treeCache = cache;
  }
}

/** Width of a session row's sparkline at this terminal width. */
export function sessionSparkWidth(cols: number): number {
  return cols >= 120 ? 12 : 8;
}
