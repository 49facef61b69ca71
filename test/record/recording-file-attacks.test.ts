/**
 * A local unprivileged user attacks the files root records to: symlinked directories in the path,
 * directories swapped mid-run, FIFOs, foreign and hard-linked files planted for --append/--force,
 * and things planted in the rotation slots of a shared sticky directory. Each attack is performed
 * by a throwaway user (test/support/unprivileged-user.ts); root is this test process.
 */
import { spawnSync } from 'node:child_process';
import { chmodSync, existsSync, linkSync, lstatSync, mkdirSync, readFileSync, readdirSync, renameSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ExitError } from '../../src/exit-error.js';
import { RecordingWriter } from '../../src/record/recording-writer.js';
import { CLI } from '../support/cli-harness.js';
import { type ThrowawayUser, createThrowawayUser, unprivilegedUnavailable } from '../support/unprivileged-user.js';

const skip = unprivilegedUnavailable();
if (skip) console.log(`recording-file-attacks: skipped: ${skip}`);

function refusal(path: string, opts: Parameters<typeof RecordingWriter.open>[1] = {}): ExitError {
  try {
    RecordingWriter.open(path, opts).close();
  } catch (err) {
    expect(err).toBeInstanceOf(ExitError);
    return err as ExitError;
  }
  throw new Error(`${path}: open succeeded`);
}

