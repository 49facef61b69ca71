/**
 * Terminal criteria of a process: ECS `interactive` and Cmd's "user-entered" (rules in docs/design.md).
 *
 * - interactive: the process has a controlling tty and its stdin and stderr are that tty.
 * - user-entered: the parent's stdin reads from the controlling tty, the parent's stderr writes to
 *   it, and the process's pgid differs from the parent's (a shell puts each typed job — every member
 *   of a pipeline — in a new process group; helpers it runs itself stay in its own group).
 * - last user-entered: the nearest STRICT ancestor that is user-entered.
 */

import { FdType } from '../sensor/process-event.js';
import type { ProcessNode } from './types.js';

export function isInteractive(n: ProcessNode): boolean {
  const tty = n.tty;
  return (
    tty !== 0 &&
    n.stdinType === FdType.char &&
    n.stdinDev === tty &&
    n.stderrType === FdType.char &&
    n.stderrDev === tty
  );
}

/** Cmd criteria. The parent's controlling tty is the tty its stdin/stderr must be. */
export function isUserEntered(n: ProcessNode, parent: ProcessNode | null): boolean {
  if (parent === null) return false;
  const tty = parent.tty;
  return (
    tty !== 0 &&
    parent.stdinType === FdType.char &&
    parent.stdinDev === tty &&
    parent.stderrType === FdType.char &&
    parent.stderrDev === tty &&
    n.pgid !== parent.pgid
  );
}

/** Nearest strict ancestor that is user-entered: the parent if it is, else the parent's own. */
export function lastUserEnteredOf(parent: ProcessNode | null): ProcessNode | null {
  if (parent === null) return null;
  return parent.userEntered ? parent : parent.lastUserEntered;
}
