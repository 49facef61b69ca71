/**
 * ECS NDJSON writer side: one recording line (docs/design.md, "The record schema") from an event and the enriched model
 * node it concerns. Built as a string by hand — fixed field order, JSON string escaping only where
 * a value needs it — because it runs for every event (measured in bench/record-throughput.ts).
 *
 * What a line holds:
 * - the raw facts replay needs (pid, ppid/pgid/sid via parent/group_leader/session_leader `.pid`,
 *   start and `sessiontop.start_ticks`, credentials, audit ids, tty and stdio devices, comm,
 *   executable, args, cwd, exit facts, typed line, setpgid target, lost; the cgroup leaf and
 *   SSH_CONNECTION only on exec and snapshot lines, the only ones the model takes them from);
 * - the derived fields for ECS consumers (entity ids, leaders with their entity ids, entry type
 *   and source ip, the untrusted claimed source ip of a refused ssh login, interactive,
 *   user-entered, last user-entered, previous execs, container id).
 *   A reader never trusts these: it recomputes them (recording-reader.ts).
 *
 * Every field here is declared in schema.ts, and every field outside `sessiontop.*` exists with a
 * compatible type in the ECS field set (test/record/ecs-conformance.test.ts checks both).
 */

import { randomBytes } from 'node:crypto';
import { AUDIT_UNSET, devMajor, devMinor, FD_TYPE_NAMES, type ProcessEvent, type EventAction, type FdType } from '../sensor/process-event.js';
import type { HostInfo, ProcessNode } from '../model/types.js';
import { formatIsoMicros } from './ecs-time.js';
import { flattened, jsonString, jsonStringArray } from './json-text.js';
import { isEcsIp } from './schema.js';
import { NO_NAMES, type NameLookup } from '../text/user-names.js';

/** The raw facts of a process, as both ProcessEvent and ProcessNode carry them. */
export type ProcessFacts = Pick<
  ProcessNode,
  | 'pid'
  | 'ppid'
  | 'pgid'
  | 'sid'
  | 'startTicks'
  | 'start'
  | 'uid'
  | 'euid'
  | 'suid'
  | 'gid'
  | 'egid'
  | 'sgid'
  | 'loginUid'
  | 'auditSessionId'
  | 'tty'
  | 'stdinDev'
  | 'stdinType'
  | 'stdoutDev'
  | 'stdoutType'
  | 'stderrDev'
  | 'stderrType'
  | 'comm'
  | 'executable'
  | 'args'
  | 'argsTruncated'
  | 'cwd'
  | 'cgroup'
  | 'sshConnection'
  | 'exitCode'
  | 'signal'
  | 'coreDumped'
>;

/** ECS `event.type` per action (process category allows start, end, change, info, access). */
export const EVENT_TYPE_OF: Readonly<Record<EventAction, string>> = {
  snapshot: 'info',
  fork: 'start',
  exec: 'start',
  end: 'end',
  setsid: 'change',
  setpgid: 'change',
  id_change: 'change',
  typed: 'info',
  text_output: 'info',
  lost: 'info',
};

export interface EcsDocumentOptions {
  host: HostInfo;
  /** uid/gid → name for `*.user.name` / `*.group.name` (default: none). */
  names?: NameLookup;
}

/**
 * Builds recording lines for one host. Each method returns one complete line including the
 * trailing newline.
 */
export class EcsDocumentBuilder {
  readonly host: HostInfo;
  private readonly names: NameLookup;
  /** `host` with name and boot id: on every line (a reader keeps hosts apart by both). */
  private readonly hostPart: string;
  /** `host` with the once-per-host facts too (pid namespace, kernel): on snapshot lines. */
  private readonly hostPartFull: string;
  /** `,"ssh_destination":…` inside `sessiontop` for a host watched over ssh, '' otherwise. */
  private readonly viaPart: string;
  private readonly eventParts: Record<EventAction, string>;
  /**
   * `event.id`: a random prefix per builder and a sequence number, unique per line. Kibana's Session
   * View keeps one event per `event.id` for each process (a missing id collapses a process's fork,
   * exec and end into the first), so every line has its own.
   */
  private readonly idPrefix = `${randomBytes(6).toString('hex')}-`;
  private seq = 0;

