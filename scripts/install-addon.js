#!/usr/bin/env node
// Runs at `npm install` of the sessiontop package. With a prebuilt addon for this platform
// (prebuilds/<platform>-<arch>/, found by node-gyp-build) there is nothing to do: no compiler is
// needed. Otherwise, or with SESSIONTOP_BUILD_FROM_SOURCE=1 (or npm's --build-from-source), it
// builds the addon from the shipped sources, and when the tools for that are missing it says in one line which to install.
// In a source checkout it does nothing: `npm run build` builds the addon there.
import { spawnSync } from 'node:child_process';
import { accessSync, constants, existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { createRequire } from 'node:module';
import { delimiter, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = dirname(dirname(fileURLToPath(import.meta.url)));
if (existsSync(join(root, 'src', 'cli.ts'))) process.exit(0);

const NEEDS = 'clang, llvm, bpftool, cmake, make, g++, pkg-config, libbpf-dev, libelf-dev, zlib1g-dev';
// What node-gyp-build looks for (it honours npm_config_platform/arch and LIBC the same way).
const libc = process.env.LIBC ?? (existsSync('/etc/alpine-release') ? 'musl' : 'glibc');
const target = `${process.env.npm_config_platform ?? process.platform}-${process.env.npm_config_arch ?? process.arch} (${libc})`;
const fromSource = process.env.SESSIONTOP_BUILD_FROM_SOURCE === '1' || process.env.npm_config_build_from_source === 'true';

if (!fromSource) {
  const nodeGypBuild = createRequire(import.meta.url)('node-gyp-build');
  try {
    nodeGypBuild.path(root);
    process.exit(0);
  } catch {
    // no prebuilt for this platform: build below
  }
}

function onPath(name) {
  for (const dir of (process.env.PATH ?? '').split(delimiter)) {
    if (!dir) continue;
    try {
      accessSync(join(dir, name), constants.X_OK);
      return true;
    } catch {
      // not here
    }
  }
  return ['/usr/sbin', '/sbin'].some((dir) => existsSync(join(dir, name))); // bpftool lives in sbin
}

const why = fromSource ? 'building the eBPF addon from source (as asked)' : `no prebuilt eBPF addon for ${target}`;
const missing = [
  ['clang', 'clang'],
  ['llvm-strip', 'llvm'],
  ['bpftool', 'bpftool'],
  ['cmake', 'cmake'],
  ['make', 'make'],
  ['c++', 'g++'],
  ['pkg-config', 'pkg-config'],
].filter(([tool]) => !onPath(tool)).map(([, pkg]) => pkg);
if (!missing.includes('pkg-config') && spawnSync('pkg-config', ['--exists', 'libbpf']).status !== 0) missing.push('libbpf-dev');
if (missing.length > 0) {
  process.stderr.write(`sessiontop: ${why}; building it needs ${NEEDS} (missing: ${missing.join(', ')}): install them (apt-get install ${missing.join(' ')}) and run the install again\n`);
  process.exit(1);
}

process.stderr.write(`sessiontop: ${why}: building it with cmake-js\n`);
// cmake-js drives the build (it is a devDependency in the source tree); fetch the pinned version into
// a scratch prefix. The global-install settings of the surrounding npm run must not leak into it.
const env = { ...process.env };
for (const key of ['npm_config_global', 'npm_config_prefix', 'npm_config_location', 'npm_config_local_prefix']) delete env[key];
const scratch = mkdtempSync(join(tmpdir(), 'sessiontop-cmake-js-'));
const npmCli = process.env.npm_execpath;
const npm = (args) =>
  npmCli ? spawnSync(process.execPath, [npmCli, ...args], { cwd: root, env, stdio: 'inherit' }) : spawnSync('npm', args, { cwd: root, env, stdio: 'inherit' });
let run = npm(['install', '--no-save', '--no-audit', '--no-fund', '--no-package-lock', '--prefix', scratch, 'cmake-js@8.0.0']);
if (run.status === 0) {
  run = spawnSync(process.execPath, [join(scratch, 'node_modules', 'cmake-js', 'bin', 'cmake-js'), 'compile', '--out', 'build'], { cwd: root, env, stdio: 'inherit' });
}
rmSync(scratch, { recursive: true, force: true });
if (run.status !== 0) {
  process.stderr.write(`sessiontop: building the eBPF addon failed (see above); it needs ${NEEDS}\n`);
  process.exit(1);
}
