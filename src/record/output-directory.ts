/**
 * OutputDirectory: the directory a recording is written in, opened once and used by handle.
 *
 * sessiontop runs as root, so every path it writes must be one no other local user can redirect:
 *
 * - The directory is reached by walking the path one component at a time from `/`, each opened
 *   with O_DIRECTORY|O_NOFOLLOW relative to the previous one. Every directory on the way must be
 *   owned by root (or by us) and not writable by others, except a sticky root-owned one such as
 *   /tmp (others cannot rename or remove our entries there). Group-writable counts as writable by
 *   others unless the group is a system group (gid below 1000). A symbolic link on the way is
 *   followed only when it is owned by root (or by us) and sits in a directory that passed the check
 *   (so nobody else could have planted it); the walk then continues at its target the same way.
 * - Once open, every create, rename and unlink goes through `/proc/self/fd/<dirfd>/<name>`, which
 *   the kernel resolves through the open directory, never through the path again: swapping a
 *   directory of the path for a symlink while recording changes nothing.
 * - Files are opened with O_NOFOLLOW|O_NONBLOCK|O_NOCTTY (a FIFO without a reader cannot block the
 *   open, a tty cannot become ours) and checked with fstat after the open: only a regular file
 *   with one link, owned by us and mode 0600 or narrower is appended to or truncated (`--force`
 *   also accepts a root-owned character device such as /dev/null).
 */

import {
  closeSync,
  constants,
  fchmodSync,
  fstatSync,
  ftruncateSync,
  lstatSync,
  openSync,
  readlinkSync,
  renameSync,
  unlinkSync,
  type Stats,
} from 'node:fs';
import { basename, dirname, resolve } from 'node:path';
import { EXIT_BAD_INPUT, EXIT_FAILURE, ExitError } from '../exit-error.js';

/** Mode of every recording file created. */
export const RECORDING_FILE_MODE = 0o600;
/** Groups below this id are system groups (login.defs SYS_GID_MAX + 1). */
const FIRST_USER_GID = 1000;
const MAX_SYMLINKS = 40;

const { O_RDONLY, O_WRONLY, O_CREAT, O_EXCL, O_NOFOLLOW, O_APPEND, O_DIRECTORY, O_NONBLOCK, O_NOCTTY } = constants;

export type OpenMode = 'create' | 'force' | 'append';

export interface OpenedFile {
  fd: number;
  /** A regular file (false only for a root-owned character device given with --force). */
  regular: boolean;
  /** Bytes already in the file (append). */
  size: number;
}

const euid = (): number => process.geteuid?.() ?? 0;

export class OutputDirectory {
  /** The directory path as given (resolved to absolute), for messages. */
  readonly path: string;
  private fd: number;

  private constructor(path: string, fd: number) {
    this.path = path;
    this.fd = fd;
  }

  /** Opens the directory holding `filePath` safely; returns it and the file's name in it. */
  static forFile(filePath: string): { dir: OutputDirectory; name: string } {
    const abs = resolve(filePath);
    const name = basename(abs);
    if (name === '' || name === '.' || name === '..' || filePath.endsWith('/')) {
      throw new ExitError(`${filePath} is a directory; give a file name for the recording`, EXIT_BAD_INPUT, 'EISDIR');
    }
    return { dir: OutputDirectory.open(dirname(abs)), name };
  }

  /** Walks `dirPath` from `/` component by component (see the file comment). */
  static open(dirPath: string): OutputDirectory {
    const abs = resolve(dirPath);
    const stack: number[] = [];
    const shown: string[] = [];
    const closeAll = (): void => {
      for (const fd of stack) closeSync(fd);
    };
    try {
      const root = openSync('/', O_RDONLY | O_DIRECTORY);
      stack.push(root);
      checkDirectory(fstatSync(root), '/');
      const parts = abs.split('/').filter((p) => p !== '' && p !== '.');
      let links = 0;
      while (parts.length > 0) {
        const name = parts.shift() as string;
        if (name === '..') {
          if (stack.length > 1) closeSync(stack.pop() as number);
          shown.pop();
          continue;
        }
        const parent = stack[stack.length - 1] as number;
        const here = `/${[...shown, name].join('/')}`;
        const entry = `/proc/self/fd/${parent}/${name}`;
        let st: Stats;
        try {
          st = lstatSync(entry);
        } catch (err) {
          throw walkError(abs, here, err);
        }
        if (st.isSymbolicLink()) {
          if (st.uid !== 0 && st.uid !== euid()) {
            throw new ExitError(
              `${here} is a symbolic link owned by uid ${st.uid}; refusing to write a recording through it (give a path only root controls)`,
              EXIT_BAD_INPUT,
              'EUNSAFE',
            );
          }
          if (++links > MAX_SYMLINKS) throw new ExitError(`${abs}: too many symbolic links`, EXIT_BAD_INPUT, 'ELOOP');
          const target = readlinkSync(entry);
          if (target.startsWith('/')) {
            while (stack.length > 1) closeSync(stack.pop() as number);
            shown.length = 0;
          }
          parts.unshift(...target.split('/').filter((p) => p !== '' && p !== '.'));
          continue;
        }
        if (!st.isDirectory()) throw new ExitError(`cannot create a recording under ${here}: not a directory`, EXIT_BAD_INPUT, 'ENOTDIR');
        let next: number;
        try {
          next = openSync(entry, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_NONBLOCK);
        } catch (err) {
          throw walkError(abs, here, err);
        }
        stack.push(next);
        shown.push(name);
        checkDirectory(fstatSync(next), here);
      }
      const fd = stack.pop() as number;
      closeAll();
      return new OutputDirectory(abs, fd);
    } catch (err) {
      closeAll();
      throw err;
    }
  }

