/**
 * Shell noise: what an interactive shell runs by itself — prompt and completion helpers, command
 * substitutions of PS1/PROMPT_COMMAND, rc-file helpers (dircolors, lesspipe), forked subshells that
 * never exec. They run in the shell's own process group (a typed job gets a group of its own) and
 * are not user-entered. The process tree hides them (and what they start) unless verbose is on.
 */

import type { ProcessNode } from '../model/types.js';

/** Executable basenames of interactive shells. */
export const SHELL_NAMES: ReadonlySet<string> = new Set(['bash', 'sh', 'dash', 'zsh', 'ksh', 'mksh', 'ash', 'fish', 'tcsh', 'csh', 'busybox']);

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

/** Run by an interactive shell in its own process group, not typed, not a session of its own. */
export function isShellNoise(n: ProcessNode): boolean {
  if (n.userEntered || n.pid === n.sid) return false;
  const p = n.parent;
  if (p === null || n.pgid !== p.pgid) return false;
  return isInteractiveShell(p);
}
