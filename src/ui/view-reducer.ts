/**
 * The view's commands as pure functions: `(ViewState, command, lists, now) → (ViewState, effects)`.
 *
 * The lists are the ones the store built from the model for the frame on screen (sessions list,
 * selected tree, detail rows, page sizes, whether a recording runs), passed read-only. The reducer
 * never reads the live model beyond the objects in those lists, never mutates them, starts no
 * timer and does no I/O: what needs the model or the outside world comes back as effects the store
 * carries out in order (rebuild a list, find search matches, seek the replay, start or stop a
 * recording, quit). An effect whose result the view needs (the matches found, a seek that failed,
 * the recording started) is reported back as an outcome (`reduceOutcome`), with the lists as they
 * are then; `then` effects continue a command once the lists it changed are rebuilt (a search jump
 * selects the session, then the tree row).
 *
 * The commands that depend on the view state alone stay in `reduceView` (view-state.ts);
 * `settleSessions`, `settleTree` and `followPerson` keep the selection on its stable key whenever
 * the lists are rebuilt.
 */

import { resolve } from 'node:path';
import type { EntrySession, ProcessNode } from '../model/types.js';
import { oneLineMessage } from '../exit-error.js';
import { safeText } from '../text/terminal-text.js';
import type { Command } from './key-bindings.js';
import { moveCursor } from './list-window.js';
import { byteSize } from './number-format.js';
import { processKey, typedKey, type TreeEntry } from './process-tree.js';
import { searchQuery, type SearchMatch, type SearchQuery } from './process-search.js';
import { parseSessionFilter } from './session-filter.js';
import { sessionKey, type SessionEntry } from './session-list.js';
import { followTarget, nextSortKey, SESSION_SORT_LABELS } from './session-order.js';
import { isShellNoise } from './shell-noise.js';
import type { ViewLists } from './snapshot-builder.js';
import { defaultRecordingName } from './time-format.js';
import type { Tone } from './ui-snapshot.js';
import { reduceView, type ViewState } from './view-state.js';

/** How long a message stays on the status line (ms). */
export const MESSAGE_MS = 5000;

/** What the commands read from the lists on screen and from the feed (read-only). */
export interface ReducerLists extends Pick<ViewLists, 'entries' | 'tree' | 'details'> {
  /** Rows of each list and of an overlay at this terminal size (paging). */
  readonly pageRows: { readonly sessions: number; readonly tree: number; readonly overlay: number };
  /** Lines of the `?` help at this width. */
  readonly helpRows: number;
  /** The feed can record (live view). */
  readonly canRecord: boolean;
  /** A recording runs (path when known); null: none. */
  readonly recording: { readonly path: string | null } | null;
  /** The feed is a replay (its controls exist). */
  readonly replay: boolean;
  /** The feed's present when the lists were built (pausing freezes the view there). */
  readonly modelNow: number;
  /** Where a recording started with `r` goes (relative names resolve against it). */
  readonly recordingDir: string;
  /** The host a process of the kernel fold belongs to. */
  readonly hostOfNode: (node: ProcessNode) => number;
}

/** What a search's matches are used for once found. */
export type MatchUse = 'start' | 'next' | 'prev' | 'results';

export type ReplayAction = 'togglePlay' | 'faster' | 'slower' | 'stepForward' | 'stepBack' | 'toStart' | 'toEnd';

/** Work for the store, carried out in order. */
export type ViewEffect =
  | { kind: 'quit' }
  /** Rebuild the sessions list (order, filter, folds changed); the cursor settles on its key. */
  | { kind: 'rebuildSessions' }
  /** Rebuild the selected session's tree now. */
  | { kind: 'rebuildTree' }
  /** Rebuild every list from the model now. */
  | { kind: 'refreshModel' }
  /** Rebuild the detail lines of the detail target. */
  | { kind: 'refreshDetail' }
  /** Find every match of the query (reported as `matchesFound`). */
  | { kind: 'findMatches'; query: SearchQuery; use: MatchUse }
  | { kind: 'replay'; action: ReplayAction }
  /** Replay to the next / previous typed line or command of the session (refusal: `stepRefused`). */
  | { kind: 'stepInSession'; sessionId: string; dir: 1 | -1 }
  /** Seek the replay to a typed time (failure: `seekFailed`). */
  | { kind: 'seek'; text: string }
  /** Start recording to this path (`recordingStarted` / `recordingFailed`). */
  | { kind: 'startRecording'; path: string; text: string }
  /** Stop the recording (`recordingStopped`). */
  | { kind: 'stopRecording' }
  /** Reduce this outcome now, with the lists the effects before it rebuilt. */
  | { kind: 'then'; outcome: ViewOutcome };

