/**
 * One reader's stream of packed line records from the parse workers: cuts the byte range
 * [from, end) into chunks (line-chunks.ts), keeps a few of them in flight on the pool, and hands
 * the records back strictly in file order (chunk by chunk by sequence number, and within a chunk
 * as the worker wrote them), with absolute line numbers: a chunk's line numbers start after the
 * lines every earlier chunk owned.
 *
 * When the next chunk in order is not back yet, this thread does not sleep: it cuts the next
 * chunk itself and decodes it here with the workers' own code (main-thread-chunks.ts), and its
 * records wait their turn like a worker's. So the main thread, which also applies every event to
 * the model, is one more parser whenever it would otherwise wait (the pool has a worker per core
 * but one). It sleeps only when LOCAL_AHEAD chunks beyond the workers' are decoded and waiting.
 * Until the workers have started (their start-up costs as much as reading a few MB), it sends
 * them nothing and decodes every chunk itself.
 */

import type { ChunkReply } from './chunk-decoder.js';
import { mainThreadChunks } from './main-thread-chunks.js';
import { PackedFactsReader } from './packed-facts.js';
import type { ParseWorkerPool } from './parse-worker-pool.js';

/** Bytes per chunk: big enough that a reply carries hundreds of lines, small enough to start soon. */
export const DEFAULT_CHUNK_BYTES = 1024 * 1024;
/** Chunks in flight per worker. */
const DEPTH_PER_WORKER = 4;
/** Most chunks this thread decodes ahead of those in flight on the workers. */
const LOCAL_AHEAD = 8;
/** Batch buffers kept for reuse. */
const MAX_SPARES = 4;

export class ParallelRecordLines {
  /** The current batch and record index (valid after next() returned true). */
  records: PackedFactsReader | null = null;
  index = -1;
  /** Lines (blank ones included) before the current batch's first: add a record's line to it. */
  lineBase: number;
  /** File offset of a NUL byte met (reading stopped at its line); −1 when none. */
  binaryAt = -1;

  private readonly id: number;
  private readonly ready = new Map<number, { reply: ChunkReply; table: unknown[] }>();
  private current: ChunkReply | null = null;
  private nextStart: number;
  private sent = 0;
  private consumed = 0;
  /** Chunks sent to the workers and not back yet. */
  private inWorkers = 0;
  /** Batch buffers of consumed chunks, written into again by the next chunks (packed-facts.ts). */
  private readonly spares: ArrayBuffer[] = [];
  private closed = false;
  private workersReady = false;
  private readonly depth: number;
  /** Most chunks cut and not yet consumed (in flight, or decoded and waiting their turn). */
  private readonly maxAhead: number;
  /** Chunks decoded by the workers and on this thread, and lines the line scanner read (for tests and benches). */
  workerChunks = 0;
  localChunks = 0;
  scannedLines = 0;

  constructor(
    private readonly pool: ParseWorkerPool,
    private readonly fd: number,
    from: number,
    /** End of the range: a line start (the reader continues there by itself). */
    readonly end: number,
    linesBefore: number,
    private readonly maxLineBytes: number,
    private readonly chunkBytes = DEFAULT_CHUNK_BYTES,
  ) {
    this.nextStart = from;
    this.lineBase = linesBefore;
    this.depth = pool.size * DEPTH_PER_WORKER;
    this.maxAhead = this.depth + LOCAL_AHEAD;
    this.id = pool.attach((reply, table) => {
      this.inWorkers--;
      this.workerChunks++;
      this.scannedLines += reply.scanned;
      this.ready.set(reply.seq, { reply, table });
    });
    this.dispatch();
  }

  /** Advances to the next record; false when the range is read (or reading stopped at binary data). */
  next(): boolean {
    for (;;) {
      const r = this.records;
      if (r !== null && this.index + 1 < r.count) {
        this.index++;
        return true;
      }
      const done = this.current;
      if (done !== null) {
        this.lineBase += done.lines;
        if (this.spares.length < MAX_SPARES) this.spares.push(done.batch.buffer);
        this.current = null;
        this.records = null;
        this.consumed++;
        if (done.binaryAt >= 0) {
          this.binaryAt = done.binaryAt;
          this.close();
          return false;
        }
      }
      this.dispatch();
      if (this.consumed === this.sent && !this.decodeAhead()) {
        // nothing in flight or decoded, and nothing left to cut
        this.close();
        return false;
      }
      const seq = this.consumed;
      if (!this.ready.has(seq)) {
        // rather than sleep, decode the next chunk here (it waits its turn in `ready`)
        this.pool.poll();
        this.dispatch();
        while (!this.ready.has(seq) && this.decodeAhead()) {
          this.pool.poll();
          this.dispatch();
        }
        if (!this.ready.has(seq)) this.pool.waitUntil(() => this.ready.has(seq));
      }
      const got = this.ready.get(seq) as { reply: ChunkReply; table: unknown[] };
      this.ready.delete(seq);
      if (got.reply.error !== '') {
        this.close();
        throw new Error(got.reply.error);
      }
      this.current = got.reply;
      this.records = new PackedFactsReader(got.reply.batch, got.table);
      this.index = -1;
    }
  }

  /** Stops (replies still on the way are dropped). */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.pool.detach(this.id);
    this.ready.clear();
  }

  /** Sends chunks to the workers, once they are ready (until then this thread decodes them all). */
  private dispatch(): void {
    if (!this.workersReady) {
      if (!this.pool.ready()) return;
      this.workersReady = true;
    }
    while (!this.closed && this.nextStart < this.end && this.inWorkers < this.depth && this.sent - this.consumed < this.maxAhead) {
      const start = this.nextStart;
      const end = Math.min(this.end, start + this.chunkBytes);
      this.inWorkers++;
      this.pool.send({ reader: this.id, seq: this.sent++, fd: this.fd, start, end, maxLineBytes: this.maxLineBytes, spare: this.spares.pop() ?? null });
      this.nextStart = end;
    }
  }

  /** Cuts the next chunk and decodes it on this thread; false when there is none to cut (or too many ahead). */
  private decodeAhead(): boolean {
    if (this.closed || this.nextStart >= this.end || this.sent - this.consumed >= this.maxAhead) return false;
    const start = this.nextStart;
    const end = Math.min(this.end, start + this.chunkBytes);
    const seq = this.sent++;
    this.nextStart = end;
    const got = mainThreadChunks().decode({ reader: this.id, seq, fd: this.fd, start, end, maxLineBytes: this.maxLineBytes, spare: this.spares.pop() ?? null });
    this.ready.set(seq, got);
    this.localChunks++;
    this.scannedLines += got.reply.scanned;
    return true;
  }
}
