import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, readlinkSync, realpathSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { AUDIT_UNSET, FdType, devMajor, devMinor, makeDev, newProcessEvent } from '../../src/sensor/process-event.js';
import {
  cgroupLeaf,
  decodeTtyNr,
  decodeUserspaceDev,
  decodeWaitStatus,
  isKernelThread,
  listPids,
  parseCmdline,
  parseStat,
  parseStatusIds,
  readProcessEvent,
  scanProcSnapshot,
  sshConnectionFromEnviron,
} from '../../src/sensor/procfs.js';
import { readBootTimeMs } from '../../src/model/host-info.js';

/** glibc's makedev(), in BigInt, to build userspace dev_t values independently. */
const glibcMakedev = (major: number, minor: number): number =>
  Number(
    ((BigInt(major) & 0xfffff000n) << 32n) |
      ((BigInt(major) & 0xfffn) << 8n) |
      ((BigInt(minor) & 0xffffff00n) << 12n) |
      (BigInt(minor) & 0xffn),
  );

describe('procfs decoders', () => {
  it('decodes tty_nr per proc(5): 8-bit major, minor from bits 0–7 and 20–31', () => {
    expect(decodeTtyNr(0)).toBe(0);
    expect(decodeTtyNr((136 << 8) | 3)).toBe(makeDev(136, 3));
    expect(decodeTtyNr((4 << 8) | 1)).toBe(makeDev(4, 1));
    expect(decodeTtyNr((4 << 8) | 64)).toBe(makeDev(4, 64));
    const pts300 = (1 << 20) | (136 << 8) | (300 & 0xff);
    expect(devMajor(decodeTtyNr(pts300))).toBe(136);
    expect(devMinor(decodeTtyNr(pts300))).toBe(300);
    const big = (0xabc << 20) | (137 << 8) | 0x12; // minor 0xabc12
    expect(devMinor(decodeTtyNr(big))).toBe(0xabc12);
    expect(devMajor(decodeTtyNr(big))).toBe(137);
  });

  it('decodes userspace dev_t, including values above 32 bits', () => {
    expect(decodeUserspaceDev(0)).toBe(0);
    expect(decodeUserspaceDev(glibcMakedev(1, 3))).toBe(makeDev(1, 3));
    expect(decodeUserspaceDev(glibcMakedev(136, 7))).toBe(makeDev(136, 7));
    expect(decodeUserspaceDev(glibcMakedev(259, 6))).toBe(makeDev(259, 6));
    expect(decodeUserspaceDev(glibcMakedev(136, 4000))).toBe(makeDev(136, 4000));
    const v = glibcMakedev(0x1234, 0x54321);
    expect(v).toBeGreaterThan(2 ** 32);
    expect(devMajor(decodeUserspaceDev(v))).toBe(0x1234 & 0xfff); // makeDev keeps 12 bits of major
    expect(devMinor(decodeUserspaceDev(v))).toBe(0x54321);
  });

  it('parses stat with a hostile comm', () => {
    const fields = Array.from({ length: 50 }, (_, i) => String(i + 3));
    fields[0] = 'Z';
    fields[1] = '77'; // ppid
    fields[2] = '78'; // pgrp
    fields[3] = '79'; // session
    fields[4] = String((136 << 8) | 2);
    fields[6] = String(0x00200000);
    fields[19] = '123456'; // starttime
    fields[49] = String(7 << 8); // exit_code
    const s = parseStat(`4321 (a) (b c) ${fields.join(' ')}\n`)!;
    expect(s).toMatchObject({ pid: 4321, comm: 'a) (b c', state: 'Z', ppid: 77, pgid: 78, sid: 79, startTicks: 123456, exitStatus: 7 << 8 });
    expect(decodeTtyNr(s.ttyNr)).toBe(makeDev(136, 2));
    expect(isKernelThread(s)).toBe(true);
    expect(parseStat('garbage')).toBeNull();
  });

  it('parses status ids, cmdline, cgroup, environ and wait statuses', () => {
    const e = newProcessEvent();
    parseStatusIds('Name:\tx\nUid:\t1000\t0\t1001\t0\nGid:\t50\t51\t52\t0\n', e);
    expect([e.uid, e.euid, e.suid, e.gid, e.egid, e.sgid]).toEqual([1000, 0, 1001, 50, 51, 52]);

    expect(parseCmdline(Buffer.from('ls\0-la\0/tmp\0'), 100)).toEqual({ args: ['ls', '-la', '/tmp'], truncated: false });
    expect(parseCmdline(Buffer.from('ls\0-la\0/tmp\0'), 5)).toEqual({ args: ['ls', '-l'], truncated: true });
    expect(parseCmdline(Buffer.from(''), 5)).toEqual({ args: [], truncated: false });
    expect(parseCmdline(Buffer.from('a\0\0b\0'), 100).args).toEqual(['a', '', 'b']);

    expect(cgroupLeaf('0::/system.slice/docker-abc.scope\n')).toBe('docker-abc.scope');
    expect(cgroupLeaf('9:name=systemd:/\n4:memory:/process_api/0bb0\n0::/\n')).toBe('0bb0');
    expect(cgroupLeaf('0::/\n')).toBe('');

    const env = Buffer.from('PATH=/bin\0SSH_CONNECTION=10.0.0.9 5555 10.0.0.1 22\0TERM=xterm\0');
    expect(sshConnectionFromEnviron(env)).toBe('10.0.0.9 5555 10.0.0.1 22');
    expect(sshConnectionFromEnviron(Buffer.from('XSSH_CONNECTION=1\0'))).toBe('');

    decodeWaitStatus(3 << 8, e);
    expect([e.exitCode, e.signal, e.coreDumped]).toEqual([3, 0, false]);
    decodeWaitStatus(9, e);
    expect([e.exitCode, e.signal, e.coreDumped]).toEqual([0, 9, false]);
    decodeWaitStatus(11 | 0x80, e);
    expect([e.exitCode, e.signal, e.coreDumped]).toEqual([0, 11, true]);
  });
});

