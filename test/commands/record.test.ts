import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { SyntheticHost } from '../../bench/record-workload.js';
import { ProcessTable } from '../../src/model/process-table.js';
import { RECORD_RING_BYTES, parseRecordArgs, runRecord } from '../../src/commands/record.js';
import { RecordingReplay } from '../../src/record/recording-replay.js';
import { validateRecordLine } from '../../src/record/schema.js';
import type { EventSource, ProcessEvent } from '../../src/sensor/process-event.js';
import { modelFingerprint } from '../record/model-fingerprint.js';

const dir = mkdtempSync(join(tmpdir(), 'sessiontop-record-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
let n = 0;
const fresh = (): string => join(dir, `rec${n++}.ndjson`);

/** A source that plays a synthetic host: backfill synchronously in start(), then batches on a timer. */
class SyntheticSource implements EventSource {
  readonly name = 'procfs' as const;
  readonly degraded = true;
  readonly gen: SyntheticHost;
  readonly table: ProcessTable;
  private timer: NodeJS.Timeout | null = null;
  emitted = 0;
  stopped = false;
  constructor(
    private readonly liveEvents: number,
    private readonly batch = 500,
  ) {
    this.gen = new SyntheticHost({ seed: 11 });
    this.table = new ProcessTable({ host: this.gen.host });
  }
  async start(onEvent: (e: ProcessEvent) => void): Promise<void> {
    const tap = (e: ProcessEvent): void => {
      this.table.apply(e); // the "live" model, for comparison with the replay
      onEvent(e);
    };
    this.gen.backfill(tap);
    this.timer = setInterval(() => {
      if (this.emitted >= this.liveEvents) return;
      this.emitted += this.gen.run(Math.min(this.batch, this.liveEvents - this.emitted), tap);
    }, 1);
  }
  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.stopped = true;
  }
}

async function record(output: string, source: EventSource, extra: Partial<Parameters<typeof runRecord>[0]> = {}, stopAfter?: () => boolean) {
  let err = '';
  const ac = new AbortController();
  const poll = setInterval(() => {
    if (stopAfter?.()) ac.abort();
  }, 5);
  const code = await runRecord({
    output,
    source: 'procfs',
    createSource: () => source,
    host: (source as SyntheticSource).gen?.host,
    names: { user: (u) => (u === 0 ? 'root' : undefined), group: () => undefined },
    stderr: { write: (s: string) => (err += s) },
    handleSignals: false,
    stopSignal: ac.signal,
    ...extra,
  });
  clearInterval(poll);
  return { code, err };
}

describe('runRecord', () => {
  it('writes one snapshot line per existing process (leaders resolved), then the live events, and stops cleanly', async () => {
    const out = fresh();
    const src = new SyntheticSource(5000);
    const { code, err } = await record(out, src, {}, () => src.emitted >= 5000);
    expect(code).toBe(0);
    expect(src.stopped).toBe(true);
    expect(statSync(out).mode & 0o777).toBe(0o600);
    const lines = readFileSync(out, 'utf8').split('\n');
    expect(lines.pop()).toBe('');
    const docs = lines.map((l) => JSON.parse(l));
    for (const d of docs) expect(validateRecordLine(d).ok).toBe(true);
    const snapshots = docs.findIndex((d) => d.event.action !== 'snapshot');
    expect(snapshots).toBeGreaterThan(10);
    expect(docs.slice(snapshots).some((d) => d.event.action === 'snapshot')).toBe(false);
    // snapshot lines were written after the whole backfill was linked: login shells know their entry
    const shells = docs.slice(0, snapshots).filter((d) => d.process.name === 'bash');
    expect(shells.length).toBeGreaterThan(3);
    for (const s of shells) expect(s.process.entry_leader.entry_meta.type).toBe('sshd');
    expect(docs.length).toBe(snapshots + src.emitted);
    expect(docs.filter((d) => d.event.action === 'lost').length).toBeGreaterThan(0);
    expect(err).toMatch(new RegExp(`^sessiontop record: ${src.emitted + snapshots} events \\(\\d+ lost by the kernel\\) written to ${out}\\n$`));
    // replaying gives the live model
    const replay = RecordingReplay.open([out]);
    replay.replayAll();
    expect(modelFingerprint([...replay.models.values()][0]!.table)).toEqual(modelFingerprint(src.table));
    replay.close();
  });

  it('refuses an existing file without --force before starting the source, leaving it unchanged', async () => {
    const out = fresh();
    writeFileSync(out, 'keep me\n');
    let created = false;
    const { code, err } = await record(out, new SyntheticSource(10), {
      createSource: () => {
        created = true;
        return new SyntheticSource(10);
      },
    });
    expect(code).toBe(2);
    expect(created).toBe(false);
    expect(err).toBe(`sessiontop record: ${out} already exists; use --force to overwrite it or --append to add to it\n`);
    expect(readFileSync(out, 'utf8')).toBe('keep me\n');
  });

  it('rejects a bad --rotate and a negative --duration as usage errors', async () => {
    const a = await record(fresh(), new SyntheticSource(1), { rotate: '12Q' });
    expect(a.code).toBe(2);
    expect(a.err).toBe('sessiontop record: invalid --rotate "12Q": expected SIZE[,KEEP], e.g. 100M,5\n');
    const b = await record(fresh(), new SyntheticSource(1), { duration: -1 });
    expect(b.code).toBe(2);
    expect(b.err).toBe('sessiontop record: --duration must be a positive number of seconds\n');
  });

  it('--duration stops the recording', async () => {
    const out = fresh();
    const t = Date.now();
    const { code } = await record(out, new SyntheticSource(1e9, 50), { duration: 0.3 });
    expect(code).toBe(0);
    expect(Date.now() - t).toBeGreaterThanOrEqual(250);
    expect(Date.now() - t).toBeLessThan(5000);
    expect(readFileSync(out, 'utf8').endsWith('\n')).toBe(true);
  });

  it('--rotate: every file starts with a snapshot of the live processes and replays on its own', async () => {
    const out = join(dir, 'rotating.ndjson');
    const src = new SyntheticSource(6000);
    const { code } = await record(out, src, { rotate: '2M,3', flushIntervalMs: 20 }, () => src.emitted >= 6000);
    expect(code).toBe(0);
    const files = readdirSync(dir).filter((f) => f.startsWith('rotating.ndjson'));
    expect(files.sort()).toEqual(['rotating.ndjson', 'rotating.ndjson.1', 'rotating.ndjson.2', 'rotating.ndjson.3']);
    for (const f of ['rotating.ndjson', 'rotating.ndjson.1']) {
      const p = join(dir, f);
      expect(statSync(p).mode & 0o777).toBe(0o600);
      const first = JSON.parse(readFileSync(p, 'utf8').split('\n', 1)[0] as string);
      expect(first.event.action).toBe('snapshot');
      const replay = RecordingReplay.open([p]);
      replay.replayAll();
      expect(replay.stats().badLines).toBe(0);
      const table = [...replay.models.values()][0]!.table;
      // sessions are recognised from the snapshot header alone
      expect(table.entrySessions().filter((s) => s.type === 'sshd').length).toBeGreaterThan(0);
      replay.close();
    }
  });

  it('refuses a --rotate SIZE smaller than three snapshots of the live processes (exit 2, no file left)', async () => {
    const out = fresh();
    const { code, err } = await record(out, new SyntheticSource(10), { rotate: '64K,3' }, () => true);
    expect(code).toBe(2);
    expect(err).toMatch(/^sessiontop record: stopped: --rotate SIZE 64K is too small for this host: each file starts with a snapshot of the live processes \(\d+K\); use --rotate \d+[KM] or more\n$/);
    expect(existsSync(out)).toBe(false);
  });

  it('reports a write failure in one line with exit 1 (disk full)', async () => {
    if (!existsSync('/dev/full')) return;
    const { code, err } = await record('/dev/full', new SyntheticSource(100), { force: true }, () => true);
    expect(code).toBe(1);
    expect(err).toBe('sessiontop record: stopped: /dev/full: no space left on device (free space or use --rotate)\n');
  });
});

describe('record options', () => {
  it('asks for an 8 MiB ring unless --ring-size says otherwise', () => {
    expect(RECORD_RING_BYTES).toBe(8 * 1024 * 1024);
    expect(parseRecordArgs(['-o', 'x.ndjson']).bpf?.ringBytes).toBe(8 * 1024 * 1024);
    expect(parseRecordArgs(['-o', 'x.ndjson', '--ring-size', '32M']).bpf?.ringBytes).toBe(32 * 1024 * 1024);
  });
});