describe.skipIf(skip)('recording files under attack by a local user', () => {
  let user: ThrowawayUser;
  /** A root-only directory standing for /etc. */
  let victim: string;
  let n = 0;
  beforeAll(() => {
    user = createThrowawayUser('sec');
    victim = join(user.workspace, 'victim');
    mkdirSync(victim, { mode: 0o755 });
  });
  afterAll(() => user?.remove());
  const fresh = (): string => `r${n++}.ndjson`;

  it('1. a symlinked directory in the path is not followed (user-owned directory or user-owned link)', () => {
    user.sh(`mkdir w && ln -s ${victim} w/some && ln -s ${victim} ${user.sticky}/some`);
    const viaOwnDir = refusal(join(user.own, 'w', 'some', 'x.ndjson'));
    expect(viaOwnDir.code).toBe('EUNSAFE');
    expect(viaOwnDir.message).toContain(`${user.own} is owned by uid ${user.uid}`);
    const viaLink = refusal(join(user.sticky, 'some', 'x.ndjson'));
    expect(viaLink.code).toBe('EUNSAFE');
    expect(viaLink.message).toContain(`${user.sticky}/some is a symbolic link owned by uid ${user.uid}`);
    expect(readdirSync(victim)).toEqual([]);
    // a directory others may write (not sticky) is refused too
    const open = join(user.workspace, 'open');
    mkdirSync(open);
    chmodSync(open, 0o777);
    expect(refusal(join(open, 'x.ndjson')).message).toContain('is writable by every user');
    // a root-owned symlink in a root-only directory is fine (like /var/run → /run)
    const real = join(user.workspace, 'real');
    mkdirSync(real);
    symlinkSync(real, join(user.workspace, 'alias'));
    RecordingWriter.open(join(user.workspace, 'alias', 'ok.ndjson')).close();
    expect(existsSync(join(real, 'ok.ndjson'))).toBe(true);
  });

  it('2. rotation acts on the directory it opened, even when the path is swapped for a symlink mid-run', () => {
    // the original attack (a user-owned directory in the path) is refused before anything starts
    user.sh('mkdir rot');
    expect(refusal(join(user.own, 'rot', 'rec.ndjson'), { rotate: { maxBytes: 65536, keep: 3 } }).code).toBe('EUNSAFE');
    // and a swap anyone could still do (root's own directories) cannot redirect the rotation
    const base = join(user.workspace, 'swap');
    mkdirSync(base);
    const dir = join(base, 'rec');
    mkdirSync(dir);
    writeFileSync(join(victim, 'rec.ndjson.3'), 'victim 3\n');
    writeFileSync(join(victim, 'rec.ndjson.1'), 'victim 1\n');
    const w = RecordingWriter.open(join(dir, 'rec.ndjson'), { rotate: { maxBytes: 64 * 1024, keep: 3 }, bufferBytes: 4096, flushIntervalMs: 0 });
    const line = `{"pad":"${'x'.repeat(1000)}"}\n`;
    for (let i = 0; i < 100; i++) w.write(line);
    w.flush();
    renameSync(dir, join(base, 'moved'));
    symlinkSync(victim, dir);
    for (let i = 0; i < 300; i++) w.write(line);
    w.close();
    expect(w.stats().rotations).toBeGreaterThanOrEqual(5);
    expect(readdirSync(victim).sort()).toEqual(['rec.ndjson.1', 'rec.ndjson.3']);
    expect(readFileSync(join(victim, 'rec.ndjson.3'), 'utf8')).toBe('victim 3\n');
    expect(readFileSync(join(victim, 'rec.ndjson.1'), 'utf8')).toBe('victim 1\n');
    expect(readdirSync(join(base, 'moved')).sort()).toEqual(['rec.ndjson', 'rec.ndjson.1', 'rec.ndjson.2', 'rec.ndjson.3']);
  });

  it('3a. a FIFO planted at FILE is refused at once by --append and --force, with or without a reader', () => {
    const name = fresh();
    const fifo = join(user.sticky, name);
    user.sh(`mkfifo -m 666 ${fifo}`);
    for (const flag of ['--append', '--force']) {
      const t0 = Date.now();
      const r = spawnSync(process.execPath, [CLI, 'record', '-o', fifo, flag, '--source', 'procfs', '--duration', '1'], { encoding: 'utf8', timeout: 20_000 });
      expect(r.signal).toBeNull();
      expect(r.status).toBe(2);
      expect(r.stderr).toBe(`sessiontop record: ${fifo} is not a regular file (a FIFO); refusing to ${flag === '--append' ? 'append to' : 'overwrite'} it\n`);
      expect(Date.now() - t0).toBeLessThan(10_000);
    }
    // with the user reading it: nothing reaches the user
    const reader = user.spawn('/bin/sh', ['-c', `cat ${fifo} > ${join(user.own, 'stolen')}`]);
    try {
      expect(refusal(fifo, { append: true }).code).toBe('EUNSAFE');
    } finally {
      reader.kill();
    }
  });

  it("3b. --append/--force refuse the user's own 0666 file, a root file wider than 0600 and a second hard link", () => {
    const theirs = join(user.sticky, fresh());
    user.sh(`umask 0 && : > ${theirs} && chmod 666 ${theirs}`);
    for (const opts of [{ append: true }, { force: true }]) {
      const err = refusal(theirs, opts);
      expect(err.message).toContain(`is owned by uid ${user.uid}`);
    }
    expect(statSync(theirs).size).toBe(0);
    expect(statSync(theirs).uid).toBe(user.uid);

    const wide = join(user.sticky, fresh());
    writeFileSync(wide, 'root data\n', { mode: 0o644 });
    chmodSync(wide, 0o644);
    // the user opens it while it is readable and keeps the descriptor
    expect(user.run('/bin/cat', [wide]).stdout).toBe('root data\n');
    expect(refusal(wide, { force: true }).message).toContain('is mode 0644; refusing to overwrite a recording others can read');
    expect(refusal(wide, { append: true }).message).toContain('is mode 0644');
    expect(readFileSync(wide, 'utf8')).toBe('root data\n');

    // a second link to a root-only file (protected_hardlinks stops the user making it; root
    // stands in, as on a host where that sysctl is off)
    const secret = join(user.workspace, 'secret');
    writeFileSync(secret, 'secret\n', { mode: 0o600 });
    const alias = join(user.sticky, fresh());
    const userLink = user.run('/bin/ln', [secret, alias]);
    if (userLink.status !== 0) linkSync(secret, alias);
    for (const opts of [{ append: true }, { force: true }]) expect(refusal(alias, opts).message).toContain('has 2 hard links');
    expect(readFileSync(secret, 'utf8')).toBe('secret\n');

    // a safe file of ours is still appended to
    const mine = join(user.sticky, fresh());
    writeFileSync(mine, 'a\n', { mode: 0o600 });
    const w = RecordingWriter.open(mine, { append: true });
    w.write('b\n');
    w.close();
    expect(readFileSync(mine, 'utf8')).toBe('a\nb\n');
  });

  it('4a. things planted in the rotation slots of a sticky directory never stop the recording', () => {
    const name = fresh();
    const file = join(user.sticky, name);
    const warnings: string[] = [];
    const w = RecordingWriter.open(file, {
      rotate: { maxBytes: 64 * 1024, keep: 3 },
      bufferBytes: 8192,
      flushIntervalMs: 0,
      onWarning: (m) => warnings.push(m),
      onNewFile: () => '{"header":1}\n',
    });
    // the user plants a directory at FILE.1 and a symlink at FILE.3, and keeps trying to plant a
    // symlink at FILE (to win the gap between rename and create)
    user.sh(`mkdir ${file}.1 && ln -s ${victim}/planted ${file}.3`);
    const racer = user.spawn('/bin/sh', ['-c', `while :; do ln -s ${victim}/planted ${file} 2>/dev/null; done`]);
    let lines = 0;
    try {
      const line = `{"pad":"${'y'.repeat(500)}"}\n`;
      for (let i = 0; i < 2000; i++) {
        w.write(line);
        lines++;
      }
      w.close();
    } finally {
      racer.kill();
    }
    expect(w.stats().rotations).toBeGreaterThanOrEqual(10);
    expect(existsSync(join(victim, 'planted'))).toBe(false);
    // the planted directory moved along the slots but was never removed or written into
    const planted = readdirSync(user.sticky).filter((f) => f.startsWith(name) && lstatSync(join(user.sticky, f)).isDirectory());
    expect(planted).toHaveLength(1);
    expect(readdirSync(join(user.sticky, planted[0]!))).toEqual([]);
    expect(warnings.length).toBeGreaterThan(0);
    for (const m of warnings) expect(m).not.toContain('\n');
    // nothing written went anywhere but our own files, each ≤ SIZE
    let kept = 0;
    for (const f of readdirSync(user.sticky).filter((f) => f.startsWith(name))) {
      const st = lstatSync(join(user.sticky, f));
      if (!st.isFile() || st.uid !== 0) continue;
      expect(st.size).toBeLessThanOrEqual(64 * 1024);
      kept += readFileSync(join(user.sticky, f), 'utf8').split('\n').filter((l) => l.includes('"pad"')).length;
    }
    expect(kept).toBeGreaterThan(0);
    expect(kept).toBeLessThanOrEqual(lines);
  });

  it('4b. the size is checked before each write: no file exceeds SIZE, even with a big buffer', () => {
    const dir = join(user.workspace, 'sizes');
    mkdirSync(dir);
    const file = join(dir, 'rec.ndjson');
    const w = RecordingWriter.open(file, { rotate: { maxBytes: 100 * 1024, keep: 50 }, flushIntervalMs: 0, onNewFile: () => `{"header":"${'h'.repeat(2000)}"}\n` });
    const line = `{"pad":"${'z'.repeat(300)}"}\n`;
    const total = 4166;
    for (let i = 0; i < total; i++) w.write(line);
    w.close();
    let events = 0;
    for (const f of readdirSync(dir)) {
      const size = statSync(join(dir, f)).size;
      expect(size).toBeLessThanOrEqual(100 * 1024);
      events += readFileSync(join(dir, f), 'utf8').split('\n').filter((l) => l.includes('"pad"')).length;
    }
    expect(events).toBe(total);
  });
});
