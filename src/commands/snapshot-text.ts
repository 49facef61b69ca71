/**
 * Text rendering of one host's model for `sessiontop snapshot`: the entry sessions like `w`
 * (type, user, from, tty, login time, idle since the terminal's last input, live processes, what
 * runs now, last typed line), each followed by its
 * process tree like `ps f`. Service (init) sessions are summarized one line each; processes in no
 * entry session (pid 1, kernel threads) are counted, and `--all` lists the ones that are not kernel
 * threads as a tree (a leaderless process never hides from `--all`). Every string that comes from a process or
 * from a recording is passed through escapeControl.
 */

import { LOGIN_ENTRY_TYPES } from '../model/entry-leader.js';
import type { ProcessTable } from '../model/process-table.js';
import { foregroundOf, lastPersonAct } from '../model/session-view.js';
import type { EntrySession, HostInfo, ProcessNode } from '../model/types.js';
import { escapeControl } from '../text/escape-control.js';
import { ttyName } from '../text/tty-name.js';
import type { NameLookup } from '../text/user-names.js';
import { unattachedRows } from '../ui/process-tree.js';

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
  /**
   * When a terminal last saw input (ms, NaN unknown): on the live host the tty's atime, as `w`
   * reads it. Absent (recordings): the last typed line or person-entered command.
   */
  lastInput?: (tty: number) => number;
  /** No typed lines can be known (live host without a recording): LAST TYPED says so once. */
  typedUnknown?: boolean;
}

const SESSION_COLUMNS = [9, 12, 16, 8, 9, 7, 6, 24];

export function renderSnapshotText(o: SnapshotTextOptions): string {
  const { table, names } = o;
  const width = o.width ?? 160;
  const sessions = table.entrySessions({ includeServices: true, includeExited: false }).filter((s) => s.liveCount > 0);
  // human logins first (as the live view lists them), each group by login time
  const rank = (s: EntrySession): number => (LOGIN_ENTRY_TYPES.has(s.type) || s.loginRemnant ? 0 : 1);
  const logins = sessions.filter((s) => !s.service).sort((a, b) => rank(a) - rank(b) || a.start - b.start);
  const services = sessions.filter((s) => s.service).sort((a, b) => a.leader.pid - b.leader.pid);
  const unattached = table.unattached({ includeExited: false });
  let live = 0;
  for (const n of table.processes()) if (!n.exited) live++;

  const lines: string[] = [];
  const h = o.host;
  lines.push(
    `host ${h.via !== undefined && h.via !== '' ? `${escapeControl(h.via)} (${escapeControl(h.name)})` : escapeControl(h.name)}${h.bootId !== '' ? ` (boot ${escapeControl(h.bootId.slice(0, 8))})` : ''}  at ${formatTime(o.at)}  ` +
      `${logins.length} login session${logins.length === 1 ? '' : 's'}, ${services.length} service${services.length === 1 ? '' : 's'}, ${live} processes`,
  );
  lines.push('');
  if (logins.length > 0) {
    lines.push(row(['TYPE', 'USER', 'FROM', 'TTY', 'LOGIN@', 'IDLE', 'PROCS', 'WHAT', 'LAST TYPED'], SESSION_COLUMNS));
    for (const s of logins) lines.push(sessionRow(s, o, names));
    if (o.typedUnknown) lines.push('(typed lines are known from a recording: snapshot --history FILE, or --from FILE)');
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
    const shown = o.all ? unattached.filter((n) => !n.kernelThread) : [];
    lines.push(
      `${unattached.length} process${unattached.length === 1 ? '' : 'es'} in no entry session (${kernel} kernel threads${unattached.some((n) => n.pid === 1) ? ', pid 1' : ''})` +
        (o.all ? (shown.length > 0 ? ':' : '') : kernel < unattached.length ? '; --all lists them' : ''),
    );
    if (shown.length > 0) {
      lines.push(`  ${row(['PID', 'PPID', 'USER', 'TTY', 'START', 'F', 'COMMAND'], [8, 8, 10, 8, 9, 4])}`);
      for (const r of unattachedRows(shown)) lines.push(`  ${processRow(r.node, r.depth, false, names, width)}`);
    }
  }
  return `${lines.join('\n')}\n`;
}

function sessionRow(s: EntrySession, o: SnapshotTextOptions, names: NameLookup): string {
  const typed = s.lastTyped === null ? (o.typedUnknown ? '?' : '-') : escapeControl(s.lastTyped.line);
  let since = Number.NaN;
  if (s.tty !== 0 && o.lastInput !== undefined) since = o.lastInput(s.tty);
  if (Number.isNaN(since)) since = s.tty !== 0 ? lastPersonAct(s) : s.lastActivity;
  const fg = foregroundOf(s);
  let what = escapeControl(fg.args.length > 0 ? fg.args.join(' ') : `[${fg.name}]`);
  if (what.length > 23) what = `${what.slice(0, 22)}…`;
  return row(
    [
      s.type,
      escapeControl(userName(s.user, names)),
      s.sourceIp === '' ? '-' : escapeControl(s.sourceIp),
      ttyName(s.tty),
      clock(s.start),
      idle(o.at - since),
      String(s.liveCount),
      what,
      typed.length > 60 ? `${typed.slice(0, 59)}…` : typed,
    ],
    SESSION_COLUMNS,
  );
}

/** F: `*` user-entered, `i` interactive, `S` session leader. */
function processRow(n: ProcessNode, depth: number, subSession: boolean, names: NameLookup, width: number): string {
  const flags = `${n.personEntered ? '*' : ''}${n.interactive ? 'i' : ''}${subSession ? 'S' : ''}`;
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
