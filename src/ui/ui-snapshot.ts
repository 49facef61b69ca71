/**
 * The immutable picture React renders: plain data copied out of the model by the store (at most
 * about ten times a second for model changes), windowed to the visible rows. Components read only
 * this, never the live ProcessTable.
 */

import type { ReplayPosition, SourceState } from './model-feed.js';
import type { TreeEntryKind } from './process-tree.js';
import type { ScreenLayout } from './screen-layout.js';
import type { SessionEntryKind } from './session-list.js';
import type { Segment } from './components/segment-line.js';

export interface HeaderView {
  mode: 'live' | 'replay';
  /** Escaped host name ('3 hosts' when several). */
  host: string;
  kernel: string;
  source: string;
  state: SourceState;
  /** Events in the last full second. */
  rate: number;
  spark: string;
  lost: number;
  recording: { path: string; bytes: number } | null;
  badLines: number;
  replay: ReplayPosition | null;
  paused: boolean;
  follow: boolean;
  sessions: number;
  services: number;
  live: number;
  exited: number;
}

export interface SessionRowView {
  key: string;
  kind: SessionEntryKind;
  /** Listed under the expanded services fold. */
  service: boolean;
  type: string;
  user: string;
  from: string;
  tty: string;
  start: number;
  /** Idle time is now − idleSince. */
  idleSince: number;
  live: number;
  command: string;
  commandKind: 'typed' | 'entered' | 'none';
  activity: string;
  /** No live member left (shown dimmed until the model evicts it). */
  ended: boolean;
  /** `active`, `detached` (the login ended, a tmux/screen it started still runs), `ended HH:MM`. */
  state: string;
  stateKind: 'active' | 'detached' | 'ended' | 'none';
  /** Folds and host headers: their one-line text. */
  label: string;
  /** Host header rows: the connection state (colours the row); '' otherwise. */
  hostState: string;
  expanded: boolean;
}

export interface TreeRowView {
  key: string;
  kind: TreeEntryKind;
  prefix: string;
  pid: number;
  /** Escaped command line, typed line, or sub-session label. */
  text: string;
  /** Process start, or the time a line was typed. */
  time: number;
  userEntered: boolean;
  noise: boolean;
  exited: boolean;
  start: number;
  end: number;
  exitCode: number;
  signal: number;
  coreDumped: boolean;
  /** A hit of the current search. */
  match: boolean;
  /** Identical finished commands folded into this row (1: none). */
  repeat: number;
}

/** One match of the search's result list (`w`). */
export interface ResultRowView {
  key: string;
  /** HH:MM:SS of the line or the process start. */
  time: string;
  /** Login user of the session (`@host` with several hosts). */
  user: string;
  /** Entry type and source (`sshd from 203.0.113.7`). */
  where: string;
  tty: string;
  kind: 'typed' | 'entered' | 'process';
  /** The typed line or the command (escaped). */
  text: string;
  /** The shell's pid and directory, or the process's pid and working directory. */
  detail: string;
}

export type Tone = 'normal' | 'dim' | 'bad' | 'good' | 'entered' | 'typed' | 'warn';

export interface DetailLine {
  /** A section heading, a labelled field, or a whole-width line (the ancestry chain). */
  kind: 'section' | 'field' | 'text';
  label: string;
  value: string;
  tone: Tone;
}

export interface PaneView<T> {
  title: string;
  rows: T[];
  /** Index of rows[0] in the whole list. */
  first: number;
  total: number;
  height: number;
  /** Absolute index of the cursor (−1: none). */
  cursor: number;
  focused: boolean;
}

/** The terminal pane: the selected session's screen (cells escaped and styled by TerminalScreen). */
export interface TerminalPaneView {
  /** Escaped: whose session, its leader and screen size. */
  title: string;
  /** Bytes captured / skipped, whether a writer hit its bound, the session id (for export). */
  subtitle: string;
  rows: Segment[][];
  /** Rows below the title and subtitle lines. */
  height: number;
  /** What to say when there is nothing to show. */
  empty: string;
}

export interface StatusView {
  /** An input line being typed (search, seek, recording file). */
  /** `error`: why the last submission was refused ('' when none). */
  prompt: { label: string; text: string; error: string } | null;
  message: { text: string; tone: Tone } | null;
  /** Search state: `/query 3/17`. */
  search: string;
  hints: string;
}

export interface UiSnapshot {
  seq: number;
  layout: ScreenLayout;
  now: number;
  header: HeaderView;
  /** One line about the source (degraded /proc, probe missing), '' when none. */
  notice: string;
  overlay: 'none' | 'detail' | 'help' | 'results' | 'terminal';
  sessions: PaneView<SessionRowView>;
  tree: PaneView<TreeRowView> & { hidden: number; empty: string };
  detail: PaneView<DetailLine> | null;
  help: PaneView<string> | null;
  /** The search's result list (`w`), null when not shown. */
  results: PaneView<ResultRowView> | null;
  /** The sessions filter ('' none) and order, shown in the sessions pane's title. */
  sessionsFilter: string;
  sessionsSort: string;
  terminal: TerminalPaneView | null;
  status: StatusView;
  timestamps: boolean;
  verbose: boolean;
  /** Column widths and spark size depend on these; the views read them from here. */
  sessionSparkWidth: number;
}
