/**
 * `sessiontop doctor`: what this host supports, in one table, with what to do for each ✗. It reads
 * the kernel's facts (release, BTF, capabilities, tracefs, audit ids), loads the addon, probes the
 * ring buffer, and then really loads, attaches and detaches the sensor with its shell probes.
 * Exit 0 when live eBPF works, 1 when it does not; `--json` prints the same rows as one JSON object.
 */
import { readFileSync, statSync } from 'node:fs';
import { release } from 'node:os';
import { escapeControl } from '../text/escape-control.js';
import { RECORD_VERSION } from '../sensor/record-layout.js';
import type { ParsedArgs } from './command-line.js';
import { addonPath, asSensorError, loadAddon, type NativeAddon, type ProbeStatus } from '../sensor/native-addon.js';
import { SHELL_NAMES } from '../sensor/record-layout.js';
import { findTypedProbes } from '../sensor/shell-binaries.js';

export type CheckStatus = 'ok' | 'fail' | 'warn' | 'none';

export interface DoctorCheck {
  check: string;
  status: CheckStatus;
  /** What was found on this host. */
  found: string;
  /** What to do (empty when nothing is needed). */
  fix: string;
}

export interface DoctorReport {
  /** Live eBPF works: the sensor loaded, attached and detached. */
  liveEbpf: boolean;
  checks: DoctorCheck[];
}

/** Capability bits (linux/capability.h). */
const CAP = { DAC_READ_SEARCH: 2, SYS_PTRACE: 19, SYS_ADMIN: 21, PERFMON: 38, BPF: 39 } as const;
type CapName = keyof typeof CAP;

const MIN_KERNEL: [number, number] = [5, 17];
const MIN_NODE: [number, number] = [20, 17];
const MIN_LIBBPF: [number, number] = [1, 0];

/** The effective capability set of this process, from /proc/self/status. */
export function effectiveCapabilities(status = readText('/proc/self/status')): bigint {
  const m = /^CapEff:\s*([0-9a-fA-F]+)$/m.exec(status ?? '');
  return m ? BigInt(`0x${m[1]}`) : 0n;
}

function has(caps: bigint, name: CapName): boolean {
  return (caps & (1n << BigInt(CAP[name]))) !== 0n;
}

function readText(path: string): string | undefined {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return undefined;
  }
}

function versionAtLeast(text: string, min: [number, number]): boolean {
  const m = /^(\d+)\.(\d+)/.exec(text);
  if (!m) return false;
  const major = Number(m[1]);
  return major > min[0] || (major === min[0] && Number(m[2]) >= min[1]);
}

/** Where tracefs is mounted, from /proc/self/mountinfo (readable without privileges). */
export function tracefsMounts(mountinfo = readText('/proc/self/mountinfo') ?? ''): string[] {
  const mounts: string[] = [];
  for (const line of mountinfo.split('\n')) {
    const sep = line.indexOf(' - ');
    if (sep < 0) continue;
    if (line.slice(sep + 3).split(' ')[0] !== 'tracefs') continue;
    const mountPoint = line.slice(0, sep).split(' ')[4];
    if (mountPoint) mounts.push(mountPoint.replace(/\\([0-7]{3})/g, (_, o: string) => String.fromCharCode(parseInt(o, 8))));
  }
  return mounts;
}

