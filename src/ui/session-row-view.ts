/** A sessions-list entry copied into the plain row the view renders (strings escaped). */

import type { EntrySession } from '../model/types.js';
import { ttyName } from '../text/tty-name.js';
import type { ActivityHistory } from './activity-history.js';
import type { HostModelView } from './model-feed.js';
import type { SessionEntry } from './session-list.js';
import { sparkline } from './sparkline.js';
import { commandText, safeText } from '../text/terminal-text.js';
import type { SessionRowView } from './ui-snapshot.js';

export function userLabel(uid: number, names: HostModelView['names']): string {
  return safeText(names.user(uid) ?? String(uid >>> 0));
}

/** The moment a session last saw its user act: a typed line, a user-entered command, else its start. */
export function idleSince(s: EntrySession): number {
  if (s.tty === 0) return s.lastActivity;
  let t = s.start;
  if (s.lastTyped !== null && s.lastTyped.time > t) t = s.lastTyped.time;
  const ue = s.lastUserEntered;
  if (ue !== null && ue.start > t) t = ue.start;
  return t;
}

export function sessionRowView(
  e: SessionEntry,
  hosts: readonly HostModelView[],
  activity: ActivityHistory<EntrySession>,
  now: number,
  sparkWidth: number,
  expanded: boolean,
  spark: number[],
): SessionRowView {
  const s = e.session;
  if (s === null) {
    const label =
      e.kind === 'services'
        ? `services (init): ${e.count} session${e.count === 1 ? '' : 's'}, ${e.live} live process${e.live === 1 ? '' : 'es'}`
        : `kernel threads and processes outside any session: ${e.count}`;
    return {
      key: e.key,
      kind: e.kind,
      service: false,
      type: '',
      user: '',
      from: '',
      tty: '',
      start: 0,
      idleSince: 0,
      live: e.live,
      command: '',
      commandKind: 'none',
      activity: '',
      ended: false,
      label,
      expanded,
    };
  }
  const host = hosts[e.hostIndex] as HostModelView;
  let user = userLabel(s.user, host.names);
  if (hosts.length > 1) user += `@${safeText(host.host.name)}`;
  let command = '';
  let commandKind: SessionRowView['commandKind'] = 'none';
  const typed = s.lastTyped;
  const ue = s.lastUserEntered;
  if (typed !== null && (ue === null || typed.time >= ue.start)) {
    command = safeText(typed.line);
    commandKind = 'typed';
  } else if (ue !== null) {
    command = commandText(ue.args, ue.name, ue.argsTruncated);
    commandKind = 'entered';
  } else {
    command = commandText(s.leader.args, s.leader.name, s.leader.argsTruncated);
  }
  const ring = activity.of(s);
  return {
    key: e.key,
    kind: 'session',
    service: e.service,
    type: s.type,
    user,
    from: s.sourceIp === '' ? '-' : safeText(s.sourceIp),
    tty: s.tty === 0 ? '-' : ttyName(s.tty),
    start: s.start,
    idleSince: idleSince(s),
    live: s.liveCount,
    command,
    commandKind,
    activity: ring === undefined ? ' '.repeat(sparkWidth) : sparkline(ring.series(now, spark), sparkWidth),
    ended: s.liveCount === 0,
    label: '',
    expanded: false,
  };
}