  constructor(options: EcsDocumentOptions) {
    this.host = options.host;
    this.names = options.names ?? NO_NAMES;
    this.hostPart = hostJson(options.host, false);
    this.hostPartFull = hostJson(options.host, true);
    const via = options.host.via ?? '';
    this.viaPart = via === '' ? '' : `,"ssh_destination":${jsonString(via)}`;
    const parts = {} as Record<EventAction, string>;
    for (const action of Object.keys(EVENT_TYPE_OF) as EventAction[]) {
      parts[action] = `"kind":"event","category":["process"],"type":["${EVENT_TYPE_OF[action]}"],"action":"${action}"}`;
    }
    this.eventParts = parts;
  }

  /**
   * The line for an event as the model applied it. `node` is what `ProcessTable.apply(e)` returned;
   * when it is null or not the event's own process (setpgid returns the target), the process part
   * comes from the event's raw facts alone.
   */
  eventLine(e: ProcessEvent, node: ProcessNode | null): string {
    const action = e.action;
    let out = `{"@timestamp":"${formatIsoMicros(e.time)}","event":{"id":"${this.idPrefix}${(this.seq++).toString(36)}",${this.eventParts[action]},${action === 'snapshot' ? this.hostPartFull : this.hostPart}`;
    if (action === 'lost') return `${out},"sessiontop":{"lost":${safeCount(e.lost)}${this.viaPart}}}\n`;
    const own = node !== null && node.pid === e.pid ? node : null;
    const facts: ProcessFacts = own ?? e;
    out += this.processPart(action, facts, own, e.time, e);
    out += this.sessiontopPart(action, facts, own, e);
    // After its end line a process appears only as the parent or leader of others, and most never
    // do: its fragments are dropped (a later line that names it builds what it needs again)
    if (action === 'end' && own !== null) this.fragments.delete(own);
    return `${out}}\n`;
  }

  /** A `snapshot` line for a live node at `time` (a recording's first lines; `snapshot --json`). */
  snapshotLine(node: ProcessNode, time: number): string {
    let out = `{"@timestamp":"${formatIsoMicros(time)}","event":{"id":"${this.idPrefix}${(this.seq++).toString(36)}",${this.eventParts.snapshot},${this.hostPartFull}`;
    out += this.processPart('snapshot', node, node, time, null);
    out += this.sessiontopPart('snapshot', node, node, null);
    return `${out}}\n`;
  }

  // ------------------------------------------------------------------ parts

  /**
   * JSON fragments last built per node. Parents and leaders recur line after line (every command
   * of a session names the same shell and entry leader), so each block is rebuilt only when a field
   * it shows changed: fewer strings built, less garbage.
   */
  private readonly fragments = new WeakMap<ProcessNode, Fragments>();

  private fragmentsOf(n: ProcessNode): Fragments {
    let f = this.fragments.get(n);
    if (f === undefined) {
      f = newFragments();
      this.fragments.set(n, f);
    }
    return f;
  }

  /** `"entity_id":…,"pid":…,"start":…` of a related process. */
  private keyOf(n: ProcessNode): string {
    const f = this.fragmentsOf(n);
    const id = n.entityId;
    if (f.key === '' || f.id !== id || f.start !== n.start) {
      f.id = id;
      f.start = n.start;
      f.key = flattened(n.start !== 0 ? `"entity_id":"${id}","pid":${n.pid},"start":"${formatIsoMicros(n.start)}"` : `"entity_id":"${id}","pid":${n.pid}`);
    }
    return f.key;
  }

  /** `{key,"name":…}`: the node as a group or session leader. */
  private leaderBlock(n: ProcessNode): string {
    const key = this.keyOf(n);
    const f = this.fragmentsOf(n);
    if (f.leader === '' || f.leaderKey !== key || f.leaderName !== n.name) {
      f.leaderKey = key;
      f.leaderName = n.name;
      f.leader = flattened(`{${key},"name":${jsonString(n.name)}}`);
    }
    return f.leader;
  }

