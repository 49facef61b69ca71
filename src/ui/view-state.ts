/**
 * The view's own state (focus, selection by stable key, cursors and scroll offsets, toggles,
 * prompts, search, the last message) and the pure reducer for the commands that depend on it
 * alone. The commands that need the lists on screen (moving, opening, searching, following,
 * prompts that act) are reduced by view-reducer.ts, which calls this one first; UiStore holds one
 * ViewState and replaces it with what they return.
 */

import type { ProcessNode } from '../model/types.js';
import type { Command } from './key-bindings.js';
import type { SearchMatch, SearchQuery } from './process-search.js';
import type { SessionFilter } from './session-filter.js';
import type { SessionSortKey } from './session-order.js';
import type { Tone } from './ui-snapshot.js';

export type Pane = 'sessions' | 'tree';
export type PromptKind = 'search' | 'seek' | 'record' | 'filter';

export interface SearchState {
  query: SearchQuery;
  matches: SearchMatch[];
  index: number;
}

export interface ViewState {
  focus: Pane;
  overlay: 'none' | 'detail' | 'help' | 'results' | 'terminal';
  /** Order of the sessions list (`o` / F6). */
  sortKey: SessionSortKey;
  /** Sessions filter (`\\` / F4), null: every session. */
  filter: SessionFilter | null;
  /** `q` pressed once while recording: the next `q` stops the recording and quits. */
  quitArmed: boolean;
  /** The search's result list (`w`): cursor and scroll. */
  resultsCursor: number;
  resultsOffset: number;
  /** Replay stepping in a session: keep the tree cursor on the session's newest row until a move. */
  revealNewest: boolean;
  /** Selected sessions-list row, by stable key (null: none). */
  selSession: string | null;
  sessCursor: number;
  sessOffset: number;
  /** Selected tree row, by stable key. */
  selTree: string | null;
  treeCursor: number;
  treeOffset: number;
  detailTarget: { node: ProcessNode; hostIndex: number } | null;
  detailOffset: number;
  helpOffset: number;
  servicesExpanded: boolean;
  kernelExpanded: boolean;
  timestamps: boolean;
  verbose: boolean;
  follow: boolean;
  paused: boolean;
  pausedAt: number;
  /**
   * The input line being typed. `error`: why its last submission was refused (a bad time, filter or
   * file), shown beside the text until the next edit; the prompt stays open with what was typed.
   */
  prompt: { kind: PromptKind; text: string; error?: string } | null;
  search: SearchState | null;
  message: { text: string; tone: Tone; until: number } | null;
  /** Center the cursor of the list on the next frame (after a jump). */
  centerSessions: boolean;
  centerTree: boolean;
}

export function initialViewState(): ViewState {
  return {
    focus: 'sessions',
    overlay: 'none',
    sortKey: 'login',
    filter: null,
    quitArmed: false,
    resultsCursor: 0,
    resultsOffset: 0,
    revealNewest: false,
    selSession: null,
    sessCursor: 0,
    sessOffset: 0,
    selTree: null,
    treeCursor: 0,
    treeOffset: 0,
    detailTarget: null,
    detailOffset: 0,
    helpOffset: 0,
    servicesExpanded: false,
    kernelExpanded: false,
    timestamps: false,
    verbose: false,
    follow: false,
    paused: false,
    pausedAt: 0,
    prompt: null,
    search: null,
    message: null,
    centerSessions: false,
    centerTree: false,
  };
}

/**
 * The state after `cmd` when it depends on the view state alone (prompt editing, panes, help,
 * the search prompt, start times); null for a command that needs the lists (view-reducer.ts).
 */
export function reduceView(s: Readonly<ViewState>, cmd: Command): ViewState | null {
  switch (cmd.kind) {
    case 'promptInput':
      return s.prompt === null ? s : { ...s, prompt: { kind: s.prompt.kind, text: s.prompt.text + cmd.text } };
    case 'promptBackspace':
      return s.prompt === null ? s : { ...s, prompt: { kind: s.prompt.kind, text: [...s.prompt.text].slice(0, -1).join('') } };
    case 'promptClear':
      return s.prompt === null ? s : { ...s, prompt: { kind: s.prompt.kind, text: '' } };
    case 'promptCancel':
      return { ...s, prompt: null };
    case 'switchPane':
      return s.overlay !== 'none' ? s : { ...s, focus: s.focus === 'sessions' ? 'tree' : 'sessions' };
    case 'focus':
      return s.overlay !== 'none' ? s : { ...s, focus: cmd.pane };
    case 'help':
      return { ...s, overlay: s.overlay === 'help' ? 'none' : 'help', helpOffset: 0 };
    case 'terminal':
      return { ...s, overlay: s.overlay === 'terminal' ? 'none' : 'terminal' };
    case 'search':
      return { ...s, prompt: { kind: 'search', text: '' } };
    case 'filter':
      return { ...s, prompt: { kind: 'filter', text: s.filter?.text ?? '' } };
    case 'timestamps':
      return { ...s, timestamps: !s.timestamps };
    default:
      return null;
  }
}