/** What an effect came to, reported back to the reducer. */
export type ViewOutcome =
  | { kind: 'matchesFound'; query: SearchQuery; matches: SearchMatch[]; use: MatchUse }
  /** A search jump: the sessions list is rebuilt; select the match's session, then its tree row. */
  | { kind: 'landedSession'; sessionKey: string; treeKey: string }
  /** A search jump: the match's tree is built; select its row. */
  | { kind: 'landedTree'; treeKey: string }
  /** The sessions filter is applied. */
  | { kind: 'filtered' }
  | { kind: 'stepRefused'; why: string }
  /** `text`: what was typed at the seek prompt (it opens again with it and the reason). */
  | { kind: 'seekFailed'; message: string; text: string }
  | { kind: 'recordingStarted'; path: string }
  /** `text`: the file name as typed at the prompt (it opens again with it and the reason). */
  | { kind: 'recordingFailed'; message: string; text: string }
  | { kind: 'recordingStopped'; path: string; bytes: number };

export interface Reduced {
  readonly view: ViewState;
  readonly effects: readonly ViewEffect[];
}

const NONE: readonly ViewEffect[] = [];

function done(view: ViewState, effects: readonly ViewEffect[] = NONE): Reduced {
  return { view, effects };
}

function say(s: Readonly<ViewState>, text: string, tone: Tone, now: number): ViewState {
  return { ...s, message: { text, tone, until: now + MESSAGE_MS } };
}

/** The state after a command, and the effects the store must carry out for it. */
export function reduceCommand(state: Readonly<ViewState>, cmd: Command, lists: ReducerLists, now: number): Reduced {
  // a `q` pressed while recording arms the next one; any other key disarms it
  const armed = state.quitArmed;
  const s: ViewState = { ...state, quitArmed: false };
  const simple = reduceView(s, cmd);
  if (simple !== null) return done(simple);
  switch (cmd.kind) {
    case 'quit':
      return quit(s, cmd.force ?? false, armed, lists, now);
    case 'sort': {
      const sortKey = nextSortKey(s.sortKey);
      const v = say({ ...s, sortKey, centerSessions: true }, `sessions sorted by ${sortKey}: ${SESSION_SORT_LABELS[sortKey]} (o / F6 for the next order)`, 'normal', now);
      return done(v, [{ kind: 'rebuildSessions' }]);
    }
    case 'results':
      if (s.search === null || s.search.matches.length === 0) {
        return done(say(s, 'no search results: press / to search typed lines, arguments and directories, then w lists the matches', 'warn', now));
      }
      return done(s, [{ kind: 'findMatches', query: s.search.query, use: 'results' }]);
    case 'next':
    case 'prev':
      if (s.search === null) return done(say(s, 'no search yet: press / to search typed lines, arguments and working directories', 'warn', now));
      return done(s, [{ kind: 'findMatches', query: s.search.query, use: cmd.kind }]);
    case 'stepSession':
      return stepSession(s, cmd.dir, lists, now);
    case 'promptSubmit':
      return submitPrompt(s, lists);
    case 'move':
      return move(s, cmd.delta, lists);
    case 'page':
      return move(s, cmd.delta * Math.max(1, pageRows(s, lists) - 1), lists);
    case 'home':
      return move(s, Number.NEGATIVE_INFINITY, lists);
    case 'end':
      return move(s, Number.POSITIVE_INFINITY, lists);
    case 'open':
      return open(s, lists, now);
    case 'back':
      return back(s, now);
    case 'follow': {
      const follow = !s.follow;
      const v = say(
        { ...s, follow, centerSessions: follow ? true : s.centerSessions },
        follow ? 'following the session where a person typed or ran a command last (any move stops it)' : 'follow off',
        'normal',
        now,
      );
      return done(v, follow ? [{ kind: 'refreshModel' }] : NONE);
    }
    case 'verbose': {
      const verbose = !s.verbose;
      return done(say({ ...s, verbose }, verbose ? 'verbose: shell noise shown' : 'shell noise hidden', 'normal', now), [{ kind: 'rebuildTree' }]);
    }
    case 'pause':
      if (!s.paused) return done(say({ ...s, paused: true, pausedAt: lists.modelNow }, 'view paused: capture continues (p resumes)', 'normal', now));
      return done(say({ ...s, paused: false }, 'view resumed', 'normal', now), [{ kind: 'refreshModel' }]);
    case 'record':
      if (!lists.canRecord) return done(say(s, 'recording is for the live view (sessiontop --record FILE, or r there)', 'warn', now));
      if (lists.recording !== null) return done(s, [{ kind: 'stopRecording' }]);
      return done({ ...s, prompt: { kind: 'record', text: defaultRecordingName(now) } });
    case 'seek':
      return lists.replay ? done({ ...s, prompt: { kind: 'seek', text: '' } }) : done(s);
    case 'playPause':
      return replayStep(s, 'togglePlay', lists);
    case 'faster':
    case 'slower':
    case 'stepForward':
    case 'stepBack':
    case 'toStart':
    case 'toEnd':
      return replayStep(s, cmd.kind, lists);
    default:
      return done(s);
  }
}

