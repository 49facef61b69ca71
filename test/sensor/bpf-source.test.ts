/**
 * The eBPF sensor against the real kernel: real processes are spawned and the decoded events are
 * checked field by field. Skipped, with the reason printed, where the machine refuses eBPF.
 */
import { execFile, execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, readlinkSync, realpathSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import pty from 'node-pty';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { encodeUntrusted } from '../../src/sensor/untrusted-bytes.js';
import { FdType, makeDev } from '../../src/sensor/process-event.js';
import { packageRoot } from '../../src/sensor/native-addon.js';
import { type Captured, Collector, runHelper, sensorHelper, sensorSkipReason } from '../support/sensor-harness.js';
import { createThrowawayUser } from '../support/unprivileged-user.js';

const execFileAsync = promisify(execFile);
const skip = sensorSkipReason();

/** Start time in ticks of a live pid, from /proc (what the sensor must agree with). */
function procStartTicks(pid: number): number {
  const stat = execFileSync('cat', [`/proc/${pid}/stat`], { encoding: 'utf8' });
  return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19]);
}

describe.skipIf(skip)('BpfSource on the real kernel', () => {
  let c: Collector;
  const work = mkdtempSync(join(tmpdir(), 'sessiontop-cwd-'));
  const workReal = realpathSync(work);

  beforeAll(async () => {
    sensorHelper();
    c = await new Collector().start();
  });
  afterAll(async () => {
    await c?.stop();
  });

  const of = (pid: number, action?: string) => (e: Captured) => e.pid === pid && (!action || e.action === action);

  it('reports a fork with no exec: the child with its parent, group, session and start', async () => {
    const r = runHelper(['fork']);
    const child = r.child as number;
    const [fork] = await c.waitFor(of(child, 'fork'));
    const [end] = await c.waitFor(of(child, 'end'));
    expect(fork!.ppid).toBe(r.pid);
    const [parentExec] = await c.waitFor(of(r.pid, 'exec'));
    expect(fork!.pgid).toBe(parentExec!.pgid);
    expect(fork!.sid).toBe(parentExec!.sid);
    expect(fork!.comm).toBe('sensor-helper');
    expect(fork!.startTicks).toBeGreaterThanOrEqual(parentExec!.startTicks);
    expect(Math.abs(fork!.start - Date.now())).toBeLessThan(10_000);
    expect(end!.exitCode).toBe(0);
    expect(end!.signal).toBe(0);
    expect(c.find(of(child, 'exec'))).toHaveLength(0);
  });

  it('reports an exec with its path, args, cwd, credentials and start time', async () => {
    const child = spawn('/bin/sleep', ['0.3'], { cwd: work });
    const [exec] = await c.waitFor(of(child.pid!, 'exec'));
    expect(exec!.executable).toBe(realpathSync('/bin/sleep'));
    expect(exec!.args).toEqual(['/bin/sleep', '0.3']);
    expect(exec!.argsTruncated).toBe(false);
    expect(exec!.cwd).toBe(workReal);
    expect(exec!.comm).toBe('sleep');
    expect(exec!.ppid).toBe(process.pid);
    expect([exec!.uid, exec!.euid, exec!.suid, exec!.gid, exec!.egid, exec!.sgid]).toEqual([0, 0, 0, 0, 0, 0]);
    expect(exec!.startTicks).toBe(procStartTicks(child.pid!));
    await new Promise((r) => child.on('exit', r));
  });

  it('keeps argv up to the bound and flags longer ones as truncated', async () => {
    const big = Array.from({ length: 40 }, (_, i) => `${i}`.padEnd(500, 'x'));
    const { stdout } = await execFileAsync('/bin/echo', big, { maxBuffer: 1 << 20 });
    expect(stdout.length).toBeGreaterThan(16 * 1024);
    const [exec] = await c.waitFor((e) => e.action === 'exec' && e.executable === realpathSync('/bin/echo') && e.args[1] === big[0]);
    expect(exec!.argsTruncated).toBe(true);
    const kept = exec!.args.reduce((n, a) => n + Buffer.byteLength(a) + 1, 0);
    // the bound is 16384 bytes; the last argument is cut inside, so it has no trailing NUL
    expect(kept - 1).toBe(16384);
    expect(exec!.args.slice(0, -1)).toEqual(['/bin/echo', ...big.slice(0, exec!.args.length - 2)]);
  });

  it('keeps argv bytes that are not UTF-8, and escape sequences, exactly', async () => {
    const r = runHelper(['execraw']);
    const [exec] = await c.waitFor(of(r.pid, 'exec'), 2);
    const last = c.find(of(r.pid, 'exec')).at(-1)!;
    expect(exec).toBeDefined();
    expect(last.executable).toBe(realpathSync('/bin/true'));
    expect(last.args).toHaveLength(5);
    expect(encodeUntrusted(last.args[1]!)).toEqual(Buffer.from([0xff, 0xfe, ...Buffer.from(' plain')]));
    expect(last.args[2]).toBe('\x1b[31mred\x1b[0m');
    expect(last.args[3]).toBe('\x1b]0;pwned\x07');
    expect(last.args[4]).toBe('café');
  });

  it('reports setsid: the caller is the leader of a new session', async () => {
    const r = runHelper(['setsid']);
    expect(r.ok).toBe(true);
    const child = r.child as number;
    const [setsid] = await c.waitFor(of(child, 'setsid'));
    expect(setsid!.sid).toBe(child);
    expect(setsid!.pgid).toBe(child);
    const [fork] = await c.waitFor(of(child, 'fork'));
    expect(fork!.sid).not.toBe(child);
  });

  it('reports setpgid with the target and its new group', async () => {
    const r = runHelper(['setpgid']);
    expect(r.ok).toBe(true);
    const child = r.child as number;
    const [ev] = await c.waitFor((e) => e.action === 'setpgid' && e.pid === r.pid && e.targetPid === child);
    expect(ev!.targetPgid).toBe(child);
    const [end] = await c.waitFor(of(child, 'end'));
    expect(end!.pgid).toBe(child);
  });

  it('reports a credential change through setresuid', async () => {
    const r = runHelper(['setuid', '65534']);
    expect(r.ok).toBe(true);
    const [change] = await c.waitFor(of(r.pid, 'id_change'));
    expect([change!.uid, change!.euid, change!.suid]).toEqual([65534, 65534, 65534]);
    expect(change!.gid).toBe(0);
    const [end] = await c.waitFor(of(r.pid, 'end'));
    expect(end!.uid).toBe(65534);
  });

  it('reports exit code 3', async () => {
    let pid = 0;
    try {
      runHelper(['exit', '3']);
    } catch (err) {
      const e = err as { status: number; stdout: string };
      expect(e.status).toBe(3);
      pid = JSON.parse(e.stdout).pid as number;
    }
    const [end] = await c.waitFor(of(pid, 'end'));
    expect(end!.exitCode).toBe(3);
    expect(end!.signal).toBe(0);
    expect(end!.coreDumped).toBe(false);
  });

  it('reports death by SIGKILL as signal 9', async () => {
    const child = spawn('/bin/sleep', ['30']);
    await c.waitFor(of(child.pid!, 'exec'));
    child.kill('SIGKILL');
    const [end] = await c.waitFor(of(child.pid!, 'end'));
    expect(end!.signal).toBe(9);
    expect(end!.exitCode).toBe(0);
  });

  it('reports threads as one process: no fork for a thread, one end for the whole process', async () => {
    const script = "const { Worker } = require('node:worker_threads'); new Worker('setTimeout(()=>{},100)', { eval: true }).on('exit', () => process.exit(5));";
    const child = spawn(process.execPath, ['-e', script]);
    await new Promise((r) => child.on('exit', r));
    const [end] = await c.waitFor(of(child.pid!, 'end'));
    expect(end!.exitCode).toBe(5);
    expect(c.find(of(child.pid!, 'end'))).toHaveLength(1);
    expect(c.find((e) => e.action === 'fork' && e.ppid === child.pid! && e.comm === 'node')).toHaveLength(0);
  });

  it('under a pseudo-terminal, tty, stdin and stderr are the pty; stdin from a file is not', async () => {
    const term = pty.spawn(sensorHelper(), ['fds'], { cols: 80, rows: 24, env: { ...process.env } });
    let out = '';
    term.onData((d) => (out += d));
    await new Promise((r) => term.onExit(r));
    const fds = JSON.parse(out.trim()) as { pid: number; fd0: { major: number; minor: number } };
    const ptyDev = makeDev(fds.fd0.major, fds.fd0.minor);
    expect(fds.fd0.major).toBeGreaterThanOrEqual(136);
    const [exec] = await c.waitFor(of(fds.pid, 'exec'));
    expect(exec!.tty).toBe(ptyDev);
    expect(exec!.stdinType).toBe(FdType.char);
    expect(exec!.stdinDev).toBe(ptyDev);
    expect(exec!.stderrDev).toBe(ptyDev);

    const input = join(work, 'input.txt');
    writeFileSync(input, 'x\n');
    const term2 = pty.spawn('/bin/bash', ['-c', `exec "$0" fds < "$1"`, sensorHelper(), input], {
      cols: 80,
      rows: 24,
      env: { ...process.env },
    });
    let out2 = '';
    term2.onData((d) => (out2 += d));
    await new Promise((r) => term2.onExit(r));
    const fds2 = JSON.parse(out2.trim().split('\n').pop()!) as { pid: number; fd2: { major: number; minor: number } };
    const [exec2] = await c.waitFor((e) => e.pid === fds2.pid && e.action === 'exec' && e.executable === sensorHelper());
    const st = statSync(input);
    expect(exec2!.tty).toBe(makeDev(fds2.fd2.major, fds2.fd2.minor));
    expect(exec2!.stdinType).toBe(FdType.file);
    expect(exec2!.stdinDev).not.toBe(exec2!.tty);
    expect(exec2!.stdinDev).toBe(makeDev(Math.floor(st.dev / 256) & 0xfff, st.dev & 0xff));
    expect(exec2!.stderrDev).toBe(exec2!.tty);
  });

  it('sees every exec of a 5000 fork+exec storm, and loses nothing', async () => {
    const n = 5000;
    const trueExe = realpathSync('/bin/true');
    const lostBefore = c.source.stats()!.lost;
    const { stdout } = await execFileAsync(sensorHelper(), ['storm', String(n), '/bin/true']);
    const { pid } = JSON.parse(stdout) as { pid: number };
    const execs = await c.waitFor((e) => e.action === 'exec' && e.ppid === pid && e.executable === trueExe, n, 20_000);
    await new Promise((r) => setTimeout(r, 200));
    expect(c.find((e) => e.action === 'exec' && e.ppid === pid && e.executable === trueExe)).toHaveLength(n);
    expect(new Set(execs.map((e) => e.pid)).size).toBe(n);
    expect(c.source.stats()!.lost - lostBefore).toBe(0);
    expect(c.find((e) => e.action === 'lost')).toHaveLength(0);
    c.clear();
  });
});