  /** `{key,"name","executable","group_leader":{…}}`: the node as a parent. */
  private parentBlock(p: ProcessNode): string {
    const key = this.keyOf(p);
    const gl = p.groupLeader;
    const glKey = gl !== null ? this.keyOf(gl) : '';
    const f = this.fragmentsOf(p);
    if (f.parent === '' || f.parentKey !== key || f.parentName !== p.name || f.parentExe !== p.executable || f.parentGlKey !== glKey || f.parentPgid !== p.pgid) {
      f.parentKey = key;
      f.parentName = p.name;
      f.parentExe = p.executable;
      f.parentGlKey = glKey;
      f.parentPgid = p.pgid;
      f.parent = flattened(`{${key},"name":${jsonString(p.name)},"executable":${jsonString(p.executable)},"group_leader":{${gl !== null ? glKey : `"pid":${p.pgid}`}}}`);
    }
    return f.parent;
  }

  /** The node as an entry leader: what Session View shows of a session. */
  private entryBlock(el: ProcessNode): string {
    const key = this.keyOf(el);
    const userName = this.names.user(el.euid);
    const f = this.fragmentsOf(el);
    if (
      f.entry === '' ||
      f.entryKey !== key ||
      f.entryName !== el.name ||
      f.entryExe !== el.executable ||
      f.entryTty !== el.tty ||
      f.entryEuid !== el.euid ||
      f.entryUserName !== userName ||
      f.entryType !== el.entryType ||
      f.entryIp !== el.entrySourceIp
    ) {
      f.entryKey = key;
      f.entryName = el.name;
      f.entryExe = el.executable;
      f.entryTty = el.tty;
      f.entryEuid = el.euid;
      f.entryUserName = userName;
      f.entryType = el.entryType;
      f.entryIp = el.entrySourceIp;
      let out = `{${key},"name":${jsonString(el.name)},"executable":${jsonString(el.executable)}`;
      if (el.tty !== 0) out += `,"tty":{"char_device":{"major":${devMajor(el.tty)},"minor":${devMinor(el.tty)}}}`;
      out += `,"user":${idName(el.euid, userName)}`;
      out += `,"entry_meta":{"type":"${el.entryType ?? 'unknown'}"`;
      if (el.entrySourceIp !== '' && isEcsIp(el.entrySourceIp)) out += `,"source":{"ip":"${el.entrySourceIp}"}`;
      f.entry = flattened(`${out}}}`);
    }
    return f.entry;
  }

  /** `,"args":…,"args_count":…,"command_line":…` (cached per node while its args array is the same). */
  private argsBlock(args: readonly string[], n: ProcessNode | null): string {
    const f = n !== null ? this.fragmentsOf(n) : null;
    if (f !== null && f.argsRef === args) return f.args;
    const text = `,"args":${jsonStringArray(args)},"args_count":${args.length},"command_line":${jsonString(args.join(' '))}`;
    if (f !== null) {
      f.argsRef = args;
      f.args = flattened(text);
    }
    return text;
  }

  /** The six credential objects of a process (cached per node while its ids stay the same). */
  private credentials(c: ProcessFacts, n: ProcessNode | null): string {
    const f = n !== null ? this.fragmentsOf(n) : null;
    if (f !== null && f.creds !== '' && f.uid === c.uid && f.euid === c.euid && f.suid === c.suid && f.gid === c.gid && f.egid === c.egid && f.sgid === c.sgid) {
      return f.creds;
    }
    const names = this.names;
    // real and saved ids only when they differ from the effective ones (a reader defaults them to
    // the effective ids): most processes never change ids, and 4 objects a line add up
    let creds = `,"user":${idName(c.euid, names.user(c.euid))}`;
    if (c.uid !== c.euid) creds += `,"real_user":${idName(c.uid, names.user(c.uid))}`;
    if (c.suid !== c.euid) creds += `,"saved_user":${idName(c.suid, names.user(c.suid))}`;
    creds += `,"group":${idName(c.egid, names.group(c.egid))}`;
    if (c.gid !== c.egid) creds += `,"real_group":${idName(c.gid, names.group(c.gid))}`;
    if (c.sgid !== c.egid) creds += `,"saved_group":${idName(c.sgid, names.group(c.sgid))}`;
    if (f !== null) {
      f.uid = c.uid;
      f.euid = c.euid;
      f.suid = c.suid;
      f.gid = c.gid;
      f.egid = c.egid;
      f.sgid = c.sgid;
      f.creds = flattened(creds);
    }
    return creds;
  }

