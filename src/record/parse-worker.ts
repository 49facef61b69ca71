/**
 * Entry point of a parse worker thread (parse-worker-pool.ts starts it): says when it is ready,
 * then decodes the chunks it is sent (chunk-decoder.ts), replies on its own port with the packed facts (the buffer transferred,
 * not copied), and bumps the shared counter the main thread sleeps on.
 */

import { parentPort, workerData, type MessagePort } from 'node:worker_threads';
import { newChunkDecoder, type ChunkJob } from './chunk-decoder.js';
import type { JsonSchemaNode } from './json-schema-check.js';

const { port, signal, schema } = workerData as { port: MessagePort; signal: SharedArrayBuffer; schema: JsonSchemaNode };
const counter = new Int32Array(signal);
// The schema's field types compiled from the JSON Schema the main thread sent (zod itself is not
// loaded here: it is most of a worker's start-up); lines of the recorder's own shape are read by
// the scanner built from the same, the rest by JSON.parse and that check.
const decoder = newChunkDecoder(schema);

// Say when ready: until every worker is, the main thread decodes every chunk itself.
port.postMessage({ ready: true });
Atomics.add(counter, 0, 1);
Atomics.notify(counter, 0);

parentPort?.on('message', (job: ChunkJob) => {
  const reply = decoder.decode(job);
  port.postMessage(reply, [reply.batch.buffer]);
  Atomics.add(counter, 0, 1);
  Atomics.notify(counter, 0);
});
