/**
 * TerminalOutputLog: what the processes of one entry session wrote to their terminal (text_output
 * events) to one terminal, kept so a view can show that screen: the recent chunks, oldest first, bounded
 * by characters (the oldest are dropped), with running totals and the latest window size.
 *
 * Chunks are immutable and shared (a replay checkpoint keeps the array's current contents, not
 * copies of the text). `appended` counts every chunk ever added, so a consumer feeding a terminal
 * emulator incrementally knows where it left off: chunk i of `chunks` is number
 * `appended - chunks.length + i`.
 */
import type { TerminalChunk, TerminalOutput } from './types.js';

export class TerminalOutputLog implements TerminalOutput {
  chunks: TerminalChunk[] = [];
  appended = 0;
  dropped = 0;
  /** Characters held in `chunks`. */
  held = 0;
  bytes = 0;
  skipped = 0;
  capped = false;
  rows = 0;
  columns = 0;

  constructor(
    readonly tty: number,
    private readonly maxChars: number,
  ) {}

  append(chunk: TerminalChunk, skipped: number, capped: boolean, bytes: number): void {
    this.bytes += bytes;
    this.skipped += skipped;
    if (capped) this.capped = true;
    if (chunk.rows > 0 && chunk.columns > 0) {
      this.rows = chunk.rows;
      this.columns = chunk.columns;
    }
    if (chunk.text.length === 0) return;
    this.chunks.push(chunk);
    this.appended++;
    this.held += chunk.text.length;
    if (this.held > this.maxChars) this.trim();
  }

  /** Drops the oldest chunks until the rest fits (keeps at least the newest). */
  private trim(): void {
    let drop = 0;
    while (this.held > this.maxChars && drop < this.chunks.length - 1) {
      this.held -= (this.chunks[drop] as TerminalChunk).text.length;
      drop++;
    }
    if (drop > 0) {
      this.chunks.splice(0, drop);
      this.dropped += drop;
    }
  }

  /** A copy sharing the chunks (replay checkpoints). */
  clone(): TerminalOutputLog {
    const c = new TerminalOutputLog(this.tty, this.maxChars);
    c.chunks = this.chunks.slice();
    c.appended = this.appended;
    c.dropped = this.dropped;
    c.held = this.held;
    c.bytes = this.bytes;
    c.skipped = this.skipped;
    c.capped = this.capped;
    c.rows = this.rows;
    c.columns = this.columns;
    return c;
  }
}
