/**
 * Grouping of the sessions list by host when several hosts are watched live (`--ssh`): one header
 * row per host (its label and connection state: connecting, live, lost with the reason, retrying
 * in N s), followed by that host's login sessions in the order the list had them. The folds
 * (services, kernel threads) stay at the end, across hosts. A host whose connection is lost keeps
 * its sessions listed, shown dimmed, until it is back. Pure functions of the list and the hosts.
 */

import { escapeControl } from '../text/escape-control.js';
import type { HostModelView } from './model-feed.js';
import type { SessionEntry } from './session-list.js';

/** Whether the list is grouped: the feed describes how each host is reached. */
export function groupsByHost(hosts: readonly HostModelView[]): boolean {
  return hosts.some((h) => h.connection !== undefined);
}

/** Header row key of a host (stable across reconnections and reboots of that host). */
export function hostGroupKey(host: HostModelView): string {
  return `host:${host.host.via ?? `local:${host.host.name}`}`;
}

/** The host's label: its ssh destination, or the local host's name. Escaped. */
export function hostLabel(host: HostModelView): string {
  const h = host.host;
  if (h.via !== undefined && h.via !== '') {
    return h.name !== '' && h.name !== h.via ? `${escapeControl(h.via)} (${escapeControl(h.name)})` : escapeControl(h.via);
  }
  return `${escapeControl(h.name)} (this host)`;
}

/** The host's sessions are out of date: its connection is lost (dim them). */
export function hostIsLost(host: HostModelView | undefined): boolean {
  const s = host?.connection?.state;
  return s === 'lost' || s === 'retrying' || s === 'stopped';
}

/** `live`, `connecting…`, `lost: REASON · retrying in 8 s`… (escaped parts only). */
export function connectionText(host: HostModelView, now: number): string {
  const c = host.connection;
  if (c === undefined || c.state === 'local') return 'live';
  switch (c.state) {
    case 'live':
      return c.notice !== '' ? `live · ${c.notice}` : 'live';
    case 'connecting':
      return c.attempts > 1 && c.reason !== '' ? `connecting (attempt ${c.attempts}; last: ${c.reason})` : 'connecting…';
    case 'retrying':
      return `lost: ${c.reason} · retrying in ${Math.max(1, Math.ceil((c.retryAt - now) / 1000))} s`;
    case 'lost':
      return `lost: ${c.reason}`;
    default:
      return 'stopped';
  }
}

/** The header row's text. */
export function hostHeaderText(host: HostModelView, sessions: number, now: number): string {
  return `${hostLabel(host)} · ${connectionText(host, now)} · ${sessions} session${sessions === 1 ? '' : 's'}`;
}

/**
 * The list with one header row before each host's login sessions; `entries` is the flat list
 * (buildSessionList), whose order within a host is kept. Folds and service sessions follow.
 */
export function groupSessionsByHost(entries: readonly SessionEntry[], hosts: readonly HostModelView[]): SessionEntry[] {
  const perHost: SessionEntry[][] = hosts.map(() => []);
  const rest: SessionEntry[] = [];
  for (const e of entries) {
    if (e.kind === 'session' && !e.service && e.hostIndex >= 0 && e.hostIndex < hosts.length) (perHost[e.hostIndex] as SessionEntry[]).push(e);
    else rest.push(e);
  }
  const out: SessionEntry[] = [];
  for (let h = 0; h < hosts.length; h++) {
    const list = perHost[h] as SessionEntry[];
    let live = 0;
    for (const e of list) live += e.live;
    out.push({ kind: 'host', key: hostGroupKey(hosts[h] as HostModelView), hostIndex: h, session: null, service: false, count: list.length, live });
    for (const e of list) out.push(e);
  }
  for (const e of rest) out.push(e);
  return out;
}
