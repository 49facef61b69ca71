/**
 * The rows of the sessions list: one per entry session (of every host), most recently active
 * first; then one line folding the service (init) sessions — followed by them when expanded — and
 * one line folding kernel threads and the other processes that belong to no entry session.
 */

import type { EntrySession } from '../model/types.js';
import type { HostModelView } from './model-feed.js';

/** `host`: a host's header row when several hosts are watched live (host-groups.ts). */
export type SessionEntryKind = 'session' | 'services' | 'kernel' | 'host';

export interface SessionEntry {
  readonly kind: SessionEntryKind;
  /** Stable selection key: `host/entity-id` of the leader, or `fold:services` / `fold:kernel`. */
  readonly key: string;
  readonly hostIndex: number;
  readonly session: EntrySession | null;
  /** A service session listed under the expanded services fold. */
  readonly service: boolean;
  /** Folds: sessions (services) or processes (kernel) folded. */
  readonly count: number;
  /** Services fold: live processes of all service sessions. */
  readonly live: number;
}

export const SERVICES_KEY = 'fold:services';
export const KERNEL_KEY = 'fold:kernel';

export function sessionKey(hostIndex: number, s: EntrySession): string {
  return `${hostIndex}/${s.id}`;
}

export interface SessionListOptions {
  servicesExpanded: boolean;
  /** Processes in no entry session, per host (counted by the caller, which caches it). */
  unattached: number;
}

export function buildSessionList(hosts: readonly HostModelView[], opts: SessionListOptions): SessionEntry[] {
  const logins: { s: EntrySession; h: number }[] = [];
  const services: { s: EntrySession; h: number }[] = [];
  for (let h = 0; h < hosts.length; h++) {
    for (const s of (hosts[h] as HostModelView).table.entrySessions({ includeServices: true })) {
      (s.service ? services : logins).push({ s, h });
    }
  }
  const byActivity = (a: { s: EntrySession }, b: { s: EntrySession }): number =>
    b.s.lastActivity - a.s.lastActivity || a.s.start - b.s.start;
  if (hosts.length > 1) {
    logins.sort(byActivity);
    services.sort(byActivity);
  }
  const out: SessionEntry[] = [];
  for (const { s, h } of logins) {
    out.push({ kind: 'session', key: sessionKey(h, s), hostIndex: h, session: s, service: false, count: 0, live: s.liveCount });
  }
  if (services.length > 0) {
    let live = 0;
    for (const { s } of services) live += s.liveCount;
    out.push({ kind: 'services', key: SERVICES_KEY, hostIndex: -1, session: null, service: false, count: services.length, live });
    if (opts.servicesExpanded) {
      for (const { s, h } of services) {
        out.push({ kind: 'session', key: sessionKey(h, s), hostIndex: h, session: s, service: true, count: 0, live: s.liveCount });
      }
    }
  }
  if (opts.unattached > 0) {
    out.push({ kind: 'kernel', key: KERNEL_KEY, hostIndex: -1, session: null, service: false, count: opts.unattached, live: opts.unattached });
  }
  return out;
}
