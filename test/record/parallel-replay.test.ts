/**
 * Replay with the parse workers against replay on the main thread alone, on recordings forced onto
 * the workers (parallelMinBytes: 1) and cut into small chunks, so that lines span chunk edges:
 * same events in the same order with the same line numbers and offsets, same models, same hosts,
 * same bad lines and warnings, same errors, same seeks.
 *
 * The workers run the compiled script (dist/src/record/parse-worker.js): `npm run build` first.
 */
import { appendFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SYNTHETIC_HOST } from '../../bench/record-workload.js';
import type { HostInfo } from '../../src/model/types.js';
import { parseWorkerPool, parseWorkerUrl, terminateParseWorkers } from '../../src/record/parse-worker-pool.js';
import { RecordingFileReader, type BadLine, type ReadOptions } from '../../src/record/recording-reader.js';
import { RecordingReplay } from '../../src/record/recording-replay.js';
import { SeekableReplay } from '../../src/record/recording-seek.js';
import { buildRichSession } from './rich-session.js';
import { syntheticLines } from './synthetic-lines.js';
import { modelFingerprint, sessionFingerprint } from './model-fingerprint.js';

const dir = mkdtempSync(join(tmpdir(), 'sessiontop-par-'));
afterAll(() => {
  terminateParseWorkers();
  rmSync(dir, { recursive: true, force: true });
});

const WORKERS: ReadOptions = { parallelMinBytes: 1, parallelChunkBytes: 8192, maxLineBytes: 64 * 1024 };
/** The reference: every line on the main thread through JSON.parse and the schema (zod). */
const SINGLE: ReadOptions = { parallelMinBytes: Infinity, maxLineBytes: 64 * 1024, lineScanner: false };
/** Every line on the main thread, the recorder's own through the native line scanner first. */
const SCANNED: ReadOptions = { parallelMinBytes: Infinity, maxLineBytes: 64 * 1024 };

/** Same host name, another boot: a reboot in one recording (kept apart by boot id). */
const REBOOTED: HostInfo = { ...SYNTHETIC_HOST, bootId: '11111111-2222-4333-8444-555555555555', bootTimeMs: SYNTHETIC_HOST.bootTimeMs - 20_000 };

/** Two synthetic hosts interleaved, the rich session, and bad lines of every kind spread through. */
function mixedRecording(): string {
  const a = syntheticLines(7, 3000);
  const b = syntheticLines(11, 1500, REBOOTED);
  const out: string[] = [];
  for (let i = 0; i < Math.max(a.length, b.length); i++) {
    if (i < a.length) out.push(a[i] as string);
    if (i % 2 === 0 && i / 2 < b.length) out.push(b[i / 2] as string);
    if (i % 2 === 1 && (i - 1) / 2 + Math.ceil(b.length / 2) < b.length) out.push(b[(i - 1) / 2 + Math.ceil(b.length / 2)] as string);
    if (i === 500) out.push('not json at all\n', '\n', '   \n');
    if (i === 900) out.push('{"@timestamp":"2024-01-01T00:00:00Z"}\n'); // no event.action
    if (i === 1300) out.push(`{"pad":"${'x'.repeat(100_000)}"}\n`); // too long
    if (i === 1700) out.push('{"@timestamp":"2150-01-01T00:00:00Z","event":{"action":"lost"},"host":{"name":"late","boot":{"id":"z"}},"sessiontop":{"lost":1}}\n');
    if (i === 2100) out.push('{"@timestamp":"2024-01-01T00:00:00Z","event":{"action":"exec"},"process":{"pid":1}}\r\n');
    if (i === 2500) out.push('[1,2]\n', '{"broken": \n');
  }
  for (const l of buildRichSession().lines) out.push(l.endsWith('\n') ? l : `${l}\n`);
  return out.join('');
}

interface ReadResult {
  events: string[];
  bad: string[];
  warnings: string[];
  stats: unknown;
  parallelEvents: number;
  /** Lines the scanner read on the main thread's line loop. */
  scannedLines: number;
  chunks: { workers: number; local: number; scannedLines: number };
  hosts: unknown[];
}

/** Starts the workers and waits until they are ready (a reader then hands them everything at once). */
function warmWorkers(): void {
  const pool = parseWorkerPool();
  expect(pool, 'this machine has a single core: no parse workers').not.toBeNull();
  pool!.warm();
  pool!.waitUntil(() => pool!.ready());
}