describe('procfs reads (this machine)', () => {
  const children: ChildProcess[] = [];
  const dirs: string[] = [];
  afterEach(() => {
    for (const c of children.splice(0)) c.kill('SIGKILL');
    for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
  });

  it('reads a real process: ids, creds, image, cwd, fds, audit ids', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'st-procfs-'));
    dirs.push(dir);
    const child = spawn('/bin/sleep', ['30.123'], { cwd: dir, stdio: ['ignore', 'pipe', 'inherit'] });
    children.push(child);
    await new Promise((r) => child.once('spawn', r));
    const pid = child.pid!;
    const e = newProcessEvent();
    const boot = readBootTimeMs();
    // the exec may still be in flight: wait for it
    for (let i = 0; i < 100 && !readlinkSync(`/proc/${pid}/exe`).endsWith('sleep'); i++) await new Promise((r) => setTimeout(r, 10));
    expect(readProcessEvent(pid, e, { bootTimeMs: boot })).toBe(true);
    expect(e.action).toBe('snapshot');
    expect(e.pid).toBe(pid);
    expect(e.ppid).toBe(process.pid);
    expect(e.comm).toBe('sleep');
    expect(e.executable).toBe(realpathSync('/bin/sleep'));
    expect(e.args).toEqual(['/bin/sleep', '30.123']);
    expect(e.argsTruncated).toBe(false);
    expect(e.cwd).toBe(realpathSync(dir));
    expect(e.uid).toBe(process.getuid!());
    expect(e.egid).toBe(process.getegid!());
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const ticks = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19]);
    expect(e.startTicks).toBe(ticks);
    expect(Math.abs(e.start - Date.now())).toBeLessThan(5000);
    // fd 0: /dev/null (char 1:3); fd 1: node's 'pipe' stdio, which is a unix socket pair
    expect([e.stdinType, devMajor(e.stdinDev), devMinor(e.stdinDev)]).toEqual([FdType.char, 1, 3]);
    expect(e.stdoutType).toBe(FdType.socket);
    expect(e.stdoutDev).toBe(decodeUserspaceDev(statSync(`/proc/${pid}/fd/1`).dev));
    const loginuid = Number(readFileSync(`/proc/${pid}/loginuid`, 'utf8'));
    expect(e.loginUid).toBe(loginuid);
    expect(e.auditSessionId).toBe(Number(readFileSync(`/proc/${pid}/sessionid`, 'utf8')));
    expect(e.tty).toBe(decodeTtyNr(Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[4])));
    expect(e.sshConnection).toBe('');
  });

  it('bounds argv like the sensor', async () => {
    const long = 'x'.repeat(3000);
    // a shell that keeps its long argv ($0, $1) and stays alive (sleep itself would reject the args)
    const child = spawn('/bin/sh', ['-c', 'sleep 30; :', long, long], { stdio: 'ignore' });
    children.push(child);
    await new Promise((r) => child.once('spawn', r));
    // 'spawn' can come before the child has finished exec: wait for the new image's argv.
    const execed = (): boolean => {
      try {
        return readFileSync(`/proc/${child.pid}/cmdline`, 'latin1').startsWith('/bin/sh\0-c\0sleep 30');
      } catch {
        return false;
      }
    };
    for (let i = 0; i < 500 && !execed(); i++) await new Promise((r) => setTimeout(r, 10));
    const e = newProcessEvent();
    expect(readProcessEvent(child.pid!, e, { bootTimeMs: 0, argsMax: 1000 })).toBe(true);
    expect(e.argsTruncated).toBe(true);
    expect(e.args.join('\0').length).toBe(1000);
    expect(e.args[0]).toBe('/bin/sh');
  });

  it('reports pipes and regular files on fds 0-2', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'st-procfs-'));
    dirs.push(dir);
    const child = spawn('/bin/sh', ['-c', `exec 2>"${dir}/err"; echo | exec /bin/sleep 30.5`], { stdio: 'ignore' });
    children.push(child);
    let sleeper = 0;
    for (let i = 0; i < 200 && sleeper === 0; i++) {
      await new Promise((r) => setTimeout(r, 10));
      for (const pid of listPids()) {
        try {
          if (readFileSync(`/proc/${pid}/cmdline`, 'utf8') === '/bin/sleep\x0030.5\x00') sleeper = pid;
        } catch {
          // gone meanwhile
        }
      }
    }
    expect(sleeper).not.toBe(0);
    const e = newProcessEvent();
    expect(readProcessEvent(sleeper, e, { bootTimeMs: 0 })).toBe(true);
    expect(e.stdinType).toBe(FdType.pipe);
    expect(e.stderrType).toBe(FdType.file);
    expect(e.stderrDev).toBe(decodeUserspaceDev(statSync(dir).dev));
    process.kill(sleeper, 'SIGKILL');
  });

  it('a vanished process is skipped, never thrown', () => {
    const e = newProcessEvent();
    expect(readProcessEvent(0x3fffff + 7, e, { bootTimeMs: 0 })).toBe(false);
    expect(readProcessEvent(1, e, { bootTimeMs: 0, procRoot: '/nonexistent' })).toBe(false);
    expect(listPids('/nonexistent')).toEqual([]);
  });

  it('scans every process (no threads), kernel threads identified, parents first', () => {
    const events = scanProcSnapshot({ bootTimeMs: readBootTimeMs() });
    const pids = new Set(events.map((e) => e.pid));
    expect(pids.has(process.pid)).toBe(true);
    expect(pids.has(1)).toBe(true);
    // threads of this node process are not listed
    const tids = readdirTids(process.pid).filter((t) => t !== process.pid);
    expect(tids.length).toBeGreaterThan(0);
    for (const t of tids) expect(pids.has(t)).toBe(false);
    const kthreadd = events.find((e) => e.pid === 2);
    expect(kthreadd?.comm).toBe('kthreadd');
    const kworkers = events.filter((e) => e.ppid === 2);
    expect(kworkers.length).toBeGreaterThan(0);
    for (const k of kworkers) {
      expect(k.executable).toBe('');
      expect(k.loginUid).toBe(AUDIT_UNSET);
    }
    for (let i = 1; i < events.length; i++) expect(events[i]!.startTicks).toBeGreaterThanOrEqual(events[i - 1]!.startTicks);
    const self = events.find((e) => e.pid === process.pid)!;
    expect(self.executable).toBe(realpathSync(process.execPath));
    expect(scanProcSnapshot({ bootTimeMs: 0, includeKernelThreads: false }).some((e) => e.ppid === 2)).toBe(false);
  });
});

