import { closeSync, mkdtempSync, openSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { endOfLastWholeLine, readChunkLines } from '../../src/record/line-chunks.js';
import { LineReader } from '../../src/record/line-reader.js';

const dir = mkdtempSync(join(tmpdir(), 'sessiontop-chunks-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
let n = 0;

interface SeenLine {
  lineNo: number;
  offset: number;
  length: number;
  text: string | null;
  unterminated: boolean;
}

function withFile<T>(content: Buffer, fn: (fd: number, size: number) => T): T {
  const p = join(dir, `c${n++}.ndjson`);
  writeFileSync(p, content);
  const fd = openSync(p, 'r');
  try {
    return fn(fd, content.length);
  } finally {
    closeSync(fd);
  }
}

/** What LineReader gives for the whole file (the reference). */
function byLineReader(fd: number, maxLineBytes: number): SeenLine[] {
  const lr = new LineReader(fd, { maxLineBytes, chunkBytes: 4096 });
  const out: SeenLine[] = [];
  while (lr.next()) out.push({ lineNo: lr.lineNo, offset: lr.offset, length: lr.length, text: lr.tooLong ? null : lr.line, unterminated: lr.unterminated });
  return out;
}

/** The same file read as consecutive chunks of `chunk` bytes, line numbers made absolute. */
function byChunks(fd: number, size: number, chunk: number, maxLineBytes: number): { lines: SeenLine[]; total: number } {
  const lines: SeenLine[] = [];
  let base = 0;
  for (let start = 0; start < size; start += chunk) {
    const r = readChunkLines(fd, start, Math.min(size, start + chunk), maxLineBytes, (line, offset, length, text, unterminated) => {
      lines.push({ lineNo: base + line, offset, length, text, unterminated });
    });
    expect(r.binaryAt).toBe(-1);
    base += r.lines;
  }
  return { lines, total: base };
}

/** Over LineReader's smallest buffer (4 KiB), so that it too calls a longer line too long. */
const LIMIT = 5000;
const content = Buffer.from(
  [
    '{"a":1}\n',
    '\n', // blank
    '   \n', // blank with spaces
    '{"crlf":true}\r\n',
    '{"text":"héllo — ünïcode 🎉 across chunk edges"}\n',
    `{"long":"${'x'.repeat(12_000)}"}\n`, // too long for the 5000-byte limit below
    '\r\n',
    `{"mid":"${'y'.repeat(150)}"}\n`, // spans several small chunks
    '{"last":"no newline"}\r',
  ].join(''),
);

describe('readChunkLines: a file cut into byte ranges gives LineReader\'s lines, once each', () => {
  it('every chunk size from 1 byte to the whole file: same lines, numbers, offsets, lengths, texts', () => {
    withFile(content, (fd, size) => {
      const reference = byLineReader(fd, LIMIT);
      expect(reference.length).toBe(9);
      expect(reference.some((l) => l.text === null)).toBe(true); // the long line
      expect(reference[8]?.unterminated).toBe(true);
      for (let chunk = 1; chunk <= size; chunk += chunk < 300 ? 1 : 97) {
        const got = byChunks(fd, size, chunk, LIMIT);
        expect(got.lines, `chunk ${chunk}`).toEqual(reference);
        expect(got.total).toBe(9);
      }
    });
  });

  it('a CR before LF is dropped from the text but counted in the length', () => {
    withFile(Buffer.from('{"a":1}\r\n{"b":2}\n'), (fd, size) => {
      const got = byChunks(fd, size, 5, 1000).lines;
      expect(got.map((l) => [l.text, l.length, l.offset])).toEqual([
        ['{"a":1}', 8, 0],
        ['{"b":2}', 7, 9],
      ]);
    });
  });

  it('a range inside one long line owns no line; the line belongs to the range it starts in', () => {
    withFile(Buffer.from(`${'z'.repeat(100)}\n{"b":2}\n`), (fd) => {
      const seen: number[] = [];
      const r = readChunkLines(fd, 10, 50, 1000, (line) => seen.push(line));
      expect(r).toEqual({ lines: 0, binaryAt: -1 });
      expect(seen).toEqual([]);
      const first: string[] = [];
      readChunkLines(fd, 0, 10, 1000, (_l, _o, _len, text) => first.push(text as string));
      expect(first).toEqual(['z'.repeat(100)]);
    });
  });

  it('a NUL byte stops the chunk at its line and says where', () => {
    const buf = Buffer.from('{"a":1}\n{"b":\u00002}\n{"c":3}\n');
    withFile(buf, (fd, size) => {
      const texts: string[] = [];
      const r = readChunkLines(fd, 0, size, 1000, (_l, _o, _len, text) => texts.push(text as string));
      expect(texts).toEqual(['{"a":1}']);
      expect(r.binaryAt).toBe(buf.indexOf(0));
    });
  });

  it('endOfLastWholeLine: just after the last newline (0 when there is none)', () => {
    withFile(Buffer.from('{"a":1}\n{"b":2}\n{"cut'), (fd, size) => expect(endOfLastWholeLine(fd, size)).toBe(16));
    withFile(Buffer.from('{"a":1}\n'), (fd, size) => expect(endOfLastWholeLine(fd, size)).toBe(8));
    withFile(Buffer.from('no newline at all'), (fd, size) => expect(endOfLastWholeLine(fd, size)).toBe(0));
    const big = Buffer.concat([Buffer.from('{"a":1}\n'), Buffer.alloc(200_000, 0x61)]);
    withFile(big, (fd, size) => expect(endOfLastWholeLine(fd, size)).toBe(8));
  });
});