/** The state after an effect's outcome, and the effects that continue it. */
export function reduceOutcome(s: Readonly<ViewState>, o: ViewOutcome, lists: ReducerLists, now: number): Reduced {
  switch (o.kind) {
    case 'matchesFound':
      return matchesFound(s, o.query, o.matches, o.use, lists, now);
    case 'landedSession': {
      const idx = lists.entries.findIndex((e) => e.key === o.sessionKey);
      if (idx < 0 && s.filter !== null) {
        // the match is in a session the filter hides
        const v = say({ ...s, filter: null, selSession: o.sessionKey }, 'filter cleared: the match is in a session it hid', 'normal', now);
        return done(v, [{ kind: 'rebuildSessions' }, { kind: 'then', outcome: o }]);
      }
      return done(idx >= 0 ? { ...s, sessCursor: idx } : { ...s }, [{ kind: 'rebuildTree' }, { kind: 'then', outcome: { kind: 'landedTree', treeKey: o.treeKey } }]);
    }
    case 'landedTree':
      return done(settleTree({ ...s, selTree: lists.tree.folded?.get(o.treeKey) ?? o.treeKey }, lists.tree.entries));
    case 'filtered': {
      const f = s.filter;
      const n = lists.entries.filter((e) => e.kind === 'session').length;
      return done(say(s, f === null ? 'filter cleared: every session listed' : `${n} sessions match "${safeText(f.text)}" (\\ or F4 changes it)`, 'normal', now));
    }
    case 'stepRefused':
      return done(say(s, o.why, 'warn', now));
    case 'seekFailed':
      return done({ ...s, prompt: { kind: 'seek', text: o.text, error: safeText(o.message) } });
    case 'recordingStarted':
      return done(say(s, `recording to ${safeText(o.path)}`, 'good', now));
    case 'recordingFailed':
      return done({ ...s, prompt: { kind: 'record', text: o.text, error: `cannot record: ${safeText(o.message)}` } });
    case 'recordingStopped':
      return done(say(s, `recording stopped: ${safeText(o.path)} (${byteSize(o.bytes)})`, 'good', now));
  }
}

// ------------------------------------------------------------------ selection kept by key

