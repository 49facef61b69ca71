/**
 * `npm run bench:peers`: the same fork+exec storm (N × /bin/true) under each exec monitor, side by
 * side in one run: `sessiontop record` (eBPF), auditd with an execve rule, snoopy (an LD_PRELOAD
 * library that logs every exec) and bpftrace's execsnoop.bt. Each round runs the monitors in a new
 * random order, and each monitored storm right after its own baseline storm (nothing monitoring),
 * so a machine whose load drifts affects both halves of a pair alike. Every monitor, once started,
 * gets the same warm-up storm (WARMUP execs, not timed) and a second to settle before its timed
 * storm: a monitor on a server has been running for a while (sessiontop's hot paths are compiled by
 * the JIT during its first several thousand events; auditd, snoopy and bpftrace have nothing to warm
 * up, and pay the same wait). Prints the median wall-time
 * ratio (monitored / baseline), the storm's CPU-time ratio and the monitor's own CPU time per 1 000
 * execs, per monitor.
 *
 *   sudo node dist/bench/peers.js [N=1000] [ROUNDS=5] [WARMUP=3000]
 *
 * Needs root and the Debian packages auditd, snoopy and bpftrace (installs them with apt-get when
 * missing). The machine's state is restored whatever happens (also on SIGINT/SIGTERM): snoopy is
 * preloaded through /etc/ld.so.preload only while its own storm runs (every process started on the
 * machine meanwhile gets it), /etc/snoopy.ini is pointed at a file of ours for that time, the
 * audit rule is removed and auditd stopped, and both files are put back byte for byte.
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { packageRoot } from '../src/sensor/native-addon.js';
import { isMain, median, recorderNodeOptions } from './bench-util.js';
import { buildStormHelper, timeStorm } from './storm-overhead.js';

const PRELOAD = '/etc/ld.so.preload';
const SNOOPY_INI = '/etc/snoopy.ini';
const SNOOPY_LIB = '/lib/x86_64-linux-gnu/libsnoopy.so';
const EXECSNOOP = '/usr/sbin/execsnoop.bt';
const AUDIT_KEY = 'sessiontop-peers';
const PACKAGES = ['auditd', 'snoopy', 'bpftrace'];

type MonitorName = 'sessiontop record' | 'auditd (execve rule)' | 'snoopy' | 'bpftrace execsnoop.bt';

interface Monitor {
  name: MonitorName;
  /** Starts monitoring; resolves once it is live. Returns the pids whose CPU is the monitor's own. */
  start(dir: string): Promise<number[]>;
  /** Stops monitoring and puts the machine back as it was. */
  stop(): Promise<void>;
}

export interface PeerFigures {
  name: MonitorName;
  ratio: number;
  cpuRatio: number;
  /** The monitor's own CPU (its processes; 0 for snoopy, which runs inside the storm), ms per 1 000 execs. */
  monitorCpuMsPer1000: number;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** A file's content (null when absent), to put back exactly. */
function saveFile(path: string): Buffer | null {
  return existsSync(path) ? readFileSync(path) : null;
}

function restoreFile(path: string, saved: Buffer | null): void {
  if (saved === null) rmSync(path, { force: true });
  else writeFileSync(path, saved);
}

/** utime + stime of a process, ms (0 when gone). */
function cpuMsOf(pid: number): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return ((Number(f[11]) + Number(f[12])) * 1000) / 100;
  } catch {
    return 0;
  }
}

async function waitUntil(what: string, pred: () => boolean, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!pred()) {
    if (Date.now() > deadline) throw new Error(`${what} did not start within ${timeoutMs / 1000} s`);
    await sleep(50);
  }
}

