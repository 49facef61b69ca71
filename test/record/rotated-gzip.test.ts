/**
 * `--compress`: rotated files are gzipped (FILE.1.gz … FILE.KEEP.gz), the active file stays plain,
 * every line written is in exactly one file, in order, and the readers take the .gz files.
 */
import { gunzipSync } from 'node:zlib';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { RecordingWriter } from '../../src/record/recording-writer.js';
import { RotatedGzip } from '../../src/record/rotated-gzip.js';
import { LineReader } from '../../src/record/line-reader.js';
import { openSync, closeSync } from 'node:fs';

const dir = mkdtempSync(join(tmpdir(), 'sessiontop-gzip-rotate-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function linesOf(path: string): string[] {
  const fd = openSync(path, 'r');
  try {
    const lr = new LineReader(fd);
    const out: string[] = [];
    while (lr.next()) out.push(lr.line);
    expect(lr.gzipDamage).toBe('');
    return out;
  } finally {
    closeSync(fd);
  }
}

describe('rotation with --compress', () => {
  it('gzips every rotated file under logrotate names, keeps the active file plain, loses no line', async () => {
    const base = join(dir, 'rec.ndjson');
    const keep = 50;
    let gz!: RotatedGzip;
    const w = RecordingWriter.open(base, { rotate: { maxBytes: 64 * 1024, keep }, handoff: (d, name) => (gz = new RotatedGzip(d, name, keep)), bufferBytes: 4096, flushIntervalMs: 0 });
    const total = 20_000;
    for (let i = 0; i < total; i++) {
      w.write(`{"@timestamp":"2026-12-01T10:00:00.000000Z","event":{"action":"exec"},"process":{"pid":${i},"args":["/bin/true","${i % 7}"]}}\n`);
    }
    w.close();
    await gz.idle();
    expect(gz.failure).toBeNull();
    const rotations = w.stats().rotations;
    expect(rotations).toBeGreaterThan(5);
    expect(gz.compressed).toBe(rotations);
    const names = readdirSync(dir).filter((f) => f.startsWith('rec.ndjson')).sort();
    const expected = ['rec.ndjson', ...Array.from({ length: rotations }, (_, i) => `rec.ndjson.${i + 1}.gz`)].sort();
    expect(names).toEqual(expected); // no .rotating-… nor .tmp left
    for (const f of names) expect(statSync(join(dir, f)).mode & 0o777).toBe(0o600);
    // the active file is plain NDJSON; the rotated ones are gzip (magic bytes)
    expect(readFileSync(base).subarray(0, 1).toString()).toBe('{');
    const first = readFileSync(join(dir, 'rec.ndjson.1.gz'));
    expect([first[0], first[1]]).toEqual([0x1f, 0x8b]);
    expect(gunzipSync(first).toString('utf8').endsWith('\n')).toBe(true);
    // every line once, oldest file first
    const all: string[] = [];
    for (let i = rotations; i >= 1; i--) all.push(...linesOf(join(dir, `rec.ndjson.${i}.gz`)));
    all.push(...linesOf(base));
    expect(all.length).toBe(total);
    expect(all.map((l) => (JSON.parse(l) as { process: { pid: number } }).process.pid)).toEqual(Array.from({ length: total }, (_, i) => i));
    // compression is worth it on repetitive lines
    expect(gz.gzipBytes).toBeLessThan(gz.plainBytes / 5);
  });

  it('keeps only KEEP compressed files, dropping the oldest', async () => {
    const base = join(dir, 'keep.ndjson');
    let gz!: RotatedGzip;
    const w = RecordingWriter.open(base, { rotate: { maxBytes: 64 * 1024, keep: 2 }, handoff: (d, name) => (gz = new RotatedGzip(d, name, 2)), bufferBytes: 4096, flushIntervalMs: 0 });
    for (let i = 0; i < 10_000; i++) w.write(`{"n":${i},"pad":"${'x'.repeat(40)}"}\n`);
    w.close();
    await gz.idle();
    expect(w.stats().rotations).toBeGreaterThan(3);
    expect(readdirSync(dir).filter((f) => f.startsWith('keep.ndjson')).sort()).toEqual(['keep.ndjson', 'keep.ndjson.1.gz', 'keep.ndjson.2.gz']);
    // the newest rotated file ends right where the active file starts
    const last = linesOf(join(dir, 'keep.ndjson.1.gz')).at(-1)!;
    const next = linesOf(join(dir, 'keep.ndjson'))[0]!;
    expect((JSON.parse(next) as { n: number }).n).toBe((JSON.parse(last) as { n: number }).n + 1);
  });

  it('runs gzip at the lowest CPU priority, and when gzip fails keeps the plain file and says why once', async () => {
    const base = join(dir, 'fail.ndjson');
    let gz!: RotatedGzip;
    const errors: unknown[] = [];
    // a "gzip" that records its nice value and fails the way a full disk would
    const fake = join(dir, 'fake-gzip');
    writeFileSync(fake, `#!/bin/sh\nnice > ${join(dir, 'fake-gzip.nice')}\necho 'gzip: stdout: No space left on device' >&2\nexit 1\n`, { mode: 0o700 });
    const w = RecordingWriter.open(base, {
      rotate: { maxBytes: 64 * 1024, keep: 3 },
      handoff: (d, name) => (gz = new RotatedGzip(d, name, 3, (e) => errors.push(e), 6, fake)),
      bufferBytes: 4096,
      flushIntervalMs: 0,
    });
    for (let i = 0; i < 4_000; i++) w.write(`{"n":${i},"pad":"${'x'.repeat(40)}"}\n`);
    w.close();
    await gz.idle();
    expect(readFileSync(join(dir, 'fake-gzip.nice'), 'utf8').trim()).toBe('19');
    expect(errors.length).toBe(1);
    expect(String((errors[0] as Error).message)).toBe('gzip exited with status 1: gzip: stdout: No space left on device');
    const names = readdirSync(dir).filter((f) => f.startsWith('fail.ndjson'));
    expect(names.some((f) => f.endsWith('.gz') || f.endsWith('.tmp'))).toBe(false);
    // nothing lost: the plain rotated files and the active file hold every line
    const all = names.flatMap((f) => linesOf(join(dir, f)).map((l) => (JSON.parse(l) as { n: number }).n)).sort((a, b) => a - b);
    expect(all).toEqual(Array.from({ length: 4_000 }, (_, i) => i));
  });
});