/** After the sessions list is rebuilt: the cursor on the selected key (else clamped); a new session resets the tree selection. */
export function settleSessions(s: Readonly<ViewState>, entries: readonly SessionEntry[]): ViewState {
  const idx = s.selSession === null ? -1 : entries.findIndex((e) => e.key === s.selSession);
  const sessCursor = idx >= 0 ? idx : moveCursor(s.sessCursor, 0, entries.length);
  const selSession = entries[sessCursor]?.key ?? null;
  if (selSession !== s.selSession && !s.follow) return { ...s, sessCursor, selSession, selTree: null, treeCursor: 0, treeOffset: 0 };
  return { ...s, sessCursor, selSession };
}

/**
 * After the tree is rebuilt: the cursor on the selected row's key (else clamped); following, or
 * stepping a replay through a session, on its newest row.
 */
export function settleTree(s: Readonly<ViewState>, list: readonly TreeEntry[]): ViewState {
  if (s.follow || s.revealNewest) {
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
    if (best >= 0) return { ...s, treeCursor: best, selTree: (list[best] as TreeEntry).key, centerTree: true };
  }
  const idx = s.selTree === null ? -1 : list.findIndex((t) => t.key === s.selTree);
  const treeCursor = idx >= 0 ? idx : moveCursor(s.treeCursor, 0, list.length);
  return { ...s, treeCursor, selTree: list[treeCursor]?.key ?? null };
}

/** Follow: select the session where a person acted last (typed a line, entered a command). */
export function followPerson(s: Readonly<ViewState>, entries: readonly SessionEntry[]): ViewState {
  const best = followTarget(
    (function* () {
      for (const e of entries) if (e.kind === 'session' && e.session !== null && !e.service) yield { s: e.session, e };
    })(),
  );
  if (best === null || best.e.key === s.selSession) return { ...s };
  return { ...s, selSession: best.e.key, centerSessions: true };
}

// ------------------------------------------------------------------ commands

function pageRows(s: ViewState, lists: ReducerLists): number {
  if (s.overlay !== 'none') return lists.pageRows.overlay;
  return s.focus === 'sessions' ? lists.pageRows.sessions : lists.pageRows.tree;
}

function clampStep(cursor: number, delta: number, total: number): number {
  if (delta === Number.NEGATIVE_INFINITY) return 0;
  if (delta === Number.POSITIVE_INFINITY) return Math.max(0, total - 1);
  return moveCursor(cursor, delta, total);
}

/** Moves the cursor of what has the focus (an overlay scrolls); a move by hand stops following. */
function move(s: ViewState, delta: number, lists: ReducerLists): Reduced {
  if (s.overlay === 'detail') return done({ ...s, detailOffset: clampStep(s.detailOffset, delta, lists.details.length) });
  if (s.overlay === 'help') return done({ ...s, helpOffset: clampStep(s.helpOffset, delta, lists.helpRows) });
  if (s.overlay === 'results') return done({ ...s, resultsCursor: clampStep(s.resultsCursor, delta, s.search?.matches.length ?? 0) });
  const v: ViewState = { ...s, follow: false, revealNewest: false };
  if (v.focus === 'tree') {
    const list = lists.tree.entries;
    v.treeCursor = clampStep(v.treeCursor, delta, list.length);
    v.selTree = list[v.treeCursor]?.key ?? null;
    return done(v);
  }
  // moving through the sessions by hand: the search is done with
  v.search = null;
  v.sessCursor = clampStep(v.sessCursor, delta, lists.entries.length);
  const key = lists.entries[v.sessCursor]?.key ?? null;
  if (key === v.selSession) return done(v);
  v.selSession = key;
  v.selTree = null;
  v.treeCursor = 0;
  v.treeOffset = 0;
  return done(v, [{ kind: 'rebuildTree' }]);
}