  /** `,"user":{…},"process":{…}[,"container":{…}]` */
  private processPart(action: EventAction, f: ProcessFacts, n: ProcessNode | null, time: number, e: ProcessEvent | null): string {
    const names = this.names;
    const euidName = names.user(f.euid);
    let out = `,"user":${idName(f.euid, euidName)},"process":{`;
    if (n !== null) out += this.keyOf(n);
    else out += f.start !== 0 ? `"pid":${f.pid},"start":"${formatIsoMicros(f.start)}"` : `"pid":${f.pid}`;
    const name = n !== null ? n.name : nameOfFacts(f);
    if (name !== '') out += `,"name":${jsonString(name)}`;
    const full = action === 'snapshot' || action === 'fork' || action === 'exec';
    if (full || f.executable !== '') out += `,"executable":${jsonString(f.executable)}`;
    // The image (argv, cwd) on the lines that start one (snapshot, fork, exec), on `end` (Kibana's
    // Session View shows a process from any of its fork/exec/end lines, and a page of events may
    // hold only the end), and whenever the process is not in the model; other lines of a known
    // process (setsid, setpgid, id_change, typed) name it by entity id, pid, start, name and
    // executable, as the model takes the image from exec and snapshot lines only.
    if (full || action === 'end' || n === null) {
      if (f.args.length > 0) out += this.argsBlock(f.args, n);
      if (f.cwd !== '') out += `,"working_directory":${jsonString(f.cwd)}`;
    } else if (action === 'typed' && f.cwd !== '') {
      // where the line was typed: the shell's directory then (replay moves the shell's cwd with it)
      out += `,"working_directory":${jsonString(f.cwd)}`;
    }
    if (n !== null) out += `,"interactive":${n.interactive}`;
    const io = action === 'text_output' ? e : null;
    if (io !== null) out += ttyOutputPart(f.tty, io);
    else if (f.tty !== 0) out += `,"tty":{"char_device":{"major":${devMajor(f.tty)},"minor":${devMinor(f.tty)}}}`;
    out += this.credentials(f, n);
    if (n !== null && n.previous.length > 0 && (action === 'exec' || action === 'snapshot')) {
      out += ',"previous":[';
      for (let i = 0; i < n.previous.length; i++) {
        const p = n.previous[i] as ProcessNode['previous'][number];
        if (i > 0) out += ',';
        out += `{"executable":${jsonString(p.executable)},"args":${jsonStringArray(p.args)},"args_count":${p.args.length}}`;
      }
      out += ']';
    }
    // parent (with parent.group_leader), leaders: their keys and names; the entry leader also
    // carries what Session View shows for a session (executable, user, entry_meta)
    const parent = n?.parent ?? null;
    out += parent !== null ? `,"parent":${this.parentBlock(parent)}` : `,"parent":{"pid":${f.ppid}}`;
    const gl = n?.groupLeader ?? null;
    out += gl !== null ? `,"group_leader":${this.leaderBlock(gl)}` : `,"group_leader":{"pid":${f.pgid}}`;
    const sl = n?.sessionLeader ?? null;
    out += sl !== null ? `,"session_leader":${this.leaderBlock(sl)}` : `,"session_leader":{"pid":${f.sid}}`;
    const el = n?.entryLeader ?? null;
    if (el !== null) out += `,"entry_leader":${this.entryBlock(el)}`;
    // exit
    if (action === 'end' || (n !== null && n.exited)) {
      const end = n !== null && n.end !== 0 ? n.end : time;
      out += `,"end":"${formatIsoMicros(end)}"`;
      if (!exitIsUnknown(n, e)) out += `,"exit_code":${exitCodeOf(f)}`;
    }
    out += '}';
    const containerId = n !== null ? n.containerId : '';
    if (containerId !== '') out += `,"container":{"id":${jsonString(containerId)}}`;
    return out;
  }

