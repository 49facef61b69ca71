/**
 * The server install, for real: `npm pack` (through prepack) makes the tarball, `npm install -g`
 * installs it into a temporary prefix with a PATH holding only node, npm and sh (no cc, c++, gcc,
 * clang, cmake or make), and the installed `sessiontop` runs `--version`, `doctor`, `snapshot
 * --json` and `trace --duration 1` as root. Also: the tarball holds the prebuilt addon and no test,
 * bench or TypeScript source; asking for a build from source without a compiler fails with one line
 * naming what to install; a missing shared library is one line naming its Debian package.
 * Runtime dependencies come from the npm registry, as on a server.
 */
import { execFileSync, spawn, spawnSync, type SpawnSyncReturns } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { packageRoot } from '../../src/sensor/native-addon.js';
import { sensorSkipReason } from '../support/sensor-harness.js';

const root = packageRoot();
const version = (JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { version: string }).version;

function skipReason(): string | undefined {
  if (process.platform !== 'linux' || process.arch !== 'x64') return `the prebuilt is linux-x64; this is ${process.platform}-${process.arch}`;
  if (process.getuid?.() !== 0) return 'not running as root (the installed sessiontop is run as root, and installs globally)';
  if (spawnSync('sh', ['-c', 'command -v npm'], { encoding: 'utf8' }).status !== 0) return 'npm is not on PATH';
  return undefined;
}
const skip = skipReason();
if (skip) console.warn(`[skip] package install: ${skip}`);
const noEbpf = skip ? undefined : sensorSkipReason();

const COMPILERS = ['cc', 'c++', 'gcc', 'g++', 'clang', 'cmake', 'make'];
let dir = '';
let tarball = '';
let prefix = '';
let minimalPath = '';
let installed = '';
let packed: string[] = [];

/** Runs the installed sessiontop with only the prefix's bin and the minimal tools on PATH. */
function sessiontop(args: string[], options: { uid?: number; env?: Record<string, string> } = {}): SpawnSyncReturns<string> {
  return spawnSync(join(prefix, 'bin', 'sessiontop'), args, {
    encoding: 'utf8',
    cwd: dir,
    env: { ...process.env, PATH: `${join(prefix, 'bin')}:${minimalPath}`, ...options.env },
    timeout: 60_000,
    ...(options.uid !== undefined ? { uid: options.uid, gid: options.uid } : {}),
  });
}

function npmInstall(target: string, env: Record<string, string> = {}): SpawnSyncReturns<string> {
  return spawnSync('npm', ['install', '-g', '--prefix', target, '--no-audit', '--no-fund', '--fetch-retries=1', tarball], {
    encoding: 'utf8',
    cwd: dir,
    env: { ...process.env, PATH: minimalPath, ...env },
    timeout: 240_000,
  });
}

