import { closeSync, mkdtempSync, openSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { LineReader } from '../../src/record/line-reader.js';

const dir = mkdtempSync(join(tmpdir(), 'sessiontop-lines-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
let n = 0;

function readAll(content: string | Buffer, opts: { maxLineBytes?: number; chunkBytes?: number } = {}) {
  const p = join(dir, `l${n++}`);
  writeFileSync(p, content);
  const fd = openSync(p, 'r');
  const r = new LineReader(fd, opts);
  const out: { line: string; lineNo: number; offset: number; tooLong: boolean; length: number; unterminated: boolean }[] = [];
  while (r.next()) out.push({ line: r.line, lineNo: r.lineNo, offset: r.offset, tooLong: r.tooLong, length: r.length, unterminated: r.unterminated });
  closeSync(fd);
  return out;
}

describe('LineReader', () => {
  it('splits lines with byte offsets, across chunk boundaries, with multi-byte characters', () => {
    const lines = Array.from({ length: 500 }, (_, i) => `line ${i} ${'é'.repeat(i % 37)}`);
    const text = `${lines.join('\n')}\n`;
    const got = readAll(text, { chunkBytes: 4096 });
    expect(got.map((g) => g.line)).toEqual(lines);
    const buf = Buffer.from(text);
    for (const g of got) expect(buf.toString('utf8', g.offset, g.offset + g.length)).toBe(g.line);
    expect(got.every((g) => !g.unterminated && !g.tooLong)).toBe(true);
  });

  it('grows for long lines up to the limit and skips longer ones, reporting their length', () => {
    const ok = 'a'.repeat(20_000);
    const tooLong = 'b'.repeat(50_000);
    const got = readAll(`${ok}\n${tooLong}\nafter\n`, { chunkBytes: 4096, maxLineBytes: 30_000 });
    expect(got.map((g) => [g.lineNo, g.tooLong, g.length, g.line.length])).toEqual([
      [1, false, 20_000, 20_000],
      [2, true, 50_000, 0],
      [3, false, 5, 5],
    ]);
    expect(got[2]!.line).toBe('after');
    expect(got[2]!.offset).toBe(70_002);
  });

  it('reports a last line without newline as unterminated, strips CR, keeps empty lines', () => {
    const got = readAll('one\r\n\r\ntwo\nthree');
    expect(got.map((g) => [g.line, g.unterminated])).toEqual([
      ['one', false],
      ['', false],
      ['two', false],
      ['three', true],
    ]);
  });

  it('handles an empty file and a file of one newline', () => {
    expect(readAll('')).toEqual([]);
    expect(readAll('\n').map((g) => g.line)).toEqual(['']);
  });

  it('seeks to a line start', () => {
    const p = join(dir, 'seek');
    writeFileSync(p, 'aaa\nbbb\nccc\n');
    const fd = openSync(p, 'r');
    const r = new LineReader(fd);
    r.seek(8, 2);
    expect(r.next()).toBe(true);
    expect([r.line, r.lineNo, r.offset]).toEqual(['ccc', 3, 8]);
    expect(r.next()).toBe(false);
    closeSync(fd);
  });
});
