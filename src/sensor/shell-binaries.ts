/**
 * Finds the shells whose typed lines the sensor captures, and where to probe them: every distinct
 * bash, zsh and dash binary on the host (the usual paths and /etc/shells, one per inode).
 *
 * - bash: readline() in bash itself when it carries readline inside, else in the libreadline it links
 *   (then the probes count only processes whose executable is one of these bash binaries), plus
 *   rl_newline (accept-line) and where rl_line_buffer lives, for a read already waiting at start.
 * - zsh: zleentry() in the zsh binary, plus acceptline and zleline/zlell/zlecontext in the zle module
 *   (zle.so, in the module directory compiled into that zsh), for a read already waiting at start.
 * - dash (and `sh` where it is dash): its inode alone; the kernel then reports the lines it reads
 *   from a canonical-mode terminal on fd 0.
 */
import { closeSync, openSync, readFileSync, readSync, realpathSync, statSync } from 'node:fs';
import { basename, join } from 'node:path';
import type { ShellExe, TypedTarget } from './native-addon.js';
import { Shell as ShellKind } from './record-layout.js';

type ShellName = keyof typeof ShellKind;

const DEFAULT_CANDIDATES = [
  '/bin/bash', '/usr/bin/bash', '/usr/local/bin/bash',
  '/bin/zsh', '/usr/bin/zsh', '/usr/local/bin/zsh',
  '/bin/dash', '/usr/bin/dash', '/bin/sh', '/usr/bin/sh',
];
const LIB_DIRS = ['/lib/x86_64-linux-gnu', '/usr/lib/x86_64-linux-gnu', '/lib/aarch64-linux-gnu', '/usr/lib/aarch64-linux-gnu', '/lib64', '/usr/lib64', '/lib', '/usr/lib', '/usr/local/lib'];

export interface TypedProbes {
  targets: TypedTarget[];
  shells: ShellExe[];
}

/** The shell binaries to probe (extraShells: more paths to consider, e.g. in tests). */
export function findTypedProbes(extraShells: string[] = []): TypedProbes {
  const candidates = [...DEFAULT_CANDIDATES, ...shellsFromEtc(), ...extraShells];
  const seen = new Set<string>();
  const seenLibs = new Set<string>();
  const out: TypedProbes = { targets: [], shells: [] };
  for (const candidate of candidates) {
    let real: string;
    let id: FileId;
    try {
      real = realpathSync(candidate);
      id = fileId(real);
    } catch {
      continue;
    }
    if (id === undefined || seen.has(id.key)) continue;
    const kind = shellKindOf(real);
    if (kind === undefined) continue;
    seen.add(id.key);
    const elf = readElf(real);
    if (!elf) continue;
    if (kind === 'dash') {
      out.shells.push({ dev: id.dev, ino: id.ino, kind: ShellKind.dash });
    } else if (kind === 'bash') {
      addBash(out, real, id, elf, seenLibs);
    } else {
      addZsh(out, real, id, elf);
    }
  }
  return out;
}

/** The shell a binary is, from its file name (symlinks resolved): rbash is bash, sh is whatever it points to. */
function shellKindOf(realPath: string): ShellName | undefined {
  const name = basename(realPath);
  if (/^r?bash(-[\d.]+)?$/.test(name)) return 'bash';
  if (/^zsh(-[\d.]+)?$/.test(name)) return 'zsh';
  if (/^dash$/.test(name)) return 'dash';
  return undefined;
}

function addBash(out: TypedProbes, path: string, id: NonNullable<FileId>, elf: ElfInfo, seenLibs: Set<string>): void {
  const exe: ShellExe = { dev: id.dev, ino: id.ino, kind: ShellKind.bash };
  // rl_line_buffer defined in the executable (readline built in, or a copy relocation): its address is
  // mm->start_code + (value - lowest executable segment address)
  const lineVar = elf.objects.get('rl_line_buffer');
  if (lineVar !== undefined && elf.textBase !== undefined) exe.lineVar = lineVar - elf.textBase;
  out.shells.push(exe);
  if (elf.functions.has('readline')) {
    const t: TypedTarget = { kind: 'readline', path, bashOnly: false };
    if (elf.functions.has('rl_newline')) t.acceptPath = path;
    out.targets.push(t);
    return;
  }
  const lib = elf.needed.find((n) => n.startsWith('libreadline.so'));
  const libPath = lib ? resolveLibrary(lib) : undefined;
  if (!libPath) return;
  const libId = fileId(libPath);
  if (libId === undefined || seenLibs.has(libId.key)) return;
  seenLibs.add(libId.key);
  const libElf = readElf(libPath);
  if (!libElf?.functions.has('readline')) return;
  const t: TypedTarget = { kind: 'readline', path: libPath, bashOnly: true };
  const newline = libElf.functions.get('rl_newline');
  if (newline !== undefined) {
    t.acceptPath = libPath;
    const buf = libElf.objects.get('rl_line_buffer');
    if (buf !== undefined) t.line = buf - newline;
  }
  out.targets.push(t);
}