function readAll(file: string, options: ReadOptions, afterFirst?: () => void): ReadResult {
  if (options === WORKERS) warmWorkers();
  const bad: string[] = [];
  const warnings: string[] = [];
  const r = RecordingFileReader.open(file, { ...options, onBadLine: (b: BadLine) => bad.push(`${b.file}:${b.line}: ${b.reason}`), onWarning: (w) => warnings.push(w) });
  const events: string[] = [];
  for (let e = r.next(); e !== null; e = r.next()) {
    events.push(JSON.stringify([e.lineNo, e.offset, e.nextOffset, e.host.key, e.event]));
    if (events.length === 1) afterFirst?.();
  }
  const hosts = r.hosts.all().map((h) => ({ key: h.key, info: h.info, users: [...h.names.users], groups: [...h.names.groups] }));
  r.close();
  return { events, bad, warnings, stats: r.stats, parallelEvents: r.parallelEvents, scannedLines: r.scannedLines, chunks: { ...r.parallelChunks }, hosts };
}

/** The same events, bad lines, warnings, counts and hosts as the reference reading. */
function expectSameReading(got: ReadResult, want: ReadResult): void {
  expect(got.bad).toEqual(want.bad);
  expect(got.warnings).toEqual(want.warnings);
  expect(got.stats).toEqual(want.stats);
  expect(got.hosts).toEqual(want.hosts);
  for (let i = 0; i < want.events.length; i++) if (got.events[i] !== want.events[i]) expect(got.events[i], `event ${i}`).toBe(want.events[i]);
  expect(got.events.length).toBe(want.events.length);
}

let file = '';
beforeAll(() => {
  expect(parseWorkerUrl(), 'no compiled parse worker: run npm run build first').not.toBeNull();
  file = join(dir, 'mixed.ndjson');
  writeFileSync(file, mixedRecording());
});

