import { describe, expect, it } from 'vitest';
import { nsToTicks, RecordDecoder } from '../../src/sensor/record-decoder.js';
import { FdType, makeDev, newProcessEvent, type ProcessEvent } from '../../src/sensor/process-event.js';
import { encodeUntrusted } from '../../src/sensor/untrusted-bytes.js';
import { argv, buildRecord, cwd, Flag, Kind } from '../support/record-builder.js';
import { Off, Shell, TypedVia } from '../../src/sensor/record-layout.js';

function decodeAll(records: Buffer[], offsetMs = 1_700_000_000_000): { events: ProcessEvent[]; decoder: RecordDecoder } {
  const buf = new Uint8Array(Buffer.concat(records));
  const decoder = new RecordDecoder(buf, offsetMs);
  const events: ProcessEvent[] = [];
  decoder.decode(buf.length, newProcessEvent(), (e) => events.push({ ...e, args: [...e.args] }));
  return { events, decoder };
}

describe('RecordDecoder', () => {
  it('decodes an exec with path, args, cwd, cgroup, devices and SSH_CONNECTION', () => {
    const pts = makeDev(136, 3);
    const { events } = decodeAll([
      buildRecord({
        kind: Kind.exec,
        tsNs: 2_000_000_000n,
        startNs: 1_234_567_891n,
        pid: 4242,
        ppid: 4000,
        pgid: 4242,
        sid: 4000,
        uid: 1000,
        tty: pts,
        fds: [[FdType.char, pts], [FdType.pipe, makeDev(0, 13)], [FdType.char, pts]],
        comm: 'bash',
        flags: Flag.env,
        filename: Buffer.from('/usr/bin/bash'),
        args: argv('-bash'),
        cwd: cwd('/home/alice/src'),
        cgroup: Buffer.from('session-3.scope'),
        env: argv('HOME=/home/alice', 'SSH_CONNECTION=10.1.2.3 51234 10.0.0.1 22', 'TERM=xterm'),
      }),
    ]);
    const e = events[0]!;
    expect(e.action).toBe('exec');
    expect(e.time).toBe(1_700_000_000_000 + 2000);
    expect(e.startTicks).toBe(123);
    expect(e.start).toBeCloseTo(1_700_000_000_000 + 1234.567891, 6);
    expect([e.pid, e.ppid, e.pgid, e.sid, e.uid, e.euid]).toEqual([4242, 4000, 4242, 4000, 1000, 1000]);
    expect(e.tty).toBe(pts);
    expect([e.stdinType, e.stdinDev, e.stdoutType, e.stderrDev]).toEqual([FdType.char, pts, FdType.pipe, pts]);
    expect(e.executable).toBe('/usr/bin/bash');
    expect(e.args).toEqual(['-bash']);
    expect(e.cwd).toBe('/home/alice/src');
    expect(e.cgroup).toBe('session-3.scope');
    expect(e.sshConnection).toBe('10.1.2.3 51234 10.0.0.1 22');
    expect(e.comm).toBe('bash');
  });

  it('takes the executable from the resolved path the kernel walked, not the path as passed', () => {
    const { events } = decodeAll([
      buildRecord({ kind: Kind.exec, filename: Buffer.from('/bin/sh'), args: argv('sh'), cwd: cwd('/'), exe: cwd('/usr/bin/dash') }),
    ]);
    expect(events[0]!.executable).toBe('/usr/bin/dash');
  });

  it('resolves a relative exec path against the cwd and shows root as /', () => {
    const { events } = decodeAll([
      buildRecord({ kind: Kind.exec, filename: Buffer.from('./tool'), args: argv('./tool'), cwd: cwd('/opt/app') }),
      buildRecord({ kind: Kind.exec, filename: Buffer.from('/bin/ls'), args: argv('ls'), cwd: Buffer.alloc(0) }),
    ]);
    expect(events[0]!.executable).toBe('/opt/app/tool');
    expect(events[1]!.cwd).toBe('/');
  });

  it('marks truncated argv and cwd, and keeps a cut last argument', () => {
    const { events } = decodeAll([
      buildRecord({
        kind: Kind.exec,
        flags: Flag.argsTruncated | Flag.cwdTruncated,
        filename: Buffer.from('/bin/echo'),
        args: Buffer.concat([argv('echo', 'one'), Buffer.from('tw')]),
        cwd: cwd('/deep/leaf'),
      }),
    ]);
    expect(events[0]!.args).toEqual(['echo', 'one', 'tw']);
    expect(events[0]!.argsTruncated).toBe(true);
    expect(events[0]!.cwd).toBe('…/deep/leaf');
  });

  it('keeps invalid UTF-8 bytes losslessly', () => {
    const raw = Buffer.from([0x66, 0xff, 0x1b, 0x5b, 0x32, 0x4a, 0xc3, 0xa9]);
    const { events } = decodeAll([buildRecord({ kind: Kind.exec, filename: Buffer.from('/bin/x'), args: argv('x', raw) })]);
    expect(encodeUntrusted(events[0]!.args[1]!)).toEqual(raw);
    expect(events[0]!.args[1]).toBe('f\udcff\x1b[2Jé');
  });

  it('decodes exit status: code, signal and core dump', () => {
    const { events } = decodeAll([
      buildRecord({ kind: Kind.exit, aux: [3 << 8] }),
      buildRecord({ kind: Kind.exit, aux: [9] }),
      buildRecord({ kind: Kind.exit, aux: [11 | 0x80] }),
    ]);
    expect(events.map((e) => [e.action, e.exitCode, e.signal, e.coreDumped])).toEqual([
      ['end', 3, 0, false],
      ['end', 0, 9, false],
      ['end', 0, 11, true],
    ]);
  });

  it('decodes setpgid targets, typed lines and the other kinds', () => {
    const { events } = decodeAll([
      buildRecord({ kind: Kind.setpgid, aux: [77, 77] }),
      buildRecord({ kind: Kind.typed, line: Buffer.from('cd /tmp'), flags: Flag.typedTruncated }),
      buildRecord({ kind: Kind.fork }),
      buildRecord({ kind: Kind.setsid }),
      buildRecord({ kind: Kind.idChange }),
    ]);
    expect(events.map((e) => e.action)).toEqual(['setpgid', 'typed', 'fork', 'setsid', 'id_change']);
    expect([events[0]!.targetPid, events[0]!.targetPgid]).toEqual([77, 77]);
    expect([events[1]!.line, events[1]!.lineTruncated]).toEqual(['cd /tmp', true]);
    // fields of an earlier record never leak into the next one (the event object is reused)
    expect(events[2]!.line).toBe('');
  });

  it("decodes a typed line's shell, probe and the shell's cwd after the line", () => {
    const { events } = decodeAll([
      buildRecord({ kind: Kind.typed, line: Buffer.from('ls'), cwd: cwd('/home/ann/src'), aux: [2, 2, Shell.zsh, TypedVia.accept] }),
      buildRecord({ kind: Kind.typed, line: Buffer.from('pwd'), cwd: Buffer.alloc(0), aux: [3, 3, Shell.dash, TypedVia.read] }),
      buildRecord({ kind: Kind.typed, line: Buffer.from('x'), cwd: cwd('deep/er'), flags: Flag.cwdTruncated, aux: [1, 1, Shell.bash, TypedVia.return] }),
    ]);
    expect(events.map((e) => [e.line, e.cwd, e.shell, e.typedVia])).toEqual([
      ['ls', '/home/ann/src', 'zsh', 'accept'],
      ['pwd', '/', 'dash', 'read'],
      ['x', '…/deep/er', 'bash', 'return'],
    ]);
    // a cwd longer than the record is malformed
    const bad = buildRecord({ kind: Kind.typed, line: Buffer.from('ls'), cwd: cwd('/a') });
    bad.writeUInt16LE(4000, Off.len + 2);
    expect(decodeAll([bad]).events).toEqual([]);
  });

  it('skips records of another version or kind, and stops at a size that cannot be right', () => {
    const bad = buildRecord({ kind: Kind.fork });
    bad.writeUInt32LE(12, 4);
    const { events, decoder } = decodeAll([
      buildRecord({ kind: Kind.fork, version: 99 }),
      buildRecord({ kind: 42 }),
      buildRecord({ kind: Kind.fork, pid: 7 }),
      bad,
      buildRecord({ kind: Kind.fork, pid: 8 }),
    ]);
    expect(events.map((e) => e.pid)).toEqual([7]);
    expect(decoder.counters).toEqual({ records: 1, malformed: 3 });
  });

  it('converts start times to clock ticks exactly, as /proc does', () => {
    const cases: bigint[] = [0n, 9_999_999n, 10_000_000n, 4_294_967_295n, 4_294_967_296n, 31_536_000_123_456_789n, 123_456_789_012_345_678n];
    for (const ns of cases) {
      const lo = Number(ns & 0xffffffffn);
      const hi = Number(ns >> 32n);
      expect(nsToTicks(lo, hi)).toBe(Number(ns / 10_000_000n));
    }
  });
});

describe('RecordDecoder, repeated strings', () => {
  it('gives the same path and comm strings for repeated records, and keeps truncated paths apart', () => {
    const rec = (flags = 0) => buildRecord({ kind: Kind.exec, flags, comm: 'grep', filename: Buffer.from('/bin/grep'), args: argv('grep', 'x'), cwd: cwd('/srv/app'), exe: cwd('/usr/bin/grep') });
    const { events } = decodeAll([rec(), rec(), rec(Flag.cwdTruncated)]);
    expect(events[0]!.executable).toBe('/usr/bin/grep');
    expect(events[1]!.cwd).toBe('/srv/app');
    expect(events[2]!.cwd).toBe('…/srv/app');
    expect(events[1]!.comm).toBe('grep');
  });
});
