/**
 * Finds where to put the readline uretprobe: every distinct bash binary on the host (one per inode),
 * on its own `readline` symbol when bash carries readline inside, or on the libreadline it links
 * otherwise (then the probe counts only callers named `bash`).
 */
import { closeSync, openSync, readFileSync, readSync, realpathSync, statSync } from 'node:fs';
import { basename, join } from 'node:path';
import type { ReadlineTarget } from './native-addon.js';

const DEFAULT_CANDIDATES = ['/bin/bash', '/usr/bin/bash', '/usr/local/bin/bash'];
const LIB_DIRS = ['/lib/x86_64-linux-gnu', '/usr/lib/x86_64-linux-gnu', '/lib/aarch64-linux-gnu', '/usr/lib/aarch64-linux-gnu', '/lib64', '/usr/lib64', '/lib', '/usr/lib', '/usr/local/lib'];

export function findReadlineTargets(extraShells: string[] = []): ReadlineTarget[] {
  const candidates = [...DEFAULT_CANDIDATES, ...shellsFromEtc(), ...extraShells];
  const seen = new Set<string>();
  const targets: ReadlineTarget[] = [];
  for (const candidate of candidates) {
    let real: string;
    let key: string;
    try {
      real = realpathSync(candidate);
      const st = statSync(real);
      if (!st.isFile()) continue;
      key = `${st.dev}:${st.ino}`;
    } catch {
      continue;
    }
    if (seen.has(key) || !/^r?bash/.test(basename(real))) continue;
    seen.add(key);
    const elf = readElfInfo(real);
    if (!elf) continue;
    if (elf.symbols.has('readline')) {
      targets.push({ path: real, bashOnly: false });
      continue;
    }
    const lib = elf.needed.find((n) => n.startsWith('libreadline.so'));
    const libPath = lib ? resolveLibrary(lib) : undefined;
    if (!libPath) continue;
    try {
      const st = statSync(libPath);
      const libKey = `${st.dev}:${st.ino}`;
      if (seen.has(libKey)) continue;
      seen.add(libKey);
      targets.push({ path: libPath, bashOnly: true });
    } catch {
      // vanished
    }
  }
  return targets;
}

function shellsFromEtc(): string[] {
  try {
    return readFileSync('/etc/shells', 'utf8')
      .split('\n')
      .map((l) => l.trim())
      .filter((l) => l.startsWith('/'));
  } catch {
    return [];
  }
}

function resolveLibrary(name: string): string | undefined {
  for (const dir of LIB_DIRS) {
    try {
      const p = realpathSync(join(dir, name));
      if (statSync(p).isFile()) return p;
    } catch {
      // not here
    }
  }
  return undefined;
}

export interface ElfInfo {
  /** Defined function symbols from .dynsym and .symtab. */
  symbols: Set<string>;
  /** DT_NEEDED libraries. */
  needed: string[];
}

/** Reads the symbol names and DT_NEEDED entries of a 64-bit little-endian ELF file. */
export function readElfInfo(path: string): ElfInfo | undefined {
  let fd: number;
  try {
    fd = openSync(path, 'r');
  } catch {
    return undefined;
  }
  try {
    const read = (off: number, len: number): Buffer => {
      const buf = Buffer.alloc(len);
      readSync(fd, buf, 0, len, off);
      return buf;
    };
    const eh = read(0, 64);
    if (eh.readUInt32BE(0) !== 0x7f454c46 || eh[4] !== 2 || eh[5] !== 1) return undefined;
    const shoff = Number(eh.readBigUInt64LE(0x28));
    const shentsize = eh.readUInt16LE(0x3a);
    const shnum = eh.readUInt16LE(0x3c);
    if (shoff === 0 || shnum === 0 || shnum > 4096) return undefined;
    const sh = read(shoff, shentsize * shnum);
    const section = (i: number) => ({
      type: sh.readUInt32LE(i * shentsize + 4),
      offset: Number(sh.readBigUInt64LE(i * shentsize + 0x18)),
      size: Number(sh.readBigUInt64LE(i * shentsize + 0x20)),
      link: sh.readUInt32LE(i * shentsize + 0x28),
      entsize: Number(sh.readBigUInt64LE(i * shentsize + 0x38)),
    });
    const symbols = new Set<string>();
    const needed: string[] = [];
    const SHT_SYMTAB = 2, SHT_DYNAMIC = 6, SHT_DYNSYM = 11;
    for (let i = 0; i < shnum; i++) {
      const s = section(i);
      if (s.type !== SHT_SYMTAB && s.type !== SHT_DYNSYM && s.type !== SHT_DYNAMIC) continue;
      if (s.size > 64 << 20) continue;
      const strtab = section(s.link);
      const strings = read(strtab.offset, strtab.size);
      const data = read(s.offset, s.size);
      const name = (off: number) => {
        const end = strings.indexOf(0, off);
        return strings.toString('latin1', off, end < 0 ? strings.length : end);
      };
      if (s.type === SHT_DYNAMIC) {
        for (let o = 0; o + 16 <= data.length; o += 16) {
          const tag = Number(data.readBigInt64LE(o));
          if (tag === 0) break;
          if (tag === 1) needed.push(name(Number(data.readBigUInt64LE(o + 8))));
        }
        continue;
      }
      const entsize = s.entsize || 24;
      for (let o = 0; o + entsize <= data.length; o += entsize) {
        const info = data[o + 4]!;
        const shndx = data.readUInt16LE(o + 6);
        if ((info & 0xf) !== 2 || shndx === 0) continue; // STT_FUNC, defined
        symbols.add(name(data.readUInt32LE(o)));
      }
    }
    return { symbols, needed };
  } catch {
    return undefined;
  } finally {
    closeSync(fd);
  }
}
