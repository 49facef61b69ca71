/**
 * Shell noise: what an interactive shell runs by itself — prompt and completion helpers, command
 * substitutions of PS1/PROMPT_COMMAND, rc-file helpers (dircolors, lesspipe), forked subshells that
 * never exec. They run in the shell's own process group (a typed job gets a group of its own) and
 * are not user-entered. The process tree hides them (and what they start) unless verbose is on.
 */

import { SHELL_NAMES } from '../model/shell-names.js';
import type { ProcessNode } from '../model/types.js';

export { SHELL_NAMES };

/** A shell a person types at: interactive, and either lines were typed at it or it runs no script. */
export function isInteractiveShell(n: ProcessNode): boolean {
  if (!SHELL_NAMES.has(n.name) || !n.interactive) return false;
  if (n.typed.length > 0) return true;
  const args = n.args;
  for (let i = 1; i < args.length; i++) {
    const a = args[i] as string;
    if (a === '-c' || !a.startsWith('-')) return false; // a command string or a script operand
  }
  return true;
}

/**
 * Run by an interactive shell by itself, not a session of its own: in the shell's own process
 * group, or a job no typed line introduced (rc-file and logout-file commands, person-entered.ts).
 */
export function isShellNoise(n: ProcessNode): boolean {
  if (n.personEntered || n.pid === n.sid) return false;
  const p = n.parent;
  if (p === null) return false;
  if (n.pgid !== p.pgid && !n.userEntered) return false;
  return isInteractiveShell(p);
}
