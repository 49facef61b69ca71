/**
 * Repeated identical commands folded into one counted row: a loop's 200 passes of `/bin/true`
 * become `/bin/true ×200`. Only siblings next to each other fold, only when each has ended the same
 * way (exit code, signal), started nothing and is not a sub-session; a typed line between two runs
 * keeps them apart (each was asked for on its own).
 */

import type { ProcessNode } from '../model/types.js';

/** What makes two finished processes the same row, null when `n` never folds (alive, a parent...). */
export function repeatKey(n: ProcessNode, hasChildren: boolean): string | null {
  if (!n.exited || hasChildren || n.pid === n.sid) return null;
  return `${n.personEntered ? 'u' : '-'}${n.exitCode}/${n.signal}/${n.exitCause}\u0000${n.args.length === 0 ? n.name : n.args.join('\u0000')}`;
}

export interface Run<T> {
  /** The newest of the run (it stands for all of them). */
  readonly item: T;
  /** The oldest of the run. */
  readonly first: T;
  readonly count: number;
}

/** `items` with each run of 2 or more consecutive items of equal (non-null) key folded into one. */
export function foldRepeats<T>(items: readonly T[], keyOf: (item: T) => string | null): Run<T>[] {
  const out: Run<T>[] = [];
  let i = 0;
  while (i < items.length) {
    const first = items[i] as T;
    const key = keyOf(first);
    let j = i + 1;
    if (key !== null) while (j < items.length && keyOf(items[j] as T) === key) j++;
    out.push({ item: items[j - 1] as T, first, count: j - i });
    i = j;
  }
  return out;
}
