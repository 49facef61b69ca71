/**
 * The main thread's own chunk decoder (main-thread-chunks.ts) gives what a parse worker gives for
 * the same chunk: the workers' ChunkDecoder with the line scanner and the compiled check, packed
 * the same way. Its interned table grows across chunks in order, and starts afresh once released.
 */
import { closeSync, mkdtempSync, openSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ChunkDecoder } from '../../src/record/chunk-decoder.js';
import { compileJsonSchemaCheck } from '../../src/record/json-schema-check.js';
import { checkWithCompiled } from '../../src/record/line-parse.js';
import { mainThreadChunks, releaseMainThreadChunks } from '../../src/record/main-thread-chunks.js';
import { PackedFactsReader, PackedTables, Slot, STRIDE } from '../../src/record/packed-facts.js';
import { RecordLineScanner } from '../../src/record/record-line-scanner.js';
import { recordLineJsonSchema } from '../../src/record/schema.js';
import { syntheticLines } from './synthetic-lines.js';

const dir = mkdtempSync(join(tmpdir(), 'sessiontop-main-chunks-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('mainThreadChunks', () => {
  it('decodes a chunk as a worker does, and starts a fresh table once released', () => {
    const text = syntheticLines(7, 3000).join('') + '{"not":"a recording line"}\n';
    const file = join(dir, 'r.ndjson');
    writeFileSync(file, text);
    const size = Buffer.byteLength(text);
    const schema = recordLineJsonSchema();
    const types = compileJsonSchemaCheck(schema);
    const worker = new ChunkDecoder((v) => checkWithCompiled(v, types), new RecordLineScanner(schema));
    const workerTables = new PackedTables();
    const fd = openSync(file, 'r');
    try {
      releaseMainThreadChunks();
      const CHUNK = 128 * 1024;
      let events = 0;
      let seq = 0;
      for (let start = 0; start < size; start += CHUNK, seq++) {
        const job = { reader: 1, seq, fd, start, end: Math.min(size, start + CHUNK), maxLineBytes: 1 << 20 };
        const mine = mainThreadChunks().decode(job);
        const theirs = worker.decode(job);
        const theirTable = workerTables.receive(0, theirs.batch);
        expect([mine.reply.lines, mine.reply.binaryAt, mine.reply.error]).toEqual([theirs.lines, theirs.binaryAt, theirs.error]);
        expect(new Float64Array(mine.reply.batch.buffer, 0, mine.reply.batch.count * STRIDE)).toEqual(new Float64Array(theirs.batch.buffer, 0, theirs.batch.count * STRIDE));
        expect(mine.reply.batch.local).toEqual(theirs.batch.local);
        expect(mine.table).toEqual(theirTable);
        const r = new PackedFactsReader(mine.reply.batch, mine.table);
        for (let i = 0; i < r.count; i++) if (r.num(i, Slot.kind) === 1) events++;
      }
      expect(seq).toBeGreaterThan(10);
      expect(events).toBeGreaterThan(3000);
      // released: the next chunk interns its strings again (a batch taken before keeps its table)
      const job = { reader: 1, seq: 0, fd, start: 0, end: CHUNK, maxLineBytes: 1 << 20 };
      const before = mainThreadChunks().decode(job);
      expect(before.reply.batch.interned).toEqual([]); // all seen already
      releaseMainThreadChunks();
      const after = mainThreadChunks().decode(job);
      expect(after.reply.batch.interned.length).toBeGreaterThan(0);
      expect(after.table).not.toBe(before.table);
    } finally {
      closeSync(fd);
    }
  });
});
