/**
 * Entry point of a parse worker thread (parse-worker-pool.ts starts it): says when it is ready,
 * then decodes the chunks it is sent (chunk-decoder.ts), replies on its own port with the packed facts (the buffer transferred,
 * not copied), and bumps the shared counter the main thread sleeps on.
 */

import { parentPort, workerData, type MessagePort } from 'node:worker_threads';
import { ChunkDecoder, type ChunkJob } from './chunk-decoder.js';
import { validateRecordLine } from './schema.js';

const { port, signal } = workerData as { port: MessagePort; signal: SharedArrayBuffer };
const counter = new Int32Array(signal);
const decoder = new ChunkDecoder();

// Compile the schema check now, then say so: until every worker is ready the reader parses on
// the main thread (a worker's start-up costs as much as reading a few MB there).
validateRecordLine({});
port.postMessage({ ready: true });
Atomics.add(counter, 0, 1);
Atomics.notify(counter, 0);

parentPort?.on('message', (job: ChunkJob) => {
  const reply = decoder.decode(job);
  port.postMessage(reply, [reply.batch.buffer]);
  Atomics.add(counter, 0, 1);
  Atomics.notify(counter, 0);
});
