/**
 * The frame builder: from the lists built from the model, the feed's header and the view state,
 * the immutable UiSnapshot React renders, with every list windowed to the rows the terminal can
 * show. Pure but for the tree-row cache it fills (`lists.treeViews`); it returns the view state
 * with the windows it settled on (scroll offsets, centring done, an expired message cleared).
 */

import type { EntrySession } from '../model/types.js';
import { safeText } from '../text/terminal-text.js';
import type { ActivityHistory } from './activity-history.js';
import { helpLines, keyHints } from './help-text.js';
import { windowStart } from './list-window.js';
import type { HostModelView, ModelFeed } from './model-feed.js';
import { processMatches, typedLineMatches } from './process-search.js';
import { searchResultRows } from './search-results.js';
import type { TreeBuild, TreeEntry } from './process-tree.js';
import { computeLayout } from './screen-layout.js';
import type { SessionEntry } from './session-list.js';
import { sparkline } from './sparkline.js';
import { terminalPaneView } from './terminal-pane-view.js';
import type { TerminalScreen } from './terminal-screen.js';
import { treeRowView } from './tree-row-view.js';
import type { DetailLine, HeaderView, SessionRowView, StatusView, TreeRowView, UiSnapshot } from './ui-snapshot.js';
import type { PromptKind, ViewState } from './view-state.js';

const PROMPT_LABELS: Record<PromptKind, string> = {
  search: '/',
  seek: 'seek to (12:03:04, +30s, -5m, 50%, ISO time): ',
  record: 'record to file: ',
  filter: 'filter sessions (user:NAME type:sshd host:NAME state:ended -WORD; empty clears): ',
};

/** Events/s sparkline: one cell per second. */
const RATE_SPARK_WIDTH = 20;

/** What ModelLists (model-lists.ts) built from the model for this frame. */
export interface ViewLists {
  entries: readonly SessionEntry[];
  sessionViews: readonly SessionRowView[];
  tree: TreeBuild;
  /** Tree-row views by index, filled as rows come into view (a cache the store resets). */
  treeViews: (TreeRowView | undefined)[];
  treeTitle: string;
  treeEmpty: string;
  details: readonly DetailLine[];
}

export interface FrameInput {
  seq: number;
  cols: number;
  rows: number;
  /** Wall clock now (ms). */
  wall: number;
  feed: ModelFeed;
  hosts: readonly HostModelView[];
  /** The feed's present when the lists were built. */
  modelNow: number;
  activity: ActivityHistory<EntrySession>;
  sparkScratch: number[];
  lists: ViewLists;
  sessionSparkWidth: number;
  view: Readonly<ViewState>;
  /** The terminal pane's emulator (fed here while the pane is open). */
  screen: TerminalScreen;
}