describe('replay with parse workers = replay on the main thread', () => {
  it('same events (facts, line numbers, offsets, hosts), same bad lines, same hosts learned', () => {
    const single = readAll(file, SINGLE);
    const par = readAll(file, WORKERS);
    expect(single.events.length).toBeGreaterThan(4000);
    expect(single.parallelEvents).toBe(0);
    expect(par.parallelEvents).toBe(par.events.length); // really read by the workers
    // and by the main thread whenever the next chunk was not back: it decodes ahead at once (a
    // worker cannot answer before the first look), and at most a few chunks ahead of the workers
    expect(par.chunks.local).toBeGreaterThan(0);
    expect(par.chunks.workers).toBeGreaterThan(0);
    expect(par.chunks.workers + par.chunks.local).toBeGreaterThan(100);
    // the workers and this thread read the recorder's own lines with the native line scanner
    expect(par.chunks.scannedLines).toBeGreaterThan(par.events.length * 0.9);
    expect(single.chunks.scannedLines).toBe(0);
    expect(single.bad.length).toBe(7);
    expectSameReading(par, single);
    // the same on the main thread with its own line scanner (a gzip file, a small one, a seek's stretch)
    const scanned = readAll(file, SCANNED);
    expect(scanned.parallelEvents).toBe(0);
    expect(scanned.scannedLines).toBeGreaterThan(scanned.events.length * 0.9);
    expect(single.scannedLines).toBe(0);
    expectSameReading(scanned, single);
  });

  it('same models (fingerprints of every host) and resume positions', () => {
    const one = RecordingReplay.open([file], SINGLE);
    warmWorkers();
    const two = RecordingReplay.open([file], WORKERS);
    for (const n of [1, 777, 2500]) {
      for (let i = 0; i < n; i++) {
        one.step();
        two.step();
      }
      expect(two.resumePositions()).toEqual(one.resumePositions());
    }
    one.replayAll();
    two.replayAll();
    expect([...two.models.keys()]).toEqual([...one.models.keys()]);
    expect(two.models.size).toBe(3); // one host before and after a reboot, and the rich session's
    // and the main thread reading with its own scanner
    const three = RecordingReplay.open([file], SCANNED);
    three.replayAll();
    expect([...three.models.keys()]).toEqual([...one.models.keys()]);
    for (const [key, m] of one.models) {
      for (const other of [two.models.get(key)!, three.models.get(key)!]) {
        expect(modelFingerprint(other.table)).toEqual(modelFingerprint(m.table));
        expect(sessionFingerprint(other.table)).toEqual(sessionFingerprint(m.table));
      }
    }
    one.close();
    two.close();
    three.close();
  });

  it('workers still starting: the main thread decodes the chunks itself, then shares them with the ready workers', () => {
    const single = readAll(file, SINGLE);
    terminateParseWorkers();
    let waited = false;
    const par = readAll(file, { ...WORKERS }, () => {
      const pool = parseWorkerPool()!;
      expect(pool.ready()).toBe(false); // just started: the first chunks were decoded here
      pool.waitUntil(() => pool.ready());
      waited = true;
    });
    expect(waited).toBe(true);
    expect(par.parallelEvents).toBe(par.events.length); // every line in chunks, none by the line loop
    expect(par.chunks.local).toBeGreaterThan(0);
    expect(par.chunks.workers).toBeGreaterThan(0); // the worker took some once ready
    expect(par.events).toEqual(single.events);
    expect(par.bad).toEqual(single.bad);
    expect(par.stats).toEqual(single.stats);
  });

  it('a last line without newline: the same warning (read on the main thread after the workers\' range)', () => {
    const cut = join(dir, 'cut.ndjson');
    writeFileSync(cut, readFileSync(file));
    appendFileSync(cut, '{"@timestamp":"2024-01-0');
    const single = readAll(cut, SINGLE);
    const par = readAll(cut, WORKERS);
    expect(single.warnings.length).toBe(1);
    expect(par.warnings).toEqual(single.warnings);
    expect(par.events).toEqual(single.events);
    expect(par.stats).toEqual(single.stats);
  });

  it('--strict stops at the same first bad line', () => {
    const message = (options: ReadOptions): string => {
      try {
        if (options === WORKERS) warmWorkers();
        readAll(file, { ...options, strict: true });
      } catch (err) {
        return (err as Error).message;
      }
      return 'no error';
    };
    expect(message(SINGLE)).toMatch(/mixed\.ndjson:\d+: not a JSON object/);
    expect(message(WORKERS)).toBe(message(SINGLE));
  });

  it('binary data and a JSON array are refused the same way', () => {
    const binary = join(dir, 'binary.ndjson');
    const text = readFileSync(file);
    writeFileSync(binary, Buffer.concat([text.subarray(0, 200_000), Buffer.from([0, 1, 2, 0xff, 0]), text.subarray(200_000)]));
    const array = join(dir, 'array.ndjson');
    writeFileSync(array, `[\n${text.toString()}`);
    for (const f of [binary, array]) {
      const message = (options: ReadOptions): string => {
        try {
          readAll(f, options);
        } catch (err) {
          return (err as Error).message;
        }
        return 'no error';
      };
      expect(message(WORKERS)).toBe(message(SINGLE));
      expect(message(SINGLE)).toMatch(/binary data|JSON array/);
    }
  });

  it('seeking back and forth (checkpoints restored, files reopened at offsets) gives the same models', () => {
    const times: number[] = [];
    const straight = RecordingReplay.open([file], SINGLE);
    for (let s = straight.step(); s !== null; s = straight.step()) if (straight.applied % 900 === 0) times.push(s.entry.event.time);
    straight.close();
    const one = new SeekableReplay([file], { read: SINGLE, checkpointEvery: 1000 });
    const two = new SeekableReplay([file], { read: WORKERS, checkpointEvery: 1000 });
    for (const t of [times[3], times[1], times[4], times[0], times[2], Infinity] as number[]) {
      one.seek(t);
      warmWorkers();
      two.seek(t);
      expect(two.replay.applied).toBe(one.replay.applied);
      expect(two.replay.resumePositions()).toEqual(one.replay.resumePositions());
      expect([...two.replay.models.keys()]).toEqual([...one.replay.models.keys()]);
      for (const [key, m] of one.replay.models) {
        expect(modelFingerprint(two.replay.models.get(key)!.table)).toEqual(modelFingerprint(m.table));
        expect(sessionFingerprint(two.replay.models.get(key)!.table)).toEqual(sessionFingerprint(m.table));
      }
    }
    expect(one.checkpointCount).toBeGreaterThan(3);
    one.close();
    two.close();
  });
});