/** Runs every check, the real sensor load included. */
export function runChecks(): DoctorReport {
  const checks: DoctorCheck[] = [];
  const add = (check: string, status: CheckStatus, found: string, fix = '') => checks.push({ check, status, found, fix });
  const caps = effectiveCapabilities();
  const euid = process.geteuid?.() ?? -1;

  const kernel = release();
  add('kernel', versionAtLeast(kernel, MIN_KERNEL) ? 'ok' : 'fail', `Linux ${kernel}`,
    versionAtLeast(kernel, MIN_KERNEL) ? '' : `live eBPF needs Linux ${MIN_KERNEL.join('.')} or newer: upgrade the kernel (sessiontop falls back to /proc polling)`);

  const node = process.versions.node;
  add('node', versionAtLeast(node, MIN_NODE) ? 'ok' : 'fail', `Node.js ${node}`,
    versionAtLeast(node, MIN_NODE) ? '' : `install Node.js ${MIN_NODE.join('.')} or newer`);

  const btf = '/sys/kernel/btf/vmlinux';
  let btfSize = -1;
  try {
    btfSize = statSync(btf).size;
  } catch {
    // absent
  }
  add('BTF', btfSize >= 0 ? 'ok' : 'fail', btfSize >= 0 ? `${btf} (${Math.round(btfSize / 1024)} KiB)` : `${btf} is missing`,
    btfSize >= 0 ? '' : 'use a kernel built with CONFIG_DEBUG_INFO_BTF=y (Debian 11+, Ubuntu 20.10+, RHEL 8.2+ kernels are)');

  const bpfOk = (has(caps, 'BPF') || has(caps, 'SYS_ADMIN')) && (has(caps, 'PERFMON') || has(caps, 'SYS_ADMIN'));
  const held = (Object.keys(CAP) as CapName[]).filter((c) => has(caps, c)).map((c) => `CAP_${c}`);
  const who = euid === 0 ? 'root' : `uid ${euid}`;
  add('privileges', bpfOk ? 'ok' : 'fail', `${who}; effective: ${held.length ? held.join(', ') : 'none of CAP_BPF, CAP_PERFMON, CAP_SYS_ADMIN'}`,
    bpfOk ? '' : 'run as root (sudo sessiontop), or grant CAP_BPF and CAP_PERFMON (e.g. AmbientCapabilities= in a systemd unit)');

  const backfillOk = has(caps, 'SYS_PTRACE') && has(caps, 'DAC_READ_SEARCH');
  add('backfill', backfillOk ? 'ok' : 'warn',
    backfillOk ? "other users' /proc entries readable (CAP_SYS_PTRACE, CAP_DAC_READ_SEARCH)" : "other users' /proc entries may be unreadable",
    backfillOk ? '' : 'processes already running at start may lack cwd and details: run as root or grant CAP_SYS_PTRACE and CAP_DAC_READ_SEARCH');

  const mounts = tracefsMounts();
  const canMount = has(caps, 'SYS_ADMIN');
  // The sensor finds syscall tracepoints under <tracefs>/events; tracefs is often mode 0700 root.
  const readable = mounts.filter((m) => {
    try {
      statSync(`${m}/events`);
      return true;
    } catch {
      return false;
    }
  });
  if (mounts.length === 0) {
    add('tracefs', canMount ? 'ok' : 'fail', canMount ? 'not mounted; sessiontop mounts it on /sys/kernel/tracing (CAP_SYS_ADMIN held)' : 'not mounted',
      canMount ? '' : 'mount it (mount -t tracefs nodev /sys/kernel/tracing), or grant CAP_SYS_ADMIN so sessiontop can');
  } else if (readable.length === 0) {
    add('tracefs', 'fail', `mounted on ${mounts.join(', ')}, but this process cannot read its events directory`,
      'run as root, or grant CAP_DAC_READ_SEARCH (tracefs is usually readable by root only)');
  } else {
    add('tracefs', 'ok', `mounted on ${readable.join(', ')}`);
  }

  const loginuid = readText('/proc/self/loginuid')?.trim();
  add('audit login ids', loginuid !== undefined ? 'ok' : 'warn',
    loginuid === undefined ? '/proc/self/loginuid is missing (kernel without CONFIG_AUDIT)'
      : `supported (this process: ${loginuid === '4294967295' ? 'no login uid, started outside a login' : `login uid ${loginuid}`})`,
    loginuid !== undefined ? '' : 'entry sessions are then found from the process tree alone (tmux and screen after logout can look like services)');

  let addon: NativeAddon | undefined;
  let addonError = '';
  let path = '';
  try {
    path = addonPath();
    addon = loadAddon();
  } catch (err) {
    addonError = (err as Error).message ?? String(err);
  }
  if (!addon) {
    add('addon', 'fail', path ? `cannot load ${path}` : 'not found', addonError);
    for (const check of ['libbpf', 'ring buffer', 'sensor']) add(check, 'fail', 'not checked: the addon did not load', 'fix the addon first');
    return { liveEbpf: false, checks };
  }
  const versionsMatch = addon.recordVersion === RECORD_VERSION;
  add('addon', versionsMatch ? 'ok' : 'fail', `${path}, record version ${addon.recordVersion}`,
    versionsMatch ? '' : `this build decodes record version ${RECORD_VERSION}: rebuild the addon (npm run build) or reinstall the package`);

  const libbpfOk = versionAtLeast(addon.libbpfVersion, MIN_LIBBPF);
  add('libbpf', libbpfOk ? 'ok' : 'fail', `libbpf ${addon.libbpfVersion}`, libbpfOk ? '' : 'install libbpf 1.0 or newer (Debian package libbpf1)');

  const ring = addon.probeRingBuffer();
  add('ring buffer', ring === 1 ? 'ok' : 'fail',
    ring === 1 ? 'BPF ring buffer supported' : bpfOk ? 'no BPF ring buffer' : 'cannot check without CAP_BPF',
    ring === 1 ? '' : bpfOk ? 'needs Linux 5.8 or newer' : 'run sessiontop doctor as root');

  const typed = findTypedProbes();
  let probes: ProbeStatus[] = [];
  let liveEbpf = false;
  try {
    const sensor = addon.open({ typedTargets: typed.targets, shells: typed.shells });
    try {
      const stats = sensor.stats();
      probes = stats.probes;
      add('sensor', 'ok', `${stats.programs} programs loaded and attached, ${stats.ringBytes >> 20} MiB ring buffer; detached again`);
      liveEbpf = true;
    } finally {
      sensor.close();
    }
  } catch (err) {
    add('sensor', 'fail', 'did not load', asSensorError(err).message);
  }

  // One row per shell: where its typed-line probes go (bash: readline; zsh: zle; dash: read(2) on a
  // terminal), and whether each attached in the real load above.
  for (const shell of ['bash', 'zsh', 'dash'] as const) {
    const found = typed.shells.filter((e) => SHELL_NAMES[e.kind] === shell).length;
    const where =
      shell === 'dash'
        ? probes.filter((p) => p.probe === 'read(2)').map((p) => p.path)
        : [...new Set(typed.targets.filter((t) => (shell === 'bash' ? t.kind === 'readline' : t.kind === 'zle')).flatMap((t) => [t.path, t.acceptPath ?? t.path]))];
    const check = `typed lines: ${shell}`;
    if (found === 0) {
      add(check, 'none', `no ${shell} binary found (the usual paths and /etc/shells)`);
      continue;
    }
    const mine = probes.filter((p) => (shell === 'dash' ? p.probe === 'read(2)' : where.includes(p.path) && p.probe !== 'read(2)'));
    const binaries = `${found} ${shell} binar${found === 1 ? 'y' : 'ies'}`;
    if (!liveEbpf) {
      add(check, 'none', `${binaries}; probes on ${where.join(', ') || 'nothing'}: not attached (the sensor did not load)`);
      continue;
    }
    if (mine.length === 0) {
      add(check, 'fail', `${binaries}, but no probe target in them`, shell === 'dash' ? 'the read(2) tracepoint was not set up: run with --debug for libbpf\'s reason' : `this ${shell} has no symbol to probe (stripped or an unknown build): typed lines are not captured for it`);
      continue;
    }
    const failed = mine.filter((p) => !p.attached);
    const labels = [...new Set(mine.map((p) => p.probe))];
    const list = labels.map((l) => `${l} ${mine.every((p) => p.probe !== l || p.attached) ? '✓' : '✗'}`).join(', ');
    const paths = [...new Set(mine.map((p) => p.path))].join(', ');
    if (failed.length === 0) add(check, 'ok', `${binaries}; ${paths}: ${list}`);
    else add(check, 'fail', `${binaries}; ${paths}: ${list}`, probeFix(failed[0]!.error));
  }
  return { liveEbpf, checks };
}

