/**
 * Reading gzip recordings: recognised by their magic bytes (1f 8b), whatever the file is called,
 * and inflated synchronously in chunks (bounded memory) so the line reader stays synchronous.
 *
 * A gzip stream that ends early (a copy cut short, a compression interrupted) or turns corrupt is
 * not an error: what inflated up to there is kept, `damage` says what happened, and the reader
 * warns as it does for a partial last line.
 */

import { Gunzip } from 'fflate';

/** True when `buf` starts with the gzip magic bytes. */
export function isGzipMagic(buf: Uint8Array, length = buf.length): boolean {
  return length >= 2 && buf[0] === 0x1f && buf[1] === 0x8b;
}

const COMPRESSED_CHUNK_BYTES = 64 * 1024;

/** The inflated bytes of a gzip stream read through `readCompressed` (returns 0 at the end). */
export class GunzipInput {
  /** '' while the stream is whole; else what went wrong (the data before it was delivered). */
  damage = '';
  private readonly chunk = Buffer.allocUnsafe(COMPRESSED_CHUNK_BYTES);
  private readonly queue: Uint8Array[] = [];
  private head = 0;
  private ended = false;
  /**
   * fflate does not always throw when a stream is cut at a block boundary: the gzip trailer's
   * ISIZE (inflated size mod 2^32, the stream's last 4 bytes) must match what the last member
   * inflated to.
   */
  private memberBytes = 0;
  private readonly tail = new Uint8Array(8);
  private tailLength = 0;
  private gunzip: Gunzip;

  constructor(
    private readonly readCompressed: (into: Buffer) => number,
    first: Uint8Array,
  ) {
    this.gunzip = this.newGunzip();
    this.push(first, false);
  }

  /** Copies up to `length` inflated bytes into `dst` at `at`; 0 at the end of the stream. */
  read(dst: Buffer, at: number, length: number): number {
    while (this.queue.length === 0 && !this.ended) this.pump();
    let copied = 0;
    while (copied < length && this.queue.length > 0) {
      const q = this.queue[0] as Uint8Array;
      const n = Math.min(length - copied, q.length - this.head);
      dst.set(q.subarray(this.head, this.head + n), at + copied);
      copied += n;
      this.head += n;
      if (this.head === q.length) {
        this.queue.shift();
        this.head = 0;
      }
    }
    return copied;
  }

  private newGunzip(): Gunzip {
    const g = new Gunzip((data) => {
      if (data.length > 0) this.queue.push(data);
      this.memberBytes += data.length;
    });
    g.onmember = () => {
      this.memberBytes = 0;
    };
    return g;
  }

  private pump(): void {
    const n = this.readCompressed(this.chunk);
    if (n === 0) this.push(new Uint8Array(0), true);
    else this.push(this.chunk.subarray(0, n), false);
  }

  private push(data: Uint8Array, final: boolean): void {
    if (this.ended) return;
    this.keepTail(data);
    try {
      this.gunzip.push(data, final);
    } catch (err) {
      const msg = (err as Error).message ?? String(err);
      this.damage = /unexpected EOF/i.test(msg) ? 'the gzip data ends early (truncated)' : `the gzip data is corrupt (${msg})`;
      this.ended = true;
      return;
    }
    if (final) {
      this.ended = true;
      const t = this.tail;
      const isize = this.tailLength < 8 ? -1 : (t[4]! | (t[5]! << 8) | (t[6]! << 16) | (t[7]! << 24)) >>> 0;
      if (isize !== this.memberBytes % 0x100000000) this.damage = 'the gzip data ends early (truncated)';
    }
  }

  private keepTail(data: Uint8Array): void {
    if (data.length >= 8) {
      this.tail.set(data.subarray(data.length - 8));
      this.tailLength = 8;
      return;
    }
    const keep = Math.min(this.tailLength, 8 - data.length);
    this.tail.copyWithin(0, this.tailLength - keep, this.tailLength);
    this.tail.set(data, keep);
    this.tailLength = keep + data.length;
  }
}
