/**
 * A small hand-made session that exercises every field the writer can emit: an sshd login (entry
 * type sshd with a source ip), a user-entered process in a container cgroup with truncated args,
 * an exec history (previous), a comm that differs from the executable's name, an id change, a
 * typed line, terminal output (text_output), a setpgid, an exit by a signal with a core dump, and a lost event.
 */

import { ProcessTable } from '../../src/model/process-table.js';
import type { HostInfo } from '../../src/model/types.js';
import { EcsDocumentBuilder } from '../../src/record/ecs-document.js';
import type { NameLookup } from '../../src/text/user-names.js';
import { FdType, makeDev, newProcessEvent, resetProcessEvent, type EventAction, type ProcessEvent } from '../../src/sensor/process-event.js';

export const RICH_HOST: HostInfo = {
  name: 'rich-host',
  bootId: '0d5b6c1e-2f3a-4b5c-8d9e-0f1a2b3c4d5e',
  pidNsIno: 4026531836,
  kernel: '6.8.0-test',
  bootTimeMs: Date.UTC(2024, 0, 2, 3, 0, 0),
};

export const RICH_NAMES: NameLookup = {
  user: (uid) => ({ 0: 'root', 1000: 'alice' })[uid],
  group: (gid) => ({ 0: 'root', 1000: 'alice' })[gid],
};

export const CONTAINER_ID = 'a'.repeat(12) + 'b'.repeat(52);
export const PTY = makeDev(136, 4);

export interface RichSession {
  host: HostInfo;
  table: ProcessTable;
  /** Every line written, in order (snapshot lines first). */
  lines: string[];
  events: ProcessEvent[];
}