describe.skipIf(skip)('sensor lifecycle', () => {
  it('refuses a non-root user with EPERM and the hint', () => {
    // the checkout may sit under a 0700 directory: the user gets its own readable copy of the addon
    const user = createThrowawayUser('bpf');
    try {
      const addon = user.share(join(packageRoot(), 'build', 'Release', 'sessiontop.node'));
      const script = `try { require(${JSON.stringify(addon)}).open({}); console.log('{"code":"opened"}'); } catch (e) { console.log(JSON.stringify({ code: e.code, message: e.message })); }`;
      const run = user.run(process.execPath, ['-e', script]);
      expect(run.stderr).toBe('');
      const r = JSON.parse(run.stdout) as { code: string; message: string };
      expect(r.code).toBe('EPERM');
      expect(r.message).toContain('run as root or with CAP_BPF and CAP_PERFMON');
    } finally {
      user.remove();
    }
  });

  it('leaves no program of ours attached after close()', async () => {
    // ours: the programs this process holds (other sensors may load and unload meanwhile)
    const ownProgIds = (): Set<number> => {
      const out = new Set<number>();
      for (const fd of readdirSync('/proc/self/fd')) {
        try {
          if (readlinkSync(`/proc/self/fd/${fd}`) !== 'anon_inode:bpf-prog') continue;
          const m = /^prog_id:\s+(\d+)/m.exec(readFileSync(`/proc/self/fdinfo/${fd}`, 'utf8'));
          if (m) out.add(Number(m[1]));
        } catch {
          // closed meanwhile
        }
      }
      return out;
    };
    const loaded = (): Set<number> =>
      new Set((JSON.parse(execFileSync('bpftool', ['prog', 'show', '-j'], { encoding: 'utf8' })) as { id: number }[]).map((p) => p.id));
    const before = ownProgIds();
    const c = await new Collector({ typed: true }).start();
    const ours = [...ownProgIds()].filter((id) => !before.has(id));
    expect(ours.length).toBeGreaterThanOrEqual(12);
    for (const id of ours) expect(loaded().has(id)).toBe(true);
    await c.stop();
    expect(ownProgIds().size).toBe(before.size);
    const after = loaded();
    expect(ours.filter((id) => after.has(id))).toEqual([]);
  });

  it('onReadable: wakes once per batch on the event loop, again after each drain, never after close(), and keeps no process alive', async () => {
    const { loadAddon } = await import('../../src/sensor/native-addon.js');
    const sensor = loadAddon().open({ typed: false });
    const buf = new Uint8Array(4 << 20);
    let wakes = 0;
    let woke: () => void = () => undefined;
    const nextWake = (): Promise<void> => new Promise((r) => (woke = r));
    try {
      sensor.drain(buf);
      sensor.onReadable(() => {
        wakes++;
        woke();
      }, 5);
      for (let round = 0; round < 3; round++) {
        const waiting = nextWake();
        execFileSync('/bin/true');
        await waiting;
        expect(wakes).toBe(round + 1);
        // not drained: however many records arrive, no second wake-up
        for (let i = 0; i < 5; i++) execFileSync('/bin/true');
        await new Promise((r) => setTimeout(r, 60));
        expect(wakes).toBe(round + 1);
        expect(sensor.drain(buf)).toBeGreaterThan(0);
      }
      // a longer coalescing time (the recorder's): after a drain, records gather that long first
      sensor.onReadable(() => {
        wakes++;
        woke();
      }, 300);
      let waiting = nextWake();
      execFileSync('/bin/true');
      await waiting;
      expect(sensor.drain(buf)).toBeGreaterThan(0);
      const drained = Date.now();
      waiting = nextWake();
      execFileSync('/bin/true');
      await waiting;
      expect(Date.now() - drained).toBeGreaterThanOrEqual(290);
      expect(wakes).toBe(5);
      sensor.drain(buf);
      sensor.close();
      execFileSync('/bin/true');
      await new Promise((r) => setTimeout(r, 400));
      expect(wakes).toBe(5);
    } finally {
      sensor.close();
    }
    // a process that watches and never closes still exits by itself
    const addon = join(packageRoot(), 'build', 'Release', 'sessiontop.node');
    const script = `const s = require(${JSON.stringify(addon)}).open({ typed: false }); s.onReadable(() => {}); require('child_process').execFileSync('/bin/true'); setTimeout(() => console.log('done'), 50);`;
    const t = Date.now();
    const { stdout } = await execFileAsync(process.execPath, ['-e', script], { timeout: 20_000 });
    expect(stdout.trim()).toBe('done');
    expect(Date.now() - t).toBeLessThan(15_000);
  });

  it('rejects a ring buffer size that is not a power of two with EINVAL', async () => {
    const { BpfSource } = await import('../../src/sensor/bpf-source.js');
    const s = new BpfSource({ ringBytes: 3 * 4096, typed: false });
    expect(() => s.open()).toThrow(expect.objectContaining({ code: 'EINVAL' }));
  });
});