/** Enter: closes help, goes to a result, folds/unfolds, or opens the details of the selected row. */
function open(s: ViewState, lists: ReducerLists, now: number): Reduced {
  if (s.overlay === 'help') return done({ ...s, overlay: 'none' });
  if (s.overlay === 'results') {
    const m = s.search?.matches[s.resultsCursor];
    return m === undefined ? done(s) : jumpTo(s, s.resultsCursor, now);
  }
  if (s.overlay === 'detail') return done(s);
  const e = lists.entries[s.sessCursor];
  if (s.focus === 'sessions') {
    if (e === undefined || e.kind === 'host') return done(s);
    if (e.kind === 'services') return done({ ...s, servicesExpanded: !s.servicesExpanded }, [{ kind: 'rebuildSessions' }, { kind: 'rebuildTree' }]);
    if (e.kind === 'kernel') return done({ ...s, kernelExpanded: !s.kernelExpanded }, [{ kind: 'rebuildSessions' }, { kind: 'rebuildTree' }]);
    return openDetail(s, (e.session as EntrySession).leader, e.hostIndex);
  }
  const t = lists.tree.entries[s.treeCursor];
  if (t === undefined) return done(s);
  return openDetail(s, t.node, e !== undefined && e.hostIndex >= 0 ? e.hostIndex : lists.hostOfNode(t.node));
}

function openDetail(s: ViewState, node: ProcessNode, hostIndex: number): Reduced {
  return done({ ...s, detailTarget: { node, hostIndex }, detailOffset: 0, overlay: 'detail' }, [{ kind: 'refreshDetail' }]);
}

/** Esc: closes an overlay, else ends the search, else back to the sessions, else stops following. */
function back(s: ViewState, now: number): Reduced {
  if (s.overlay !== 'none') return done({ ...s, overlay: 'none', detailTarget: null });
  if (s.search !== null) return done({ ...s, search: null });
  if (s.focus === 'tree') return done({ ...s, focus: 'sessions' });
  if (s.follow) return done(say({ ...s, follow: false }, 'follow off', 'normal', now));
  return done(s);
}

/**
 * `q` / F10: closes what is open (detail, help, result list) first; quits from the main view —
 * while recording only when asked twice (the recording is then stopped and closed). Ctrl-C quits
 * at once.
 */
function quit(s: ViewState, force: boolean, armed: boolean, lists: ReducerLists, now: number): Reduced {
  if (force) return done(s, [{ kind: 'quit' }]);
  if (s.overlay !== 'none') return back(s, now);
  const rec = lists.recording;
  if (rec !== null && !armed) {
    const to = rec.path === null ? '' : ` to ${safeText(rec.path)}`;
    return done(say({ ...s, quitArmed: true }, `recording${to}: press q again to stop it and quit (any other key goes on)`, 'warn', now));
  }
  return done(s, [{ kind: 'quit' }]);
}

/** Replay: to the next / previous typed line or person-entered command of the selected session. */
function stepSession(s: ViewState, dir: 1 | -1, lists: ReducerLists, now: number): Reduced {
  if (!lists.replay) return done(s);
  const e = lists.entries[s.sessCursor];
  if (e === undefined || e.session === null) return done(say(s, 'select a session first: [ and ] step through its typed lines and commands', 'warn', now));
  return done({ ...s, follow: false, revealNewest: true, focus: 'tree' }, [
    { kind: 'stepInSession', sessionId: e.session.id, dir },
    { kind: 'refreshModel' },
  ]);
}

function replayStep(s: ViewState, action: ReplayAction, lists: ReducerLists): Reduced {
  // steps change the model synchronously: show the result with this key
  return lists.replay ? done(s, [{ kind: 'replay', action }, { kind: 'refreshModel' }]) : done(s);
}

function submitPrompt(s: ViewState, lists: ReducerLists): Reduced {
  const p = s.prompt;
  const v: ViewState = { ...s, prompt: null };
  if (p === null) return done(v);
  const text = p.text.trim();
  switch (p.kind) {
    case 'search':
      if (text === '') return done({ ...v, search: null });
      return done(v, [{ kind: 'findMatches', query: searchQuery(text), use: 'start' }]);
    case 'filter': {
      let filter;
      try {
        filter = text === '' ? null : parseSessionFilter(text);
      } catch (err) {
        // the prompt stays open with the text, so that the mistake can be fixed in place
        return done({ ...s, prompt: { kind: 'filter', text: p.text, error: safeText(oneLineMessage(err)) } });
      }
      return done({ ...v, filter, centerSessions: true }, [{ kind: 'rebuildSessions' }, { kind: 'rebuildTree' }, { kind: 'then', outcome: { kind: 'filtered' } }]);
    }
    case 'seek':
      return text === '' ? done(v) : done(v, [{ kind: 'seek', text }, { kind: 'refreshModel' }]);
    case 'record':
      return text === '' ? done(v) : done(v, [{ kind: 'startRecording', path: resolve(lists.recordingDir, text), text: p.text }]);
  }
}

