/**
 * Text rendering of one host's model for `sessiontop snapshot`: the entry sessions like `w`
 * (type, user, from, tty, login time, idle, live processes, last typed line), each followed by its
 * process tree like `ps f`. Service (init) sessions are summarized one line each; processes in no
 * entry session (pid 1, kernel threads) are counted. Every string that comes from a process or
 * from a recording is passed through escapeControl.
 */

import type { ProcessTable } from '../model/process-table.js';
import type { EntrySession, HostInfo, ProcessNode } from '../model/types.js';
import { escapeControl } from '../text/escape-control.js';
import { ttyName } from '../text/tty-name.js';
import type { NameLookup } from '../text/user-names.js';

export interface SnapshotTextOptions {
  host: HostInfo;
  table: ProcessTable;
  /** The moment shown (ms). */
  at: number;
  names: NameLookup;
  /** Show the trees of service (init) sessions too. */
  all?: boolean;
  /** Columns available for a command line (default 160). */
  width?: number;
}

export function renderSnapshotText(o: SnapshotTextOptions): string {
  const { table, names } = o;
  const width = o.width ?? 160;
  const sessions = table.entrySessions({ includeServices: true, includeExited: false }).filter((s) => s.liveCount > 0);
  const logins = sessions.filter((s) => !s.service).sort((a, b) => a.start - b.start);
  const services = sessions.filter((s) => s.service).sort((a, b) => a.leader.pid - b.leader.pid);
  const unattached = table.unattached({ includeExited: false });
  let live = 0;
  for (const n of table.processes()) if (!n.exited) live++;

  const lines: string[] = [];
  const h = o.host;
  lines.push(
    `host ${escapeControl(h.name)}${h.bootId !== '' ? ` (boot ${escapeControl(h.bootId.slice(0, 8))})` : ''}  at ${formatTime(o.at)}  ` +
      `${logins.length} login session${logins.length === 1 ? '' : 's'}, ${services.length} service${services.length === 1 ? '' : 's'}, ${live} processes`,
  );
  lines.push('');
  if (logins.length > 0) {
    lines.push(row(['TYPE', 'USER', 'FROM', 'TTY', 'LOGIN@', 'IDLE', 'PROCS', 'LAST TYPED'], [9, 12, 16, 8, 9, 7, 6]));
    for (const s of logins) lines.push(sessionRow(s, o.at, names));
    lines.push('');
  }
  const expanded = o.all ? [...logins, ...services] : logins;
  for (const s of expanded) {
    lines.push(`── ${s.type} session of ${escapeControl(userName(s.user, names))} — leader ${s.leader.pid} ${escapeControl(s.leader.name)}, ${s.liveCount} live`);
    lines.push(`  ${row(['PID', 'PPID', 'USER', 'TTY', 'START', 'F', 'COMMAND'], [8, 8, 10, 8, 9, 4])}`);
    for (const r of table.sessionTree(s, { includeExited: false })) lines.push(`  ${processRow(r.node, r.depth, r.subSessionStart, names, width)}`);
    lines.push('');
  }
  if (!o.all && services.length > 0) {
    lines.push(`services (init sessions; --all shows their trees):`);
    for (const s of services) {
      lines.push(`  ${String(s.leader.pid).padStart(7)}  ${escapeControl(s.leader.name).padEnd(24)} ${String(s.liveCount).padStart(5)} live  ${escapeControl(userName(s.leader.euid, names))}`);
    }
    lines.push('');
  }
  if (unattached.length > 0) {
    const kernel = unattached.filter((n) => n.kernelThread).length;
    lines.push(`${unattached.length} processes in no entry session (${kernel} kernel threads${unattached.some((n) => n.pid === 1) ? ', pid 1' : ''})`);
  }
  return `${lines.join('\n')}\n`;
}

function sessionRow(s: EntrySession, at: number, names: NameLookup): string {
  const typed = s.lastTyped === null ? '' : escapeControl(s.lastTyped.line);
  return row(
    [
      s.type,
      escapeControl(userName(s.user, names)),
      s.sourceIp === '' ? '-' : escapeControl(s.sourceIp),
      ttyName(s.tty),
      clock(s.start),
      idle(at - s.lastActivity),
      String(s.liveCount),
      typed.length > 60 ? `${typed.slice(0, 59)}…` : typed,
    ],
    [9, 12, 16, 8, 9, 7, 6],
  );
}

/** F: `*` user-entered, `i` interactive, `S` session leader. */
function processRow(n: ProcessNode, depth: number, subSession: boolean, names: NameLookup, width: number): string {
  const flags = `${n.userEntered ? '*' : ''}${n.interactive ? 'i' : ''}${subSession ? 'S' : ''}`;
  const args = n.args.length > 0 ? n.args.join(' ') : `[${n.name}]`;
  let cmd = `${depth > 0 ? `${'    '.repeat(depth - 1)} \\_ ` : ''}${escapeControl(args)}`;
  if (n.argsTruncated) cmd += ' …';
  if (cmd.length > width) cmd = `${cmd.slice(0, width - 1)}…`;
  return row([String(n.pid), String(n.ppid), escapeControl(userName(n.euid, names)), ttyName(n.tty), clock(n.start), flags, cmd], [8, 8, 10, 8, 9, 4]);
}

function row(cells: string[], widths: number[]): string {
  let out = '';
  for (let i = 0; i < cells.length; i++) {
    const c = cells[i] as string;
    const w = widths[i];
    out += w === undefined ? c : `${c.length >= w ? `${c.slice(0, w - 1)} ` : c.padEnd(w)}`;
  }
  return out.trimEnd();
}

function userName(uid: number, names: NameLookup): string {
  return names.user(uid) ?? String(uid);
}

function formatTime(ms: number): string {
  return Number.isFinite(ms) ? new Date(ms).toISOString().replace('T', ' ').replace(/\.\d+Z$/, 'Z') : '?';
}

function clock(ms: number): string {
  if (!Number.isFinite(ms) || ms === 0) return '?';
  return new Date(ms).toISOString().slice(11, 19);
}

function idle(ms: number): string {
  if (!Number.isFinite(ms) || ms < 60_000) return `${Math.max(0, Math.floor(ms / 1000))}s`;
  if (ms < 3_600_000) return `${Math.floor(ms / 60_000)}m`;
  if (ms < 86_400_000) return `${Math.floor(ms / 3_600_000)}h${String(Math.floor((ms % 3_600_000) / 60_000)).padStart(2, '0')}`;
  return `${Math.floor(ms / 86_400_000)}d`;
}