async function stopChild(child: ChildProcess | null, signal: NodeJS.Signals = 'SIGINT'): Promise<void> {
  if (child === null || child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((r) => child.once('exit', r));
  child.kill(signal);
  await Promise.race([exited, sleep(10_000)]);
  if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
}

function sessiontopMonitor(): Monitor {
  let child: ChildProcess | null = null;
  return {
    name: 'sessiontop record',
    async start(dir) {
      const file = join(dir, `sessiontop-${Date.now()}.ndjson`);
      child = spawn(process.execPath, [...recorderNodeOptions(), join(packageRoot(), 'bin', 'sessiontop.js'), 'record', '-o', file, '--source', 'bpf', '--no-typed'], {
        stdio: 'ignore',
      });
      await waitUntil('sessiontop record', () => existsSync(file) && statSync(file).size > 0);
      return [child.pid!];
    },
    async stop() {
      await stopChild(child);
      child = null;
    },
  };
}

function bpftraceMonitor(): Monitor {
  let child: ChildProcess | null = null;
  return {
    name: 'bpftrace execsnoop.bt',
    async start() {
      child = spawn('bpftrace', [EXECSNOOP], { stdio: ['ignore', 'pipe', 'ignore'] });
      let out = '';
      const onData = (d: Buffer): void => {
        if (out.length < 4096) out += d.toString();
      };
      child.stdout!.on('data', onData);
      // execsnoop.bt prints its column header once attached; its output is drained like a reader would
      await waitUntil('bpftrace', () => /PID/.test(out));
      return [child.pid!];
    },
    async stop() {
      await stopChild(child);
      child = null;
    },
  };
}

function auditdMonitor(): Monitor {
  let daemon: ChildProcess | null = null;
  let wasEnabled = '0';
  let ruleAdded = false;
  return {
    name: 'auditd (execve rule)',
    async start() {
      wasEnabled = /enabled (\d)/.exec(execFileSync('auditctl', ['-s'], { encoding: 'utf8' }))?.[1] ?? '0';
      daemon = spawn('auditd', ['-n'], { stdio: 'ignore' });
      await waitUntil('auditd', () => /pid [1-9]/.test(execFileSync('auditctl', ['-s'], { encoding: 'utf8' })));
      execFileSync('auditctl', ['-a', 'always,exit', '-F', 'arch=b64', '-S', 'execve', '-k', AUDIT_KEY]);
      ruleAdded = true;
      execFileSync('auditctl', ['-e', '1']);
      return [daemon.pid!];
    },
    async stop() {
      if (ruleAdded) {
        try {
          execFileSync('auditctl', ['-d', 'always,exit', '-F', 'arch=b64', '-S', 'execve', '-k', AUDIT_KEY], { stdio: 'ignore' });
        } catch {
          // already gone
        }
        ruleAdded = false;
      }
      try {
        execFileSync('auditctl', ['-e', wasEnabled], { stdio: 'ignore' });
      } catch {
        // nothing more to undo
      }
      await stopChild(daemon, 'SIGTERM');
      daemon = null;
    },
  };
}

function snoopyMonitor(): Monitor {
  let savedPreload: Buffer | null | undefined;
  let savedIni: Buffer | null | undefined;
  return {
    name: 'snoopy',
    async start(dir) {
      savedPreload = saveFile(PRELOAD);
      savedIni = saveFile(SNOOPY_INI);
      // log to a file (this machine has no syslog socket: snoopy would drop every message cheaply)
      writeFileSync(SNOOPY_INI, `[snoopy]\noutput = file:${join(dir, 'snoopy.log')}\n`);
      writeFileSync(PRELOAD, `${savedPreload ? `${savedPreload.toString().trimEnd()}\n` : ''}${SNOOPY_LIB}\n`);
      return [];
    },
    async stop() {
      if (savedPreload !== undefined) restoreFile(PRELOAD, savedPreload);
      if (savedIni !== undefined) restoreFile(SNOOPY_INI, savedIni);
      savedPreload = undefined;
      savedIni = undefined;
    },
  };
}

function ensurePackages(): void {
  const missing = PACKAGES.filter((p) => {
    try {
      return !execFileSync('dpkg-query', ['-W', '-f=${Status}', p], { encoding: 'utf8' }).includes('install ok installed');
    } catch {
      return true;
    }
  });
  if (missing.length === 0) return;
  process.stderr.write(`bench:peers: installing ${missing.join(', ')} (snoopy without its global preload)\n`);
  // snoopy's package would otherwise add itself to /etc/ld.so.preload for every process on the machine
  execFileSync('debconf-set-selections', { input: 'snoopy snoopy/install-ld-preload boolean false\n' });
  execFileSync('apt-get', ['install', '-y', '-qq', '--no-install-recommends', ...missing], {
    stdio: ['ignore', 'ignore', 'inherit'],
    env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' },
  });
}

function shuffle<T>(items: T[]): T[] {
  const a = [...items];
  for (let i = a.length - 1; i > 0; i--) {
    const j = Math.floor(Math.random() * (i + 1));
    [a[i], a[j]] = [a[j] as T, a[i] as T];
  }
  return a;
}

export async function run(n = 1000, rounds = 5, warmup = 3000, log: (s: string) => void = (s) => process.stderr.write(`${s}\n`)): Promise<PeerFigures[]> {
  if (process.getuid?.() !== 0) throw new Error('bench:peers needs root (auditd, bpftrace, /etc/ld.so.preload)');
  ensurePackages();
  const helper = buildStormHelper();
  const dir = mkdtempSync(join(tmpdir(), 'sessiontop-peers-'));
  const monitors = [sessiontopMonitor(), auditdMonitor(), snoopyMonitor(), bpftraceMonitor()];
  let active: Monitor | null = null;
  // whatever happens, the machine is put back (the snoopy preload above all)
  const restore = async (): Promise<void> => {
    const m = active;
    active = null;
    await m?.stop();
  };
  const onSignal = (sig: NodeJS.Signals): void => {
    void restore().finally(() => process.kill(process.pid, sig));
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  const ratios = new Map<MonitorName, number[]>();
  const cpuRatios = new Map<MonitorName, number[]>();
  const ownCpu = new Map<MonitorName, number[]>();
  try {
    await timeStorm(helper, 300); // warm caches
    for (let round = 0; round < rounds; round++) {
      const order = shuffle(monitors);
      log(`round ${round + 1}/${rounds}: ${order.map((m) => m.name).join(', ')}`);
      for (const m of order) {
        const base = await timeStorm(helper, n);
        active = m;
        const pids = await m.start(dir);
        if (warmup > 0) await timeStorm(helper, warmup);
        await sleep(1000);
        const cpu0 = pids.reduce((s, p) => s + cpuMsOf(p), 0);
        const storm = await timeStorm(helper, n);
        await sleep(300); // let the monitor catch up with what it was sent
        const cpu1 = pids.reduce((s, p) => s + cpuMsOf(p), 0);
        await restore();
        const push = (map: Map<MonitorName, number[]>, v: number): void => {
          map.set(m.name, [...(map.get(m.name) ?? []), v]);
        };
        push(ratios, storm.ms / base.ms);
        push(cpuRatios, storm.cpuMs / base.cpuMs);
        push(ownCpu, ((cpu1 - cpu0) * 1000) / n);
        log(`  ${m.name.padEnd(22)} ${(storm.ms / base.ms).toFixed(3)}  (baseline ${base.ms.toFixed(0)} ms, monitored ${storm.ms.toFixed(0)} ms)`);
      }
    }
  } finally {
    await restore();
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    rmSync(dir, { recursive: true, force: true });
  }
  return monitors.map((m) => ({
    name: m.name,
    ratio: median(ratios.get(m.name) ?? [Number.NaN]),
    cpuRatio: median(cpuRatios.get(m.name) ?? [Number.NaN]),
    monitorCpuMsPer1000: median(ownCpu.get(m.name) ?? [Number.NaN]),
  }));
}

if (isMain(import.meta.url)) {
  const n = Number(process.argv[2] ?? 1000);
  const rounds = Number(process.argv[3] ?? 5);
  const warmup = Number(process.argv[4] ?? 3000);
  const figures = await run(n, rounds, warmup);
  console.log(`\nexec monitors side by side: ${n} fork+exec of /bin/true, ${rounds} rounds in random order, each monitor warmed up by ${warmup} execs, medians`);
  console.log('| monitor | storm wall time, ratio | storm CPU time, ratio | monitor\'s own CPU, ms per 1 000 execs |');
  console.log('| --- | --- | --- | --- |');
  for (const f of [...figures].sort((a, b) => a.ratio - b.ratio)) {
    console.log(`| ${f.name} | ${f.ratio.toFixed(3)} | ${f.cpuRatio.toFixed(3)} | ${f.monitorCpuMsPer1000.toFixed(1)} |`);
  }
}