  /** The path of `name` resolved through the open directory (never through the path). */
  entry(name: string): string {
    if (this.fd < 0) throw new ExitError(`${this.path}: directory already closed`, EXIT_FAILURE, 'ECLOSED');
    return `/proc/self/fd/${this.fd}/${name}`;
  }

  /** For messages: the file's path as the user knows it. */
  shown(name: string): string {
    return this.path === '/' ? `/${name}` : `${this.path}/${name}`;
  }

  /**
   * Opens `name` for writing: `create` makes a new 0600 file and refuses anything existing;
   * `force` truncates and `append` appends to an existing file only when it is safe (regular, ours,
   * one link, 0600 or narrower), creating it when missing.
   */
  openFile(name: string, mode: OpenMode): OpenedFile {
    const entry = this.entry(name);
    const shown = this.shown(name);
    if (mode !== 'create') {
      let existing: Stats | null = null;
      try {
        existing = lstatSync(entry);
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw fileError(shown, err);
      }
      if (existing !== null) {
        refuseUnsafeExisting(shown, existing, mode);
        let fd: number;
        try {
          fd = openSync(entry, O_WRONLY | O_NOFOLLOW | O_NONBLOCK | O_NOCTTY | (mode === 'append' ? O_APPEND : 0));
        } catch (err) {
          throw fileError(shown, err);
        }
        try {
          const st = fstatSync(fd);
          refuseUnsafeExisting(shown, st, mode); // what we opened, not what we looked at
          if (mode === 'force' && st.isFile()) ftruncateSync(fd, 0);
          return { fd, regular: st.isFile(), size: mode === 'force' ? 0 : st.size };
        } catch (err) {
          closeSync(fd);
          throw err instanceof ExitError ? err : fileError(shown, err);
        }
      }
    }
    let fd: number;
    try {
      fd = openSync(entry, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_NONBLOCK | O_NOCTTY | O_APPEND, RECORDING_FILE_MODE);
    } catch (err) {
      throw fileError(shown, err, this.kindOf(name));
    }
    try {
      fchmodSync(fd, RECORDING_FILE_MODE); // whatever the umask
    } catch (err) {
      closeSync(fd);
      throw fileError(shown, err);
    }
    return { fd, regular: true, size: 0 };
  }

  /** Renames within the directory; false when `from` does not exist. */
  rename(from: string, to: string): boolean {
    try {
      renameSync(this.entry(from), this.entry(to));
      return true;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return false;
      throw err;
    }
  }

  /** Removes a file (never a directory); false when it does not exist. */
  unlink(name: string): boolean {
    try {
      unlinkSync(this.entry(name));
      return true;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return false;
      throw err;
    }
  }

  /** What is at `name`: `none`, `file`, `symlink`, `directory` or `other`. */
  kindOf(name: string): 'none' | 'file' | 'symlink' | 'directory' | 'other' {
    try {
      const st = lstatSync(this.entry(name));
      return st.isFile() ? 'file' : st.isSymbolicLink() ? 'symlink' : st.isDirectory() ? 'directory' : 'other';
    } catch {
      return 'none';
    }
  }

  close(): void {
    if (this.fd >= 0) closeSync(this.fd);
    this.fd = -1;
  }
}

/** A directory on the way must be ours or root's and not writable by anyone else (see above). */
function checkDirectory(st: Stats, shown: string): void {
  if (!st.isDirectory()) throw new ExitError(`cannot create a recording under ${shown}: not a directory`, EXIT_BAD_INPUT, 'ENOTDIR');
  if (st.uid !== 0 && st.uid !== euid()) {
    throw new ExitError(
      `${shown} is owned by uid ${st.uid}; refusing to write a recording where another user could redirect it (use a directory only root can write, e.g. /var/log/sessiontop)`,
      EXIT_BAD_INPUT,
      'EUNSAFE',
    );
  }
  const stickyRoot = (st.mode & 0o1000) !== 0 && st.uid === 0;
  const worldWritable = (st.mode & 0o002) !== 0;
  const groupWritable = (st.mode & 0o020) !== 0 && st.gid >= FIRST_USER_GID;
  if ((worldWritable || groupWritable) && !stickyRoot) {
    throw new ExitError(
      `${shown} is writable by ${worldWritable ? 'every user' : `group ${st.gid}`} (mode ${octal(st.mode)}); refusing to write a recording there (use a directory only root can write)`,
      EXIT_BAD_INPUT,
      'EUNSAFE',
    );
  }
}

