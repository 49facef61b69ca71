/**
 * Loads the N-API addon and types its surface. node-gyp-build finds it: build/Release/ in a source
 * checkout (npm run build), else the prebuilt for this platform under prebuilds/<platform>-<arch>/
 * in an installed package. A failure to load is one line saying what to install.
 */
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { RECORD_VERSION } from './record-layout.js';

/** Where the typed-line uprobes of one shell go (addon/sensor.h TypedTarget). */
export interface TypedTarget {
  /** readline: bash (readline, rl_newline); zle: zsh (zleentry, and zle.so's acceptline). */
  kind: 'readline' | 'zle';
  /** ELF file holding readline (bash or libreadline.so) or zleentry (zsh). */
  path: string;
  /** The probes sit in a shared library: only processes whose executable is a bash in `shells` count. */
  bashOnly: boolean;
  /** ELF file holding the accept-line function (rl_newline, acceptline): reports a line whose read began before the sensor. */
  acceptPath?: string;
  /** Offsets from the accept-line function of the line editor's globals (rl_line_buffer / zleline, zlell, zlecontext). */
  line?: number;
  len?: number;
  context?: number;
}

/** A shell binary found at start (addon/sensor.h ShellExe). */
export interface ShellExe {
  /** st_dev in the kernel's encoding (major << 20 | minor). */
  dev: number;
  ino: number;
  /** enum st_shell. */
  kind: number;
  /** bash: rl_line_buffer's offset from the process's start_code, when the executable defines it. */
  lineVar?: number;
}

export interface SensorOptions {
  /** Ring buffer bytes: a power of two, at least the page size (default 16 MiB). */
  ringBytes?: number;
  /** argv bytes kept per exec (default 16384, at most 65536). */
  argsMax?: number;
  /** Typed-line bytes kept (default 1024, at most 4096). */
  typedMax?: number;
  /** Typed-line uprobes; with `shells` empty or absent too, typed capture is off (nothing loaded). */
  typedTargets?: TypedTarget[];
  /** Shell binaries found at start; dash ones turn on the read(2) tracepoint. */
  shells?: ShellExe[];
  /** Load the terminal-output write hooks (off: they are not loaded at all). */
  ttyOutput?: boolean;
  /** Terminal output bytes per process per second (default 65536; 0: unbounded). */
  ttyRate?: number;
  /** Terminal output bytes per process in total (default 1 MiB; 0: unbounded). */
  ttyMaxBytes?: number;
  /** libbpf's messages on stderr. */
  debug?: boolean;
}

export interface ProbeStatus {
  path: string;
  /** What is probed there: readline, rl_newline, zleentry, acceptline, read(2). */
  probe: string;
  attached: boolean;
  error?: string;
}

export interface SensorStats {
  lost: number;
  records: number;
  bytes: number;
  ringBytes: number;
  programs: number;
  probes: ProbeStatus[];
  closed: boolean;
}

export interface NativeSensor {
  drain(buffer: Uint8Array): number;
  stats(): SensorStats;
  /** The kernel's lost-record counter alone (cheap). */
  lost(): number;
  close(): void;
  /** Calls `callback` when records wait, at most once per `coalesceMs` (default 10) after a drain. */
  onReadable(callback: () => void, coalesceMs?: number): void;
}

export interface NativeAddon {
  open(options?: SensorOptions): NativeSensor;
  /** Like open, but loads on a worker thread so the event loop keeps running. */
  openAsync(options?: SensorOptions): Promise<NativeSensor>;
  bootClockOffsetMs(): number;
  /** True when the reader of a pipe (or the peer of a socket) behind `fd` is gone. */
  peerGone(fd: number): boolean;
  /** Sets O_NONBLOCK on `fd`; false when fcntl failed. */
  setNonBlocking(fd: number): boolean;
  /** 1 when the kernel has BPF ring buffers; 0 when it has not, or when this process may not create BPF maps (unprivileged), or a negative errno. */
  probeRingBuffer(): number;
  /** "MAJOR.MINOR" of the libbpf shared library the addon runs against. */
  libbpfVersion: string;
  /** The byte walk of the recording line scanner (addon/line-scanner.h; record-line-scanner.ts). */
  LineScanner: new (nodes: readonly NativeScanNode[], tape: Float64Array) => NativeLineScanner;
  recordVersion: number;
  headerSize: number;
  argsLimit: number;
  typedLimit: number;
}

/** A schema node as the addon's line scanner takes it (record-line-scanner.ts compiles them). */
export interface NativeScanNode {
  type: number;
  use: number;
  keys: string[];
  children: number[];
  required: number[];
  items: number;
  dateTime: boolean;
  digitsMin: number;
  digitsMax: number;
  enumValues: string[];
  jsTest: boolean;
  minimum: number;
  maximum: number;
  exclusiveMinimum: number;
  exclusiveMaximum: number;
}

export interface NativeLineScanner {
  /** Walks the line `b[from, to)`: the length of the tape it wrote, or −1 (not understood). */
  scan(b: Uint8Array, from: number, to: number): number;
  /** Strings in its table (emptied at the start of a line once half full). */
  tableSize(): number;
}

/** Error codes the addon and this loader use. */
export type SensorErrorCode = 'EPERM' | 'ENOBTF' | 'ENOSYS' | 'EINVAL' | 'ELOAD' | 'EATTACH' | 'ECLOSED' | 'ENOADDON';

export class SensorError extends Error {
  constructor(
    readonly code: SensorErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'SensorError';
  }
}

let cached: NativeAddon | undefined;

