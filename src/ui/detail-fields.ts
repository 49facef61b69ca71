/**
 * The detail panel (Enter): every field the model has about one process, then the same about its
 * parent and each of its leaders (group, session, entry) and its last user-entered ancestor.
 * Strings from the process are escaped here; the panel only prints lines.
 */

import type { ProcessNode } from '../model/types.js';
import { ttyName } from '../text/tty-name.js';
import { AUDIT_UNSET, devMajor, devMinor, FD_TYPE_NAMES, type FdType } from '../sensor/process-event.js';
import type { HostModelView } from './model-feed.js';
import { signalName } from './signal-names.js';
import { safeText } from '../text/terminal-text.js';
import { dateTimeMs, duration } from './time-format.js';
import type { DetailLine, Tone } from './ui-snapshot.js';

const field = (label: string, value: string, tone: Tone = 'normal'): DetailLine => ({ kind: 'field', label, value, tone });
const section = (label: string): DetailLine => ({ kind: 'section', label, value: '', tone: 'normal' });

function idWithName(id: number, name: string | undefined): string {
  return name === undefined ? String(id >>> 0) : `${id >>> 0} (${safeText(name)})`;
}

function auditValue(v: number): string {
  return v === AUDIT_UNSET || v === -1 ? 'unset' : String(v >>> 0);
}

function fd(type: FdType, dev: number): string {
  const name = FD_TYPE_NAMES[type] ?? 'other';
  if (type === 0 && dev === 0) return 'none';
  return `${name} ${devMajor(dev)}:${devMinor(dev)}${type === 1 && dev !== 0 ? ` (${ttyName(dev)})` : ''}`;
}

/** One-line identity of a related process. */
export function processLabel(n: ProcessNode | null): string {
  if (n === null) return 'none';
  return `${n.pid} ${safeText(n.name)}${n.exited ? ' (exited)' : ''}`;
}

function exitLines(n: ProcessNode, now: number): DetailLine[] {
  const out: DetailLine[] = [];
  const lasted = (n.exited ? n.end : now) - n.start;
  out.push(field('state', n.exited ? 'exited' : 'running', n.exited ? 'dim' : 'good'));
  out.push(field('start', dateTimeMs(n.start)));
  if (n.exited) {
    out.push(field('end', dateTimeMs(n.end)));
    out.push(field('duration', duration(lasted)));
    out.push(field('exit cause', n.exitCause === '' ? 'unknown (end not seen)' : n.exitCause, n.exitCause === 'exited' ? 'normal' : 'bad'));
    out.push(field('exit code', String(n.exitCode), n.exitCode !== 0 ? 'bad' : 'normal'));
    if (n.signal !== 0) out.push(field('signal', `${signalName(n.signal)} (${n.signal})${n.coreDumped ? ', core dumped' : ''}`, 'bad'));
  } else {
    out.push(field('running for', duration(lasted)));
  }
  return out;
}

function credentialLines(n: ProcessNode, names: HostModelView['names']): DetailLine[] {
  const u = (id: number): string => idWithName(id, names.user(id));
  const g = (id: number): string => idWithName(id, names.group(id));
  return [
    field('user (euid)', u(n.euid)),
    field('real user (uid)', u(n.uid)),
    field('saved user (suid)', u(n.suid)),
    field('group (egid)', g(n.egid)),
    field('real group (gid)', g(n.gid)),
    field('saved group (sgid)', g(n.sgid)),
    field('audit login uid', n.loginUid === AUDIT_UNSET ? 'unset' : u(n.loginUid)),
    field('audit session id', auditValue(n.auditSessionId)),
  ];
}

function imageLines(n: ProcessNode): DetailLine[] {
  const out: DetailLine[] = [
    field('name', safeText(n.name)),
    field('comm', safeText(n.comm)),
    field('executable', n.executable === '' ? 'unknown' : safeText(n.executable)),
  ];
  if (n.args.length === 0) out.push(field('args', 'none'));
  for (let i = 0; i < n.args.length; i++) out.push(field(`args[${i}]`, safeText(n.args[i] as string)));
  if (n.argsTruncated) out.push(field('args truncated', 'yes (the sensor bound was reached)', 'warn'));
  out.push(field('working directory', n.cwd === '' ? 'unknown' : safeText(n.cwd)));
  return out;
}