describe('procfs: whose SSH_CONNECTION is read (fake /proc)', () => {
  const roots: string[] = [];
  afterEach(() => {
    for (const d of roots.splice(0)) rmSync(d, { recursive: true, force: true });
  });

  /** A fake /proc/<pid>: stat, status, audit ids, an environment with SSH_CONNECTION, an exe link. */
  function fakeProc(root: string, p: { pid: number; ppid: number; sid: number; exe: string; loginuid?: number; sessionid?: number }): void {
    const dir = join(root, String(p.pid));
    mkdirSync(dir, { recursive: true });
    const f = new Array<string>(53).fill('0');
    f[3] = 'S';
    f[4] = String(p.ppid);
    f[5] = String(p.sid);
    f[6] = String(p.sid);
    f[22] = String(1000 + p.pid);
    const comm = p.exe.slice(p.exe.lastIndexOf('/') + 1);
    writeFileSync(join(dir, 'stat'), `${p.pid} (${comm}) ${f.slice(3).join(' ')}\n`);
    writeFileSync(join(dir, 'status'), 'Uid:\t1001\t1001\t1001\t1001\nGid:\t1001\t1001\t1001\t1001\n');
    writeFileSync(join(dir, 'loginuid'), String(p.loginuid ?? AUDIT_UNSET));
    writeFileSync(join(dir, 'sessionid'), String(p.sessionid ?? AUDIT_UNSET));
    writeFileSync(join(dir, 'environ'), 'HOME=/home/u\0SSH_CONNECTION=10.1.1.1 5000 10.1.1.2 22\0TERM=xterm\0');
    symlinkSync(p.exe, join(dir, 'exe'));
  }

  it('children of sshd and possible login remnants (pid 1 parent, session leader, audit ids set) only', () => {
    const root = mkdtempSync(join(tmpdir(), 'st-fake-proc-'));
    roots.push(root);
    const login = { loginuid: 1001, sessionid: 77 };
    fakeProc(root, { pid: 1, ppid: 0, sid: 1, exe: '/sbin/init' });
    fakeProc(root, { pid: 500, ppid: 1, sid: 500, exe: '/usr/sbin/sshd' });
    fakeProc(root, { pid: 510, ppid: 500, sid: 510, exe: '/usr/lib/openssh/sshd-session', ...login });
    fakeProc(root, { pid: 512, ppid: 510, sid: 512, exe: '/usr/bin/bash', ...login }); // login shell
    fakeProc(root, { pid: 900, ppid: 1, sid: 900, exe: '/usr/bin/tmux', ...login }); // remnant candidate
    fakeProc(root, { pid: 901, ppid: 900, sid: 901, exe: '/usr/bin/bash', ...login }); // its pane: no
    fakeProc(root, { pid: 910, ppid: 1, sid: 905, exe: '/usr/bin/tmux', ...login }); // not a session leader
    fakeProc(root, { pid: 920, ppid: 1, sid: 920, exe: '/usr/sbin/cron' }); // a service: audit ids unset
    fakeProc(root, { pid: 930, ppid: 1, sid: 930, exe: '/usr/bin/job', sessionid: 78 }); // login uid unset
    const ssh = new Map(
      scanProcSnapshot({ bootTimeMs: 0, procRoot: root }).map((e) => [e.pid, e.sshConnection] as const),
    );
    expect(Object.fromEntries(ssh)).toEqual({
      1: '',
      500: '',
      510: '10.1.1.1 5000 10.1.1.2 22', // child of sshd (sshd-session itself is one)
      512: '10.1.1.1 5000 10.1.1.2 22', // child of sshd-session
      900: '10.1.1.1 5000 10.1.1.2 22',
      901: '',
      910: '',
      920: '',
      930: '',
    });
  });
});

function readdirTids(pid: number): number[] {
  return readdirSync(`/proc/${pid}/task`).map(Number);
}