  /** `,"sessiontop":{…}` — extension fields and the raw facts ECS has no field for. */
  private sessiontopPart(action: EventAction, f: ProcessFacts, n: ProcessNode | null, e: ProcessEvent | null): string {
    let out = `,"sessiontop":{"start_ticks":${safeCount(f.startTicks)}${this.viaPart}`;
    const name = n !== null ? n.name : nameOfFacts(f);
    if (f.comm !== '' && f.comm !== name) out += `,"comm":${jsonString(f.comm)}`;
    // image facts the model takes from exec and snapshot only: written on those lines
    const image = action === 'exec' || action === 'snapshot';
    if (image && f.cgroup !== '') out += `,"cgroup":${jsonString(f.cgroup)}`;
    if (image && f.sshConnection !== '') out += `,"ssh_connection":${jsonString(f.sshConnection)}`;
    if (n !== null) {
      out += `,"user_entered":${n.userEntered}`;
      const lue = n.lastUserEntered;
      if (lue !== null) out += `,"last_user_entered":{"entity_id":"${lue.entityId}","pid":${lue.pid},"name":${jsonString(lue.name)}}`;
      const claimed = n.entryLeader?.entryClaimedSourceIp ?? '';
      if (claimed !== '') out += `,"entry_meta":{"claimed_source_ip":${jsonString(claimed)}}`;
    }
    out += stdio('stdin', f.stdinType, f.stdinDev);
    out += stdio('stdout', f.stdoutType, f.stdoutDev);
    out += stdio('stderr', f.stderrType, f.stderrDev);
    if (f.argsTruncated && f.args.length > 0 && (action === 'snapshot' || action === 'fork' || action === 'exec' || n === null)) out += ',"args_truncated":true';
    const hasLogin = f.loginUid !== AUDIT_UNSET;
    const hasSession = f.auditSessionId !== AUDIT_UNSET;
    if (hasLogin || hasSession) {
      out += ',"audit":{';
      if (hasLogin) out += `"login_uid":${f.loginUid >>> 0}`;
      if (hasSession) out += `${hasLogin ? ',' : ''}"session_id":${f.auditSessionId >>> 0}`;
      out += '}';
    }
    if (action === 'end' || (n !== null && n.exited)) {
      const cause = exitIsUnknown(n, e) ? 'unknown' : f.coreDumped ? 'coredumped' : f.signal !== 0 ? 'signaled' : 'exited';
      out += `,"exit_cause":"${cause}"`;
      if (f.signal !== 0) out += `,"signal":${f.signal & 0xff}`;
    }
    if (e !== null) {
      if (action === 'typed') out += `,"typed":{"line":${jsonString(e.line)},"truncated":${e.lineTruncated}${e.shell !== '' ? `,"shell":"${e.shell}"` : ''}}`;
      else if (action === 'setpgid') out += `,"setpgid":{"pid":${e.targetPid >>> 0},"pgid":${e.targetPgid >>> 0}}`;
    }
    return `${out}}`;
  }
}

// ---------------------------------------------------------------------- helpers

interface Fragments {
  id: string;
  start: number;
  key: string;
  leaderKey: string;
  leaderName: string;
  leader: string;
  parentKey: string;
  parentName: string;
  parentExe: string;
  parentGlKey: string;
  parentPgid: number;
  parent: string;
  entryKey: string;
  entryName: string;
  entryExe: string;
  entryTty: number;
  entryEuid: number;
  entryUserName: string | undefined;
  entryType: string | null;
  entryIp: string;
  entry: string;
  uid: number;
  euid: number;
  suid: number;
  gid: number;
  egid: number;
  sgid: number;
  creds: string;
  argsRef: readonly string[] | null;
  args: string;
}