export function buildSnapshot(input: FrameInput): { snapshot: UiSnapshot; view: ViewState } {
const view: ViewState = { ...input.view };
const lists = input.lists;
  const header = headerView(input, view);
  const fh = input.feed.header();
  const notice = fh.notice === '' ? '' : safeText(fh.notice);
  const layout = computeLayout(input.cols, input.rows, lists.entries.length, notice !== '');
  // whole seconds: idle times and running durations change once a second, not every frame
  const now = Math.floor((view.paused ? view.pausedAt : input.modelNow) / 1000) * 1000;

  // sessions
  const sFirst = windowStart(lists.entries.length, layout.sessions, view.sessCursor, view.sessOffset, view.centerSessions);
  view.sessOffset = sFirst;
  view.centerSessions = false;
  const sessionRows = lists.sessionViews.slice(sFirst, sFirst + layout.sessions);

  // tree
  const list = lists.tree.entries;
  const tFirst = windowStart(list.length, layout.tree, view.treeCursor, view.treeOffset, view.centerTree);
  view.treeOffset = tFirst;
  view.centerTree = false;
  const treeRows: TreeRowView[] = [];
  const e = lists.entries[view.sessCursor];
  const names = (input.hosts[e !== undefined && e.hostIndex >= 0 ? e.hostIndex : 0] ?? input.hosts[0])?.names;
  const q = view.search?.query ?? null;
  for (let i = tFirst; i < Math.min(list.length, tFirst + layout.tree); i++) {
    let v = lists.treeViews[i];
    if (v === undefined) {
      const t = list[i] as TreeEntry;
      const match = q !== null && (t.kind === 'process' ? processMatches(t.node, q) : t.kind === 'typed' && t.line !== null && typedLineMatches(t.line, q));
      v = treeRowView(t, names ?? { user: () => undefined, group: () => undefined }, match);
      lists.treeViews[i] = v;
    }
    treeRows.push(v);
  }
  let treeTitle = lists.treeTitle;
  if (lists.tree.hidden > 0) treeTitle += ` · ${lists.tree.hidden} shell-noise hidden (v)`;

  const detail =
    view.overlay === 'detail'
      ? (() => {
          const first = Math.max(0, Math.min(view.detailOffset, Math.max(0, lists.details.length - layout.overlay)));
          view.detailOffset = first;
          const t = view.detailTarget;
          return {
            title: t === null ? 'details' : `details of ${t.node.pid} ${safeText(t.node.name)} (Esc closes)`,
            rows: lists.details.slice(first, first + layout.overlay),
            first,
            total: lists.details.length,
            height: layout.overlay,
            cursor: -1,
            focused: true,
          };
        })()
      : null;
  const help =
    view.overlay === 'help'
      ? (() => {
          const lines = helpLines(input.feed.mode, input.cols);
          const first = Math.max(0, Math.min(view.helpOffset, Math.max(0, lines.length - layout.overlay)));
          view.helpOffset = first;
          return { title: 'help (? Esc q close)', rows: lines.slice(first, first + layout.overlay), first, total: lines.length, height: layout.overlay, cursor: -1, focused: true };
        })()
      : null;

  const search = view.search;
  const results =
    view.overlay === 'results' && search !== null
      ? (() => {
          const matches = search.matches;
          const first = windowStart(matches.length, layout.overlay, view.resultsCursor, view.resultsOffset, false);
          view.resultsOffset = first;
          return {
            title: `who typed or ran "${safeText(search.query.text)}": ${matches.length} match${matches.length === 1 ? '' : 'es'} (Enter goes there, Esc or q closes)`,
            rows: searchResultRows(matches, input.hosts, first, layout.overlay),
            first,
            total: matches.length,
            height: layout.overlay,
            cursor: view.resultsCursor,
            focused: true,
          };
        })()
      : null;

  const terminal =
    view.overlay === 'terminal'
      ? terminalPaneView(input.screen, e !== undefined && e.kind === 'session' ? (e.session as EntrySession) : null, names, layout.overlay, input.feed.mode)
      : null;

  const snapshot: UiSnapshot = {
    seq: input.seq,
    layout,
    now,
    header,
    notice,
    overlay: view.overlay,
    results,
    sessionsFilter: view.filter === null ? '' : safeText(view.filter.text),
    sessionsSort: view.sortKey,
    sessions: {
      title: 'sessions',
      rows: sessionRows,
      first: sFirst,
      total: lists.entries.length,
      height: layout.sessions,
      cursor: lists.entries.length === 0 ? -1 : view.sessCursor,
      focused: view.focus === 'sessions',
    },
    tree: {
      title: treeTitle,
      rows: treeRows,
      first: tFirst,
      total: list.length,
      height: layout.tree,
      cursor: list.length === 0 ? -1 : view.treeCursor,
      focused: view.focus === 'tree',
      hidden: lists.tree.hidden,
      empty: lists.treeEmpty,
    },
    detail,
    help,
    terminal,
    status: statusView(input, view),
    timestamps: view.timestamps,
    verbose: view.verbose,
    sessionSparkWidth: input.sessionSparkWidth,
  };
  return { snapshot, view };
}

function headerView(input: FrameInput, view: Readonly<ViewState>): HeaderView {
  const fh = input.feed.header();
  const hosts = input.hosts;
  let live = 0;
  let exited = 0;
  for (const h of hosts) {
    const st = h.table.stats();
    live += st.live;
    exited += st.exited;
  }
  let sessions = 0;
  let services = 0;
  for (const e of input.lists.entries) {
    if (e.kind === 'session' && !e.service) sessions++;
    if (e.kind === 'services') services = e.count;
  }
  const now = input.feed.now();
  const lastFull = now - 1000;
  const first = hosts[0];
  return {
    mode: input.feed.mode,
    host: hosts.length > 1 ? `${hosts.length} hosts` : first === undefined ? '-' : safeText(first.host.name),
    kernel: hosts.length === 1 && first !== undefined ? safeText(first.host.kernel) : '',
    source: fh.source,
    state: fh.state,
    rate: input.activity.events.recent(lastFull, 1),
    spark: sparkline(input.activity.events.series(lastFull, input.sparkScratch), RATE_SPARK_WIDTH),
    lost: fh.lost,
    recording: fh.recording === null ? null : { path: safeText(fh.recording.path), bytes: fh.recording.bytes },
    badLines: fh.badLines,
    replay: fh.replay,
    paused: view.paused,
    follow: view.follow,
    sessions,
    services,
    live,
    exited,
  };
}

function statusView(input: FrameInput, view: ViewState): StatusView {
  const p = view.prompt;
  const msg = view.message !== null && view.message.until > input.wall ? view.message : null;
  if (msg === null) view.message = null;
  let search = '';
  const s = view.search;
  if (s !== null) search = `/${safeText(s.query.text)} ${s.matches.length === 0 ? 'no match' : `${s.index + 1}/${s.matches.length}`}`;
  // an open pane closes with q: say so where the hints say `q quit`
  const hints = view.overlay === 'none' ? keyHints(input.feed.mode) : keyHints(input.feed.mode).replace('q quit', 'q/Esc close');
  return {
    prompt: p === null ? null : { label: PROMPT_LABELS[p.kind], text: safeText(p.text), error: p.error ?? '' },
    message: msg === null ? null : { text: msg.text, tone: msg.tone },
    search,
    hints,
  };
}
