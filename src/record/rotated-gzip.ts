/**
 * `--compress`: gzips the files rotation moves aside, off the recorder's hot path.
 *
 * The writer renames the full active file to a fresh name next to it (`FILE.rotating-PID-N`) and
 * hands it over (`take`). Every file operation goes through a RotationDirectory (the writer's open
 * directory handle: names inside the
 * recording's directory), never through the directory's path again. Here, one file at a time and in
 * order, the system's `gzip` compresses it into `FILE.1.gz.tmp` (created 0600, never through a
 * symlink, never over another file), which is fsynced. gzip runs as a child at the lowest CPU
 * priority and is handed the two open descriptors (no path, no shell): its buffers and CPU stay
 * out of the recorder (zlib inside the recorder left ~15 MB of heap and malloc arenas behind after
 * each file); then the older files shift (`FILE.1.gz` → `FILE.2.gz` …, the oldest
 * beyond KEEP dropped), the new one becomes `FILE.1.gz` (logrotate's names), and the plain file is
 * removed. The active FILE stays plain NDJSON, so shippers can tail it.
 *
 * Nothing is lost on failure: until its `.gz` is complete and renamed, the plain file stays where
 * it is (a crash or a full disk leaves `FILE.rotating-…`, readable like any recording), and the
 * failure is kept (`failure`) and reported once through `onError`.
 */

import { spawn } from 'node:child_process';
import { closeSync, constants, existsSync, fchmodSync, fstatSync, fsyncSync, openSync } from 'node:fs';
import { setPriority } from 'node:os';
import { RECORDING_FILE_MODE, type RotationHandoff } from './recording-writer.js';

const { O_RDONLY, O_WRONLY, O_CREAT, O_EXCL, O_NOFOLLOW } = constants;

/** The few operations compression needs on the recording's directory, by name. */
export interface RotationDirectory {
  /** A path that reaches `name` inside the directory. */
  entry(name: string): string;
  /** Renames within the directory; false when `from` does not exist. */
  rename(from: string, to: string): boolean;
  /** Removes a file; false when it does not exist. */
  unlink(name: string): boolean;
}

/** Where Debian and its derivatives keep gzip (an essential package), merged /usr first. */
const GZIP_PATHS = ['/usr/bin/gzip', '/bin/gzip'];

export function gzipProgram(): string {
  const found = GZIP_PATHS.find((p) => existsSync(p));
  if (found === undefined) throw new Error(`--compress needs gzip, which is not installed (looked for ${GZIP_PATHS.join(', ')}): install the Debian package gzip`);
  return found;
}

export class RotatedGzip implements RotationHandoff {
  /** Files compressed so far. */
  compressed = 0;
  /** Bytes before and after compression, over every file compressed. */
  plainBytes = 0;
  gzipBytes = 0;
  /** The first failure (its plain file was kept). */
  failure: unknown = null;
  private queue: Promise<void> = Promise.resolve();
  private seq = 0;

  constructor(
    private readonly dir: RotationDirectory,
    /** The active file's name in `dir`. */
    private readonly base: string,
    /** Rotated files kept (≥ 1). */
    private readonly keep: number,
    private readonly onError?: (err: unknown) => void,
    /** gzip level (default 6, gzip's own default). */
    private readonly level = 6,
    /** The gzip program (tests give another to make it fail). */
    private readonly program = gzipProgram(),
  ) {}

  nextName(): string {
    return `${this.base}.rotating-${process.pid}-${++this.seq}`;
  }

  take(name: string): void {
    this.queue = this.queue.then(() =>
      this.compress(name).catch((err: unknown) => {
        if (this.failure === null) {
          this.failure = err;
          this.onError?.(err);
        }
      }),
    );
  }

  /** Resolves once every file handed over so far is compressed (or has failed). */
  idle(): Promise<void> {
    return this.queue;
  }

  private async compress(plain: string): Promise<void> {
    const dir = this.dir;
    const tmp = `${this.base}.1.gz.tmp`;
    dir.unlink(tmp); // left by a crash mid-compression: incomplete by construction, its plain file kept
    const out = openSync(dir.entry(tmp), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW, RECORDING_FILE_MODE);
    let closed = false;
    try {
      fchmodSync(out, RECORDING_FILE_MODE); // whatever the umask
      const inFd = openSync(dir.entry(plain), O_RDONLY | O_NOFOLLOW);
      let inBytes = 0;
      try {
        inBytes = fstatSync(inFd).size;
        await this.gzip(inFd, out);
      } finally {
        closeSync(inFd);
      }
      fsyncSync(out);
      const outBytes = fstatSync(out).size;
      closeSync(out);
      closed = true;
      // shift the older files, then give this one its name; only then drop the plain copy
      for (let i = this.keep - 1; i >= 1; i--) dir.rename(`${this.base}.${i}.gz`, `${this.base}.${i + 1}.gz`);
      if (!dir.rename(tmp, `${this.base}.1.gz`)) throw new Error(`${tmp} vanished before it could be renamed`);
      dir.unlink(plain);
      this.compressed++;
      this.plainBytes += inBytes;
      this.gzipBytes += outBytes;
    } catch (err) {
      if (!closed) closeSync(out);
      try {
        dir.unlink(tmp);
      } catch {
        // nothing more to undo: the plain file is still there
      }
      throw err;
    }
  }

  /** gzip from one open file into another, at the lowest CPU priority; rejects unless it exits 0. */
  private gzip(inFd: number, outFd: number): Promise<void> {
    return new Promise((resolve, reject) => {
      const child = spawn(this.program, ['-c', '-n', `-${this.level}`], { stdio: [inFd, outFd, 'pipe'], env: {} });
      let err = '';
      child.stderr?.on('data', (d: Buffer) => {
        if (err.length < 500) err += d.toString('utf8');
      });
      child.on('spawn', () => {
        try {
          if (child.pid !== undefined) setPriority(child.pid, 19);
        } catch {
          // it may already have exited; the priority is a courtesy
        }
      });
      child.on('error', reject);
      child.on('close', (code, signal) => {
        if (code === 0) resolve();
        else reject(new Error(`gzip ${signal !== null ? `was killed by ${signal}` : `exited with status ${code}`}${err.trim() !== '' ? `: ${err.trim().split('\n')[0]}` : ''}`));
      });
    });
  }
}
