/**
 * The search's result list (`w`): every match across sessions on one line each, answering "who
 * typed X, and where": when, which login user (and host), which entry session and terminal, and the
 * line typed (with the directory it was typed in) or the command run. Strings are escaped here.
 */

import { ttyName } from '../text/tty-name.js';
import type { HostModelView } from './model-feed.js';
import type { SearchMatch } from './process-search.js';
import { commandText, safeText } from '../text/terminal-text.js';
import { clockTime } from './time-format.js';
import type { ResultRowView } from './ui-snapshot.js';

export function searchResultRow(m: SearchMatch, hosts: readonly HostModelView[]): ResultRowView {
  const host = hosts[m.hostIndex] as HostModelView;
  const s = m.session;
  let user = safeText(host.names.user(s.user) ?? String(s.user >>> 0));
  if (hosts.length > 1) user += `@${safeText(host.host.name)}`;
  const tty = m.node.tty !== 0 ? ttyName(m.node.tty) : s.tty !== 0 ? ttyName(s.tty) : '-';
  const where = `${s.type}${s.sourceIp !== '' ? ` from ${safeText(s.sourceIp)}` : ''}`;
  if (m.line !== null) {
    const cwd = m.line.cwd !== '' ? m.line.cwd : m.node.cwd;
    return {
      key: `${m.hostIndex}/${m.node.entityId}/${m.lineIndex}/${m.time}`,
      time: clockTime(m.time),
      user,
      where,
      tty,
      kind: 'typed',
      text: safeText(m.line.line) + (m.line.truncated ? ' …' : ''),
      detail: `${m.node.pid} ${safeText(m.node.name)}${cwd !== '' ? ` in ${safeText(cwd)}` : ''}`,
    };
  }
  return {
    key: `${m.hostIndex}/${m.node.entityId}/-1/${m.time}`,
    time: clockTime(m.time),
    user,
    where,
    tty,
    kind: m.node.personEntered ? 'entered' : 'process',
    text: commandText(m.node.args, m.node.name, m.node.argsTruncated),
    detail: `${m.node.pid}${m.node.cwd !== '' ? ` in ${safeText(m.node.cwd)}` : ''}`,
  };
}

export function searchResultRows(matches: readonly SearchMatch[], hosts: readonly HostModelView[], first: number, count: number): ResultRowView[] {
  const out: ResultRowView[] = [];
  for (let i = first; i < Math.min(matches.length, first + count); i++) out.push(searchResultRow(matches[i] as SearchMatch, hosts));
  return out;
}
