/**
 * What a parse worker does with one chunk of a recording: reads the lines the chunk owns
 * (line-chunks.ts), and for each non-blank one runs the reader's own line path and packs the
 * outcome (packed-facts.ts): an event, or the bad-line reason, in line order.
 *
 * A line is first given to the line scanner (record-line-scanner.ts), which checks it on its bytes
 * and builds only the fields the line's facts come from; a line it does not fully understand takes
 * the reader's usual path — decoded, JSON.parse, the schema check — with the same outcome either
 * way. A line the compiled schema check rejects goes back whole (RECHECK): the main thread, where
 * zod is loaded, reads it as it would alone and gives the reason. Nothing here depends on earlier
 * chunks: what does (hosts, boot times, names, line numbers, strict mode, the limits on bad lines)
 * is the main thread's.
 */

import { newProcessEvent } from '../sensor/process-event.js';
import { compileJsonSchemaCheck, type JsonSchemaNode } from './json-schema-check.js';
import { readChunkLineBytes } from './line-chunks.js';
import { hostFactsOf, lineToFacts, newHostFacts, newLineHostFacts } from './line-to-event.js';
import { Kind, PackedFactsWriter, Slot, type PackedBatch } from './packed-facts.js';
import { checkWithCompiled, firstNonBlank, insaneTimeReason, parseLineWith, UNREADABLE_TIME, withLineRequirements, type LineCheck } from './line-parse.js';
import { lineScannerOrNull, type RecordLineScanner } from './record-line-scanner.js';
import type { RecordLine } from './schema.js';

/** A chunk to read: lines starting in file bytes [start, end) of the open file `fd`. */
export interface ChunkJob {
  /** Which reader asked (a worker serves every reader of the process). */
  reader: number;
  seq: number;
  fd: number;
  start: number;
  end: number;
  maxLineBytes: number;
  /** A batch buffer the reader is done with, to write this chunk's records into (transferred back). */
  spare?: ArrayBuffer | null;
}

export interface ChunkReply {
  reader: number;
  seq: number;
  /** Lines the chunk owns (blank ones included). */
  lines: number;
  /** File offset of a NUL byte (the chunk stops at its line), −1 when none. */
  binaryAt: number;
  /** Lines the line scanner read (the others took the usual path, or were blank). */
  scanned: number;
  batch: PackedBatch;
  /** '' unless reading failed (an I/O error): then the one-line message. */
  error: string;
}

/** Per-worker state reused across chunks. */
export class ChunkDecoder {
  private readonly writer = new PackedFactsWriter();
  private readonly event = newProcessEvent();
  private readonly hostFacts = newHostFacts();
  private readonly lineFacts = newLineHostFacts();
  private readonly scratch: { buf: Buffer } = { buf: Buffer.alloc(0) };
  /** Lines the scanner read, and lines that took the usual path (blank ones not counted). */
  scanned = 0;
  parsed = 0;

  /**
   * `check`: the schema check (without zod in a worker: a line it rejects goes back as RECHECK);
   * `scanner`: the line scanner built from the same schema (null: every line takes the usual path).
   */
  constructor(
    private readonly check: LineCheck,
    private readonly scanner: RecordLineScanner | null = null,
  ) {}

  decode(job: ChunkJob): ChunkReply {
    const w = this.writer;
    const scannedBefore = this.scanned;
    let error = '';
    let result = { lines: 0, binaryAt: -1 };
    try {
      result = readChunkLineBytes(job.fd, job.start, job.end, job.maxLineBytes, (line, offset, length, bytes, from, to, unterminated) => {
        if (bytes === null) {
          w.begin(Kind.tooLong, line, offset, length, unterminated);
          return;
        }
        const scanned = this.scanner !== null ? this.scanner.scan(bytes, from, to) : null;
        let parsed: RecordLine | string | null;
        if (scanned !== null) {
          this.scanned++;
          parsed = withLineRequirements(scanned);
        } else {
          const text = bytes.toString('utf8', from, to);
          const first = firstNonBlank(text);
          if (first === -1) return;
          this.parsed++;
          parsed = parseLineWith(text, first, this.check);
          if (parsed === null) {
            w.begin(Kind.recheck, line, offset, length, unterminated);
            w.setLocal(Slot.reason, text);
            return;
          }
        }
        if (typeof parsed === 'string') {
          w.begin(Kind.bad, line, offset, length, unterminated);
          w.setLocal(Slot.reason, parsed);
          return;
        }
        const host = hostFactsOf(parsed, this.hostFacts);
        const e = this.event;
        if (!lineToFacts(parsed, e, this.lineFacts)) {
          w.begin(Kind.badHost, line, offset, length, unterminated);
          w.setHost(host);
          w.setLocal(Slot.reason, UNREADABLE_TIME);
          return;
        }
        w.begin(Kind.event, line, offset, length, unterminated);
        w.setHost(host);
        w.setEvent(e, this.lineFacts);
        const insane = insaneTimeReason(parsed, e);
        if (insane !== '') w.setLocal(Slot.reason, insane);
      }, this.scratch);
    } catch (err) {
      error = ((err as Error).message ?? String(err)).split('\n', 1)[0] as string;
    }
    // Keep no big buffer between jobs beyond the usual chunk size.
    if (this.scratch.buf.length > 4 * (job.end - job.start + 1)) this.scratch.buf = Buffer.alloc(0);
    return { reader: job.reader, seq: job.seq, lines: result.lines, binaryAt: result.binaryAt, scanned: this.scanned - scannedBefore, batch: w.take(job.spare ?? null), error };
  }
}

/**
 * The decoder a parse worker runs, and the main thread when it decodes chunks itself: the schema's
 * field types compiled from its JSON Schema (no zod) and the line scanner built from the same
 * (none when the addon cannot be loaded here: every line then takes the usual path, same outcome).
 */
export function newChunkDecoder(schema: JsonSchemaNode): ChunkDecoder {
  const fieldTypes = compileJsonSchemaCheck(schema);
  return new ChunkDecoder((value) => checkWithCompiled(value, fieldTypes), lineScannerOrNull(schema));
}
