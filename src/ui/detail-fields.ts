/**
 * The detail panel (Enter), compact first: the ancestry chain (root first, as `pstree -s`), then
 * every field the model has about the process, its typed lines and earlier images, and one line per
 * related process (parent, leaders, last user-entered): never the same leader dumped in full
 * again. Strings from the process are escaped here; the panel only prints lines.
 */

import type { ProcessNode } from '../model/types.js';
import { ttyName } from '../text/tty-name.js';
import { AUDIT_UNSET, devMajor, devMinor, FD_TYPE_NAMES, type FdType } from '../sensor/process-event.js';
import { ancestryChain, rolesFor } from './ancestry.js';
import type { HostModelView } from './model-feed.js';
import { signalName } from './signal-names.js';
import { commandText, safeText } from '../text/terminal-text.js';
import { dateTimeMs, duration } from './time-format.js';
import type { DetailLine, Tone } from './ui-snapshot.js';

const field = (label: string, value: string, tone: Tone = 'normal'): DetailLine => ({ kind: 'field', label, value, tone });
const section = (label: string): DetailLine => ({ kind: 'section', label, value: '', tone: 'normal' });
const text = (value: string, tone: Tone = 'normal'): DetailLine => ({ kind: 'text', label: '', value, tone });

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
    field('typed by a person', n.personEntered ? 'yes' : n.userEntered ? 'no (no typed line introduced it: rc/logout file, or a program\'s own job)' : 'no', n.personEntered ? 'entered' : 'normal'),
  ];
}

/** The shell's working directory now: where its latest typed line was entered, else where it started. */
export function currentDirectory(n: ProcessNode): string {
  for (let i = n.typed.length - 1; i >= 0; i--) {
    const cwd = (n.typed[i] as ProcessNode['typed'][number]).cwd;
    if (cwd !== '') return cwd;
  }
  return n.cwd;
}

/** One line per ancestor, root first, with the roles it plays for `n`. */
export function ancestryLines(n: ProcessNode, names: HostModelView['names']): DetailLine[] {
  const { chain, cut } = ancestryChain(n);
  const out: DetailLine[] = [];
  if (cut) out.push(text('… (older ancestors not shown)', 'dim'));
  chain.forEach((a, i) => {
    const lead = i === 0 ? '' : `${'   '.repeat(i - 1)}└─ `;
    const roles = rolesFor(a, n);
    const who = safeText(names.user(a.euid) ?? String(a.euid >>> 0));
    const tty = a.tty === 0 ? '' : ` ${ttyName(a.tty)}`;
    const mark = a === n ? '◆ ' : a.personEntered ? '▸ ' : '';
    const state = a.exited ? ' (exited)' : '';
    const line = `${lead}${a.pid} ${mark}${commandText(a.args, a.name, a.argsTruncated)}  ${who}${tty}${state}${roles.length > 0 ? `  [${roles.join(', ')}]` : ''}`;
    out.push(text(line, a === n ? 'entered' : a.exited ? 'dim' : 'normal'));
  });
  return out;
}

/** Ancestry, then every field of `n`, then one line per related process. */
export function detailLines(n: ProcessNode, names: HostModelView['names'], now: number): DetailLine[] {
  const out: DetailLine[] = [];
  out.push(section('ancestry'));
  out.push(...ancestryLines(n, names));
  out.push(section(`process ${n.pid} ${safeText(n.name)}`));
  out.push(...exitLines(n, now));
  out.push(...imageLines(n));
  const here = currentDirectory(n);
  if (here !== n.cwd) out.push(field('current directory', safeText(here)));
  out.push(...credentialLines(n, names));
  out.push(...terminalLines(n));
  out.push(field('entity id', n.entityId));
  out.push(field('pid / ppid / pgid / sid', `${n.pid} / ${n.ppid} / ${n.pgid} / ${n.sid}`));
  out.push(field('start ticks', String(n.startTicks)));
  out.push(field('cgroup', n.cgroup === '' ? 'unknown' : safeText(n.cgroup)));
  out.push(field('container id', n.containerId === '' ? 'none' : safeText(n.containerId)));
  out.push(field('SSH_CONNECTION', n.sshConnection === '' ? 'not seen' : safeText(n.sshConnection)));
  out.push(field('kernel thread', n.kernelThread ? 'yes' : 'no'));
  out.push(field('first seen', n.fromSnapshot ? 'at start (/proc backfill or recording snapshot)' : 'live (fork/exec)'));
  out.push(field('last activity', dateTimeMs(n.lastActivity)));
  out.push(field('entry type', n.entryLeader?.entryType ?? 'none (no entry leader)'));
  if (n.entrySourceIp !== '') out.push(field('entry source ip', safeText(n.entrySourceIp)));
  const claimed = n.entryLeader?.entryClaimedSourceIp ?? '';
  if (claimed !== '') out.push(field('entry source ip', `none (claimed ${safeText(claimed)}: SSH_CONNECTION under an ssh daemon not vouched for by root)`));

  if (n.typed.length > 0) {
    out.push(section(`typed lines (${n.typed.length})`));
    for (const t of n.typed) {
      out.push(field(dateTimeMs(t.time).slice(11), `${safeText(t.line)}${t.truncated ? ' …' : ''}${t.cwd !== '' && t.cwd !== n.cwd ? `   (in ${safeText(t.cwd)})` : ''}`, 'typed'));
    }
  }
  if (n.previous.length > 0) {
    out.push(section(`previous execs (${n.previous.length})`));
    for (let i = n.previous.length - 1; i >= 0; i--) {
      const p = n.previous[i] as ProcessNode['previous'][number];
      out.push(field(dateTimeMs(p.time).slice(11), `${safeText(p.args.join(' ') || p.executable)}${p.argsTruncated ? ' …' : ''}`, 'dim'));
    }
  }

  out.push(section('related'));
  const related: [string, ProcessNode | null][] = [
    ['parent', n.parent],
    ['group leader', n.groupLeader],
    ['session leader', n.sessionLeader],
    ['entry leader', n.entryLeader],
    ['last user-entered', n.lastUserEntered],
  ];
  for (const [role, r] of related) {
    if (r === null) {
      out.push(field(role, 'none', 'dim'));
      continue;
    }
    if (r === n) {
      out.push(field(role, 'this process', 'dim'));
      continue;
    }
    const from = r.entrySourceIp !== '' ? ` from ${safeText(r.entrySourceIp)}` : r.entryClaimedSourceIp !== '' ? ` (claimed source ip ${safeText(r.entryClaimedSourceIp)}, untrusted)` : '';
    const extra = r.entryType !== null ? ` · ${r.entryType}${from}` : '';
    const user = safeText(names.user(r.euid) ?? String(r.euid >>> 0));
    out.push(field(role, `${processLabel(r)} · ${user} · ${dateTimeMs(r.start).slice(11, 19)}${extra}`));
  }
  return out;
}