/** The package root: the nearest ancestor directory of this module holding sessiontop's package.json. */
export function packageRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const pkg = join(dir, 'package.json');
    if (existsSync(pkg)) {
      try {
        if ((JSON.parse(readFileSync(pkg, 'utf8')) as { name?: string }).name === 'sessiontop') return dir;
      } catch {
        // not ours; keep looking
      }
    }
    const up = dirname(dir);
    if (up === dir) throw new Error('cannot find the sessiontop package root');
    dir = up;
  }
}

/** Where the addon is: SESSIONTOP_ADDON if set, else what node-gyp-build resolves for this platform. */
export function addonPath(): string {
  if (process.env.SESSIONTOP_ADDON) return process.env.SESSIONTOP_ADDON;
  const root = packageRoot();
  const require = createRequire(import.meta.url);
  const nodeGypBuild = require('node-gyp-build') as { path(dir: string): string };
  try {
    return nodeGypBuild.path(root);
  } catch {
    throw new SensorError('ENOADDON', noAddonMessage(root));
  }
}

function noAddonMessage(root: string): string {
  const target = `${process.platform}-${process.arch}`;
  if (existsSync(join(root, 'src', 'cli.ts'))) return `the eBPF addon is not built for ${target}: run npm run build in ${root}`;
  return `no eBPF addon for ${target} in ${root}: reinstall it with SESSIONTOP_BUILD_FROM_SOURCE=1 npm install -g (needs ${BUILD_NEEDS})`;
}

/** What building the addon from source needs, as Debian packages. */
export const BUILD_NEEDS = 'clang, llvm, bpftool, cmake, make, g++, pkg-config, libbpf-dev, libelf-dev, zlib1g-dev';

/** The Debian package that provides each shared library the addon (or libbpf) links. */
const LIBRARY_PACKAGES: [RegExp, string][] = [
  [/^libbpf\.so/, 'libbpf1'],
  [/^libelf\.so/, 'libelf1 (libelf1t64 on Debian 13 and Ubuntu 24.04)'],
  [/^libz\.so/, 'zlib1g'],
  [/^libstdc\+\+\.so/, 'libstdc++6'],
  [/^libgcc_s\.so/, 'libgcc-s1'],
];

/**
 * Turns the dynamic loader's error into one line naming what to install: a missing shared library
 * becomes its Debian package, a too-old one (a symbol version not found) says which version.
 */
export function addonLoadError(err: unknown, path: string): SensorError {
  const message = String((err as { message?: string })?.message ?? err);
  const missing = /([\w.+-]+\.so[\w.]*): cannot open shared object file/.exec(message);
  if (missing) {
    const lib = missing[1]!;
    const pkg = LIBRARY_PACKAGES.find(([re]) => re.test(lib))?.[1];
    const what = pkg ? `install the Debian package ${pkg}` : `install the package that provides ${lib}`;
    return new SensorError('ENOADDON', `the eBPF addon needs the shared library ${lib}, which is not installed: ${what}`);
  }
  const version = /version [`'"]?([A-Za-z_+]+)_([\d.]+)['"]? not found \(required by/.exec(message);
  if (version) {
    const [, name, number] = version;
    const lib = { GLIBC: 'glibc', GLIBCXX: 'libstdc++6', CXXABI: 'libstdc++6', LIBBPF: 'libbpf1' }[name!] ?? name!;
    return new SensorError(
      'ENOADDON',
      `the prebuilt eBPF addon needs ${lib} ${name}_${number} or newer, which this host lacks: upgrade ${lib}, or reinstall it with SESSIONTOP_BUILD_FROM_SOURCE=1 npm install -g (needs ${BUILD_NEEDS})`,
    );
  }
  const firstLine = message.split('\n').find((l) => l.trim() !== '') ?? message;
  return new SensorError('ENOADDON', `cannot load the eBPF addon ${path}: ${firstLine.trim()}`);
}

export function loadAddon(): NativeAddon {
  if (cached) return cached;
  const path = addonPath();
  if (!existsSync(path)) {
    throw new SensorError('ENOADDON', `the eBPF addon ${path} is missing: set SESSIONTOP_ADDON to a built sessiontop.node, or unset it`);
  }
  const require = createRequire(import.meta.url);
  let addon: NativeAddon;
  try {
    addon = require(path) as NativeAddon;
  } catch (err) {
    throw addonLoadError(err, path);
  }
  checkRecordVersion(addon.recordVersion, path);
  cached = addon;
  return cached;
}

/** An addon built from another bpf/sessiontop.h writes records this decoder cannot read: refuse it at load. */
export function checkRecordVersion(addonVersion: unknown, path: string): void {
  if (addonVersion === RECORD_VERSION) return;
  throw new SensorError(
    'ENOADDON',
    `the eBPF addon is stale (${path} writes records of version ${String(addonVersion)}, this sessiontop reads version ${RECORD_VERSION}): ${rebuildHint(path)}`,
  );
}

/** What to do about a stale addon: rebuild in a checkout, reinstall a package. */
function rebuildHint(addonPath: string): string {
  return addonPath.includes('/prebuilds/') ? 'reinstall sessiontop (npm install -g the matching tarball)' : 'run npm run build';
}

/** Converts an addon exception into a SensorError (the addon sets `code`). */
export function asSensorError(err: unknown): SensorError {
  if (err instanceof SensorError) return err;
  const e = err as { code?: string; message?: string };
  const code = (e?.code ?? 'ELOAD') as SensorErrorCode;
  return new SensorError(code, e?.message ?? String(err));
}