// ------------------------------------------------------------------ search

/** Where a session ranks in the sessions list (matches are ordered by it). */
export function sessionRank(entries: readonly SessionEntry[], hostIndex: number, s: EntrySession): number {
  const key = sessionKey(hostIndex, s);
  const i = entries.findIndex((e) => e.key === key);
  return i >= 0 ? i : entries.length + (s.service ? 1 : 0);
}

function matchesFound(s: Readonly<ViewState>, query: SearchQuery, matches: SearchMatch[], use: MatchUse, lists: ReducerLists, now: number): Reduced {
  if (use === 'start') {
    const v: ViewState = { ...s, search: { query, matches, index: -1 } };
    if (matches.length === 0) return done(say(v, `nothing typed or run matches "${safeText(query.text)}"`, 'warn', now));
    const w = matches.length > 1 ? say(v, `${matches.length} matches: n / N step through them, w lists them (who typed it, where)`, 'normal', now) : v;
    // the first match from the selected session on
    const here = s.sessCursor;
    const idx = matches.findIndex((m) => sessionRank(lists.entries, m.hostIndex, m.session) >= here);
    return jumpTo(w, idx < 0 ? 0 : idx, now);
  }
  const old = s.search;
  if (old === null) return done({ ...s });
  const search = { ...old, matches };
  if (use === 'results') {
    return done({ ...s, search, resultsCursor: Math.max(0, Math.min(old.index, matches.length - 1)), resultsOffset: 0, overlay: 'results' });
  }
  const v: ViewState = { ...s, search };
  if (matches.length === 0) return done(say(v, `nothing typed or run matches "${safeText(query.text)}"`, 'warn', now));
  const dir = use === 'next' ? 1 : -1;
  const current = old.matches[old.index];
  let idx = current === undefined ? -1 : matches.findIndex((m) => m.node === current.node && m.lineIndex === current.lineIndex);
  if (idx < 0) idx = dir > 0 ? -1 : 0;
  return jumpTo(v, (idx + dir + matches.length) % matches.length, now);
}

/** Selects a search match: its session (unfolded, shown when noise, unfiltered), then its tree row. */
function jumpTo(s: ViewState, index: number, now: number): Reduced {
  const search = s.search;
  const m = search?.matches[index];
  if (search === null || m === undefined) return done(s);
  let v: ViewState = { ...s, search: { ...search, index }, follow: false };
  if (m.session.service) v.servicesExpanded = true;
  if (!v.verbose && m.line === null && hiddenAsNoise(m.node, m.session)) v = say({ ...v, verbose: true }, 'verbose on: that match is shell noise', 'normal', now);
  const key = sessionKey(m.hostIndex, m.session);
  const treeKey = m.line !== null ? typedKey(m.node, m.line, m.lineIndex) : processKey(m.node);
  v = { ...v, selSession: key, focus: 'tree', overlay: 'none', centerSessions: true, centerTree: true };
  return done(v, [{ kind: 'rebuildSessions' }, { kind: 'then', outcome: { kind: 'landedSession', sessionKey: key, treeKey } }]);
}

/** Hidden when verbose is off: it, or an ancestor within its session, is shell noise. */
function hiddenAsNoise(n: ProcessNode, s: EntrySession): boolean {
  let x: ProcessNode | null = n;
  for (let i = 0; x !== null && i < 256 && s.members.has(x); i++, x = x.parent) if (isShellNoise(x)) return true;
  return false;
}
