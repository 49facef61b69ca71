#!/usr/bin/env node
// Stages a built addon as a prebuilt in node-gyp-build's layout (the one prebuildify writes):
//   prebuilds/<platform>-<arch>/sessiontop.napi.glibc.node
// and checks it first: an ELF shared object for that architecture that carries the CO-RE BPF object
// (an embedded ELF for EM_BPF with .BTF and .BTF.ext, put there by the bpftool skeleton), so the
// one file serves every kernel with BTF.
//
//   node scripts/stage-prebuild.js [ADDON [ARCH]]   defaults: build/Release/sessiontop.node, this machine's arch
//   node scripts/stage-prebuild.js --cross-arm64     cross-builds for linux-arm64 (see cmake/) and stages it,
//                                                    or says in one line what it needs and removes the old one
import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = dirname(dirname(fileURLToPath(import.meta.url)));
const cross = process.argv[2] === '--cross-arm64';
if (cross) crossBuildArm64();
const source = cross ? join(root, 'build-arm64', 'Release', 'sessiontop.node') : (process.argv[2] ?? join(root, 'build', 'Release', 'sessiontop.node'));
const arch = cross ? 'arm64' : (process.argv[3] ?? process.arch);
const MACHINES = { x64: 62, arm64: 183 }; // EM_X86_64, EM_AARCH64
const EM_BPF = 247;

/** Builds build-arm64/Release/sessiontop.node, or exits 0 saying what is missing. */
function crossBuildArm64() {
  const compiler = spawnSync('sh', ['-c', 'command -v aarch64-linux-gnu-g++']).status === 0;
  const libbpf = existsSync('/usr/lib/aarch64-linux-gnu/pkgconfig/libbpf.pc');
  if (!compiler || !libbpf) {
    rmSync(join(root, 'prebuilds', 'linux-arm64'), { recursive: true, force: true });
    process.stdout.write('stage-prebuild: no linux-arm64 prebuilt: it needs g++-aarch64-linux-gnu and libbpf-dev:arm64 (bash .ci/install-cross-packages)\n');
    process.exit(0);
  }
  const cmakeJs = join(root, 'node_modules', 'cmake-js', 'bin', 'cmake-js');
  const toolchain = join(root, 'cmake', 'aarch64-linux-gnu.cmake');
  const run = spawnSync(process.execPath, [cmakeJs, 'compile', '--out', 'build-arm64', `--CDCMAKE_TOOLCHAIN_FILE=${toolchain}`], { cwd: root, stdio: ['ignore', 'ignore', 'inherit'] });
  if (run.status !== 0) fail('cross-building the linux-arm64 addon failed (see above)');
}

function fail(message) {
  process.stderr.write(`stage-prebuild: ${message}\n`);
  process.exit(1);
}

if (!(arch in MACHINES)) fail(`unsupported architecture ${arch} (one of ${Object.keys(MACHINES).join(', ')})`);
let bytes;
try {
  bytes = readFileSync(source);
} catch (err) {
  fail(`cannot read ${source} (${err.code ?? err.message}): run npm run build first`);
}
const ELF = Buffer.from([0x7f, 0x45, 0x4c, 0x46]);
if (bytes.length < 64 || !bytes.subarray(0, 4).equals(ELF) || bytes[4] !== 2 || bytes.readUInt16LE(16) !== 3) {
  fail(`${source} is not a 64-bit ELF shared object`);
}
if (bytes.readUInt16LE(18) !== MACHINES[arch]) fail(`${source} is not built for ${arch} (e_machine ${bytes.readUInt16LE(18)})`);

// The skeleton embeds the BPF object as a byte string: find an ELF header for EM_BPF inside.
let bpfAt = -1;
for (let at = bytes.indexOf(ELF, 1); at >= 0; at = bytes.indexOf(ELF, at + 1)) {
  if (at + 20 <= bytes.length && bytes.readUInt16LE(at + 18) === EM_BPF) {
    bpfAt = at;
    break;
  }
}
if (bpfAt < 0) fail(`${source} carries no embedded BPF object (the bpftool skeleton is missing)`);
const sections = sectionNames(bytes.subarray(bpfAt));
for (const section of ['.BTF', '.BTF.ext']) {
  if (!sections.includes(section)) fail(`the BPF object in ${source} has no ${section} section: it would not be CO-RE`);
}

/** Section names of the 64-bit little-endian ELF object at the start of `elf`. */
function sectionNames(elf) {
  const shoff = Number(elf.readBigUInt64LE(0x28));
  const shentsize = elf.readUInt16LE(0x3a);
  const shnum = elf.readUInt16LE(0x3c);
  const shstrndx = elf.readUInt16LE(0x3e);
  if (shoff + shnum * shentsize > elf.length || shstrndx >= shnum) fail(`the BPF object in ${source} is truncated`);
  const header = (i) => shoff + i * shentsize;
  const strOff = Number(elf.readBigUInt64LE(header(shstrndx) + 0x18));
  const names = [];
  for (let i = 0; i < shnum; i++) {
    const start = strOff + elf.readUInt32LE(header(i));
    names.push(elf.toString('latin1', start, elf.indexOf(0, start)));
  }
  return names;
}

const dir = join(root, 'prebuilds', `linux-${arch}`);
mkdirSync(dir, { recursive: true });
for (const old of readdirSync(dir)) rmSync(join(dir, old));
const target = join(dir, 'sessiontop.napi.glibc.node');
copyFileSync(source, target);
process.stdout.write(`stage-prebuild: ${target} (${bytes.length} bytes, ${arch}, BPF object with BTF and CO-RE relocations embedded at offset ${bpfAt})\n`);
