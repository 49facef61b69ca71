/**
 * The rows of the sessions list: one per entry session (of every host) that passes the filter, in
 * the chosen order (session-order.ts: by default human logins first, each by login time, so rows
 * stay put); then one line folding the service (init) sessions — followed by them when expanded —
 * and one line folding kernel threads and the other processes that belong to no entry session.
 */

import type { EntrySession } from '../model/types.js';
import { ttyName } from '../text/tty-name.js';
import type { HostModelView } from './model-feed.js';
import { sessionPasses, type SessionFilter } from './session-filter.js';
import { compareSessions, type OrderedSession, type SessionSortKey } from './session-order.js';

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
  /** Order of the sessions (default `login`). */
  sort?: SessionSortKey;
  /** Only sessions passing this filter (default: all). */
  filter?: SessionFilter | null;
}

export function buildSessionList(hosts: readonly HostModelView[], opts: SessionListOptions): SessionEntry[] {
  const logins: OrderedSession[] = [];
  const services: OrderedSession[] = [];
  const filter = opts.filter ?? null;
  for (let h = 0; h < hosts.length; h++) {
    const host = hosts[h] as HostModelView;
    for (const s of host.table.entrySessions({ includeServices: true })) {
      const user = host.names.user(s.user) ?? String(s.user >>> 0);
      if (filter !== null && !sessionPasses(filter, { user, type: s.type, host: host.host.name, from: s.sourceIp, tty: s.tty === 0 ? '' : ttyName(s.tty), state: s.state })) continue;
      (s.service ? services : logins).push({ s, h, user });
    }
  }
  const order = compareSessions(opts.sort ?? 'login');
  logins.sort(order);
  services.sort(order);
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
