/**
 * Terminal output records → text_output events: the decoder hands them to the coalescer, which
 * joins one process's consecutive writes to one terminal, keeps each terminal's byte order, emits a
 * process's output before its next event, and carries the skipped-byte counts into the event.
 */
import { describe, expect, it } from 'vitest';
import { RecordDecoder } from '../../src/sensor/record-decoder.js';
import { makeDev, newProcessEvent, type ProcessEvent } from '../../src/sensor/process-event.js';
import { completeUtf8Length, TtyOutputCoalescer } from '../../src/sensor/tty-output-coalescer.js';
import { buildRecord, Flag, Kind } from '../support/record-builder.js';

const PTS = makeDev(136, 3);
const OFFSET = 1_700_000_000_000;
const ms = (n: number): bigint => BigInt(n) * 1_000_000n;

function tty(pid: number, atMs: number, text: string | Buffer, aux: number[] = [], extra: { tty?: number; flags?: number } = {}): Buffer {
  const output = typeof text === 'string' ? Buffer.from(text) : text;
  const a = [output.length, aux[0] ?? 0, aux[1] ?? ((24 << 16) | 80), aux[2] ?? 0];
  return buildRecord({ kind: Kind.ttyOutput, pid, tsNs: ms(atMs), tty: extra.tty ?? PTS, output, aux: a, flags: extra.flags ?? 0, comm: `p${pid}` });
}

function run(records: Buffer[], coalescer: TtyOutputCoalescer | null, flushAt?: number): ProcessEvent[] {
  const buf = new Uint8Array(Buffer.concat(records));
  const decoder = new RecordDecoder(buf, OFFSET, coalescer);
  const out: ProcessEvent[] = [];
  const push = (e: ProcessEvent): void => {
    out.push({ ...e, ioSkips: [...e.ioSkips] });
  };
  decoder.decode(buf.length, newProcessEvent(), push);
  if (flushAt !== undefined) coalescer?.flushDue(OFFSET + flushAt, push);
  else coalescer?.flushAll(push);
  return out;
}

describe('terminal output records', () => {
  it('decode one by one without a coalescer: text, counts, window size, cap flag', () => {
    const [e] = run([tty(7, 1, '\u001b[1mhi\u001b[0m\r\n', [5, (40 << 16) | 132, 3], { flags: Flag.ttyCapped })], null);
    expect(e).toMatchObject({ action: 'text_output', pid: 7, text: '\u001b[1mhi\u001b[0m\r\n', ioBytes: 12, ioSkipped: 8, ioCapped: true, ttyRows: 40, ttyColumns: 132, tty: PTS });
    expect(e!.ioSkips).toEqual([0, 5, 12, 3]);
  });

  it('coalesce consecutive small writes of one process into one event, timed at the first write', () => {
    const records = 'hello world'.split('').map((c, i) => tty(7, 10 + i, c));
    const events = run(records, new TtyOutputCoalescer());
    expect(events.map((e) => e.text)).toEqual(['hello world']);
    expect(events[0]!.time).toBe(OFFSET + 10);
    expect(events[0]!.ioBytes).toBe(11);
  });

  it('keep the byte order of a terminal when processes take turns, and keep terminals apart', () => {
    const other = makeDev(136, 9);
    const events = run(
      [tty(7, 1, '$ '), tty(7, 2, 'ls\r\n'), tty(8, 3, 'a b c\r\n'), tty(9, 3, 'elsewhere', [], { tty: other }), tty(7, 4, '$ ')],
      new TtyOutputCoalescer(),
    );
    const onPts = events.filter((e) => e.tty === PTS).map((e) => [e.pid, e.text]);
    expect(onPts).toEqual([
      [7, '$ ls\r\n'],
      [8, 'a b c\r\n'],
      [7, '$ '],
    ]);
    expect(events.filter((e) => e.tty === other).map((e) => e.text)).toEqual(['elsewhere']);
  });

  it("emit a process's pending output before its next event (its exit follows its output)", () => {
    const events = run([tty(7, 1, 'bye\r\n'), buildRecord({ kind: Kind.exit, pid: 7, tsNs: ms(2) })], new TtyOutputCoalescer());
    expect(events.map((e) => e.action)).toEqual(['text_output', 'end']);
  });

  it('emit by age: what is older than the bound goes, the rest waits', () => {
    const c = new TtyOutputCoalescer(100);
    const events = run([tty(7, 0, 'old'), tty(8, 90, 'new', [], { tty: makeDev(136, 5) })], c, 120);
    expect(events.map((e) => e.text)).toEqual(['old']);
    expect(c.pending).toBe(1);
  });

  it('count skipped bytes at their offsets, including an output-less record (bytes skipped until exit)', () => {
    const events = run([tty(7, 1, 'abc', [0, (24 << 16) | 80, 10]), tty(7, 2, '', [500], { flags: Flag.ttyCapped })], new TtyOutputCoalescer());
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({ text: 'abc', ioBytes: 3, ioSkipped: 510, ioCapped: true });
    expect(events[0]!.ioSkips).toEqual([3, 510]); // adjacent skips merge
  });

  it('never split a UTF-8 character across events when emitting by age', () => {
    const euro = Buffer.from('€'); // 3 bytes
    const c = new TtyOutputCoalescer(100);
    const first = run([tty(7, 0, Buffer.concat([Buffer.from('price '), euro.subarray(0, 2)]))], c, 150);
    expect(first.map((e) => e.text)).toEqual(['price ']);
    const second = run([tty(7, 160, Buffer.concat([euro.subarray(2), Buffer.from('5')]))], c);
    expect(second.map((e) => e.text)).toEqual(['€5']);
    expect(completeUtf8Length(Buffer.from('a€'), 4)).toBe(4);
    expect(completeUtf8Length(Buffer.from('a€'), 3)).toBe(1);
  });

  it('start a new event when the window size changes', () => {
    const events = run([tty(7, 1, 'a', [0, (24 << 16) | 80]), tty(7, 2, 'b', [0, (50 << 16) | 200])], new TtyOutputCoalescer());
    expect(events.map((e) => [e.text, e.ttyRows, e.ttyColumns])).toEqual([
      ['a', 24, 80],
      ['b', 50, 200],
    ]);
  });
});

describe('what the terminal showed', () => {
  it('turns each \\n into \\r\\n when the terminal did (OPOST|ONLCR), counting the bytes written', () => {
    const onlcr = (pid: number, atMs: number, text: string) =>
      buildRecord({ kind: Kind.ttyOutput, pid, tsNs: ms(atMs), tty: PTS, output: Buffer.from(text), aux: [text.length, 0, (24 << 16) | 80, 0], flags: Flag.ttyOnlcr });
    const [e] = run([onlcr(7, 1, 'a\nb\r\n'), tty(7, 2, 'raw\n')], new TtyOutputCoalescer());
    expect(e!.text).toBe('a\r\nb\r\r\nraw\n');
    expect(e!.ioBytes).toBe(9);
    const [one] = run([onlcr(7, 1, 'x\ny\n')], null);
    expect([one!.text, one!.ioBytes]).toEqual(['x\r\ny\r\n', 4]);
  });
});