function probeFix(error: string | undefined): string {
  if (error === undefined) return "the probe did not attach: run with --debug for libbpf's reason";
  if (/Permission denied|Operation not permitted/.test(error)) return `${error}: uprobes need root (or CAP_SYS_ADMIN) here`;
  return error;
}

const MARK: Record<CheckStatus, string> = { ok: '✓', fail: '✗', warn: '!', none: '-' };

/** The report as a text table: every string escaped, one row per check, the fix under a ✗ or !. */
export function doctorText(report: DoctorReport): string {
  const rows = report.checks.map((c) => ({ ...c, check: escapeControl(c.check), found: escapeControl(c.found), fix: escapeControl(c.fix) }));
  const width = Math.max(...rows.map((r) => r.check.length), 'check'.length);
  const lines = [
    report.liveEbpf ? 'sessiontop doctor: live eBPF works on this host' : 'sessiontop doctor: live eBPF does NOT work on this host (sessiontop would fall back to /proc polling)',
    '',
    `   ${'check'.padEnd(width)}  found`,
  ];
  for (const r of rows) {
    lines.push(`${MARK[r.status]}  ${r.check.padEnd(width)}  ${r.found}`);
    if (r.fix) lines.push(`   ${' '.repeat(width)}  → ${r.fix}`);
  }
  return `${lines.join('\n')}\n`;
}

/** The report as one JSON object, strings escaped as for the terminal. */
export function doctorJson(report: DoctorReport): string {
  const checks = report.checks.map((c) => ({ check: escapeControl(c.check), status: c.status, found: escapeControl(c.found), fix: escapeControl(c.fix) }));
  return `${JSON.stringify({ liveEbpf: report.liveEbpf, checks })}\n`;
}

export interface DoctorOptions {
  json: boolean;
}

export function doctorOptionsFromArgs({ values }: ParsedArgs): DoctorOptions {
  return { json: values.json === true };
}

export function runDoctor(options: DoctorOptions): number {
  const report = runChecks();
  process.stdout.write(options.json ? doctorJson(report) : doctorText(report));
  return report.liveEbpf ? 0 : 1;
}