function newFragments(): Fragments {
  return {
    id: '',
    start: 0,
    key: '',
    leaderKey: '',
    leaderName: '',
    leader: '',
    parentKey: '',
    parentName: '',
    parentExe: '',
    parentGlKey: '',
    parentPgid: 0,
    parent: '',
    entryKey: '',
    entryName: '',
    entryExe: '',
    entryTty: 0,
    entryEuid: 0,
    entryUserName: undefined,
    entryType: null,
    entryIp: '',
    entry: '',
    uid: 0,
    euid: 0,
    suid: 0,
    gid: 0,
    egid: 0,
    sgid: 0,
    creds: '',
    argsRef: null,
    args: '',
  };
}

/** `"host":{…}`: name and boot id; with `full`, the pid namespace and kernel too. */
function hostJson(h: HostInfo, full: boolean): string {
  let out = `"host":{"name":${jsonString(h.name)}`;
  if (h.bootId !== '') out += `,"boot":{"id":${jsonString(h.bootId)}}`;
  if (full && h.pidNsIno !== 0) out += `,"pid_ns_ino":"${h.pidNsIno}"`;
  if (full && h.kernel !== '') out += `,"os":{"kernel":${jsonString(h.kernel)}}`;
  return `${out}}`;
}

/** `{"id":"N","name":…}` (name only when known). */
function idName(id: number, name: string | undefined): string {
  return name === undefined ? `{"id":"${id >>> 0}"}` : `{"id":"${id >>> 0}","name":${jsonString(name)}}`;
}


/**
 * `,"tty":{…,"rows","columns"},"io":{…}` of a text_output line, as Elastic's sensor writes them
 * (process.io.type `tty`; bytes_skipped offsets count bytes of the captured text).
 */
function ttyOutputPart(tty: number, e: ProcessEvent): string {
  let out = ',"tty":{';
  let sep = '';
  if (tty !== 0) {
    out += `"char_device":{"major":${devMajor(tty)},"minor":${devMinor(tty)}}`;
    sep = ',';
  }
  if (e.ttyRows > 0 && e.ttyColumns > 0) out += `${sep}"rows":${e.ttyRows},"columns":${e.ttyColumns}`;
  out += `},"io":{"type":"tty","text":${jsonString(e.text)},"total_bytes_captured":${safeCount(e.ioBytes)},"total_bytes_skipped":${safeCount(e.ioSkipped)}`;
  out += `,"max_bytes_per_process_exceeded":${e.ioCapped}`;
  if (e.ioSkips.length >= 2) {
    out += ',"bytes_skipped":[';
    for (let i = 0; i + 1 < e.ioSkips.length; i += 2) {
      if (i > 0) out += ',';
      out += `{"offset":${safeCount(e.ioSkips[i]!)},"length":${safeCount(e.ioSkips[i + 1]!)}}`;
    }
    out += ']';
  }
  return `${out}}`;
}

function stdio(key: string, type: FdType, dev: number): string {
  if (type === 0 && dev === 0) return '';
  const name = FD_TYPE_NAMES[type] ?? 'other';
  return `,"${key}":{"type":"${name}","major":${devMajor(dev)},"minor":${devMinor(dev)}}`;
}

/** Over, but how is not known (model exitCause 'unknown', event exitUnknown): no exit_code is written. */
function exitIsUnknown(n: ProcessNode | null, e: ProcessEvent | null): boolean {
  return n !== null ? n.exitCause === 'unknown' : e !== null && e.exitUnknown;
}

/** ECS process.exit_code: the exit status, or 128 + signal for a signaled process (shell convention). */
function exitCodeOf(f: ProcessFacts): number {
  return f.signal !== 0 && f.exitCode === 0 ? 128 + (f.signal & 0x7f) : f.exitCode;
}

function nameOfFacts(f: ProcessFacts): string {
  const exe = f.executable;
  if (exe === '') return f.comm;
  const slash = exe.lastIndexOf('/');
  const base = exe.slice(slash + 1);
  return base === '' ? f.comm : base;
}

function safeCount(n: number): number {
  return Number.isFinite(n) && n > 0 ? Math.floor(n) : 0;
}
