/**
 * How the terminal's rows are shared: the output is never taller than rows − 1 (so the line after
 * the last one is empty and nothing scrolls), and below 80×24 the UI shows only a clear message.
 */

export const MIN_COLS = 80;
export const MIN_ROWS = 24;
export const HEADER_LINES = 2;
export const STATUS_LINES = 1;

export interface ScreenLayout {
  cols: number;
  rows: number;
  tooSmall: boolean;
  /** rows − 1: every line the UI may draw. */
  usable: number;
  notice: number;
  /** Lines between the header (and notice) and the status line. */
  body: number;
  /** Rows of the sessions list (its title line excluded). */
  sessions: number;
  /** Rows of the process tree (its title line excluded). */
  tree: number;
  /** Rows of an overlay (detail, help) below its title line. */
  overlay: number;
}

export function computeLayout(cols: number, rows: number, sessionRows: number, hasNotice: boolean): ScreenLayout {
  const tooSmall = cols < MIN_COLS || rows < MIN_ROWS;
  const usable = Math.max(1, rows - 1);
  const notice = hasNotice ? 1 : 0;
  const body = Math.max(0, usable - HEADER_LINES - notice - STATUS_LINES);
  const lists = Math.max(0, body - 2); // two title lines
  const maxSessions = Math.max(3, Math.floor(lists * 0.4));
  const sessions = Math.min(Math.max(sessionRows, 3), maxSessions, lists);
  return {
    cols,
    rows,
    tooSmall,
    usable,
    notice,
    body,
    sessions,
    tree: Math.max(0, lists - sessions),
    overlay: Math.max(0, body - 1),
  };
}
