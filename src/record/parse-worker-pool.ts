/**
 * The parse workers of the process (node:worker_threads), shared by every reader of a recording.
 *
 * - One worker per core but one, at most 4: the main thread is the other parser (it decodes a
 *   chunk itself whenever the next one is not back: parallel-record-lines.ts). None when the
 *   machine has a single core (parsing in a worker then only adds copying). With a worker per
 *   core, two of them and the main thread took turns on the two cores of this machine kind, and
 *   the main thread, which applies every event to the model, waited its turn.
 * - Replies come back on a MessageChannel per worker that the main thread never listens on: it
 *   takes them with receiveMessageOnPort, synchronously, so the reader's API stays synchronous
 *   (replay, seek, snapshot pull one event at a time). When nothing has arrived it sleeps with
 *   Atomics.wait on a counter every worker bumps after each reply.
 * - Workers are unref'd (they never keep the process alive) and terminated when no reader has used
 *   them for IDLE_MS (a backward seek reopens the files at once: the same workers serve it), and
 *   the main thread's own decoder is dropped with them. terminateParseWorkers() stops them at once.
 * - The worker script is parse-worker.js next to this module (dist/src/record/ in a checkout,
 *   dist/package/record/ in the package); running from the TypeScript sources (the test runner)
 *   the compiled copy in dist/src/record/ is used. Without one the readers parse on the main thread.
 */

import { existsSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { fileURLToPath } from 'node:url';
import { MessageChannel, receiveMessageOnPort, Worker, type MessagePort } from 'node:worker_threads';
import type { ChunkJob, ChunkReply } from './chunk-decoder.js';
import { releaseMainThreadChunks } from './main-thread-chunks.js';
import { PackedTables } from './packed-facts.js';
import { recordLineJsonSchema } from './schema.js';

const MAX_WORKERS = 4;
const IDLE_MS = 3000;
/** Longest sleep between checks that the workers are still alive. */
const WAIT_SLICE_MS = 250;
/** Longest silence from every worker before reading fails (a chunk takes well under a second). */
const STALL_MS = 60_000;

/** Where a reader is told its replies (with the interned table each one refers to). */
export type ReplySink = (reply: ChunkReply, table: unknown[]) => void;

interface PoolWorker {
  worker: Worker;
  port: MessagePort;
  failure: string;
  /** The worker has loaded its code and compiled the schema check. */
  ready: boolean;
}

/** The worker script, or null when there is none to run (sources not compiled). */
export function parseWorkerUrl(): URL | null {
  const candidates = [new URL('./parse-worker.js', import.meta.url)];
  if (import.meta.url.endsWith('.ts')) candidates.push(new URL('../../dist/src/record/parse-worker.js', import.meta.url));
  return candidates.find((u) => existsSync(fileURLToPath(u))) ?? null;
}

export class ParseWorkerPool {
  private workers: PoolWorker[] = [];
  private readonly counter = new Int32Array(new SharedArrayBuffer(4));
  private readonly tables = new PackedTables();
  private readonly sinks = new Map<number, ReplySink>();
  private nextReader = 1;
  private turn = 0;
  private users = 0;
  private idle: NodeJS.Timeout | null = null;

  constructor(
    readonly size: number,
    private readonly url: URL,
  ) {}

  /**
   * Starts the workers if they are not running (a reader calls this first, and decodes its chunks
   * by itself until ready() says they can take some).
   */
  warm(): void {
    if (this.workers.length === 0) this.start();
    if (this.users === 0) this.armIdle();
  }

  /** True when every worker is ready to take chunks (never blocks). */
  ready(): boolean {
    this.drain();
    return this.workers.length > 0 && this.workers.every((w) => w.ready);
  }

  /** Starts serving a reader; its replies go to `sink`. Returns the reader's id. */
  attach(sink: ReplySink): number {
    if (this.idle !== null) {
      clearTimeout(this.idle);
      this.idle = null;
    }
    if (this.workers.length === 0) this.start();
    this.users++;
    const id = this.nextReader++;
    this.sinks.set(id, sink);
    return id;
  }

  /** Stops serving a reader (its replies still on the way are dropped). */
  detach(id: number): void {
    if (!this.sinks.delete(id)) return;
    this.users--;
    if (this.users === 0 && this.workers.length > 0) this.armIdle();
  }

  private armIdle(): void {
    if (this.idle !== null) clearTimeout(this.idle);
    this.idle = setTimeout(() => this.terminate(), IDLE_MS);
    this.idle.unref();
  }

  /** Sends a job to the next worker in turn. */
  send(job: ChunkJob): void {
    const w = this.workers[this.turn++ % this.workers.length] as PoolWorker;
    w.worker.postMessage(job, job.spare ? [job.spare] : []);
  }

  /**
   * Delivers every reply that has arrived; blocks until `done()` holds. Throws when a worker died,
   * or when no worker has answered for STALL_MS (a worker that died while this thread was blocked
   * is only reported on the event loop, which is not running: never wait for it forever).
   */
  waitUntil(done: () => boolean): void {
    let since = performance.now();
    for (;;) {
      const seen = Atomics.load(this.counter, 0);
      this.drain();
      if (done()) return;
      for (const w of this.workers) {
        if (w.failure !== '' || w.worker.threadId === -1) {
          throw new Error(`a parse worker stopped${w.failure !== '' ? `: ${w.failure}` : ''}`);
        }
      }
      if (Atomics.wait(this.counter, 0, seen, WAIT_SLICE_MS) !== 'timed-out') since = performance.now();
      else if (performance.now() - since > STALL_MS) throw new Error(`the parse workers stopped answering (nothing for ${STALL_MS / 1000} s)`);
    }
  }

  terminate(): void {
    if (this.idle !== null) {
      clearTimeout(this.idle);
      this.idle = null;
    }
    const workers = this.workers;
    this.workers = [];
    releaseMainThreadChunks();
    for (const w of workers) {
      w.port.close();
      void w.worker.terminate();
    }
  }

  /** Delivers every reply that has arrived (never blocks). */
  poll(): void {
    this.drain();
  }

  private drain(): void {
    this.workers.forEach((w, i) => {
      for (;;) {
        const m = receiveMessageOnPort(w.port);
        if (m === undefined) break;
        if ((m.message as { ready?: boolean }).ready === true) {
          w.ready = true;
          continue;
        }
        const reply = m.message as ChunkReply;
        const table = this.tables.receive(i, reply.batch);
        this.sinks.get(reply.reader)?.(reply, table);
      }
    });
  }

  private start(): void {
    this.tables.clear();
    for (let i = 0; i < this.size; i++) {
      const { port1, port2 } = new MessageChannel();
      const worker = new Worker(this.url, { workerData: { port: port2, signal: this.counter.buffer, schema: recordLineJsonSchema() }, transferList: [port2] });
      const w: PoolWorker = { worker, port: port1, failure: '', ready: false };
      worker.on('error', (err) => {
        w.failure = ((err as Error).message ?? String(err)).split('\n', 1)[0] as string;
      });
      worker.unref();
      port1.unref();
      this.workers.push(w);
    }
  }
}

let shared: ParseWorkerPool | null | undefined;

/** The process's pool, or null when parsing stays on the main thread (one core, or no worker script). */
export function parseWorkerPool(): ParseWorkerPool | null {
  if (shared === undefined) {
    const cores = availableParallelism();
    const url = parseWorkerUrl();
    shared = cores < 2 || url === null ? null : new ParseWorkerPool(Math.min(MAX_WORKERS, cores - 1), url);
  }
  return shared;
}

/** Stops the workers now (they restart when a reader needs them again). */
export function terminateParseWorkers(): void {
  shared?.terminate();
}