function refuseUnsafeExisting(shown: string, st: Stats, mode: OpenMode): void {
  const verb = mode === 'append' ? 'append to' : 'overwrite';
  if (st.isSymbolicLink()) throw new ExitError(`${shown} is a symbolic link; refusing to write a recording through it (give the real path)`, EXIT_BAD_INPUT, 'ELOOP');
  if (st.isDirectory()) throw new ExitError(`${shown} is a directory; give a file name for the recording`, EXIT_BAD_INPUT, 'EISDIR');
  // a device only root could have made (/dev/null, /dev/full) is a fine sink; nothing else that is not a file
  if (st.isCharacterDevice() && st.uid === 0 && mode === 'force') return;
  if (!st.isFile()) throw new ExitError(`${shown} is not a regular file (${kindName(st)}); refusing to ${verb} it`, EXIT_BAD_INPUT, 'EUNSAFE');
  if (st.uid !== euid()) throw new ExitError(`${shown} is owned by uid ${st.uid}; refusing to ${verb} another user's file (remove it or choose another name)`, EXIT_BAD_INPUT, 'EUNSAFE');
  if (st.nlink > 1) throw new ExitError(`${shown} has ${st.nlink} hard links; refusing to ${verb} it (remove the other links or choose another name)`, EXIT_BAD_INPUT, 'EUNSAFE');
  if ((st.mode & 0o077) !== 0) throw new ExitError(`${shown} is mode ${octal(st.mode)}; refusing to ${verb} a recording others can read (chmod 600 it first)`, EXIT_BAD_INPUT, 'EUNSAFE');
}

function kindName(st: Stats): string {
  if (st.isFIFO()) return 'a FIFO';
  if (st.isCharacterDevice()) return 'a character device';
  if (st.isBlockDevice()) return 'a block device';
  if (st.isSocket()) return 'a socket';
  return 'not a file';
}

const octal = (mode: number): string => `0${(mode & 0o7777).toString(8)}`;

function walkError(abs: string, here: string, err: unknown): ExitError {
  const code = (err as NodeJS.ErrnoException).code ?? 'EIO';
  if (code === 'ENOENT') return new ExitError(`cannot create a recording in ${abs}: its directory does not exist (no ${here})`, EXIT_BAD_INPUT, 'ENOENT');
  if (code === 'ENOTDIR') return new ExitError(`cannot create a recording under ${here}: not a directory`, EXIT_BAD_INPUT, code);
  if (code === 'EACCES' || code === 'EPERM') return new ExitError(`cannot create a recording in ${abs}: permission denied at ${here}`, EXIT_FAILURE, code);
  return new ExitError(`${here}: ${oneLine(err)}`, EXIT_FAILURE, code);
}

/** Errors of opening a file in the directory, as one line. */
export function fileError(shown: string, err: unknown, kind?: string): ExitError {
  const code = (err as NodeJS.ErrnoException).code ?? 'EIO';
  switch (code) {
    case 'EEXIST':
      if (kind === 'symlink') return new ExitError(`${shown} is a symbolic link; refusing to write a recording through it (give the real path)`, EXIT_BAD_INPUT, 'ELOOP');
      if (kind === 'directory') return new ExitError(`${shown} is a directory; give a file name for the recording`, EXIT_BAD_INPUT, 'EISDIR');
      return new ExitError(`${shown} already exists; use --force to overwrite it or --append to add to it`, EXIT_BAD_INPUT, code);
    case 'ELOOP':
      return new ExitError(`${shown} is a symbolic link; refusing to write a recording through it (give the real path)`, EXIT_BAD_INPUT, code);
    case 'EISDIR':
      return new ExitError(`${shown} is a directory; give a file name for the recording`, EXIT_BAD_INPUT, code);
    case 'ENXIO':
      return new ExitError(`${shown} is not a regular file (a FIFO); refusing to write a recording into it`, EXIT_BAD_INPUT, 'EUNSAFE');
    case 'EACCES':
    case 'EPERM':
      return new ExitError(`cannot create ${shown}: permission denied (choose a writable directory)`, EXIT_FAILURE, code);
    default:
      return new ExitError(`${shown}: ${oneLine(err)}`, EXIT_FAILURE, code);
  }
}

function oneLine(err: unknown): string {
  return ((err as Error).message ?? String(err)).split('\n', 1)[0] ?? '';
}

/**
 * Opens one output file safely (the same directory walk and checks as a recording) and returns
 * its descriptor; for writers that create one file and never rotate (`export`).
 */
export function openOutputFile(filePath: string, mode: OpenMode): OpenedFile {
  const { dir, name } = OutputDirectory.forFile(filePath);
  try {
    return dir.openFile(name, mode);
  } finally {
    dir.close();
  }
}
