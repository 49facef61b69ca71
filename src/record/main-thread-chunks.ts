/**
 * The main thread's own chunk decoder: the parse workers' code (chunk-decoder.ts, with the same
 * line scanner and compiled schema check) run here, so that the reader decodes a chunk itself
 * whenever the next one in file order is not back from a worker yet, instead of sleeping
 * (parallel-record-lines.ts). Its packed batches go through the same layout and interned table
 * as a worker's, so what the reader does with a chunk does not depend on who decoded it.
 *
 * Built on first use (compiling the scanner and the check takes a few milliseconds), and shared
 * by every reader of the process: decoding is synchronous, so batches are taken in the order the
 * interned table is grown. Dropped with the workers when no reader has used them for a while
 * (parse-worker-pool.ts): a batch already taken keeps the table it refers to.
 */

import { newChunkDecoder, type ChunkDecoder, type ChunkJob, type ChunkReply } from './chunk-decoder.js';
import { PackedTables } from './packed-facts.js';
import { recordLineJsonSchema } from './schema.js';

class MainThreadChunks {
  private readonly decoder: ChunkDecoder;
  private readonly tables = new PackedTables();

  constructor() {
    this.decoder = newChunkDecoder(recordLineJsonSchema());
  }

  /** Decodes a chunk here: its reply, and the interned table its records refer to. */
  decode(job: ChunkJob): { reply: ChunkReply; table: unknown[] } {
    const reply = this.decoder.decode(job);
    return { reply, table: this.tables.receive(0, reply.batch) };
  }
}

let shared: MainThreadChunks | null = null;

export function mainThreadChunks(): MainThreadChunks {
  shared ??= new MainThreadChunks();
  return shared;
}

/** Drops the decoder and its interned values (the next use builds a new one). */
export function releaseMainThreadChunks(): void {
  shared = null;
}