export function buildRichSession(): RichSession {
  const host = RICH_HOST;
  const table = new ProcessTable({ host });
  const doc = new EcsDocumentBuilder({ host, names: RICH_NAMES });
  const lines: string[] = [];
  const events: ProcessEvent[] = [];
  let t = host.bootTimeMs + 3_600_000;
  const ev = (action: EventAction, pid: number, ppid: number, pgid: number, sid: number, ticks: number, fill?: (e: ProcessEvent) => void): ProcessEvent => {
    const e = resetProcessEvent(newProcessEvent());
    e.action = action;
    t += 1.5;
    e.time = t;
    e.pid = pid;
    e.ppid = ppid;
    e.pgid = pgid;
    e.sid = sid;
    e.startTicks = ticks;
    e.start = host.bootTimeMs + ticks * 10;
    e.stdinType = FdType.char;
    e.stdinDev = makeDev(1, 3);
    e.stdoutType = FdType.char;
    e.stdoutDev = makeDev(1, 3);
    e.stderrType = FdType.char;
    e.stderrDev = makeDev(1, 3);
    fill?.(e);
    return e;
  };
  const user = (e: ProcessEvent): void => {
    e.uid = e.euid = e.suid = 1000;
    e.gid = e.egid = e.sgid = 1000;
    e.loginUid = 1000;
    e.auditSessionId = 7;
    e.tty = PTY;
    e.stdinDev = e.stdoutDev = e.stderrDev = PTY;
  };

  // backfill: init and sshd
  const snapshots = [
    ev('snapshot', 1, 0, 1, 1, 10, (e) => {
      e.comm = 'systemd';
      e.executable = '/usr/lib/systemd/systemd';
      e.args = ['/sbin/init', 'splash'];
      e.cwd = '/';
      e.cgroup = 'init.scope';
    }),
    ev('snapshot', 700, 1, 700, 700, 500, (e) => {
      e.comm = 'sshd';
      e.executable = '/usr/sbin/sshd';
      e.args = ['sshd: /usr/sbin/sshd -D [listener]'];
      e.cwd = '/';
      e.cgroup = 'ssh.service';
    }),
  ];
  for (const e of snapshots) {
    table.apply(e);
    events.push(e);
  }
  for (const n of table.finishBackfill()) lines.push(doc.snapshotLine(n, t));

  const live: ProcessEvent[] = [
    ev('fork', 1001, 700, 700, 700, 360_000, (e) => (e.comm = 'sshd')),
    ev('setsid', 1001, 700, 1001, 1001, 360_000, (e) => {
      e.comm = 'sshd';
      user(e);
    }),
    ev('exec', 1001, 700, 1001, 1001, 360_000, (e) => {
      user(e);
      e.comm = 'bash';
      e.executable = '/usr/bin/bash';
      e.args = ['-bash'];
      e.cwd = '/home/alice';
      e.cgroup = 'session-7.scope';
      e.sshConnection = '198.51.100.7 50022 10.0.0.1 22';
    }),
    ev('typed', 1001, 700, 1001, 1001, 360_000, (e) => {
      user(e);
      e.comm = 'bash';
      e.line = 'python3 job.py "\u001b[31mred\u001b[0m" | tee out';
      e.lineTruncated = false;
    }),
    ev('text_output', 1001, 700, 1001, 1001, 360_000, (e) => {
      user(e);
      e.comm = 'bash';
      e.text = 'alice@host:~$ \u001b[31mred\u001b[0m\r\n';
      e.ioBytes = 29;
      e.ioSkipped = 12;
      e.ioSkips = [14, 12];
      e.ioCapped = true;
      e.ttyRows = 40;
      e.ttyColumns = 120;
    }),
    ev('fork', 1002, 1001, 1001, 1001, 360_100, (e) => {
      user(e);
      e.comm = 'bash';
    }),
    ev('setpgid', 1001, 700, 1001, 1001, 360_000, (e) => {
      user(e);
      e.comm = 'bash';
      e.targetPid = 1002;
      e.targetPgid = 1002;
    }),
    ev('exec', 1002, 1001, 1002, 1001, 360_100, (e) => {
      user(e);
      e.comm = 'python3';
      e.executable = '/usr/bin/python3.11';
      e.args = ['python3', 'job.py', 'x'.repeat(40)];
      e.argsTruncated = true;
      e.cwd = '/home/alice';
      e.cgroup = `docker-${CONTAINER_ID}.scope`;
    }),
    ev('fork', 1003, 1002, 1002, 1001, 360_200, (e) => {
      user(e);
      e.comm = 'python3';
      e.stdoutType = FdType.pipe;
      e.stdoutDev = makeDev(0, 13);
    }),
    ev('exec', 1003, 1002, 1002, 1001, 360_200, (e) => {
      user(e);
      e.comm = 'worker-thread';
      e.executable = '/bin/sh';
      e.args = ['sh', '-c', 'sleep 1'];
      e.cwd = '/tmp';
      e.cgroup = `docker-${CONTAINER_ID}.scope`;
      e.stdoutType = FdType.pipe;
      e.stdoutDev = makeDev(0, 13);
    }),
    ev('id_change', 1003, 1002, 1002, 1001, 360_200, (e) => {
      user(e);
      e.euid = 0;
      e.egid = 0;
      e.suid = 0;
      e.comm = 'worker-thread';
      e.stdoutType = FdType.pipe;
      e.stdoutDev = makeDev(0, 13);
    }),
    ev('end', 1003, 1002, 1002, 1001, 360_200, (e) => {
      user(e);
      e.comm = 'worker-thread';
      e.exitCode = 0;
      e.signal = 11;
      e.coreDumped = true;
    }),
    ev('end', 1002, 1001, 1002, 1001, 360_100, (e) => {
      user(e);
      e.comm = 'python3';
      e.exitCode = 3;
    }),
    ev('lost', 0, 0, 0, 0, 0, (e) => (e.lost = 17)),
  ];
  for (const e of live) {
    let node = table.apply(e);
    if (e.action === 'setpgid') node = table.get(e.pid) ?? node;
    lines.push(doc.eventLine(e, node));
    events.push(e);
  }
  return { host, table, lines, events };
}
