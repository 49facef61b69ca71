/**
 * Person-entered: a user-entered process (Cmd rule) that a person asked for, told apart from what a
 * shell or a program starts on its own in a process group of its own:
 *
 * - its parent is a shell: a program's own job-control children (sudo's monitor process, which
 *   sudo puts in a new process group) are not typed by anyone;
 * - when typed-line capture is on for that shell, a typed line introduced it: the latest line typed
 *   at the parent at or before the moment it became user-entered, not `exit` / `logout` (what runs
 *   after those is `.bash_logout`). Commands of rc files (`.bashrc`, `.profile`) run before the
 *   first line and commands of logout files after the last, so neither is the person's.
 *
 * Capture is "on" for a shell once a line was typed at it, or at any shell with the same executable
 * on the host (the model learns it from the events, so a replay of the same events decides the
 * same). Without capture (`--no-typed`, shells the sensor does not probe) the Cmd rule stands.
 */

import { isShellName } from './shell-names.js';
import type { ProcessNode, TypedLine } from './types.js';

/** Start times come from clock ticks (10 ms): a line typed within one tick of a start precedes it. */
export const TICK_SLACK_MS = 10;

/** `exit` / `logout` (with an optional status): the shell is leaving, what follows is its own. */
export function isLeavingLine(line: string): boolean {
  // on the exec path: a long line cannot be one, and most lines are long enough
  if (line.length > 24) return false;
  const c = line.trimStart().charCodeAt(0);
  return (c === 0x65 /* e */ || c === 0x6c) /* l */ && LEAVING.test(line);
}

const LEAVING = /^\s*(exit|logout)(\s+\S+)?\s*;?\s*$/;

/** The latest line typed at `shell` at or before `at` (ms), null when none. */
export function introducingLine(shell: ProcessNode, at: number): TypedLine | null {
  const typed = shell.typed;
  for (let i = typed.length - 1; i >= 0; i--) {
    const t = typed[i] as TypedLine;
    if (t.time <= at) return t;
  }
  return null;
}

/**
 * Whether user-entered `n` (child of `parent`) was entered by a person, deciding at time `at`.
 * `captureOn(parent)`: lines typed at this shell are captured.
 */
export function isPersonEntered(n: ProcessNode, parent: ProcessNode | null, at: number, captureOn: (shell: ProcessNode) => boolean): boolean {
  if (!n.userEntered) return false;
  if (parent === null) return true;
  if (!isShellName(parent.name)) return false;
  if (!captureOn(parent)) return true;
  const line = introducingLine(parent, at);
  return line !== null && !isLeavingLine(line.line);
}
