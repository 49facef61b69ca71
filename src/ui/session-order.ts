/**
 * The order of the sessions list, as htop's sort column: a stable default (human logins first,
 * then the rest, each by login time, so rows never move under the cursor because something ran),
 * and keys a person picks (`o` / F6 cycles them).
 */

import { LOGIN_ENTRY_TYPES } from '../model/entry-leader.js';
import type { EntrySession } from '../model/types.js';
import { idleSince } from './session-row-view.js';

export type SessionSortKey = 'login' | 'start' | 'user' | 'idle' | 'procs' | 'activity';

export const SESSION_SORT_KEYS: readonly SessionSortKey[] = ['login', 'start', 'user', 'idle', 'procs', 'activity'];

/** What each key orders by (status line, help). */
export const SESSION_SORT_LABELS: Record<SessionSortKey, string> = {
  login: 'human logins first, then by login time',
  start: 'login time, oldest first',
  user: 'user name',
  idle: 'least idle first',
  procs: 'most live processes first',
  activity: 'most recent activity first',
};

/** 0: a person's login (ssh, SSM, console, serial line, or what a login left running); 1: the rest (automation, containers). */
export function humanRank(s: EntrySession): number {
  return LOGIN_ENTRY_TYPES.has(s.type) || s.loginRemnant ? 0 : 1;
}

export interface OrderedSession {
  readonly s: EntrySession;
  /** Login user name as shown (for the `user` key). */
  readonly user: string;
  /** Host index: ties break by host, then by entity id, so the order is total and stable. */
  readonly h: number;
}

export function compareSessions(key: SessionSortKey): (a: OrderedSession, b: OrderedSession) => number {
  const tie = (a: OrderedSession, b: OrderedSession): number => a.s.start - b.s.start || a.h - b.h || (a.s.id < b.s.id ? -1 : a.s.id > b.s.id ? 1 : 0);
  switch (key) {
    case 'login':
      return (a, b) => humanRank(a.s) - humanRank(b.s) || tie(a, b);
    case 'start':
      return tie;
    case 'user':
      return (a, b) => (a.user < b.user ? -1 : a.user > b.user ? 1 : 0) || tie(a, b);
    case 'idle':
      return (a, b) => idleSince(b.s) - idleSince(a.s) || tie(a, b);
    case 'procs':
      return (a, b) => b.s.liveCount - a.s.liveCount || tie(a, b);
    case 'activity':
      return (a, b) => b.s.lastActivity - a.s.lastActivity || tie(a, b);
  }
}

export function nextSortKey(key: SessionSortKey): SessionSortKey {
  const i = SESSION_SORT_KEYS.indexOf(key);
  return SESSION_SORT_KEYS[(i + 1) % SESSION_SORT_KEYS.length] as SessionSortKey;
}

/**
 * The session `f` follows: the one where a person acted last (the latest typed line or
 * person-entered command), never the busiest. Null when no session saw a person act.
 */
export function followTarget<T extends { s: EntrySession }>(sessions: Iterable<T>): T | null {
  let best: T | null = null;
  let bestAt = Number.NEGATIVE_INFINITY;
  for (const e of sessions) {
    const s = e.s;
    if (s.service) continue;
    let at = Number.NEGATIVE_INFINITY;
    if (s.lastTyped !== null) at = s.lastTyped.time;
    const ue = s.lastUserEntered;
    if (ue !== null && ue.start > at) at = ue.start;
    if (at > bestAt) {
      best = e;
      bestAt = at;
    }
  }
  return best;
}
