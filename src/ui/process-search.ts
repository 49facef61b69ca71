/**
 * `/` search over what was typed and what ran: the lines typed at shells (and the directory they
 * were typed in), the processes' arguments and working directories (smart case: a query with an
 * upper-case letter matches case-sensitively). A typed line is a match of its own, so "who typed X,
 * and where" is answered for builtins (`export`, `cd`) too. Matches are ordered by session (as the
 * sessions list shows them) and, within a session, by time.
 */

import type { EntrySession, ProcessNode, TypedLine } from '../model/types.js';
import type { HostModelView } from './model-feed.js';

export interface SearchQuery {
  readonly text: string;
  readonly caseSensitive: boolean;
  readonly needle: string;
}

export function searchQuery(text: string): SearchQuery {
  const caseSensitive = text !== text.toLowerCase();
  return { text, caseSensitive, needle: caseSensitive ? text : text.toLowerCase() };
}

function has(s: string, q: SearchQuery): boolean {
  return (q.caseSensitive ? s : s.toLowerCase()).includes(q.needle);
}

export function processMatches(n: ProcessNode, q: SearchQuery): boolean {
  if (q.needle === '') return false;
  if (has(n.cwd, q)) return true;
  const args = n.args;
  if (args.length === 0) return has(n.name, q);
  if (args.length === 1) return has(args[0] as string, q);
  return has(args.join(' '), q);
}

export function typedLineMatches(t: TypedLine, q: SearchQuery): boolean {
  if (q.needle === '') return false;
  return has(t.line, q) || (t.cwd !== '' && has(t.cwd, q));
}

export interface SearchMatch {
  readonly hostIndex: number;
  readonly session: EntrySession;
  /** The process; for a typed line, the shell it was typed at. */
  readonly node: ProcessNode;
  /** The typed line that matched, null for a process match. */
  readonly line: TypedLine | null;
  /** Index of `line` in node.typed (-1 for a process). */
  readonly lineIndex: number;
  /** When: the line's time, or the process's start. */
  readonly time: number;
}

/** Every match in every entry session; `order` ranks sessions (lower first). */
export function findMatches(hosts: readonly HostModelView[], q: SearchQuery, order: (hostIndex: number, s: EntrySession) => number): SearchMatch[] {
  const out: (SearchMatch & { rank: number })[] = [];
  for (let h = 0; h < hosts.length; h++) {
    for (const s of (hosts[h] as HostModelView).table.entrySessions({ includeServices: true })) {
      const rank = order(h, s);
      for (const n of s.members) {
        const typed = n.typed;
        for (let i = 0; i < typed.length; i++) {
          const t = typed[i] as TypedLine;
          if (typedLineMatches(t, q)) out.push({ hostIndex: h, session: s, node: n, line: t, lineIndex: i, time: t.time, rank });
        }
        if (processMatches(n, q)) out.push({ hostIndex: h, session: s, node: n, line: null, lineIndex: -1, time: n.start, rank });
      }
    }
  }
  out.sort((a, b) => a.rank - b.rank || a.time - b.time || a.node.pid - b.node.pid || a.lineIndex - b.lineIndex);
  return out;
}