describe.skipIf(skip)('server install from the packed tarball, without a compiler', () => {
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'sessiontop-pkg-'));
    chmodSync(dir, 0o755); // the unprivileged doctor run reads the installed package
    const pack = spawnSync('npm', ['pack', '--pack-destination', dir], { cwd: root, encoding: 'utf8', timeout: 300_000 });
    if (pack.status !== 0) throw new Error(`npm pack failed: ${pack.stderr.slice(-2000)}`);
    tarball = join(dir, `sessiontop-${version}.tgz`);
    packed = execFileSync('tar', ['tzf', tarball], { encoding: 'utf8' }).trim().split('\n');

    minimalPath = join(dir, 'path');
    mkdirSync(minimalPath);
    symlinkSync(process.execPath, join(minimalPath, 'node'));
    for (const tool of ['npm', 'sh']) {
      symlinkSync(spawnSync('sh', ['-c', `command -v ${tool}`], { encoding: 'utf8' }).stdout.trim(), join(minimalPath, tool));
    }
    prefix = join(dir, 'prefix');
    const install = npmInstall(prefix);
    if (install.status !== 0) throw new Error(`npm install -g failed: ${install.stderr.slice(-2000)}`);
    installed = join(prefix, 'lib', 'node_modules', 'sessiontop');
  }, 600_000);

  afterAll(() => {
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('packs the compiled CLI, the prebuilt addon, the unit and the README, and no test, bench or TypeScript source', () => {
    expect(packed).toContain('package/prebuilds/linux-x64/sessiontop.napi.glibc.node');
    expect(packed).toContain('package/dist/package/cli.js');
    expect(packed).toContain('package/bin/sessiontop.js');
    expect(packed).toContain('package/systemd/sessiontop-record.service');
    expect(packed).toContain('package/README.md');
    expect(packed).toContain('package/man/sessiontop.1');
    expect(packed.filter((f) => /(^package\/(test|bench)\/)|\.test\.|\/test\//.test(f))).toEqual([]);
    expect(packed.filter((f) => /\.tsx?$|\.map$|tsconfig|vitest/.test(f))).toEqual([]);
    expect(packed.filter((f) => f.startsWith('package/build/') || f.startsWith('package/node_modules/'))).toEqual([]);
  });

  // The arm64 prebuilt is cross-built only where Debian's cross toolchain is installed (.ci/install-cross-packages).
  const crossReady = spawnSync('sh', ['-c', 'command -v aarch64-linux-gnu-g++']).status === 0 && existsSync('/usr/lib/aarch64-linux-gnu/pkgconfig/libbpf.pc');
  if (!skip && !crossReady) console.warn('[skip] linux-arm64 prebuilt check: no g++-aarch64-linux-gnu and libbpf-dev:arm64 here');
  it.skipIf(!crossReady)('packs a linux-arm64 prebuilt for AArch64 that links the shared libbpf', () => {
    const name = 'package/prebuilds/linux-arm64/sessiontop.napi.glibc.node';
    expect(packed).toContain(name);
    const bytes = execFileSync('tar', ['xzfO', tarball, name]);
    expect(bytes.subarray(0, 4).toString('latin1')).toBe('\x7fELF');
    expect(bytes.readUInt16LE(18)).toBe(183); // EM_AARCH64
    expect(bytes.includes(Buffer.from('libbpf.so.1\0'))).toBe(true);
  });

  it('installs with no compiler on PATH, builds nothing, and puts sessiontop on PATH', () => {
    for (const tool of COMPILERS) expect(existsSync(join(minimalPath, tool)), tool).toBe(false);
    expect(readdirSync(minimalPath).sort()).toEqual(['node', 'npm', 'sh']);
    expect(existsSync(join(installed, 'build'))).toBe(false);
    expect(existsSync(join(installed, 'prebuilds', 'linux-x64', 'sessiontop.napi.glibc.node'))).toBe(true);
    const which = spawnSync('sh', ['-c', 'command -v sessiontop'], { encoding: 'utf8', env: { ...process.env, PATH: `${join(prefix, 'bin')}:${minimalPath}` } });
    expect(which.stdout.trim()).toBe(join(prefix, 'bin', 'sessiontop'));
  });

  it('man sessiontop works after the install and documents every command', () => {
    const manPath = join(prefix, 'share', 'man');
    expect(existsSync(join(manPath, 'man1', 'sessiontop.1'))).toBe(true);
    const r = spawnSync('man', ['-P', 'cat', 'sessiontop'], { encoding: 'utf8', env: { ...process.env, MANPATH: manPath, MANWIDTH: '200' } });
    if (r.error) {
      console.warn(`[skip] man sessiontop: ${r.error.message}`);
      return;
    }
    expect(r.status, r.stderr).toBe(0);
    for (const word of ['record', 'replay', 'snapshot', 'trace', 'doctor', 'completion']) expect(r.stdout).toContain(`sessiontop ${word}`);
  });

  it('completion bash from the installed sessiontop registers and completes', () => {
    const bin = join(prefix, 'bin');
    const script = `source <(sessiontop completion bash); complete -p sessiontop; COMP_WORDS=(sessiontop do); COMP_CWORD=1; _sessiontop; echo "\${COMPREPLY[*]}"`;
    const bash = spawnSync('sh', ['-c', 'command -v bash'], { encoding: 'utf8' }).stdout.trim();
    const r = spawnSync(bash, ['-c', script], { encoding: 'utf8', env: { ...process.env, PATH: `${bin}:${minimalPath}` } });
    expect(r.stderr).toBe('');
    expect(r.stdout).toBe('complete -F _sessiontop sessiontop\ndoctor\n');
  });

  it('--version prints the version, the record version and the libbpf version', () => {
    const r = sessiontop(['--version']);
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(new RegExp(`^sessiontop ${version.replace(/\./g, '\\.')}\\nrecord version \\d+, libbpf \\d+\\.\\d+\\n$`));
  });

  it.skipIf(noEbpf)('doctor loads the sensor from the prebuilt and exits 0; --json says the same', () => {
    const text = sessiontop(['doctor']);
    expect(text.status, text.stdout + text.stderr).toBe(0);
    expect(text.stdout).toContain('live eBPF works');
    expect(text.stdout).toMatch(/✓ {2}sensor +\d+ programs loaded and attached/);
    const json = sessiontop(['doctor', '--json']);
    expect(json.status).toBe(0);
    const report = JSON.parse(json.stdout) as { liveEbpf: boolean; checks: { check: string; status: string; found: string }[] };
    expect(report.liveEbpf).toBe(true);
    const addon = report.checks.find((c) => c.check === 'addon')!;
    expect(addon.status).toBe('ok');
    expect(addon.found).toContain(join(installed, 'prebuilds', 'linux-x64'));
    expect(report.checks.map((c) => c.check)).toEqual(expect.arrayContaining(['kernel', 'BTF', 'privileges', 'tracefs', 'ring buffer', 'libbpf', 'audit login ids', 'sensor']));
  });

  it('doctor as an unprivileged user exits 1 and says what to do about privileges', () => {
    const r = sessiontop(['doctor'], { uid: 65534 });
    expect(r.status, r.stdout + r.stderr).toBe(1);
    expect(r.stdout).toContain('live eBPF does NOT work');
    expect(r.stdout).toMatch(/✗ {2}privileges .*\n +→ run as root \(sudo sessiontop\), or grant CAP_BPF and CAP_PERFMON/);
  });

  const setpriv = spawnSync('sh', ['-c', 'command -v setpriv'], { encoding: 'utf8' }).stdout.trim();
  if (!skip && !setpriv) console.warn('[skip] doctor with capabilities: setpriv (util-linux) is not installed');
  it.skipIf(noEbpf || !setpriv)('doctor with capabilities instead of root: CAP_BPF and CAP_PERFMON need CAP_DAC_READ_SEARCH for a root-only tracefs', () => {
    const asNobodyWith = (caps: string) =>
      spawnSync(setpriv, ['--reuid=65534', '--regid=65534', '--clear-groups', `--inh-caps=${caps}`, `--ambient-caps=${caps}`, join(prefix, 'bin', 'sessiontop'), 'doctor', '--json'], {
        encoding: 'utf8',
        cwd: dir,
        env: { ...process.env, PATH: `${join(prefix, 'bin')}:${minimalPath}` },
      });
    const rootOnly = (statSync('/sys/kernel/tracing').mode & 0o005) === 0;
    const without = asNobodyWith('+bpf,+perfmon');
    expect(without.error).toBeUndefined();
    const report = JSON.parse(without.stdout) as { liveEbpf: boolean; checks: { check: string; status: string; fix: string }[] };
    expect(report.checks.find((c) => c.check === 'privileges')!.status).toBe('ok');
    if (rootOnly) {
      expect(without.status).toBe(1);
      expect(report.checks.find((c) => c.check === 'tracefs')).toMatchObject({ status: 'fail', fix: expect.stringContaining('CAP_DAC_READ_SEARCH') });
      expect(report.checks.find((c) => c.check === 'sensor')!.fix).toContain('not readable by this process: run as root or with CAP_DAC_READ_SEARCH');
    }
    const withDac = asNobodyWith('+bpf,+perfmon,+dac_read_search');
    expect(withDac.status, withDac.stdout).toBe(0);
    expect((JSON.parse(withDac.stdout) as { liveEbpf: boolean }).liveEbpf).toBe(true);
  });

  it('snapshot --json prints one valid snapshot line per live process, this test runner included', () => {
    const r = sessiontop(['snapshot', '--json']);
    expect(r.status, r.stderr).toBe(0);
    const lines = r.stdout.trim().split('\n').map((l) => JSON.parse(l) as { event: { action: string }; process: { pid: number } });
    expect(lines.length).toBeGreaterThan(5);
    expect(lines.every((l) => l.event.action === 'snapshot')).toBe(true);
    expect(lines.some((l) => l.process.pid === process.pid)).toBe(true);
  });

  it.skipIf(noEbpf)('trace --duration 1 prints the exec of a command run meanwhile', async () => {
    const child = spawn(join(prefix, 'bin', 'sessiontop'), ['trace', '--duration', '1', '--action', 'exec'], {
      cwd: dir,
      env: { ...process.env, PATH: `${join(prefix, 'bin')}:${minimalPath}` },
    });
    let out = '';
    let err = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    const marker = `pkg-trace-${process.pid}`;
    const runner = setInterval(() => spawnSync('/bin/sh', ['-c', `: ${marker}`]), 50);
    const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
    clearInterval(runner);
    expect(code, err).toBe(0);
    const events = out.trim().split('\n').filter(Boolean).map((l) => JSON.parse(l) as { action: string; args: string[] });
    expect(events.every((e) => e.action === 'exec')).toBe(true);
    expect(events.some((e) => e.args.join(' ').includes(marker))).toBe(true);
  });

  it('names the Debian package when a shared library of the addon is missing (one line, no loader trace)', () => {
    // A copy of the prebuilt whose DT_NEEDED says libbpf.so.9: the dynamic loader really fails to find it.
    const bytes = readFileSync(join(installed, 'prebuilds', 'linux-x64', 'sessiontop.napi.glibc.node'));
    const from = Buffer.from('libbpf.so.1\0');
    let n = 0;
    for (let at = bytes.indexOf(from); at >= 0; at = bytes.indexOf(from, at + 1), n++) bytes.write('libbpf.so.9\0', at, 'latin1');
    expect(n).toBeGreaterThan(0);
    const patched = join(dir, 'missing-lib.node');
    writeFileSync(patched, bytes);
    for (const args of [['--version'], ['doctor']]) {
      const r = sessiontop(args, { env: { SESSIONTOP_ADDON: patched } });
      expect(r.status).toBe(1);
      const said = args[0] === 'doctor' ? r.stdout : r.stderr;
      expect(said).toContain('the eBPF addon needs the shared library libbpf.so.9, which is not installed: install the Debian package libbpf1');
      expect(said).not.toMatch(/dlopen|at Module|node:internal|Require stack/);
    }
    expect(sessiontop(['--version'], { env: { SESSIONTOP_ADDON: patched } }).stderr.trim().split('\n')).toHaveLength(1);
  });

  it('asked to build from source without a compiler, the install fails with one line naming what to install', () => {
    const r = npmInstall(join(dir, 'prefix-from-source'), { SESSIONTOP_BUILD_FROM_SOURCE: '1' });
    expect(r.status).not.toBe(0);
    const line = r.stderr.split('\n').find((l) => l.includes('sessiontop: building the eBPF addon from source'));
    expect(line, r.stderr).toBeDefined();
    expect(line).toMatch(/building it needs clang, llvm, bpftool, cmake, make, g\+\+, pkg-config, libbpf-dev, libelf-dev, zlib1g-dev \(missing: clang, .*cmake, make, g\+\+.*\): install them/);
  });
});
