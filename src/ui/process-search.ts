/**
 * `/` search over the processes' arguments and working directories (smart case: a query with an
 * upper-case letter matches case-sensitively). Matches are ordered by session (as the sessions
 * list shows them) and, within a session, by start.
 */

import type { EntrySession, ProcessNode } from '../model/types.js';
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

export function processMatches(n: ProcessNode, q: SearchQuery): boolean {
  if (q.needle === '') return false;
  const fold = (s: string): string => (q.caseSensitive ? s : s.toLowerCase());
  if (fold(n.cwd).includes(q.needle)) return true;
  const args = n.args;
  if (args.length === 0) return fold(n.name).includes(q.needle);
  if (args.length === 1) return fold(args[0] as string).includes(q.needle);
  return fold(args.join(' ')).includes(q.needle);
}

export interface SearchMatch {
  readonly hostIndex: number;
  readonly session: EntrySession;
  readonly node: ProcessNode;
}

/** Every matching process of every entry session; `order` ranks sessions (lower first). */
export function findMatches(hosts: readonly HostModelView[], q: SearchQuery, order: (hostIndex: number, s: EntrySession) => number): SearchMatch[] {
  const out: (SearchMatch & { rank: number })[] = [];
  for (let h = 0; h < hosts.length; h++) {
    for (const s of (hosts[h] as HostModelView).table.entrySessions({ includeServices: true })) {
      const rank = order(h, s);
      for (const n of s.members) if (processMatches(n, q)) out.push({ hostIndex: h, session: s, node: n, rank });
    }
  }
  out.sort((a, b) => a.rank - b.rank || a.node.start - b.node.start || a.node.pid - b.node.pid);
  return out;
}