function terminalLines(n: ProcessNode): DetailLine[] {
  return [
    field('tty', n.tty === 0 ? 'none' : `${ttyName(n.tty)} (${devMajor(n.tty)}:${devMinor(n.tty)})`),
    field('stdin', fd(n.stdinType, n.stdinDev)),
    field('stdout', fd(n.stdoutType, n.stdoutDev)),
    field('stderr', fd(n.stderrType, n.stderrDev)),
    field('interactive', n.interactive ? 'yes' : 'no'),
    field('user-entered', n.userEntered ? 'yes' : 'no', n.userEntered ? 'entered' : 'normal'),
  ];
}

/** Every field of `n`, then of its parent and leaders. */
export function detailLines(n: ProcessNode, names: HostModelView['names'], now: number): DetailLine[] {
  const out: DetailLine[] = [];
  out.push(section(`process ${n.pid} ${safeText(n.name)}`));
  out.push(field('entity id', n.entityId));
  out.push(field('pid', String(n.pid)));
  out.push(field('parent pid', String(n.ppid)));
  out.push(field('process group', String(n.pgid)));
  out.push(field('session id', String(n.sid)));
  out.push(field('start ticks', String(n.startTicks)));
  out.push(...exitLines(n, now));
  out.push(...imageLines(n));
  out.push(...credentialLines(n, names));
  out.push(...terminalLines(n));
  out.push(field('last user-entered', processLabel(n.lastUserEntered)));
  out.push(field('cgroup', n.cgroup === '' ? 'unknown' : safeText(n.cgroup)));
  out.push(field('container id', n.containerId === '' ? 'none' : safeText(n.containerId)));
  out.push(field('SSH_CONNECTION', n.sshConnection === '' ? 'not seen' : safeText(n.sshConnection)));
  out.push(field('kernel thread', n.kernelThread ? 'yes' : 'no'));
  out.push(field('first seen', n.fromSnapshot ? 'at start (/proc backfill or recording snapshot)' : 'live (fork/exec)'));
  out.push(field('last activity', dateTimeMs(n.lastActivity)));
  out.push(field('entry type', n.entryLeader?.entryType ?? 'none (no entry leader)'));
  if (n.entrySourceIp !== '') out.push(field('entry source ip', safeText(n.entrySourceIp)));

  out.push(section(`previous execs (${n.previous.length})`));
  if (n.previous.length === 0) out.push(field('previous', 'none'));
  for (let i = n.previous.length - 1; i >= 0; i--) {
    const p = n.previous[i] as ProcessNode['previous'][number];
    out.push(field(dateTimeMs(p.time).slice(11), `${safeText(p.args.join(' ') || p.executable)}${p.argsTruncated ? ' …' : ''}`, 'dim'));
  }
  out.push(section(`typed lines (${n.typed.length})`));
  if (n.typed.length === 0) out.push(field('typed', 'none'));
  for (const t of n.typed) out.push(field(dateTimeMs(t.time).slice(11), `${safeText(t.line)}${t.truncated ? ' …' : ''}`, 'typed'));

  const related: [string, ProcessNode | null][] = [
    ['parent', n.parent],
    ['group leader', n.groupLeader],
    ['session leader', n.sessionLeader],
    ['entry leader', n.entryLeader],
    ['last user-entered', n.lastUserEntered],
  ];
  for (const [role, r] of related) {
    out.push(section(`${role}: ${processLabel(r)}`));
    if (r === null) {
      out.push(field(role, 'none'));
      continue;
    }
    if (r === n) {
      out.push(field(role, 'this process'));
      continue;
    }
    out.push(field('entity id', r.entityId));
    out.push(field('pid / ppid / pgid / sid', `${r.pid} / ${r.ppid} / ${r.pgid} / ${r.sid}`));
    out.push(...exitLines(r, now));
    out.push(...imageLines(r));
    out.push(...credentialLines(r, names));
    out.push(...terminalLines(r));
    if (r.entryType !== null) {
      out.push(field('entry type', r.entryType));
      out.push(field('entry source ip', r.entrySourceIp === '' ? 'none' : safeText(r.entrySourceIp)));
    }
    out.push(field('container id', r.containerId === '' ? 'none' : safeText(r.containerId)));
  }
  return out;
}