function addZsh(out: TypedProbes, path: string, id: NonNullable<FileId>, elf: ElfInfo): void {
  out.shells.push({ dev: id.dev, ino: id.ino, kind: ShellKind.zsh });
  if (!elf.functions.has('zleentry')) return;
  const t: TypedTarget = { kind: 'zle', path, bashOnly: false };
  // zle built into the binary, or the zle module of this zsh's module directory
  const zle = zleSymbols(path, elf) ?? zleModule(path);
  if (zle) {
    t.acceptPath = zle.path;
    t.line = zle.line;
    t.len = zle.len;
    t.context = zle.context;
  }
  out.targets.push(t);
}

interface ZleGlobals {
  path: string;
  line: number;
  len: number;
  context: number;
}

function zleSymbols(path: string, elf: ElfInfo): ZleGlobals | undefined {
  const accept = elf.functions.get('acceptline');
  const line = elf.objects.get('zleline');
  const len = elf.objects.get('zlell');
  const context = elf.objects.get('zlecontext');
  if (accept === undefined || line === undefined || len === undefined || context === undefined) return undefined;
  return { path, line: line - accept, len: len - accept, context: context - accept };
}

/** zle.so in the module directory the zsh binary was built with (a path string inside it). */
function zleModule(zshPath: string): ZleGlobals | undefined {
  let text: string;
  try {
    text = readFileSync(zshPath).toString('latin1');
  } catch {
    return undefined;
  }
  const dirs = new Set<string>();
  for (const m of text.matchAll(/\/[\w./+-]*\/zsh\/\d[\w.-]*(?=\0)/g)) dirs.add(m[0]);
  for (const dir of dirs) {
    const so = join(dir, 'zsh', 'zle.so');
    const elf = readElf(so);
    const zle = elf && zleSymbols(so, elf);
    if (zle) return zle;
  }
  return undefined;
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

type FileId = { key: string; dev: number; ino: number } | undefined;

/** A regular file's identity: st_dev in the kernel's internal encoding (major << 20 | minor), st_ino. */
function fileId(path: string): FileId {
  const st = statSync(path, { bigint: true });
  if (!st.isFile()) return undefined;
  const dev = st.dev;
  const major = Number(((dev >> 8n) & 0xfffn) | ((dev >> 32n) & ~0xfffn));
  const minor = Number((dev & 0xffn) | ((dev >> 12n) & ~0xffn));
  const kdev = ((major << 20) | (minor & 0xfffff)) >>> 0;
  return { key: `${st.dev}:${st.ino}`, dev: kdev, ino: Number(st.ino) };
}

export interface ElfInfo {
  /** Defined functions (.dynsym and .symtab) and their addresses. */
  functions: Map<string, number>;
  /** Defined data objects and their addresses. */
  objects: Map<string, number>;
  /** DT_NEEDED libraries. */
  needed: string[];
  /** Lowest address of an executable PT_LOAD segment (mm->start_code minus the load bias). */
  textBase: number | undefined;
}

/** Reads the symbols, DT_NEEDED entries and text base of a 64-bit little-endian ELF file. */
export function readElf(path: string): ElfInfo | undefined {
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
    const phoff = Number(eh.readBigUInt64LE(0x20));
    const shoff = Number(eh.readBigUInt64LE(0x28));
    const phentsize = eh.readUInt16LE(0x36);
    const phnum = eh.readUInt16LE(0x38);
    const shentsize = eh.readUInt16LE(0x3a);
    const shnum = eh.readUInt16LE(0x3c);
    if (shoff === 0 || shnum === 0 || shnum > 4096 || phnum > 4096) return undefined;
    let textBase: number | undefined;
    const ph = read(phoff, phentsize * phnum);
    for (let i = 0; i < phnum; i++) {
      const o = i * phentsize;
      const PT_LOAD = 1, PF_X = 1;
      if (ph.readUInt32LE(o) !== PT_LOAD || (ph.readUInt32LE(o + 4) & PF_X) === 0) continue;
      const vaddr = Number(ph.readBigUInt64LE(o + 0x10));
      if (textBase === undefined || vaddr < textBase) textBase = vaddr;
    }
    const sh = read(shoff, shentsize * shnum);
    const section = (i: number) => ({
      type: sh.readUInt32LE(i * shentsize + 4),
      offset: Number(sh.readBigUInt64LE(i * shentsize + 0x18)),
      size: Number(sh.readBigUInt64LE(i * shentsize + 0x20)),
      link: sh.readUInt32LE(i * shentsize + 0x28),
      entsize: Number(sh.readBigUInt64LE(i * shentsize + 0x38)),
    });
    const functions = new Map<string, number>();
    const objects = new Map<string, number>();
    const needed: string[] = [];
    const SHT_SYMTAB = 2, SHT_DYNAMIC = 6, SHT_DYNSYM = 11;
    const STT_OBJECT = 1, STT_FUNC = 2;
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
        const type = data[o + 4]! & 0xf;
        const shndx = data.readUInt16LE(o + 6);
        if (shndx === 0 || (type !== STT_FUNC && type !== STT_OBJECT)) continue; // defined only
        (type === STT_FUNC ? functions : objects).set(name(data.readUInt32LE(o)), Number(data.readBigUInt64LE(o + 8)));
      }
    }
    return { functions, objects, needed, textBase };
  } catch {
    return undefined;
  } finally {
    closeSync(fd);
  }
}
