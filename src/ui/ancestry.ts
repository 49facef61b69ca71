/**
 * A process's ancestry, root first, as `pstree -s` and Kibana's Session View show it: one line per
 * ancestor, so where a process came from (which login, which sudo, which tmux pane) reads at a
 * glance. Bounded: a pathological chain is cut (the cut is reported).
 */

import type { ProcessNode } from '../model/types.js';

export const MAX_ANCESTRY = 64;

/** `n` and its ancestors, root first; `cut` when the chain was longer than `max`. */
export function ancestryChain(n: ProcessNode, max = MAX_ANCESTRY): { chain: ProcessNode[]; cut: boolean } {
  const chain: ProcessNode[] = [];
  const seen = new Set<ProcessNode>();
  let x: ProcessNode | null = n;
  while (x !== null && !seen.has(x) && chain.length < max) {
    seen.add(x);
    chain.push(x);
    x = x.parent;
  }
  chain.reverse();
  return { chain, cut: x !== null && !seen.has(x) };
}

/** The roles a node plays for `of` (entry leader, session leader, group leader), for its ancestry line. */
export function rolesFor(a: ProcessNode, of: ProcessNode): string[] {
  const roles: string[] = [];
  if (of.entryLeader === a) roles.push(a.entryType === null ? 'entry leader' : `entry leader: ${a.entryType}`);
  if (of.sessionLeader === a && of.entryLeader !== a) roles.push('session leader');
  if (of.groupLeader === a && a !== of) roles.push('group leader');
  return roles;
}
