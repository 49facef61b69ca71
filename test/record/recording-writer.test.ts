import { existsSync, lstatSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ExitError } from '../../src/exit-error.js';
import { RecordingWriter } from '../../src/record/recording-writer.js';
import { parseRotateSpec } from '../../src/record/rotate-spec.js';

const dir = mkdtempSync(join(tmpdir(), 'sessiontop-writer-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
let n = 0;
const fresh = (): string => join(dir, `f${n++}.ndjson`);

function openError(path: string, opts: Parameters<typeof RecordingWriter.open>[1] = {}): ExitError {
  try {
    RecordingWriter.open(path, opts).close();
  } catch (err) {
    expect(err).toBeInstanceOf(ExitError);
    return err as ExitError;
  }
  throw new Error('open succeeded');
}

describe('RecordingWriter file safety', () => {
  it('creates the file with mode 0600 and writes whole lines', () => {
    const p = fresh();
    const w = RecordingWriter.open(p);
    w.write('{"a":1}\n');
    w.write('{"b":2}\n');
    w.close();
    expect(statSync(p).mode & 0o777).toBe(0o600);
    expect(readFileSync(p, 'utf8')).toBe('{"a":1}\n{"b":2}\n');
    expect(w.stats()).toEqual({ lines: 2, bytes: 16, rotations: 0, dropped: 0 });
  });

  it('keeps mode 0600 even with a permissive umask', () => {
    const old = process.umask(0);
    try {
      const p = fresh();
      RecordingWriter.open(p).close();
      expect(statSync(p).mode & 0o777).toBe(0o600);
    } finally {
      process.umask(old);
    }
  });

  it('refuses an existing file without --force/--append and leaves it unchanged', () => {
    const p = fresh();
    writeFileSync(p, 'precious data\n', { mode: 0o644 });
    const err = openError(p);
    expect(err.exitCode).toBe(2);
    expect(err.code).toBe('EEXIST');
    expect(err.message).toBe(`${p} already exists; use --force to overwrite it or --append to add to it`);
    expect(readFileSync(p, 'utf8')).toBe('precious data\n');
    expect(statSync(p).mode & 0o777).toBe(0o644);
  });

  it('refuses a symlink (even with --force or --append) and leaves its target unchanged', () => {
    const target = fresh();
    writeFileSync(target, 'target data\n');
    const link = fresh();
    symlinkSync(target, link);
    for (const opts of [{}, { force: true }, { append: true }]) {
      const err = openError(link, opts);
      expect(err.exitCode).toBe(2);
      expect(err.code).toBe('ELOOP');
      expect(err.message).toContain('is a symbolic link');
    }
    expect(readFileSync(target, 'utf8')).toBe('target data\n');
    expect(lstatSync(link).isSymbolicLink()).toBe(true);
  });

  it('refuses a dangling symlink instead of creating its target', () => {
    const target = join(dir, 'never-created');
    const link = fresh();
    symlinkSync(target, link);
    expect(openError(link).code).toBe('ELOOP');
    expect(existsSync(target)).toBe(false);
  });

  it('--force truncates an existing 0600 regular file of ours', () => {
    const p = fresh();
    writeFileSync(p, 'old old old\n', { mode: 0o600 });
    const w = RecordingWriter.open(p, { force: true });
    w.write('{"new":true}\n');
    w.close();
    expect(readFileSync(p, 'utf8')).toBe('{"new":true}\n');
    expect(statSync(p).mode & 0o777).toBe(0o600);
  });

  it('--append adds to the file, ending a partial last line left by a crash first', () => {
    const p = fresh();
    writeFileSync(p, '{"complete":1}\n{"partial":', { mode: 0o600 });
    const w = RecordingWriter.open(p, { append: true });
    w.write('{"appended":2}\n');
    w.close();
    expect(readFileSync(p, 'utf8')).toBe('{"complete":1}\n{"partial":\n{"appended":2}\n');
  });

  it('--append creates a missing file 0600', () => {
    const p = fresh();
    const w = RecordingWriter.open(p, { append: true });
    w.write('x\n');
    w.close();
    expect(statSync(p).mode & 0o777).toBe(0o600);
  });

  it('reports a directory, a missing directory and --force with --append as usage errors', () => {
    expect(openError(dir).message).toBe(`${dir} is a directory; give a file name for the recording`);
    expect(openError(dir, { force: true }).code).toBe('EISDIR');
    const missing = openError(join(dir, 'no', 'such', 'dir.ndjson'));
    expect(missing.exitCode).toBe(2);
    expect(missing.message).toContain('its directory does not exist');
    const both = openError(fresh(), { force: true, append: true });
    expect(both.message).toBe('--force and --append exclude each other');
  });

  it('buffers, then flushes at least once per interval', async () => {
    const p = fresh();
    const w = RecordingWriter.open(p, { flushIntervalMs: 50 });
    w.write('{"x":1}\n');
    expect(readFileSync(p, 'utf8')).toBe('');
    await new Promise((r) => setTimeout(r, 200));
    expect(readFileSync(p, 'utf8')).toBe('{"x":1}\n');
    w.close();
  });

  it('writes the buffer when it is full and refuses writes after close', () => {
    const p = fresh();
    const w = RecordingWriter.open(p, { bufferBytes: 10, flushIntervalMs: 0 });
    w.write('{"aaaa":1}\n');
    expect(readFileSync(p, 'utf8')).toBe('{"aaaa":1}\n');
    w.close();
    w.close(); // idempotent
    expect(() => w.write('x\n')).toThrow(ExitError);
  });

  it('writes every byte of lines longer than its buffer and of multi-byte text, in order, across flushes', () => {
    const p = fresh();
    const w = RecordingWriter.open(p, { bufferBytes: 1000, flushIntervalMs: 0 });
    const lines: string[] = [];
    for (let i = 0; i < 300; i++) {
      // ASCII, 2-, 3- and 4-byte characters; every 50th line far longer than the buffer and its slack
      const body = i % 50 === 7 ? 'é✓😀'.repeat(40_000) : `${'x'.repeat(i)}é✓😀${i}`;
      lines.push(`{"i":${i},"s":"${body}"}\n`);
      w.write(lines[i] as string);
    }
    w.close();
    const expected = lines.join('');
    expect(readFileSync(p, 'utf8')).toBe(expected);
    expect(w.stats().bytes).toBe(Buffer.byteLength(expected));
  });
});

describe('--rotate', () => {
  it('parses SIZE[,KEEP]', () => {
    expect(parseRotateSpec('100M,5')).toEqual({ maxBytes: 100 * 1024 * 1024, keep: 5 });
    expect(parseRotateSpec('64K')).toEqual({ maxBytes: 65536, keep: 5 });
    expect(parseRotateSpec('1.5G,0')).toEqual({ maxBytes: 1.5 * 1024 ** 3, keep: 0 });
    expect(parseRotateSpec('2MiB,3')).toEqual({ maxBytes: 2 * 1024 * 1024, keep: 3 });
    for (const bad of ['', 'abc', '10X', '1K', '100M,-1', '100M,x']) {
      expect(() => parseRotateSpec(bad)).toThrow(ExitError);
    }
  });

  it('rotates FILE → FILE.1 … keeping KEEP files, each new file 0600 and starting with the header', () => {
    const sub = join(dir, 'rot');
    mkdirSync(sub);
    const p = join(sub, 'rec.ndjson');
    let headers = 0;
    const w = RecordingWriter.open(p, {
      rotate: { maxBytes: 64 * 1024, keep: 2 },
      bufferBytes: 4096,
      flushIntervalMs: 0,
      onNewFile: () => `{"header":${++headers}}\n`,
    });
    const line = `{"pad":"${'x'.repeat(1000)}"}\n`;
    for (let i = 0; i < 400; i++) w.write(line); // ~400 KB: several rotations
    w.close();
    const files = readdirSync(sub).sort();
    expect(files).toEqual(['rec.ndjson', 'rec.ndjson.1', 'rec.ndjson.2']);
    expect(w.stats().rotations).toBeGreaterThanOrEqual(5);
    for (const f of files) {
      const st = statSync(join(sub, f));
      expect(st.mode & 0o777).toBe(0o600);
      expect(st.size).toBeLessThanOrEqual(64 * 1024 + 4096 + line.length);
      const text = readFileSync(join(sub, f), 'utf8');
      expect(text.endsWith('\n')).toBe(true);
      // every line whole
      for (const l of text.split('\n').filter(Boolean)) expect(() => JSON.parse(l)).not.toThrow();
    }
    // the newest files start with the header written at their creation
    expect(readFileSync(p, 'utf8').startsWith(`{"header":${headers}}\n`)).toBe(true);
    expect(readFileSync(`${p}.1`, 'utf8').startsWith(`{"header":${headers - 1}}\n`)).toBe(true);
  });

  it('says "use --rotate" on a full disk only when rotation is off', () => {
    const mnt = join(dir, 'tiny');
    mkdirSync(mnt);
    const mounted = spawnSync('mount', ['-t', 'tmpfs', '-o', 'size=256k', 'tmpfs', mnt], { encoding: 'utf8' });
    if (mounted.status !== 0) {
      console.log(`disk-full message test skipped: cannot mount a tmpfs (${mounted.stderr.trim()})`);
      return;
    }
    try {
      const line = `{"pad":"${'q'.repeat(1000)}"}\n`;
      const fill = (opts: Parameters<typeof RecordingWriter.open>[1], name: string): string => {
        const w = RecordingWriter.open(join(mnt, name), { flushIntervalMs: 0, bufferBytes: 8192, ...opts });
        try {
          for (let i = 0; i < 2000; i++) w.write(line);
          w.close();
        } catch (err) {
          return (err as Error).message;
        } finally {
          try {
            w.discard();
          } catch {
            // already reported
          }
        }
        return 'no error';
      };
      expect(fill({ rotate: { maxBytes: 64 * 1024, keep: 5 } }, 'rot.ndjson')).toBe(`${join(mnt, 'rot.ndjson')}: no space left on device (free space or lower the --rotate SIZE or KEEP)`);
      rmSync(join(mnt, 'rot.ndjson'), { force: true });
      for (let i = 1; i <= 5; i++) rmSync(join(mnt, `rot.ndjson.${i}`), { force: true });
      expect(fill({}, 'plain.ndjson')).toBe(`${join(mnt, 'plain.ndjson')}: no space left on device (free space or use --rotate)`);
    } finally {
      spawnSync('umount', [mnt]);
    }
  });

  it('is refused for a device, which is never renamed', () => {
    expect(() => RecordingWriter.open('/dev/null', { force: true, rotate: { maxBytes: 65536, keep: 1 } })).toThrow('--rotate needs a regular file, not the device /dev/null');
    expect(existsSync('/dev/null.1')).toBe(false);
  });

  it('is refused for stdout', () => {
    expect(() => RecordingWriter.open('-', { rotate: { maxBytes: 65536, keep: 1 } })).toThrow('--rotate needs a file, not stdout');
  });
});
