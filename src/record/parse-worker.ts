/**
 * Entry point of a parse worker thread (parse-worker-pool.ts starts it): decodes the chunks it is
 * sent (chunk-decoder.ts), replies on its own port with the packed facts (the buffer transferred,
 * not copied), and bumps the shared counter the main thread sleeps on.
 */

import { parentPort, workerData, type MessagePort } from 'node:worker_threads';
import { ChunkDecoder, type ChunkJob } from './chunk-decoder.js';

const { port, signal } = workerData as { port: MessagePort; signal: SharedArrayBuffer };
const counter = new Int32Array(signal);
const decoder = new ChunkDecoder();

parentPort?.on('message', (job: ChunkJob) => {
  const reply = decoder.decode(job);
  port.postMessage(reply, [reply.batch.buffer]);
  Atomics.add(counter, 0, 1);
  Atomics.notify(counter, 0);
});
