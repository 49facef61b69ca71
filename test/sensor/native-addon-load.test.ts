import { describe, expect, it } from 'vitest';
import { addonLoadError } from '../../src/sensor/native-addon.js';

describe('addon load errors', () => {
  const path = '/usr/lib/node_modules/sessiontop/prebuilds/linux-x64/sessiontop.napi.glibc.node';
  it.each([
    ['libbpf.so.1', 'install the Debian package libbpf1'],
    ['libelf.so.1', 'install the Debian package libelf1 (libelf1t64 on Debian 13 and Ubuntu 24.04)'],
    ['libz.so.1', 'install the Debian package zlib1g'],
    ['libweird.so.3', 'install the package that provides libweird.so.3'],
  ])('names the package for a missing %s in one line', (lib, what) => {
    const err = addonLoadError(new Error(`${lib}: cannot open shared object file: No such file or directory`), path);
    expect(err.code).toBe('ENOADDON');
    expect(err.message).toBe(`the eBPF addon needs the shared library ${lib}, which is not installed: ${what}`);
  });

  it('says which library is too old when a symbol version is missing', () => {
    const err = addonLoadError(new Error(`/lib/x86_64-linux-gnu/libc.so.6: version \`GLIBC_2.34' not found (required by ${path})`), path);
    expect(err.message).toMatch(/^the prebuilt eBPF addon needs glibc GLIBC_2\.34 or newer, which this host lacks: upgrade glibc, or reinstall it with SESSIONTOP_BUILD_FROM_SOURCE=1 npm install -g/);
    expect(err.message).not.toContain('\n');
  });

  it('keeps only the first line of anything else', () => {
    const err = addonLoadError(new Error('invalid ELF header\n    at Module._extensions..node (node:internal/modules/cjs/loader:1)'), path);
    expect(err.message).toBe(`cannot load the eBPF addon ${path}: invalid ELF header`);
  });
});
