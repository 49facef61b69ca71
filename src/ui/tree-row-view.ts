/** A process-tree entry copied into the plain row the view renders (strings escaped). */

import type { ProcessNode } from '../model/types.js';
import { ttyName } from '../text/tty-name.js';
import type { HostModelView } from './model-feed.js';
import type { TreeEntry } from './process-tree.js';
import { userLabel } from './session-row-view.js';
import { commandText, safeText } from '../text/terminal-text.js';
import type { TreeRowView } from './ui-snapshot.js';

/** What kind of sub-session a session leader starts, named after what started it. */
export function subSessionKind(n: ProcessNode): string {
  if (n.name.startsWith('tmux')) return 'tmux server';
  if (n.name === 'screen' || n.name === 'SCREEN') return 'screen server';
  const p = n.parent;
  const pn = p === null ? '' : p.name;
  if (pn.startsWith('tmux')) return 'tmux pane';
  if (pn === 'screen' || pn === 'SCREEN') return 'screen window';
  if (pn === 'sudo') return 'sudo pty session';
  if (pn === 'su') return 'su session';
  if (pn === 'sshd' || pn === 'sshd-session') return 'ssh session';
  if (pn === 'script') return 'script session';
  if (pn === 'setsid') return 'setsid session';
  return 'session';
}

export function treeRowView(e: TreeEntry, names: HostModelView['names'], match: boolean): TreeRowView {
  const n = e.node;
  let text: string;
  let time: number;
  if (e.kind === 'typed') {
    const line = e.line as NonNullable<TreeEntry['line']>;
    text = safeText(line.line) + (line.truncated ? ' …' : '');
    time = line.time;
  } else if (e.kind === 'subhead') {
    text = `${subSessionKind(n)} · ${n.tty === 0 ? 'no tty' : ttyName(n.tty)} · sid ${n.sid} · ${userLabel(n.euid, names)}`;
    time = n.start;
  } else {
    text = commandText(n.args, n.name, n.argsTruncated);
    time = n.start;
  }
  return {
    key: e.key,
    kind: e.kind,
    prefix: e.prefix,
    pid: n.pid,
    text,
    time,
    userEntered: e.kind === 'process' && n.userEntered,
    noise: e.noise,
    exited: n.exited,
    start: n.start,
    end: n.end,
    exitCode: n.exitCode,
    signal: n.signal,
    coreDumped: n.coreDumped,
    match,
  };
}
