/**
 * The JSON shape `sessiontop trace` prints for one decoded event: the raw facts, with device numbers
 * split into major/minor and only the fields that mean something for the event's action.
 */
import { devMajor, devMinor, FD_TYPE_NAMES, type FdType, type ProcessEvent } from '../sensor/process-event.js';

interface Device {
  major: number;
  minor: number;
}

function dev(d: number): Device | null {
  return d === 0 ? null : { major: devMajor(d), minor: devMinor(d) };
}

function fd(type: FdType, d: number): { type: string; major: number; minor: number } {
  return { type: FD_TYPE_NAMES[type] ?? 'other', major: devMajor(d), minor: devMinor(d) };
}

export function traceRecord(e: ProcessEvent): Record<string, unknown> {
  const base: Record<string, unknown> = {
    time: new Date(e.time).toISOString(),
    action: e.action,
  };
  if (e.action === 'lost') {
    base.lost = e.lost;
    return base;
  }
  Object.assign(base, {
    pid: e.pid,
    ppid: e.ppid,
    pgid: e.pgid,
    sid: e.sid,
    start: new Date(e.start).toISOString(),
    start_ticks: e.startTicks,
    comm: e.comm,
    uid: e.uid,
    euid: e.euid,
    suid: e.suid,
    gid: e.gid,
    egid: e.egid,
    sgid: e.sgid,
    login_uid: e.loginUid,
    audit_session_id: e.auditSessionId,
    tty: dev(e.tty),
    stdin: fd(e.stdinType, e.stdinDev),
    stdout: fd(e.stdoutType, e.stdoutDev),
    stderr: fd(e.stderrType, e.stderrDev),
  });
  switch (e.action) {
    case 'exec':
    case 'snapshot':
      Object.assign(base, {
        executable: e.executable,
        args: e.args,
        args_truncated: e.argsTruncated,
        cwd: e.cwd,
        cgroup: e.cgroup,
      });
      if (e.sshConnection) base.ssh_connection = e.sshConnection;
      break;
    case 'end':
      Object.assign(base, { exit_code: e.exitCode, signal: e.signal, core_dumped: e.coreDumped });
      break;
    case 'setpgid':
      Object.assign(base, { target_pid: e.targetPid, target_pgid: e.targetPgid });
      break;
    case 'typed':
      Object.assign(base, { line: e.line, line_truncated: e.lineTruncated, shell: e.shell, cwd: e.cwd, via: e.typedVia });
      break;
    case 'text_output':
      Object.assign(base, {
        text: e.text,
        bytes_captured: e.ioBytes,
        bytes_skipped: e.ioSkipped,
        max_bytes_per_process_exceeded: e.ioCapped,
        rows: e.ttyRows,
        columns: e.ttyColumns,
      });
      break;
    default:
      break;
  }
  return base;
}
